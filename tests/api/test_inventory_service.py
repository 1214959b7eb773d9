"""inventory's service functions on the real database: reserve, release, ship, events, cost."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, event, func, select

from pasar.inventory import (
    InsufficientStock,
    Reservation,
    ReservationLine,
    StockItem,
    add_warehouse,
    commit_sale,
    offer_availability,
    receive_stock,
    release,
    reserve,
)
from pasar.inventory.models import StockLevel, StockMovement, StockThreshold, Warehouse
from pasar.inventory.schemas import WarehouseCreate
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.time import utcnow

SELLER = 41


def warehouse_body(code: str) -> WarehouseCreate:
    return WarehouseCreate(
        code=code,
        name=f"Warehouse {code}",
        address_line1="Jl. Sudirman 1",
        city="Jakarta",
        postal_code="10210",
        country="ID",
        time_zone="Asia/Jakarta",
        cut_off_time="14:00",
    )


async def new_warehouse(database: Database, code: str, seller_id: int = SELLER) -> int:
    async with database.sessionmaker() as session:
        warehouse = await add_warehouse(session, seller_id=seller_id, data=warehouse_body(code))
        await session.commit()
        return warehouse.id


async def stock(database: Database, offer_id: int, warehouse_id: int, quantity: int) -> None:
    async with database.sessionmaker() as session:
        await receive_stock(
            session,
            seller_id=SELLER,
            items=[StockItem(offer_id, quantity, warehouse_id=warehouse_id)],
            actor="system",
            reason="test stock",
        )
        await session.commit()


async def levels(database: Database, offer_id: int) -> dict[int, tuple[int, int]]:
    async with database.sessionmaker() as session:
        rows = await session.execute(
            select(StockLevel.warehouse_id, StockLevel.on_hand, StockLevel.reserved).where(
                StockLevel.offer_id == offer_id
            )
        )
        return {w: (o, r) for w, o, r in rows}


async def events(database: Database, name: str) -> list[dict[str, Any]]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.name == name).order_by(OutboxEvent.id)
        )
        return [dict(p) for p in rows]


async def ledger_balances(database: Database) -> bool:
    """Per stock row: sum of on-hand deltas == on_hand, sum of reserved deltas == reserved."""
    async with database.sessionmaker() as session:
        sums = (
            select(
                StockMovement.stock_id,
                func.sum(StockMovement.on_hand_delta).label("on_hand"),
                func.sum(StockMovement.reserved_delta).label("reserved"),
            )
            .group_by(StockMovement.stock_id)
            .subquery()
        )
        rows = await session.execute(
            select(StockLevel.on_hand, StockLevel.reserved, sums.c.on_hand, sums.c.reserved).join(
                sums, sums.c.stock_id == StockLevel.id, isouter=True
            )
        )
        return all((a, b) == (c or 0, d or 0) for a, b, c, d in rows)


@pytest.fixture
async def db(app: FastAPI, database: Database) -> Database:
    """The shared test database, emptied after the test (through the `app` fixture)."""
    return database


async def test_reserve_takes_the_line_from_the_fullest_warehouse(db: Database) -> None:
    """A line comes whole from the warehouse with most available; the ledger says who and why."""
    small, big = await new_warehouse(db, "S"), await new_warehouse(db, "B")
    await stock(db, 1, small, 3)
    await stock(db, 1, big, 8)
    async with db.sessionmaker() as session:
        held = await reserve(
            session, lines=[ReservationLine(1, 5)], reference="order-1", actor="user:9"
        )
        await session.commit()
    assert held == [Reservation(offer_id=1, warehouse_id=big, quantity=5)]
    assert await levels(db, 1) == {small: (3, 0), big: (8, 5)}
    async with db.sessionmaker() as session:
        movement = await session.scalar(
            select(StockMovement).where(StockMovement.kind == "reservation")
        )
        assert movement is not None
        assert (movement.actor, movement.reference, movement.reserved_delta) == (
            "user:9",
            "order-1",
            5,
        )
    assert (await events(db, "inventory.availability_changed"))[-1] == {
        "offer_id": 1,
        "available": 6,
    }
    assert await ledger_balances(db)


async def test_reserve_is_all_or_nothing_across_lines(db: Database) -> None:
    """If one line cannot be served, no line is reserved and the error names the offer."""
    warehouse = await new_warehouse(db, "W")
    await stock(db, 1, warehouse, 5)
    await stock(db, 2, warehouse, 1)
    async with db.sessionmaker() as session:
        with pytest.raises(InsufficientStock) as caught:
            await reserve(
                session,
                lines=[ReservationLine(1, 2), ReservationLine(2, 3)],
                reference="order-2",
                actor="system",
            )
        assert not session.new
        assert not session.dirty
        await session.commit()  # even committing the failed attempt changes nothing
    assert caught.value.offer_id == 2
    assert caught.value.extra["requested"] == 3
    assert await levels(db, 1) == {warehouse: (5, 0)}
    assert await levels(db, 2) == {warehouse: (1, 0)}


async def test_release_and_sale_move_the_held_units(db: Database) -> None:
    """Release frees held units; shipping removes them from shelf and hold alike."""
    warehouse = await new_warehouse(db, "W")
    await stock(db, 1, warehouse, 10)
    async with db.sessionmaker() as session:
        held = await reserve(session, lines=[ReservationLine(1, 6)], reference="o", actor="s")
        await session.commit()
    async with db.sessionmaker() as session:
        await release(
            session, reservations=[Reservation(1, warehouse, 2)], reference="o", actor="s"
        )
        await commit_sale(
            session, reservations=[Reservation(1, warehouse, 4)], reference="o", actor="s"
        )
        await session.commit()
    assert held[0].quantity == 6
    assert await levels(db, 1) == {warehouse: (6, 0)}
    availability = [e["available"] for e in await events(db, "inventory.availability_changed")]
    assert availability == [10, 4, 6]  # the sale changed nothing a buyer could buy
    assert await ledger_balances(db)


async def test_releasing_more_than_is_held_is_refused(db: Database) -> None:
    """A double release cannot push reserved below zero."""
    warehouse = await new_warehouse(db, "W")
    await stock(db, 1, warehouse, 3)
    async with db.sessionmaker() as session:
        with pytest.raises(InsufficientStock):
            await release(
                session, reservations=[Reservation(1, warehouse, 1)], reference="o", actor="s"
            )
        await session.rollback()
    assert await levels(db, 1) == {warehouse: (3, 0)}


async def test_inactive_warehouses_neither_sell_nor_count(db: Database) -> None:
    """Stock in a deactivated warehouse is not available and cannot be reserved."""
    open_, closed = await new_warehouse(db, "OPEN"), await new_warehouse(db, "SHUT")
    await stock(db, 1, open_, 2)
    await stock(db, 1, closed, 50)
    async with db.sessionmaker() as session:
        row = await session.get(Warehouse, closed)
        assert row is not None
        row.is_active = False
        await session.commit()
    async with db.sessionmaker() as session:
        assert await offer_availability(session, 1) == 2
        with pytest.raises(InsufficientStock):
            await reserve(session, lines=[ReservationLine(1, 3)], reference="o", actor="s")
        await session.rollback()


async def test_stock_low_is_announced_when_the_threshold_is_crossed(db: Database) -> None:
    """Falling to the offer's threshold emits inventory.stock_low once."""
    warehouse = await new_warehouse(db, "W")
    async with db.sessionmaker() as session:
        session.add(StockThreshold(offer_id=1, seller_id=SELLER, threshold=3, updated_at=utcnow()))
        await session.commit()
    await stock(db, 1, warehouse, 5)
    for _ in range(3):
        async with db.sessionmaker() as session:
            await reserve(session, lines=[ReservationLine(1, 1)], reference="o", actor="s")
            await session.commit()
    assert await events(db, "inventory.stock_low") == [
        {"offer_id": 1, "seller_id": SELLER, "available": 3, "threshold": 3}
    ]


async def test_reserving_many_lines_costs_the_same_statements_as_one(database: Database) -> None:
    """The reservation path is set-based: 1 line or 20 lines, the same few statements."""
    private = Database(database.url, pool_size=2)  # no subscribers: count inventory only
    try:
        warehouses = [await new_warehouse(private, f"Q{i}") for i in range(2)]
        for offer in range(1, 21):
            await stock(private, offer, warehouses[offer % 2], 10)
        counts = []
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        for lines in ([ReservationLine(1, 1)], [ReservationLine(o, 1) for o in range(1, 21)]):
            statements.clear()
            event.listen(private.engine.sync_engine, "before_cursor_execute", count)
            async with private.sessionmaker() as session:
                await reserve(session, lines=lines, reference="bench", actor="s")
                await session.commit()
            event.remove(private.engine.sync_engine, "before_cursor_execute", count)
            counts.append(len([s for s in statements if not s.startswith(("BEGIN", "COMMIT"))]))
        assert counts[0] == counts[1] <= 5, counts
    finally:
        async with private.sessionmaker() as session:
            for table in (OutboxEvent, StockMovement, StockLevel, Warehouse):
                await session.execute(delete(table))
            await session.commit()
        await private.dispose()
