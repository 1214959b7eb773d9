"""Order batches from trusted channels: many orders per request, each all or nothing.

Through the real app on SQLite and PostgreSQL: a mixed batch (placed, out of stock,
unknown offer, duplicates within the batch and across requests), stock and ledgers that
add up afterwards, the same events as a checkout, idempotent replays, operators only,
problem+json for malformed batches — and, on PostgreSQL, batches racing checkouts for
scarce stock without overselling.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from pasar.inventory.models import StockLevel
from pasar.orders.models import Order, OrderHistory, OrderLine, SellerOrder
from pasar.payments.models import Payment, PaymentAllocation, PaymentLedgerEntry
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from tests.api import test_inventory_support as inv
from tests.api import test_orders_support as s
from tests.api.test_inventory_service import ledger_balances
from tests.support import Actors

URL = "/api/v1/admin/order-batches"
PROBLEM = "application/problem+json"
ADDRESS = {k: v for k, v in s.ADDRESS.items() if k not in ("email", "phone")}


def order(external_id: str, *lines: tuple[int, int], **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "email": "Buyer@Example.com",
        "phone": "+6281234567890",
        "address": ADDRESS,
        "lines": [{"offer_id": o, "quantity": q} for o, q in lines],
        "payment": {"method": "external", "reference": f"pay-{external_id}"},
        **extra,
    }


async def post(
    client: httpx.AsyncClient, headers: dict[str, str], orders: list[dict[str, Any]]
) -> dict[str, Any]:
    r = await client.post(URL, json={"channel": "shop-import", "orders": orders}, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def count(database: Database, model: Any, *where: Any) -> int:
    async with database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def stock(database: Database, offer_id: int) -> tuple[int, int]:
    async with database.sessionmaker() as session:
        row = (
            await session.execute(
                select(func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved)).where(
                    StockLevel.offer_id == offer_id
                )
            )
        ).one()
        return int(row[0] or 0), int(row[1] or 0)


async def test_a_mixed_batch_places_what_fits_and_says_why_not_for_the_rest(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    a = await s.shop(client, actors, "Batch A", offers=2, stock=5, price=1_000)
    b = await s.shop(client, actors, "Batch B", offers=1, stock=3, price=2_000)
    operator = await actors.operator()
    a1, a2 = a.offers
    (b1,) = b.offers
    body = await post(
        client,
        operator.headers,
        [
            order("x-1", (a1, 2), (b1, 1)),  # two sellers
            order("x-2", (a1, 3), (a2, 9)),  # a2 short: nothing of it is held, a1 stays
            order("x-3", (999_999, 1)),  # unknown offer
            order("x-1", (a1, 1)),  # the same external id again in this batch
            order("x-4", (a1, 3), (a2, 1)),  # fits only because x-2 held nothing
            order("x-5", (b1, 3)),  # 2 of b1 left: short
        ],
    )
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["placed", "rejected", "rejected", "duplicate", "placed", "rejected"]
    assert (body["placed"], body["duplicates"], body["rejected"]) == (2, 1, 3)
    results = body["results"]
    assert results[1]["problem"]["type"].endswith("/insufficient-stock")
    assert results[1]["problem"]["offer_id"] == a2
    assert results[2]["problem"]["type"].endswith("/offer-not-found")
    assert results[5]["problem"]["type"].endswith("/insufficient-stock")
    assert results[3]["order_id"] == results[0]["order_id"]
    assert results[3]["number"] == results[0]["number"]
    assert await stock(database, a1) == (5, 5)
    assert await stock(database, a2) == (5, 1)
    assert await stock(database, b1) == (3, 1)
    assert await ledger_balances(database)
    assert await count(database, Order) == 2
    assert await count(database, SellerOrder) == 3
    assert await count(database, OrderLine) == 4
    # received then verified, per seller order
    assert await count(database, OrderHistory) == 6
    assert await count(database, SellerOrder, SellerOrder.status == "verified") == 3
    # priced from the offers: 2 x 1,000 + 1 x 2,000 plus each seller's shipping
    first = results[0]
    assert first["total_amount"] > 4_000
    async with database.sessionmaker() as session:
        placed = await session.get(Order, first["order_id"])
        assert placed is not None
        assert placed.items_amount == 4_000
        assert placed.total_amount == first["total_amount"]
        assert placed.email == "buyer@example.com"
        assert placed.payment_method == "external"
        payment = (
            await session.execute(select(Payment).where(Payment.order_id == placed.id))
        ).scalar_one()
        assert (payment.status, payment.captured, payment.amount) == (
            "received",
            placed.total_amount,
            placed.total_amount,
        )
        shares = (
            await session.scalars(
                select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id)
            )
        ).all()
        assert sorted(x.status for x in shares) == ["paid", "paid"]
        assert sum(x.amount for x in shares) == payment.amount
        entry = (
            await session.execute(
                select(PaymentLedgerEntry).where(PaymentLedgerEntry.payment_id == payment.id)
            )
        ).scalar_one()
        assert (entry.kind, entry.amount, entry.provider_ref) == (
            "received",
            payment.amount,
            "pay-x-1",
        )
        names = list(await session.scalars(select(OutboxEvent.name)))
    assert names.count("order.placed") == 2
    assert names.count("seller_order.received") == 3
    assert names.count("seller_order.verified") == 3
    assert names.count("payment.started") == 2
    assert "inventory.availability_changed" in names


async def test_a_replayed_batch_returns_the_same_orders_and_changes_nothing(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    shop = await s.shop(client, actors, "Replay", offers=1, stock=4)
    operator = await actors.operator()
    (offer,) = shop.offers
    batch = [order("r-1", (offer, 1)), order("r-2", (offer, 9)), order("r-3", (offer, 2))]
    first = await post(client, operator.headers, batch)
    second = await post(client, operator.headers, batch)
    assert [r["status"] for r in first["results"]] == ["placed", "rejected", "placed"]
    # the rejected one was not claimed: a replay tries it again (still short)
    assert [r["status"] for r in second["results"]] == ["duplicate", "rejected", "duplicate"]
    for a, b in zip(first["results"], second["results"], strict=True):
        assert (a["order_id"], a["number"]) == (b["order_id"], b["number"])
    assert await count(database, Order) == 2
    assert await stock(database, offer) == (4, 3)
    assert await ledger_balances(database)
    # once restocked, the order rejected before is placed by the next replay
    await inv.sync(
        client,
        shop.seller,
        [{"offer_id": offer, "warehouse_id": shop.warehouse_id, "quantity": 20}],
    )
    third = await post(client, operator.headers, batch)
    assert [r["status"] for r in third["results"]] == ["duplicate", "placed", "duplicate"]
    assert await count(database, Order) == 3


async def test_delivery_choice_and_cash_on_delivery(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    shop = await s.shop(client, actors, "Delivery", offers=1, stock=10, price=1_000)
    operator = await actors.operator()
    (offer,) = shop.offers
    seller_id = shop.seller.seller_id
    body = await post(
        client,
        operator.headers,
        [
            order("d-1", (offer, 1), delivery=[{"seller_id": seller_id, "service": "teleport"}]),
            order("d-2", (offer, 1), delivery=[{"seller_id": seller_id, "service": "expedited"}]),
            order("d-3", (offer, 1), payment={"method": "cod"}),
        ],
    )
    results = body["results"]
    assert results[0]["status"] == "rejected"
    assert results[0]["problem"]["type"].endswith("/invalid-delivery-choice")
    assert [r["status"] for r in results[1:]] == ["placed", "placed"]
    async with database.sessionmaker() as session:
        express = await session.scalar(
            select(SellerOrder.delivery_service).where(
                SellerOrder.order_id == results[1]["order_id"]
            )
        )
        cod = await session.scalar(
            select(Payment).where(Payment.order_id == results[2]["order_id"])
        )
    assert express == "expedited"
    assert cod is not None
    assert (cod.method, cod.status, cod.captured) == ("cod", "accepted", 0)
    assert await stock(database, offer) == (10, 2)


async def test_only_operators_may_send_batches(client: httpx.AsyncClient, actors: Actors) -> None:
    body = {"channel": "shop-import", "orders": [order("o-1", (1, 1))]}
    anonymous = await client.post(URL, json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith(PROBLEM)
    buyer = await actors.buyer()
    refused = await client.post(URL, json=body, headers=buyer.headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    "orders",
    [
        [],
        [order(f"m-{i}", (1, 1)) for i in range(1001)],
        [order("m-1")],
        [order("m-1", (1, 0))],
        [{**order("m-1", (1, 1)), "external_id": ""}],
    ],
    ids=["no-orders", "too-many", "no-lines", "zero-quantity", "blank-id"],
)
async def test_a_malformed_batch_is_refused_whole(
    client: httpx.AsyncClient, actors: Actors, database: Database, orders: list[dict[str, Any]]
) -> None:
    operator = await actors.operator()
    r = await client.post(
        URL, json={"channel": "shop-import", "orders": orders}, headers=operator.headers
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert await count(database, Order) == 0


@pytest.mark.postgres_only
async def test_batches_and_checkouts_racing_for_scarce_stock_never_oversell(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    shops = [await s.shop(client, actors, f"Race {i}", offers=3, stock=6) for i in range(2)]
    offers = [o for shop in shops for o in shop.offers]
    operator = await actors.operator()
    carts = [
        await s.cart_with(
            client, [(offers[i % len(offers)], 1), (offers[(i + 3) % len(offers)], 1)]
        )
        for i in range(8)
    ]

    def batch(tag: str) -> list[dict[str, Any]]:
        return [
            order(f"{tag}-{i}", (offers[i % 6], 1 + i % 2), (offers[(i * 5 + 1) % 6], 1))
            for i in range(40)
        ]

    async def send(orders: list[dict[str, Any]]) -> dict[str, Any]:
        return await post(client, operator.headers, orders)

    answers = await asyncio.gather(
        send(batch("a")),
        send(batch("b")),
        send(batch("a")),  # the same external ids as the first: placed once between them
        *(s.place(client, c["token"], s.card()) for c in carts),
    )
    batches = [a for a in answers if isinstance(a, dict)]
    checkouts = [a for a in answers if isinstance(a, httpx.Response)]
    assert len(batches) == 3
    assert all(r.status_code in (201, 409) for r in checkouts), [r.text for r in checkouts]
    placed_checkouts = sum(r.status_code == 201 for r in checkouts)
    # the two copies of batch "a": each external id placed at most once, the other copy
    # answering with that same order
    for one, two in zip(batches[0]["results"], batches[2]["results"], strict=True):
        pair = sorted([one["status"], two["status"]])
        assert pair in (["duplicate", "placed"], ["rejected", "rejected"]), (one, two)
        if pair[1] == "placed":
            assert one["order_id"] == two["order_id"]
    placed = placed_checkouts + sum(b["placed"] for b in batches)
    assert await count(database, Order) == placed
    for offer in offers:
        on_hand, reserved = await stock(database, offer)
        assert 0 <= reserved <= on_hand == 6
    held = 0
    async with database.sessionmaker() as session:
        held = int(await session.scalar(select(func.sum(OrderLine.quantity))) or 0)
    assert held == sum([(await stock(database, o))[1] for o in offers])
    assert await ledger_balances(database)
    # every external id of channel "shop-import" maps to at most one order
    assert await count(database, Order) == placed
