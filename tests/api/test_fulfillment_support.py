"""Helpers for the fulfilment API tests: a paid order, its shipments, signed carrier posts.

No tests here. Everything goes through the real API (checkout, seller shipments, carrier
webhooks), so a helper breaks when the product breaks. Shared by the tracking, delay and
3PL tests; keep the signatures stable.

    placed = await placed_order(client, actors)                 # one seller, card, verified
    shipment = await create_shipment(client, placed.shop, placed.seller_order_id)
    await hand_over(client, placed.shop, [shipment["id"]])      # SellerOrder → shipped
    await post_tracking(client, "sandbox", {...})               # signed like a carrier
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from sqlalchemy import select

from pasar.orders.models import OrderLine
from pasar.platform.db import Database
from pasar.platform.signing import HEADER, derive_key, sign
from tests.api import test_orders_support as s
from tests.support import Actors

#: The `secret_key` of the test settings (tests/conftest.py): carriers' keys derive from it.
SECRET = "test-secret-not-for-production"

#: One small box: enough for any carrier's rate table.
BOX: dict[str, int] = {"weight_grams": 800, "length_mm": 200, "width_mm": 150, "height_mm": 100}


def mount_fulfillment(app: FastAPI) -> FastAPI:
    """Include fulfilment's routers unless the app already serves them (idempotent).

    `pasar.app` mounts fulfilment itself; this only matters for an app built without it.
    """
    paths = {getattr(route, "path", None) for route in app.router.routes}
    shipments = "/api/v1/sellers/{seller_id}/orders/{seller_order_id}/shipments"
    wanted = {
        "pasar.fulfillment.router": shipments,
        "pasar.fulfillment.tracking_router": "/api/v1/tracking/{tracking_number}",
    }
    for module, path in wanted.items():
        if path not in paths:
            app.include_router(importlib.import_module(module).router)
            app.openapi_schema = None
    return app


@dataclass
class Placed:
    """A placed (and, by card, verified) order, as the buyer and its sellers see it."""

    number: str
    access_token: str
    shops: list[s.Shop]
    #: The placing response: `seller_orders` holds `id`, `number`, `seller_id`.
    body: dict[str, Any]

    @property
    def shop(self) -> s.Shop:
        return self.shops[0]

    @property
    def seller_order_id(self) -> int:
        return self.seller_order_of(self.shops[0])

    def seller_order_of(self, shop: s.Shop) -> int:
        for part in self.body["seller_orders"]:
            if part["seller_id"] == shop.seller.seller_id:
                return int(part["id"])
        raise AssertionError(f"no seller order for seller {shop.seller.seller_id}")

    @property
    def access(self) -> dict[str, str]:
        """Query parameters that open the order as its (guest) buyer."""
        return {"access": self.access_token}


async def placed_order(
    client: httpx.AsyncClient,
    actors: Actors,
    *,
    sellers: int = 1,
    offers: int = 1,
    quantity: int = 1,
    stock: int = 10,
    service: str = "standard",
    payment: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    address: dict[str, Any] | None = None,
    name: str = "Fulfil",
) -> Placed:
    """`sellers` stocked shops, each with `offers` offers; one cart buys `quantity` of each."""
    shops = [
        await s.shop(client, actors, f"{name} {n}", offers=offers, stock=stock)
        for n in range(1, sellers + 1)
    ]
    lines = [(offer_id, quantity) for shop in shops for offer_id in shop.offers]
    cart = await s.cart_with(client, lines, headers=headers, service=service, address=address)
    assert cart["ready"], cart
    placed = await s.place(client, cart["token"], payment or s.card(), headers=headers)
    assert placed.status_code == 201, placed.text
    body: dict[str, Any] = placed.json()
    return Placed(body["number"], body["access_token"], shops, body)


async def order_line_ids(database: Database, seller_order_id: int) -> list[int]:
    """The order line ids of a SellerOrder, in order (to ship some lines but not others).

    Read from the database because orders' API does not show line ids (yet).
    """
    async with database.sessionmaker() as session:
        ids = await session.scalars(
            select(OrderLine.id)
            .where(OrderLine.seller_order_id == seller_order_id)
            .order_by(OrderLine.id)
        )
        return list(ids)


async def create_shipment(
    client: httpx.AsyncClient,
    shop: s.Shop,
    seller_order_id: int,
    *,
    packages: Sequence[dict[str, Any]] | None = None,
    lines: Sequence[dict[str, int]] | None = None,
    carrier: str | None = None,
    service: str | None = None,
    warehouse_id: int | None = None,
    key: str | None = None,
    expect: int = 201,
) -> dict[str, Any]:
    """The seller packs (all that is left, unless `lines` says) and buys a label."""
    body: dict[str, Any] = {"packages": list(packages or [BOX])}
    if lines is not None:
        body["lines"] = list(lines)
    if carrier is not None:
        body["carrier"] = carrier
    if service is not None:
        body["service"] = service
    if warehouse_id is not None:
        body["warehouse_id"] = warehouse_id
    extra = {"Idempotency-Key": key} if key else {}
    r = await client.post(
        f"/api/v1/sellers/{shop.seller.seller_id}/orders/{seller_order_id}/shipments",
        json=body,
        headers={**shop.seller.headers, **extra},
    )
    assert r.status_code == expect, r.text
    created: dict[str, Any] = r.json()
    return created


async def hand_over(
    client: httpx.AsyncClient, shop: s.Shop, shipment_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """The seller marks these parcels collected by the carrier."""
    r = await client.post(
        f"/api/v1/sellers/{shop.seller.seller_id}/shipments/hand-over",
        json={"shipment_ids": list(shipment_ids)},
        headers=shop.seller.headers,
    )
    assert r.status_code == 200, r.text
    handed: list[dict[str, Any]] = r.json()
    return handed


async def shipment(client: httpx.AsyncClient, shop: s.Shop, shipment_id: int) -> dict[str, Any]:
    """One shipment as its seller sees it (lines, packages, timeline)."""
    r = await client.get(
        f"/api/v1/sellers/{shop.seller.seller_id}/shipments/{shipment_id}",
        headers=shop.seller.headers,
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def seller_order(client: httpx.AsyncClient, shop: s.Shop, so_id: int) -> dict[str, Any]:
    r = await client.get(
        f"/api/v1/sellers/{shop.seller.seller_id}/orders/{so_id}", headers=shop.seller.headers
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def buyer_order(client: httpx.AsyncClient, placed: Placed) -> dict[str, Any]:
    r = await client.get(f"/api/v1/orders/{placed.number}", params=placed.access)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def shipped(
    client: httpx.AsyncClient,
    actors: Actors,
    *,
    carrier: str | None = None,
    hand: bool = True,
    **order: Any,
) -> tuple[Placed, dict[str, Any]]:
    """A one-seller order packed into one shipment and (by default) handed over."""
    placed = await placed_order(client, actors, **order)
    created = await create_shipment(client, placed.shop, placed.seller_order_id, carrier=carrier)
    if hand:
        await hand_over(client, placed.shop, [created["id"]])
    return placed, created


def carrier_key(carrier_code: str, *, secret: str = SECRET) -> bytes:
    """The key a carrier signs its tracking webhooks with."""
    return derive_key(secret, f"carrier:{carrier_code}")


def signed(
    carrier_code: str,
    payload: Any,
    *,
    timestamp: int | None = None,
    secret: str = SECRET,
) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers of a correctly signed carrier webhook."""
    raw = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    signature = sign(carrier_key(carrier_code, secret=secret), raw, timestamp=timestamp)
    return raw, {HEADER: signature, "Content-Type": "application/json"}


async def post_tracking(
    client: httpx.AsyncClient,
    carrier_code: str,
    payload: Any,
    *,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a carrier's own JSON to its tracking webhook, signed unless `headers` is given."""
    raw, signed_headers = signed(carrier_code, payload, timestamp=timestamp)
    return await client.post(
        f"/api/v1/carriers/{carrier_code}/tracking-events",
        content=raw,
        headers=signed_headers if headers is None else headers,
    )
