"""No oversell, ever: 64 buyers with mixed carts race for scarce stock on PostgreSQL.

Three sellers, each with two warehouses and two offers; every offer has 10 units split
over both warehouses (6 + 4), so a line of 2 or 3 may have to come from either one. 64
guest carts of 1-3 lines (from one to three sellers) are built through the API, then every
"Place order" is sent at once through the real app (`asyncio.gather` on the ASGI client:
each request runs in its own session and transaction, up to the pool's 40 connections at
a time). Demand is about three times the supply, so most orders lose the race.

What this catches: a reservation that reads availability and writes it back without the
row lock and without the guarded UPDATE (the classic lost update: two transactions read
"2 left", both write "0 left") lets two buyers take the same last units. The stock rows'
CHECK (reserved <= on_hand) then turns the oversell into a 500 instead of a clean 409, or,
with the CHECK gone too, into reserved > on_hand and a ledger that no longer sums to the
rows; either fails here. Proved once by hand (not kept): with `inventory.stock._apply`
replaced by such a read-then-write UPDATE and FOR UPDATE disabled, the race answered 500s
and the test failed. Removing only FOR UPDATE is not enough to oversell (the UPDATE's
guard still refuses), which is why both sit on the reservation path. Lines that come
back partly reserved, refusals that leave an order, a payment or a movement behind, and
a ledger that does not add up to the stock rows fail it too.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections import Counter, defaultdict
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from pasar.checkout.models import Cart, CartLine
from pasar.inventory.models import StockLevel, StockMovement
from pasar.orders.models import Order, OrderLine, SellerOrder
from pasar.payments.models import Payment
from pasar.platform.db import Database
from tests.api import test_inventory_support as inv
from tests.api import test_orders_support as s
from tests.api.test_checkout_support import read
from tests.api.test_inventory_service import ledger_balances
from tests.support import Actors

pytestmark = pytest.mark.postgres_only

PROBLEM = "application/problem+json"
CLIENTS = 64
PER_OFFER = 10
SPLIT = (6, 4)  # units in each seller's first and second warehouse


async def _seller_stock(client: httpx.AsyncClient, actors: Actors, name: str) -> list[int]:
    """A seller with two warehouses and two offers, 10 units of each split 6 + 4."""
    seller = await actors.seller(name)
    warehouses = [await inv.warehouse(client, seller, f"{name[:3].upper()}{n}") for n in (1, 2)]
    offers = [await inv.offer(client, seller) for _ in range(2)]
    synced = await inv.sync(
        client,
        seller,
        [
            {"offer_id": o, "warehouse_id": w, "quantity": q}
            for o in offers
            for w, q in zip(warehouses, SPLIT, strict=True)
        ],
    )
    assert synced.status_code == 200, synced.text
    return offers


def _carts(sellers: list[list[int]], rng: random.Random) -> list[list[tuple[int, int]]]:
    """64 mixed carts: 1-3 lines, distinct offers, from one to three sellers, 1-3 units."""
    offers = [o for seller in sellers for o in seller]
    carts = []
    for _ in range(CLIENTS):
        picked = rng.sample(offers, rng.randint(1, 3))
        carts.append([(o, rng.randint(1, 3)) for o in picked])
    return carts


async def _build(
    client: httpx.AsyncClient, database: Database, carts: list[list[tuple[int, int]]]
) -> list[str]:
    """The 64 ready carts. One template cart holding every offer, the address and a
    delivery choice for every seller is built through the API; the 64 are written straight
    to the tables from it, each with its own lines (building them all through the API
    costs more than the race itself, and the cart API has its own tests)."""
    offers = sorted({o for cart in carts for o, _ in cart})
    template = await s.cart_with(client, [(o, 1) for o in offers])
    async with database.sessionmaker() as session:
        cart = await session.scalar(select(Cart).where(Cart.token == template["token"]))
        assert cart is not None
        lines = {
            line.offer_id: line
            for line in await session.scalars(select(CartLine).where(CartLine.cart_id == cart.id))
        }
        same = {c.key: getattr(cart, c.key) for c in Cart.__table__.columns}
        del same["id"], same["token"]
        copies = [Cart(**same, token=secrets.token_urlsafe(32)) for _ in carts]
        session.add_all(copies)
        await session.flush()
        for copy, wanted in zip(copies, carts, strict=True):
            for offer_id, quantity in wanted:
                fields = {
                    c.key: getattr(lines[offer_id], c.key) for c in CartLine.__table__.columns
                }
                del fields["id"], fields["cart_id"], fields["quantity"]
                session.add(CartLine(**fields, cart_id=copy.id, quantity=quantity))
        await session.commit()
        tokens = [c.token for c in copies]
    sample = await asyncio.gather(*(read(client, t) for t in tokens[:8]))
    assert all(c["ready"] for c in sample), sample
    return tokens


def _clean_out_of_stock(response: httpx.Response) -> bool:
    if response.status_code != 409:
        return False
    if not response.headers["content-type"].startswith(PROBLEM):
        return False
    body: dict[str, Any] = response.json()
    return body["status"] == 409 and str(body["type"]).endswith("/insufficient-stock")


async def test_sixty_four_mixed_carts_racing_for_scarce_stock_never_oversell(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    sellers = [await _seller_stock(client, actors, f"Race {n}") for n in range(3)]
    carts = _carts(sellers, random.Random(7))
    tokens = await _build(client, database, carts)
    wanted = sum(q for cart in carts for _, q in cart)
    assert wanted > 2 * PER_OFFER * 6  # scarce: demand far above the 60 units there are

    responses = await asyncio.wait_for(
        asyncio.gather(*(s.place(client, t, s.card()) for t in tokens)), timeout=60
    )

    raced = list(zip(tokens, carts, responses, strict=True))
    accepted = [(cart, r) for _, cart, r in raced if r.status_code == 201]
    refused = [(token, r) for token, _, r in raced if r.status_code != 201]
    unclean = [(r.status_code, r.text[:300]) for _, r in refused if not _clean_out_of_stock(r)]
    assert unclean == []
    assert accepted, "nobody got an order"
    assert refused, "no order lost the race: the stock was not scarce"

    async with database.sessionmaker() as session:
        levels = (await session.execute(select(StockLevel))).scalars().all()
        moves = (await session.execute(select(StockMovement))).scalars().all()
        lines = (
            await session.execute(
                select(Order.number, OrderLine.offer_id, OrderLine.quantity)
                .join(SellerOrder, SellerOrder.order_id == Order.id)
                .join(OrderLine, OrderLine.seller_order_id == SellerOrder.id)
            )
        ).all()
        holds = (await session.execute(select(SellerOrder.reservations))).scalars().all()
        orders = set((await session.scalars(select(Order.number))).all())
        payments = int(await session.scalar(select(func.count()).select_from(Payment)) or 0)
        open_carts = set(
            (await session.scalars(select(Cart.token).where(Cart.status == "open"))).all()
        )

    # every stock row: reserved + sold <= on hand. Nothing ships here (no sale movements),
    # so on hand is still what was put on the shelf and reserved may not pass it.
    assert not [m for m in moves if m.kind == "sale"]
    for level in levels:
        assert 0 <= level.reserved <= level.on_hand, (level.offer_id, level.warehouse_id)
    assert sorted(level.on_hand for level in levels) == sorted(SPLIT * 6)
    assert await ledger_balances(database)

    # every accepted order exists once, with all its lines reserved (and nothing else)
    numbers = {r.json()["number"] for _, r in accepted}
    assert orders == numbers
    assert payments == len(accepted)
    ordered: Counter[tuple[str, int]] = Counter()
    for number, offer_id, quantity in lines:
        ordered[(number, offer_id)] += quantity
    expected: Counter[tuple[str, int]] = Counter()
    for cart, r in accepted:
        for offer_id, quantity in cart:
            expected[(r.json()["number"], offer_id)] += quantity
    assert ordered == expected
    reserved_by_order: Counter[tuple[str, int]] = Counter()
    for m in moves:
        if m.kind == "reservation":
            reference = str(m.reference)
            assert reference in numbers, reference  # a refused order left a reservation
            reserved_by_order[(reference, m.offer_id)] += m.reserved_delta
    assert reserved_by_order == expected
    held: Counter[int] = Counter()
    for reservations in holds:
        for h in reservations:
            held[h["offer_id"]] += h["quantity"]
    per_offer: defaultdict[int, int] = defaultdict(int)
    for level in levels:
        per_offer[level.offer_id] += level.reserved
    assert held == Counter({o: q for o, q in per_offer.items() if q})
    assert all(q <= PER_OFFER for q in per_offer.values())

    # refused carts are untouched: still open, no order, no payment
    assert {token for token, _ in refused} <= open_carts
