"""The stock engine: lock, check, apply, record, announce — a fixed handful of statements.

Every stock change, whatever its kind, goes through `change_stock`:

1. one SELECT … ORDER BY id FOR UPDATE locks every stock row of the offers involved, in
   primary-key order (the same order in every transaction, so two orders touching the same
   offers queue instead of deadlocking). SQLite ignores FOR UPDATE; there every
   transaction is BEGIN IMMEDIATE, so writers are serialised anyway.
2. the caller's pure `plan` turns the locked rows into changes (raising before any write);
3. one guarded UPDATE applies all deltas; its WHERE re-checks 0 <= reserved <= on_hand
   (for a reservation: on_hand - reserved >= q) and the rowcount must match, so even
   without the lock no row is ever oversold; the CHECK constraints are the last line;
4. one INSERT writes the ledger movements (the same deltas, so the ledger sums to levels);
5. one INSERT to the outbox announces each offer whose availability changed. Because all
   of an offer's rows are locked, its before/after availability comes from the locked rows
   without another query.

Reserving N lines is therefore five statements, whatever N is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Executable,
    Integer,
    Table,
    Update,
    any_,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.inventory.domain import Delta, Level, MovementKind, StockRuleBroken, crossed_low
from pasar.inventory.errors import InsufficientStock
from pasar.inventory.events import AvailabilityChanged, StockLow
from pasar.inventory.models import StockLevel, StockMovement, StockThreshold, Warehouse
from pasar.platform.events import DomainEvent
from pasar.platform.outbox import emit
from pasar.platform.time import utcnow

#: Above this many rows, SQLite updates run as one executemany instead of one CASE.
SQLITE_CASE_MAX = 50

STOCK_LEVELS = cast(Table, StockLevel.__table__)
STOCK_MOVEMENTS = cast(Table, StockMovement.__table__)


@dataclass(frozen=True, slots=True)
class LockedRow:
    stock_id: int
    offer_id: int
    warehouse_id: int
    seller_id: int
    level: Level
    active: bool
    threshold: int | None


@dataclass(frozen=True, slots=True)
class Change:
    row: LockedRow
    kind: MovementKind
    delta: Delta


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a change did: the levels after it, per stock id, and the offers' availability."""

    levels: dict[int, Level]
    available: dict[int, int]


Plan = Callable[[Sequence[LockedRow]], list[Change]]


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def id_in(session: AsyncSession, col: Any, values: Sequence[int]) -> ColumnElement[bool]:
    """`col IN values` as one array parameter on PostgreSQL (one plan, any length)."""
    result: ColumnElement[bool]
    if is_postgres(session):
        result = col == any_(bindparam("ids_" + col.key, list(values), type_=ARRAY(BigInteger)))
    else:
        result = col.in_(list(values))
    return result


def _lock_query(postgres: bool) -> Executable:
    s, w, t = StockLevel, Warehouse, StockThreshold
    ids: ColumnElement[bool] = (
        s.offer_id == any_(bindparam("ids", type_=ARRAY(BigInteger)))
        if postgres
        else s.offer_id.in_(bindparam("ids", expanding=True))
    )
    return (
        select(
            s.id,
            s.offer_id,
            s.warehouse_id,
            s.seller_id,
            s.on_hand,
            s.reserved,
            w.is_active,
            t.threshold,
        )
        .join(w, w.id == s.warehouse_id)
        .outerjoin(t, t.offer_id == s.offer_id)
        .where(ids)
        .order_by(s.id)
        .with_for_update(of=s)
    )


#: The hot statements, built once (per dialect where they differ): building a statement
#: costs more Python than executing a cached one.
LOCK = {True: _lock_query(True), False: _lock_query(False)}


async def lock_offers(session: AsyncSession, offer_ids: Iterable[int]) -> list[LockedRow]:
    """Lock every stock row of these offers, in stock-id order, and read them fresh."""
    ids = sorted(set(offer_ids))
    if not ids:
        return []
    rows = (await session.execute(LOCK[is_postgres(session)], {"ids": ids})).all()
    return [LockedRow(r[0], r[1], r[2], r[3], Level(r[4], r[5]), bool(r[6]), r[7]) for r in rows]


