"""Helpers for the order-journey tests: stocked sellers and a whole checkout (no tests here)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.api import test_inventory_support as inv
from tests.support import Actor, Actors

CARD_OK = "4242 4242 4242 4242"
CARD_DECLINED = "4000000000000002"
CARD_NO_FUNDS = "4000000000009995"
CARD_3DS = "4000000000003220"

ADDRESS = {
    "email": "Guest.Buyer@example.com",
    "phone": "+6281234567890",
    "name": "Guest Buyer",
    "line1": "Jl. Sudirman 1",
    "city": "Jakarta",
    "region": "DKI Jakarta",
    "postal_code": "10210",
    "country": "ID",
}

_codes = itertools.count(1)


@dataclass
class Shop:
    """An approved seller with one warehouse and stocked offers."""

    seller: Actor
    warehouse_id: int
    offers: list[int] = field(default_factory=list)


async def shop(
    client: httpx.AsyncClient,
    actors: Actors,
    name: str,
    *,
    offers: int = 1,
    stock: int = 10,
    price: int | None = None,
) -> Shop:
    seller = await actors.seller(name)
    warehouse = await inv.warehouse(client, seller, f"WH{next(_codes)}")
    ids = [await inv.offer(client, seller) for _ in range(offers)]
    if price is not None:
        for offer_id in ids:
            r = await client.patch(
                f"/api/v1/offers/{offer_id}", json={"price_amount": price}, headers=seller.headers
            )
            assert r.status_code == 200, r.text
    synced = await inv.sync(
        client,
        seller,
        [{"offer_id": o, "warehouse_id": warehouse, "quantity": stock} for o in ids],
    )
    assert synced.status_code == 200, synced.text
    return Shop(seller, warehouse, ids)


def card(number: str = CARD_OK) -> dict[str, Any]:
    return {
        "method": "card",
        "card": {"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"},
    }


async def cart_with(
    client: httpx.AsyncClient,
    lines: list[tuple[int, int]],
    *,
    headers: dict[str, str] | None = None,
    service: str = "standard",
    address: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A cart with these (offer, quantity) lines, an address and a delivery choice per seller."""
    created = await client.post("/api/v1/carts", headers=headers or {})
    assert created.status_code in (200, 201), created.text
    token = created.json()["token"]
    for offer_id, quantity in lines:
        added = await client.post(
            f"/api/v1/carts/{token}/lines",
            json={"offer_id": offer_id, "quantity": quantity},
            headers=headers or {},
        )
        assert added.status_code in (200, 201), added.text
    put = await client.put(
        f"/api/v1/carts/{token}/address", json=address or ADDRESS, headers=headers or {}
    )
    assert put.status_code == 200, put.text
    sellers = [g["seller"]["id"] if "seller" in g else g["seller_id"] for g in put.json()["groups"]]
    chosen = await client.put(
        f"/api/v1/carts/{token}/delivery",
        json={"choices": [{"seller_id": s, "service": service} for s in sellers]},
        headers=headers or {},
    )
    assert chosen.status_code == 200, chosen.text
    body: dict[str, Any] = chosen.json()
    return body


async def place(
    client: httpx.AsyncClient,
    token: str,
    payment: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    key: str | None = None,
    expected_total: int | None = None,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    body: dict[str, Any] = {"payment": payment}
    if expected_total is not None:
        body["expected_total"] = expected_total
    return await client.post(
        f"/api/v1/carts/{token}/order", json=body, headers={**(headers or {}), **extra}
    )


async def order_of(client: httpx.AsyncClient, placed: dict[str, Any]) -> dict[str, Any]:
    r = await client.get(placed["order_url"].replace("/orders/", "/api/v1/orders/", 1))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body
