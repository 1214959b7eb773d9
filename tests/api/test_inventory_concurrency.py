"""Never oversell: many buyers racing for little stock, each in its own transaction."""

from __future__ import annotations

import asyncio
import random

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from pasar.inventory import InsufficientStock, ReservationLine, reserve
from pasar.inventory.models import StockLevel
from pasar.platform.db import Database
from tests.api.test_inventory_service import ledger_balances, new_warehouse, stock


@pytest.fixture
async def db(app: FastAPI, database: Database) -> Database:
    return database


async def _attempt(database: Database, lines: list[ReservationLine], ref: str) -> int:
    """Reserve in a fresh session; return units taken (0 when refused)."""
    async with database.sessionmaker() as session:
        try:
            held = await reserve(session, lines=lines, reference=ref, actor="system")
        except InsufficientStock:
            await session.rollback()
            return 0
        await session.commit()
        return sum(h.quantity for h in held)


async def _reserved(database: Database, offer_id: int) -> tuple[int, int]:
    async with database.sessionmaker() as session:
        row = (
            await session.execute(
                select(func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved)).where(
                    StockLevel.offer_id == offer_id
                )
            )
        ).one()
        return int(row[0]), int(row[1])


async def test_fifty_buyers_for_ten_units_reserve_exactly_ten(db: Database) -> None:
    """50 concurrent single-unit reservations against 6 + 4 units: 10 win, 40 are refused."""
    first, second = await new_warehouse(db, "A"), await new_warehouse(db, "B")
    await stock(db, 1, first, 6)
    await stock(db, 1, second, 4)
    taken = await asyncio.gather(
        *(_attempt(db, [ReservationLine(1, 1)], f"o{i}") for i in range(50))
    )
    assert sum(taken) == 10
    assert taken.count(0) == 40
    assert await _reserved(db, 1) == (10, 10)
    assert await ledger_balances(db)


async def test_concurrent_multi_line_orders_never_oversell_or_deadlock(db: Database) -> None:
    """Orders for overlapping offers, lines in random order: no deadlock, no oversell."""
    warehouses = [await new_warehouse(db, f"W{i}") for i in range(2)]
    supply = {1: 7, 2: 5, 3: 9}
    for offer, units in supply.items():
        await stock(db, offer, warehouses[0], units - units // 2)
        await stock(db, offer, warehouses[1], units // 2)
    rng = random.Random(7)
    orders = []
    for _ in range(40):
        offers = rng.sample(sorted(supply), k=rng.randint(1, 3))
        orders.append([ReservationLine(o, rng.randint(1, 3)) for o in offers])
    taken = await asyncio.gather(*(_attempt(db, lines, f"m{i}") for i, lines in enumerate(orders)))
    assert sum(taken) > 0
    for offer, units in supply.items():
        on_hand, reserved = await _reserved(db, offer)
        assert on_hand == units
        assert 0 <= reserved <= units
    granted = [lines for lines, got in zip(orders, taken, strict=True) if got]
    for offer in supply:
        wanted = sum(line.quantity for lines in granted for line in lines if line.offer_id == offer)
        assert wanted == (await _reserved(db, offer))[1]
    assert await ledger_balances(db)


@pytest.mark.postgres_only
async def test_heavy_contention_on_postgres_is_exact(db: Database) -> None:
    """200 racers on PostgreSQL row locks: exactly the stock is reserved, nothing else."""
    warehouses = [await new_warehouse(db, f"H{i}") for i in range(3)]
    for i, warehouse in enumerate(warehouses):
        await stock(db, 1, warehouse, 5 + i)  # 18 units
        await stock(db, 2, warehouse, 3)  # 9 units
    lines = [[ReservationLine(1, 1), ReservationLine(2, 1)], [ReservationLine(2, 1)]]
    taken = await asyncio.gather(
        *(_attempt(db, list(reversed(lines[i % 2])) if i % 3 else lines[i % 2], f"h{i}")
          for i in range(200))
    )  # fmt: skip
    assert await _reserved(db, 2) == (9, 9)
    assert (await _reserved(db, 1))[1] <= 18
    assert sum(taken) == sum([(await _reserved(db, o))[1] for o in (1, 2)])
    assert await ledger_balances(db)