async def ensure_rows(
    session: AsyncSession, *, seller_id: int, pairs: Iterable[tuple[int, int]]
) -> None:
    """Create missing (offer, warehouse) rows at zero; zero rows need no ledger entry."""
    now = utcnow()
    values = [
        {
            "offer_id": o,
            "warehouse_id": w,
            "seller_id": seller_id,
            "on_hand": 0,
            "reserved": 0,
            "version": 1,
            "updated_at": now,
        }
        for o, w in sorted(set(pairs))
    ]
    if not values:
        return
    dialect_insert = pg_insert if is_postgres(session) else sqlite_insert
    statement = dialect_insert(StockLevel).on_conflict_do_nothing(
        index_elements=["offer_id", "warehouse_id"]
    )
    await session.execute(statement, values)


async def change_stock(
    session: AsyncSession,
    *,
    offer_ids: Iterable[int],
    plan: Plan,
    actor: str,
    reason: str | None,
    reference: str | None,
    events: list[DomainEvent] | None = None,
) -> Outcome:
    """Lock, plan, apply, record and announce one set of stock changes (no commit).

    With `events`, the announcements are appended there for the caller to emit with its
    own (one outbox INSERT for the whole transaction) instead of being emitted now.
    """
    rows = await lock_offers(session, offer_ids)
    changes = plan(rows)
    totals: dict[int, Delta] = defaultdict(Delta)
    by_id = {r.stock_id: r for r in rows}
    for c in changes:
        totals[c.row.stock_id] += c.delta
    levels = {r.stock_id: r.level for r in rows}
    for stock_id, delta in totals.items():
        row = by_id[stock_id]
        try:
            levels[stock_id] = row.level.apply(delta)
        except StockRuleBroken as broken:
            raise InsufficientStock(
                f"Offer {row.offer_id} in warehouse {row.warehouse_id}: {broken}.",
                offer_id=row.offer_id,
                requested=-delta.available,
                available=row.level.available,
            ) from None
    totals = {k: v for k, v in totals.items() if v != Delta()}
    if totals:
        await _apply(session, totals)
    if changes:
        await _record(session, changes, actor=actor, reason=reason, reference=reference)
    available = await _announce(session, rows, totals, events)
    return Outcome(levels=levels, available=available)


async def _apply(session: AsyncSession, totals: dict[int, Delta]) -> None:
    ids = sorted(totals)
    if is_postgres(session):
        updated = await _apply_postgres(session, ids, totals)
    elif len(ids) > SQLITE_CASE_MAX:
        updated = await _apply_many(session, ids, totals)
    else:
        updated = await _apply_case(session, ids, totals)
    if updated != len(ids):
        # Only reachable if rows changed behind the lock: refuse rather than oversell.
        raise InsufficientStock(
            "Stock changed while it was being reserved; nothing was applied.",
            offer_id=0,
            requested=0,
            available=0,
        )


def _apply_postgres_statement() -> Update:
    table = STOCK_LEVELS
    v = (
        func.unnest(
            bindparam("sids", type_=ARRAY(BigInteger)),
            bindparam("d_on", type_=ARRAY(Integer)),
            bindparam("d_res", type_=ARRAY(Integer)),
        )
        .table_valued(
            sql_column("sid", BigInteger), sql_column("d_on", Integer), sql_column("d_res", Integer)
        )
        .render_derived()
    )
    return (
        update(table)
        .where(
            table.c.id == v.c.sid,
            table.c.reserved + v.c.d_res >= 0,
            (table.c.on_hand + v.c.d_on) - (table.c.reserved + v.c.d_res) >= 0,
        )
        .values(
            on_hand=table.c.on_hand + v.c.d_on,
            reserved=table.c.reserved + v.c.d_res,
            version=table.c.version + 1,
            updated_at=bindparam("now"),
        )
    )


APPLY_POSTGRES = _apply_postgres_statement()
RECORD = insert(STOCK_MOVEMENTS)


