"""Helpers shared by the inventory API tests (this file holds no tests of its own)."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.support import Actor

_sku = itertools.count(1)

WAREHOUSE = {
    "name": "Main warehouse",
    "address_line1": "Jl. Gatot Subroto 12",
    "city": "Jakarta",
    "region": "DKI Jakarta",
    "postal_code": "12930",
    "country": "ID",
    "time_zone": "Asia/Jakarta",
    "cut_off_time": "15:00",
}


async def warehouse(client: httpx.AsyncClient, seller: Actor, code: str) -> int:
    response = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/warehouses",
        json={**WAREHOUSE, "code": code},
        headers=seller.headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def offer(client: httpx.AsyncClient, seller: Actor, *, threshold: int = 5) -> int:
    """A product with one variant, and this seller's offer for it."""
    sku = f"INV-{next(_sku)}"
    product = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/products",
        json={"title": f"Kopi {sku}", "variants": [{"sku": sku}]},
        headers=seller.headers,
    )
    assert product.status_code == 201, product.text
    created = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/offers",
        json={"sku": sku, "price_amount": 25_000, "low_stock_threshold": threshold},
        headers=seller.headers,
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def sync(
    client: httpx.AsyncClient,
    seller: Actor,
    items: list[dict[str, Any]],
    *,
    mode: str = "absolute",
    key: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return await client.post(
        f"/api/v1/sellers/{seller.seller_id}/stock/sync",
        json={"mode": mode, "items": items},
        headers={**(headers or seller.headers), **extra},
    )


async def stock(client: httpx.AsyncClient, seller: Actor, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/v1/sellers/{seller.seller_id}/stock", params=params, headers=seller.headers
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
