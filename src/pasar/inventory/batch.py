"""Reserving stock for many orders at once: one lock, one decision pass, one guarded UPDATE.

Order batches (imports, flash-sale queues) would pay five statements per order through
`reserve`. Here the whole batch costs the same five: every stock row of every line is
locked in stock-id order (so batches and single checkouts queue, never deadlock), the
orders are served in request order against what earlier ones took — each all or nothing —
and the accepted lines go through the same guarded set-based UPDATE as `reserve`. The
ledger rows are COPYed on PostgreSQL; the availability events are returned to the caller,
which emits them with the rest of the batch's events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.inventory.bulk import MOVEMENT_COLUMNS
from pasar.inventory.domain import Candidate, Delta, Line, MovementKind, allocate
from pasar.inventory.errors import InsufficientStock
from pasar.inventory.models import StockMovement
from pasar.inventory.service import Reservation
from pasar.inventory.stock import (
    LockedRow,
    _apply,
    availability,
    availability_events,
    lock_offers,
)
from pasar.platform.bulk import load_rows
from pasar.platform.events import DomainEvent
from pasar.platform.time import utcnow

MOVEMENTS = cast(Table, StockMovement.__table__)


@dataclass(frozen=True, slots=True)
class BatchReservation:
    """One order's request: its lines, and the reference its ledger rows carry."""

    reference: str
    lines: Sequence[Line]


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """Per request, in order: the units held, or why none were (InsufficientStock)."""

    held: list[list[Reservation] | InsufficientStock]
    events: list[DomainEvent]


async def reserve_many(
    session: AsyncSession, requests: Sequence[BatchReservation], *, actor: str
) -> BatchOutcome:
    """Hold stock for each request whole, or not at all, in request order (flush only)."""
    rows = await lock_offers(session, (line.offer_id for r in requests for line in r.lines))
    by_id = {r.stock_id: r for r in rows}
    left = {r.stock_id: r.level.available for r in rows if r.active}
    by_offer: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        if r.active:
            by_offer[r.offer_id].append(r.stock_id)
    held: list[list[Reservation] | InsufficientStock] = []
    totals: dict[int, int] = defaultdict(int)
    ledger: list[tuple[object, ...]] = []
    now = utcnow()
    for request in requests:
        offers = {line.offer_id for line in request.lines}
        candidates = [
            Candidate(sid, by_id[sid].offer_id, by_id[sid].warehouse_id, left[sid])
            for offer_id in offers
            for sid in by_offer.get(offer_id, ())
        ]
        try:
            allocations = allocate(request.lines, candidates)
        except InsufficientStock as short:
            held.append(short)
            continue
        taken = []
        for a in allocations:
            left[a.stock_id] -= a.quantity
            totals[a.stock_id] += a.quantity
            row = by_id[a.stock_id]
            ledger.append(
                (
                    a.stock_id,
                    row.seller_id,
                    a.offer_id,
                    a.warehouse_id,
                    MovementKind.RESERVATION.value,
                    0,
                    a.quantity,
                    actor,
                    "order reserved",
                    request.reference,
                    now,
                )
            )
            taken.append(Reservation(a.offer_id, a.warehouse_id, a.quantity))
        held.append(taken)
    if totals:
        await _apply(session, {sid: Delta(reserved=q) for sid, q in totals.items()})
        await load_rows(session, MOVEMENTS, MOVEMENT_COLUMNS, ledger)
    return BatchOutcome(held=held, events=_availability_events(rows, totals))


def _availability_events(rows: Sequence[LockedRow], totals: dict[int, int]) -> list[DomainEvent]:
    before = availability(rows)
    after = dict(before)
    for r in rows:
        if r.active and r.stock_id in totals:
            after[r.offer_id] -= totals[r.stock_id]
    return availability_events(rows, before, after)
