"""Helpers shared by the catalog API tests (this file holds no tests of its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from pasar.platform.db import Database
from pasar.platform.events import DomainEvent
from pasar.platform.outbox import emit
from tests.support import Actor

GTINS = ["4006381333931", "5901234123457", "0036000291452", "96385074", "00012345600012"]


@dataclass(frozen=True, kw_only=True)
class AvailabilityChanged(DomainEvent):
    """Stands in for inventory's event, so catalog tests control stock directly."""

    name = "inventory.availability_changed"

    offer_id: int
    available: int


async def set_available(database: Database, offer_id: int, available: int) -> None:
    async with database.sessionmaker() as session:
        await emit(session, AvailabilityChanged(offer_id=offer_id, available=available))
        await session.commit()


async def category(
    client: httpx.AsyncClient, operator: Actor, name: str, parent_id: int | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/categories",
        json={"name": name, "parent_id": parent_id},
        headers=operator.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def product(
    client: httpx.AsyncClient,
    seller: Actor,
    *,
    title: str,
    skus: list[str],
    category_id: int | None = None,
    brand: str | None = None,
    description: str = "",
) -> dict[str, Any]:
    body = {
        "title": title,
        "brand": brand,
        "description": description,
        "category_id": category_id,
        "images": ["https://img.example.com/a.jpg"],
        "attributes": {"material": "cotton"},
        "variants": [{"sku": sku, "option_values": {"size": sku[-1]}} for sku in skus],
    }
    response = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/products", json=body, headers=seller.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def offer(
    client: httpx.AsyncClient, seller: Actor, sku: str, price: int, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/offers",
        json={"sku": sku, "price_amount": price, **fields},
        headers=seller.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def api_key_headers(client: httpx.AsyncClient, owner: Actor) -> dict[str, str]:
    created = await client.post(
        f"/api/v1/sellers/{owner.seller_id}/api-keys", json={"name": "erp"}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['key']}"}


async def listing(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/products", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())
