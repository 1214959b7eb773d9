"""Placing orders under concurrency: never oversell, never order (or charge) twice.

Every request goes through the real app (ASGI), each in its own session and transaction,
fired at once with `asyncio.gather`; the database is then read to prove the stock, the
orders, the payments and the ledgers add up.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from pasar.checkout.models import Cart, CartLine
from pasar.inventory.models import StockLevel
from pasar.orders.models import Order, OrderLine, SellerOrder
from pasar.payments.models import Payment, PaymentLedgerEntry
from pasar.platform.db import Database
from tests.api import test_orders_support as s
from tests.api.test_inventory_service import ledger_balances
from tests.support import Actors

PROBLEM = "application/problem+json"


def _problem_type(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith(PROBLEM), response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    return str(body["type"])


def _out_of_stock(response: httpx.Response) -> bool:
    """One clear "sold out" answer: 409 insufficient-stock, whether the request lost the
    race at the stock row or priced the cart after the last unit went."""
    return response.status_code == 409 and _problem_type(response).endswith("/insufficient-stock")


async def _count(database: Database, model: Any, *where: Any) -> int:
    async with database.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _stock(database: Database, offer_id: int) -> tuple[int, int]:
    async with database.sessionmaker() as session:
        row = (
            await session.execute(
                select(func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved)).where(
                    StockLevel.offer_id == offer_id
                )
            )
        ).one()
        return int(row[0] or 0), int(row[1] or 0)


async def _copies(database: Database, token: str, count: int) -> list[str]:
    """`count` more guest carts like this one (lines, address, delivery), ready to order.

    Written straight to the tables: building 200 carts through the API costs more than
    the race itself, and the cart API has its own tests.
    """
    async with database.sessionmaker() as session:
        cart = await session.scalar(select(Cart).where(Cart.token == token))
        assert cart is not None
        lines = list(await session.scalars(select(CartLine).where(CartLine.cart_id == cart.id)))
        same = {c.key: getattr(cart, c.key) for c in Cart.__table__.columns}
        del same["id"], same["token"]
        copies = [Cart(**same, token=secrets.token_urlsafe(32)) for _ in range(count)]
        session.add_all(copies)
        await session.flush()
        for line in lines:
            fields = {c.key: getattr(line, c.key) for c in CartLine.__table__.columns}
            del fields["id"], fields["cart_id"]
            session.add_all(CartLine(**fields, cart_id=c.id) for c in copies)
        await session.commit()
        return [c.token for c in copies]


async def _authorisations(database: Database) -> int:
    return await _count(database, PaymentLedgerEntry, PaymentLedgerEntry.kind == "authorised")


@pytest.mark.postgres_only
async def test_two_hundred_guests_racing_for_fifty_units_buy_exactly_fifty(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """200 ready carts, one unit each, against 50 in stock, placed at once: 50 orders."""
    shop = await s.shop(client, actors, "Flash sale", stock=50)
    offer = shop.offers[0]
    first = await s.cart_with(client, [(offer, 1)])
    tokens = [first["token"], *await _copies(database, first["token"], 199)]
    for token in (tokens[1], tokens[-1]):
        copy = await client.get(f"/api/v1/carts/{token}")
        assert copy.json()["ready"], copy.text
        assert copy.json()["grand_total"] == first["grand_total"]

    responses = await asyncio.gather(*(s.place(client, t, s.card()) for t in tokens))

    won = [r for r in responses if r.status_code == 201]
    lost = [r for r in responses if r.status_code != 201]
    unexpected = [(r.status_code, r.text[:300]) for r in lost if not _out_of_stock(r)]
    assert unexpected == []
    assert (len(won), len(lost)) == (50, 150)
    numbers = {r.json()["number"] for r in won}
    assert len(numbers) == 50
    assert all(r.json()["payment"]["status"] == "authorised" for r in won)

    assert await _stock(database, offer) == (50, 50)
    assert await ledger_balances(database)
    assert await _count(database, Order) == 50
    assert await _count(database, SellerOrder) == 50
    assert await _count(database, SellerOrder, SellerOrder.status == "verified") == 50
    async with database.sessionmaker() as session:
        ordered = await session.scalar(select(func.sum(OrderLine.quantity)))
        placed = set(await session.scalars(select(Order.number)))
    assert ordered == 50
    assert placed == numbers
    assert await _count(database, Payment) == 50
    assert await _count(database, Payment, Payment.status == "authorised") == 50
    assert await _authorisations(database) == 50
    assert await _count(database, Cart, Cart.status == "ordered") == 50
    assert await _count(database, Cart, Cart.status == "open") == 150


async def test_identical_retries_racing_with_one_key_make_one_order(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Five identical requests with the same Idempotency-Key at once: one order, one charge,
    and every caller is told about that same order."""
    shop = await s.shop(client, actors, "Retries", stock=10)
    offer = shop.offers[0]
    cart = await s.cart_with(client, [(offer, 2)])
    token, total = cart["token"], cart["grand_total"]

    responses = await asyncio.gather(
        *(s.place(client, token, s.card(), key="retry-1", expected_total=total) for _ in range(5))
    )

    assert [r.status_code for r in responses] == [201] * 5, [r.text[:300] for r in responses]
    bodies = [r.json() for r in responses]
    assert len({b["number"] for b in bodies}) == 1
    assert len({b["order_id"] for b in bodies}) == 1
    assert len({b["seller_orders"][0]["id"] for b in bodies}) == 1
    assert await _count(database, Order) == 1
    assert await _count(database, SellerOrder) == 1
    assert await _count(database, Payment) == 1
    assert await _authorisations(database) == 1
    assert await _stock(database, offer) == (10, 2)
    assert await ledger_balances(database)

    again = await s.place(client, token, s.card(), key="retry-1", expected_total=total)
    assert again.status_code == 201
    assert again.json()["number"] == bodies[0]["number"]
    other = await s.place(client, token, {"method": "cod"}, key="retry-1")
    assert other.status_code == 409, other.text
    assert _problem_type(other).endswith("/idempotency-key-reused")
    assert await _count(database, Order) == 1
    assert await _authorisations(database) == 1
    assert await _stock(database, offer) == (10, 2)


async def test_double_submit_without_a_key_orders_once(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """A double click without a key: one order; the other request hears the cart is closed."""
    shop = await s.shop(client, actors, "Double click", stock=10)
    offer = shop.offers[0]
    cart = await s.cart_with(client, [(offer, 3)])

    first, second = await asyncio.gather(
        s.place(client, cart["token"], s.card()), s.place(client, cart["token"], s.card())
    )

    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [201, 409], (first.text[:300], second.text[:300])
    refused = first if first.status_code == 409 else second
    assert _problem_type(refused).endswith("/cart-closed")
    placed = first if first.status_code == 201 else second
    assert await _count(database, Order) == 1
    assert await _count(database, Payment) == 1
    assert await _authorisations(database) == 1
    assert await _stock(database, offer) == (10, 3)
    assert await ledger_balances(database)
    async with database.sessionmaker() as session:
        cart_row = (await session.execute(select(Cart.status, Cart.order_id))).one()
    assert cart_row.status == "ordered"
    assert cart_row.order_id == placed.json()["order_id"]
