"""Stock use cases.

Composable (flush only, never commit; the caller owns the transaction and must roll it
back on error): `reserve`, `release`, `commit_sale`, `receive_stock`, `receive_return`,
`set_levels`, `apply_levels`. Checkout calls `reserve` inside its order transaction.

API-facing (commit their own transaction): `adjust_stock`, `sync_stock`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import catalog
from pasar.inventory.domain import (
    Candidate,
    Delta,
    Line,
    MovementKind,
    StockRuleBroken,
    SyncMode,
    allocate,
    delta_for,
    sync_delta,
)
from pasar.inventory.errors import (
    InsufficientStock,
    OfferNotFound,
    StockNotFound,
    StockSyncRejected,
    WarehouseNotFound,
)
from pasar.inventory.models import StockThreshold, Warehouse
from pasar.inventory.stock import Change, LockedRow, change_stock, ensure_rows, id_in, is_postgres
from pasar.platform.errors import DomainError, InvalidInput
from pasar.platform.events import DomainEvent
from pasar.platform.idempotency import run_idempotent
from pasar.platform.time import utcnow

ReservationLine = Line


@dataclass(frozen=True, slots=True)
class Reservation:
    """Units held for an order in one warehouse; keep these to release or ship them later."""

    offer_id: int
    warehouse_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class StockItem:
    """One line of a sync or receipt: an offer in a warehouse (by id or by code)."""

    offer_id: int
    quantity: int
    warehouse_id: int | None = None
    warehouse_code: str | None = None


@dataclass(frozen=True, slots=True)
class LevelReport:
    index: int
    offer_id: int
    warehouse_id: int
    on_hand_before: int
    on_hand: int
    reserved: int
    available: int


# --- order-facing: reserve, release, ship, return ------------------------------------------


async def reserve(
    session: AsyncSession,
    *,
    lines: Sequence[ReservationLine],
    reference: str,
    actor: str,
    events: list[DomainEvent] | None = None,
) -> list[Reservation]:
    """Hold stock for every line, or for none: raises InsufficientStock naming the offer.

    Only active warehouses count. Policy (see `domain.allocate`): each line comes whole from
    the warehouse with the most available (or the line's `warehouse_id`), split across
    warehouses only if none holds it all. A fixed five statements for any number of lines
    (four with `events`: the availability announcements are appended there to be emitted
    with the caller's own events).
    """
    taken: list[Reservation] = []

    def plan(rows: Sequence[LockedRow]) -> list[Change]:
        by_id = {r.stock_id: r for r in rows}
        candidates = [
            Candidate(r.stock_id, r.offer_id, r.warehouse_id, r.level.available)
            for r in rows
            if r.active
        ]
        allocations = allocate(lines, candidates)
        taken.extend(Reservation(a.offer_id, a.warehouse_id, a.quantity) for a in allocations)
        return [
            Change(by_id[a.stock_id], MovementKind.RESERVATION, Delta(reserved=a.quantity))
            for a in allocations
        ]

    await change_stock(
        session,
        offer_ids=[line.offer_id for line in lines],
        plan=plan,
        actor=actor,
        reason="order reserved",
        reference=reference,
        events=events,
    )
    return taken


async def release(
    session: AsyncSession,
    *,
    reservations: Sequence[Reservation],
    reference: str,
    actor: str,
    reason: str = "reservation released",
) -> None:
    """Give held units back (cancelled or unpaid order). Refuses to release more than held."""
    await _held(session, reservations, MovementKind.RELEASE, reference, actor, reason)


async def commit_sale(
    session: AsyncSession,
    *,
    reservations: Sequence[Reservation],
    reference: str,
    actor: str,
    reason: str = "shipped",
) -> None:
    """On shipment the held units leave the building: reserved and on hand both drop."""
    await _held(session, reservations, MovementKind.SALE, reference, actor, reason)


async def _held(
    session: AsyncSession,
    reservations: Sequence[Reservation],
    kind: MovementKind,
    reference: str,
    actor: str,
    reason: str,
) -> None:
    def plan(rows: Sequence[LockedRow]) -> list[Change]:
        by_pair = {(r.offer_id, r.warehouse_id): r for r in rows}
        changes = []
        for held in reservations:
            row = by_pair.get((held.offer_id, held.warehouse_id))
            if row is None:
                raise StockNotFound(
                    f"No stock of offer {held.offer_id} in warehouse {held.warehouse_id}."
                )
            changes.append(Change(row, kind, delta_for(kind, held.quantity)))
        return changes

    await change_stock(
        session,
        offer_ids=[r.offer_id for r in reservations],
        plan=plan,
        actor=actor,
        reason=reason,
        reference=reference,
    )


async def receive_stock(
    session: AsyncSession,
    *,
    seller_id: int,
    items: Sequence[StockItem],
    actor: str,
    reference: str | None = None,
    reason: str = "received",
) -> None:
    """Goods arrived (inbound to a warehouse or a 3PL). Trusts ids: the caller checked them."""
    await _receive(session, seller_id, items, MovementKind.RECEIPT, actor, reference, reason)


async def receive_return(
    session: AsyncSession,
    *,
    seller_id: int,
    items: Sequence[StockItem],
    actor: str,
    reference: str | None = None,
    reason: str = "returned to stock",
) -> None:
    """A returned item passed inspection and is sellable again."""
    await _receive(session, seller_id, items, MovementKind.RETURN, actor, reference, reason)


async def _receive(
    session: AsyncSession,
    seller_id: int,
    items: Sequence[StockItem],
    kind: MovementKind,
    actor: str,
    reference: str | None,
    reason: str,
) -> None:
    pairs = [(i.offer_id, _warehouse_id(i)) for i in items]
    deltas = [delta_for(kind, i.quantity) for i in items]
    await ensure_rows(session, seller_id=seller_id, pairs=pairs)

    def plan(rows: Sequence[LockedRow]) -> list[Change]:
        by_pair = {(r.offer_id, r.warehouse_id): r for r in rows}
        return [Change(by_pair[p], kind, d) for p, d in zip(pairs, deltas, strict=True)]

    await change_stock(
        session,
        offer_ids=[p[0] for p in pairs],
        plan=plan,
        actor=actor,
        reason=reason,
        reference=reference,
    )


def _warehouse_id(item: StockItem) -> int:
    if item.warehouse_id is None:
        raise InvalidInput("Resolve warehouse codes first.", field="warehouse_id")
    return item.warehouse_id


# --- seller-facing: levels ------------------------------------------------------------------


async def set_levels(
    session: AsyncSession,
    *,
    seller_id: int,
    items: Sequence[StockItem],
    mode: SyncMode,
    actor: str,
    reason: str = "sync",
    reference: str | None = None,
    kind: MovementKind = MovementKind.ADJUSTMENT,
    marketplace_warehouses: bool = False,
) -> list[LevelReport]:
    """Bulk-set on-hand levels for one seller, all or nothing (no commit).

    Checks every item first (the offer is this seller's, the warehouse is theirs — or run
    by the marketplace when `marketplace_warehouses`, i.e. an operator is acting — no
    duplicates, no level below what is reserved) and raises StockSyncRejected listing every
    bad item, having applied none. Also refreshes inventory's copy of the offers'
    low-stock thresholds from the catalog.
    """
    problems: list[dict[str, Any]] = []
    resolved = await _resolve_warehouses(
        session, seller_id, items, marketplace_warehouses, problems
    )
    refs = await catalog.offer_refs(session, sorted({i.offer_id for i in items}))
    seen: set[tuple[int, int]] = set()
    for index, item in enumerate(items):
        ref = refs.get(item.offer_id)
        if ref is None or ref.seller_id != seller_id:
            problems.append(_problem(index, "offer_id", f"No offer {item.offer_id} here."))
        if mode is SyncMode.ABSOLUTE and item.quantity < 0:
            problems.append(_problem(index, "quantity", "An absolute level cannot be negative."))
        pair = (item.offer_id, resolved[index] or 0)
        if resolved[index] is not None and pair in seen:
            problems.append(_problem(index, "offer_id", "This offer and warehouse repeat."))
        seen.add(pair)
    if problems:
        raise _rejected(problems, len(items))
    await refresh_thresholds(session, [r for r in refs.values() if r.seller_id == seller_id])
    checked = [
        StockItem(i.offer_id, i.quantity, warehouse_id=w)
        for i, w in zip(items, resolved, strict=True)
    ]
    return await apply_levels(
        session,
        seller_id=seller_id,
        items=checked,
        mode=mode,
        actor=actor,
        reason=reason,
        reference=reference,
        kind=kind,
    )


async def apply_levels(
    session: AsyncSession,
    *,
    seller_id: int,
    items: Sequence[StockItem],
    mode: SyncMode,
    actor: str,
    reason: str,
    reference: str | None = None,
    kind: MovementKind = MovementKind.ADJUSTMENT,
) -> list[LevelReport]:
    """`set_levels` without the ownership checks, for callers that made them (no commit)."""
    pairs = [(i.offer_id, _warehouse_id(i)) for i in items]
    await ensure_rows(session, seller_id=seller_id, pairs=pairs)
    planned: list[tuple[int, LockedRow, Delta]] = []

    def plan(rows: Sequence[LockedRow]) -> list[Change]:
        by_pair = {(r.offer_id, r.warehouse_id): r for r in rows}
        problems: list[dict[str, Any]] = []
        changes: list[Change] = []
        for index, (item, pair) in enumerate(zip(items, pairs, strict=True)):
            row = by_pair[pair]
            try:
                delta = sync_delta(row.level, mode, item.quantity)
                row.level.apply(delta)
            except StockRuleBroken:
                problems.append(
                    _problem(
                        index,
                        "quantity",
                        f"On hand would be below the {row.level.reserved} units reserved "
                        f"(on hand now {row.level.on_hand}).",
                    )
                )
                continue
            planned.append((index, row, delta))
            if delta != Delta():
                changes.append(Change(row, kind, delta))
        if problems:
            raise _rejected(problems, len(items))
        return changes

    outcome = await change_stock(
        session,
        offer_ids=[p[0] for p in pairs],
        plan=plan,
        actor=actor,
        reason=reason,
        reference=reference,
    )
    reports = []
    for index, row, _ in planned:
        after = outcome.levels[row.stock_id]
        reports.append(
            LevelReport(
                index=index,
                offer_id=row.offer_id,
                warehouse_id=row.warehouse_id,
                on_hand_before=row.level.on_hand,
                on_hand=after.on_hand,
                reserved=after.reserved,
                available=after.available,
            )
        )
    return reports


def _problem(index: int, field: str, message: str) -> dict[str, Any]:
    return {"index": index, "field": f"items.{index}.{field}", "message": message}


def _rejected(problems: list[dict[str, Any]], total: int) -> StockSyncRejected:
    return StockSyncRejected(
        f"{len({p['index'] for p in problems})} of {total} items are invalid; nothing was applied.",
        field="items",
        errors=problems,
    )


async def _resolve_warehouses(
    session: AsyncSession,
    seller_id: int,
    items: Sequence[StockItem],
    marketplace: bool,
    problems: list[dict[str, Any]],
) -> list[int | None]:
    """Warehouse id per item, or None with a problem recorded (unknown, or not usable)."""
    ids = sorted({i.warehouse_id for i in items if i.warehouse_id is not None})
    codes = sorted({i.warehouse_code for i in items if i.warehouse_code is not None})
    usable = Warehouse.seller_id == seller_id
    if marketplace:
        usable = usable | Warehouse.seller_id.is_(None)
    by_id: dict[int, int] = {}
    by_code: dict[str, int] = {}
    if ids:
        found = await session.execute(
            select(Warehouse.id).where(id_in(session, Warehouse.id, ids), usable)
        )
        by_id = {r[0]: r[0] for r in found}
    if codes:
        coded = await session.execute(
            select(Warehouse.code, Warehouse.id, Warehouse.seller_id).where(
                Warehouse.code.in_(codes), usable
            )
        )
        for code, wid, owner in coded:
            if owner == seller_id or code not in by_code:  # the seller's own code wins
                by_code[code] = wid
    resolved: list[int | None] = []
    for index, item in enumerate(items):
        hit = by_id.get(item.warehouse_id or 0) or by_code.get(item.warehouse_code or "")
        if hit is None:
            name = item.warehouse_id or item.warehouse_code
            problems.append(_problem(index, "warehouse", f"No warehouse {name} here."))
        resolved.append(hit)
    return resolved


async def refresh_thresholds(session: AsyncSession, refs: Sequence[catalog.OfferRef]) -> None:
    """Copy the catalog's low-stock thresholds of these offers into inventory (no commit)."""
    if not refs:
        return
    now = utcnow()
    rows = [
        {
            "offer_id": r.offer_id,
            "seller_id": r.seller_id,
            "threshold": r.low_stock_threshold,
            "updated_at": now,
        }
        for r in refs
    ]
    dialect_insert = pg_insert if is_postgres(session) else sqlite_insert
    statement = dialect_insert(StockThreshold)
    statement = statement.on_conflict_do_update(
        index_elements=["offer_id"],
        set_={"threshold": statement.excluded.threshold, "updated_at": now},
    )
    await session.execute(statement, rows)


# --- API-facing (commit) ----------------------------------------------------------------------


async def adjust_stock(
    session: AsyncSession,
    *,
    seller_id: int,
    offer_id: int,
    warehouse_id: int,
    delta: int,
    kind: MovementKind,
    reason: str,
    reference: str | None,
    actor: str,
    marketplace_warehouses: bool,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """One signed change with a reason; a retry with the same Idempotency-Key applies once."""

    async def work() -> dict[str, Any]:
        try:
            (report,) = await set_levels(
                session,
                seller_id=seller_id,
                items=[StockItem(offer_id, delta, warehouse_id=warehouse_id)],
                mode=SyncMode.DELTA,
                actor=actor,
                reason=reason,
                reference=reference,
                kind=kind,
                marketplace_warehouses=marketplace_warehouses,
            )
        except StockSyncRejected as rejected:
            raise _single_item_error(rejected, offer_id, warehouse_id) from None
        return _report_json(report)

    request = {
        "offer_id": offer_id,
        "warehouse_id": warehouse_id,
        "delta": delta,
        "kind": kind.value,
        "reason": reason,
        "reference": reference,
    }
    return await run_idempotent(
        session,
        scope=f"inventory.adjust:{seller_id}",
        key=idempotency_key,
        request=request,
        work=work,
    )


async def sync_stock(
    session: AsyncSession,
    *,
    seller_id: int,
    items: Sequence[StockItem],
    mode: SyncMode,
    reason: str,
    actor: str,
    marketplace_warehouses: bool,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """A seller system's bulk sync, applied once per Idempotency-Key (required for deltas)."""
    if mode is SyncMode.DELTA and idempotency_key is None:
        raise InvalidInput(
            "Delta syncs need an Idempotency-Key header, so a retry cannot apply twice.",
            field="Idempotency-Key",
        )

    async def work() -> dict[str, Any]:
        reports = await set_levels(
            session,
            seller_id=seller_id,
            items=items,
            mode=mode,
            actor=actor,
            reason=reason,
            reference=f"sync:{idempotency_key}"[:100] if idempotency_key else None,
            marketplace_warehouses=marketplace_warehouses,
        )
        return {
            "mode": mode.value,
            "applied": sum(r.on_hand != r.on_hand_before for r in reports),
            "items": [_report_json(r) for r in reports],
        }

    request = {
        "mode": mode.value,
        "reason": reason,
        "items": [[i.offer_id, i.warehouse_id, i.warehouse_code, i.quantity] for i in items],
    }
    return await run_idempotent(
        session,
        scope=f"inventory.sync:{seller_id}",
        key=idempotency_key,
        request=request,
        work=work,
    )


def _single_item_error(
    rejected: StockSyncRejected, offer_id: int, warehouse_id: int
) -> DomainError:
    """One addressed resource: another seller's offer or warehouse is simply not found."""
    fields = {p["field"].rsplit(".", 1)[-1] for p in rejected.extra["errors"]}
    if "offer_id" in fields:
        return OfferNotFound(f"No offer {offer_id} here.", field="offer_id")
    if "warehouse" in fields:
        return WarehouseNotFound(f"No warehouse {warehouse_id} here.", field="warehouse_id")
    return InsufficientStock(
        rejected.extra["errors"][0]["message"], offer_id=offer_id, requested=0, available=0
    )


def _report_json(report: LevelReport) -> dict[str, Any]:
    return {
        "index": report.index,
        "offer_id": report.offer_id,
        "warehouse_id": report.warehouse_id,
        "on_hand_before": report.on_hand_before,
        "on_hand": report.on_hand,
        "reserved": report.reserved,
        "available": report.available,
    }