async def _apply_postgres(session: AsyncSession, ids: list[int], totals: dict[int, Delta]) -> int:
    params = {
        "sids": ids,
        "d_on": [totals[i].on_hand for i in ids],
        "d_res": [totals[i].reserved for i in ids],
        "now": utcnow(),
    }
    result = await session.execute(APPLY_POSTGRES, params)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def _apply_many(session: AsyncSession, ids: list[int], totals: dict[int, Delta]) -> int:
    """Bulk syncs on SQLite: one prepared UPDATE run for every row (executemany).

    Building a CASE with thousands of branches costs more Python than SQLite spends on the
    rows; a prepared statement is compiled once and the guard is the same per row.
    """
    table = cast(Table, StockLevel.__table__)
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("sid"),
            table.c.reserved + bindparam("d_res") >= 0,
            (table.c.on_hand + bindparam("d_on")) - (table.c.reserved + bindparam("d_res")) >= 0,
        )
        .values(
            on_hand=table.c.on_hand + bindparam("d_on"),
            reserved=table.c.reserved + bindparam("d_res"),
            version=table.c.version + 1,
            updated_at=utcnow(),
        )
    )
    params = [{"sid": i, "d_on": totals[i].on_hand, "d_res": totals[i].reserved} for i in ids]
    connection = await session.connection()
    result = await connection.execute(statement, params)
    return int(result.rowcount)


async def _apply_case(session: AsyncSession, ids: list[int], totals: dict[int, Delta]) -> int:
    s = StockLevel
    d_on = case({i: totals[i].on_hand for i in ids}, value=s.id, else_=0)
    d_res = case({i: totals[i].reserved for i in ids}, value=s.id, else_=0)
    statement = (
        update(s)
        .where(
            s.id.in_(ids),
            s.reserved + d_res >= 0,
            (s.on_hand + d_on) - (s.reserved + d_res) >= 0,
        )
        .values(
            on_hand=s.on_hand + d_on,
            reserved=s.reserved + d_res,
            version=s.version + 1,
            updated_at=utcnow(),
        )
    )
    result = await session.execute(statement, execution_options={"synchronize_session": False})
    return int(result.rowcount)  # type: ignore[attr-defined]


async def _record(
    session: AsyncSession,
    changes: Sequence[Change],
    *,
    actor: str,
    reason: str | None,
    reference: str | None,
) -> None:
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "stock_id": c.row.stock_id,
            "seller_id": c.row.seller_id,
            "offer_id": c.row.offer_id,
            "warehouse_id": c.row.warehouse_id,
            "kind": c.kind.value,
            "on_hand_delta": c.delta.on_hand,
            "reserved_delta": c.delta.reserved,
            "actor": actor,
            "reason": reason,
            "reference": reference,
            "created_at": now,
        }
        for c in changes
    ]
    await session.execute(RECORD, rows)


def availability(
    rows: Iterable[LockedRow], levels: dict[int, Level] | None = None
) -> dict[int, int]:
    """Sellable units per offer over its active warehouses (`levels` overrides row levels)."""
    total: dict[int, int] = defaultdict(int)
    for r in rows:
        level = levels.get(r.stock_id, r.level) if levels else r.level
        total[r.offer_id] += level.available if r.active else 0
    return dict(total)


async def _announce(
    session: AsyncSession,
    rows: Sequence[LockedRow],
    totals: dict[int, Delta],
    events: list[DomainEvent] | None = None,
) -> dict[int, int]:
    before = availability(rows)
    after = dict(before)
    for r in rows:
        if r.active and r.stock_id in totals:
            after[r.offer_id] += totals[r.stock_id].available
    if events is not None:
        events.extend(availability_events(rows, before, after))
    else:
        await announce(session, rows, before, after)
    return after


async def announce(
    session: AsyncSession,
    rows: Sequence[LockedRow],
    before: dict[int, int],
    after: dict[int, int],
) -> None:
    """Emit availability_changed per offer that moved, and stock_low on a downward crossing."""
    await emit(session, *availability_events(rows, before, after))


def availability_events(
    rows: Sequence[LockedRow], before: dict[int, int], after: dict[int, int]
) -> list[DomainEvent]:
    """availability_changed per offer whose availability moved, stock_low on a downward
    crossing of its threshold: what a stock change announces."""
    first = {r.offer_id: r for r in rows}
    events: list[DomainEvent] = []
    for offer_id in sorted(after):
        if after[offer_id] == before.get(offer_id, 0):
            continue
        events.append(AvailabilityChanged(offer_id=offer_id, available=after[offer_id]))
        row = first[offer_id]
        if crossed_low(before.get(offer_id, 0), after[offer_id], row.threshold):
            assert row.threshold is not None
            events.append(
                StockLow(
                    offer_id=offer_id,
                    seller_id=row.seller_id,
                    available=after[offer_id],
                    threshold=row.threshold,
                )
            )
    return events
