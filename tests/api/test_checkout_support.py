"""Helpers shared by the checkout API tests (this file holds no tests of its own)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from pasar.checkout import CheckoutConfig, checkout_clock, checkout_config
from tests.api import test_inventory_support as inv
from tests.support import Actor, Actors

_serial = itertools.count(1)

#: Monday 23 November 2026, 10:00 in Jakarta: before every test warehouse's 15:00 cut-off.
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
MONDAY = date(2026, 11, 23)

ADDRESS = {
    "email": "siti@example.com",
    "phone": "+62 812-3456-7890",
    "name": "Siti Rahma",
    "line1": "Jl. Kemang Raya 5",
    "city": "Jakarta",
    "region": "DKI Jakarta",
    "postal_code": "12730",
    "country": "ID",
}
NATIONAL = {**ADDRESS, "city": "Bandung", "region": "Jawa Barat", "postal_code": "40111"}
ABROAD = {**ADDRESS, "city": "Singapore", "region": "Singapore", "country": "SG"}


@dataclass
class Shop:
    """An approved seller with one warehouse in Jakarta (cut-off 15:00)."""

    seller: Actor
    warehouse_id: int


async def shop(client: httpx.AsyncClient, actors: Actors, name: str | None = None) -> Shop:
    seller = await actors.seller(name)
    return Shop(seller, await inv.warehouse(client, seller, f"WH{next(_serial)}"))


async def listed(
    client: httpx.AsyncClient,
    shop: Shop,
    *,
    price: int = 2_500,
    stock: int = 10,
    weight_g: int | None = 250,
    title: str = "Kopi Gayo 250 g",
    options: dict[str, str] | None = None,
) -> int:
    """A product with one variant, the shop's offer for it, and stock in its warehouse."""
    sku = f"CO-{next(_serial)}"
    seller = shop.seller
    made = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/products",
        json={
            "title": title,
            "images": ["https://img.example.com/kopi.jpg"],
            "variants": [
                {
                    "sku": sku,
                    "option_values": {"grind": "Whole bean"} if options is None else options,
                    "weight_g": weight_g,
                }
            ],
        },
        headers=seller.headers,
    )
    assert made.status_code == 201, made.text
    offered = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/offers",
        json={"sku": sku, "price_amount": price},
        headers=seller.headers,
    )
    assert offered.status_code == 201, offered.text
    offer_id = int(offered.json()["id"])
    if stock:
        await restock(client, shop, offer_id, stock)
    return offer_id


async def restock(client: httpx.AsyncClient, shop: Shop, offer_id: int, quantity: int) -> None:
    synced = await inv.sync(
        client,
        shop.seller,
        [{"offer_id": offer_id, "warehouse_id": shop.warehouse_id, "quantity": quantity}],
    )
    assert synced.status_code == 200, synced.text


async def new_cart(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> str:
    created = await client.post("/api/v1/carts", headers=headers or {})
    assert created.status_code in (200, 201), created.text
    return str(created.json()["token"])


async def add(
    client: httpx.AsyncClient,
    token: str,
    offer_id: int,
    quantity: int = 1,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    added = await client.post(
        f"/api/v1/carts/{token}/lines",
        json={"offer_id": offer_id, "quantity": quantity},
        headers=headers or {},
    )
    assert added.status_code == 200, added.text
    body: dict[str, Any] = added.json()
    return body


async def read(
    client: httpx.AsyncClient, token: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await client.get(f"/api/v1/carts/{token}", headers=headers or {})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def address(
    client: httpx.AsyncClient, token: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.put(f"/api/v1/carts/{token}/address", json=body or ADDRESS)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def lines_of(cart: dict[str, Any]) -> list[dict[str, Any]]:
    return [line for group in cart["groups"] for line in group["lines"]]


def codes(line: dict[str, Any]) -> list[str]:
    return [issue["code"] for issue in line["issues"]]


def pin_clock(app: FastAPI, moment: datetime) -> None:
    """Checkout reads the time through a dependency; tests pin it to a known moment."""
    app.dependency_overrides[checkout_clock] = lambda: moment


def configure(app: FastAPI, **changes: Any) -> None:
    """Run checkout with other limits (the settings carry only the marketplace-wide ones)."""
    currency = app.state.settings.currency
    config = CheckoutConfig(currency=currency, **changes)
    provide: Callable[[], CheckoutConfig] = lambda: config  # noqa: E731
    app.dependency_overrides[checkout_config] = provide
