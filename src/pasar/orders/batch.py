"""Placing many orders in one transaction: the set-based twin of `placing.place`.

Order batches from trusted channels first *claim* their external ids (one INSERT … ON
CONFLICT DO NOTHING: a claim already made — committed, or by a batch still running, which
PostgreSQL waits for — makes that order a duplicate), then reserve stock for all of them
at once, then write every Order, SellerOrder, line and history row with one COPY per table
(PostgreSQL; executemany on SQLite). The events are the ones `place` emits, returned for
the caller to emit with the rest of the batch's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import inventory
from pasar.orders.domain import Actor, Status, new_order_number
from pasar.orders.events import CHANGED, OrderPlaced
from pasar.orders.imports import OrderImport
from pasar.orders.models import Order, OrderHistory, OrderLine, SellerOrder
from pasar.orders.placing import OrderDraft, PlacedOrder, PlacedSellerOrder
from pasar.platform.bulk import is_postgres, load_rows, reserve_ids
from pasar.platform.events import DomainEvent

ORDERS = cast(Table, Order.__table__)
SELLER_ORDERS = cast(Table, SellerOrder.__table__)
ORDER_LINES = cast(Table, OrderLine.__table__)
ORDER_HISTORY = cast(Table, OrderHistory.__table__)
IMPORTS = cast(Table, OrderImport.__table__)

ORDER_COLUMNS = (
    "id",
    "number",
    "buyer_user_id",
    "email",
    "phone",
    "address",
    "currency",
    "items_amount",
    "shipping_amount",
    "total_amount",
    "payment_method",
    "language",
    "sms_updates",
    "payment_due_at",
    "placed_at",
)
SELLER_ORDER_COLUMNS = (
    "id",
    "order_id",
    "number",
    "seller_id",
    "seller_name",
    "status",
    "currency",
    "items_amount",
    "shipping_amount",
    "total_amount",
    "commission_amount",
    "delivery_service",
    "delivery_name",
    "ship_by",
    "promised_date",
    "carrier",
    "reservations",
    "placed_at",
    "verified_at",
    "updated_at",
)
LINE_COLUMNS = (
    "seller_order_id",
    "offer_id",
    "product_id",
    "variant_id",
    "title",
    "sku",
    "fulfilled_by",
    "quantity",
    "unit_amount",
    "line_amount",
)
HISTORY_COLUMNS = (
    "seller_order_id",
    "from_status",
    "to_status",
    "actor",
    "actor_ref",
    "reason",
    "at",
)


CLAIM_POSTGRES = text(
    "INSERT INTO order_imports (channel, external_id, order_id, number, created_at) "
    "SELECT CAST(:channel AS text), e, o, n, CAST(:now AS timestamptz) FROM unnest("
    "CAST(:e AS text[]), CAST(:o AS bigint[]), CAST(:n AS text[])) AS t(e, o, n) "
    "ON CONFLICT (channel, external_id) DO NOTHING RETURNING external_id"
)


@dataclass(frozen=True, slots=True)
class Claim:
    """The order an external id stands for: `fresh` if this batch may place it now."""

    order_id: int
    number: str
    fresh: bool


@dataclass(frozen=True, slots=True)
class BatchPlacement:
    """One accepted order of a batch: its claimed id and number, draft and held stock."""

    order_id: int
    number: str
    draft: OrderDraft
    reservations: Sequence[inventory.Reservation]
    verified: bool
    payment_due_at: datetime | None
    actor_ref: str


async def claim_imports(
    session: AsyncSession, channel: str, external_ids: Sequence[str], *, now: datetime
) -> dict[str, Claim]:
    """Claim each (distinct) external id of `channel`; ids claimed before come back not fresh."""
    wanted = sorted(set(external_ids))
    if not wanted:
        return {}
    ids = await reserve_ids(session, ORDERS, len(wanted))
    numbers: set[str] = set()
    while len(numbers) < len(wanted):
        numbers.add(new_order_number(now))
    rows: list[dict[str, Any]] = [
        {
            "channel": channel,
            "external_id": external_id,
            "order_id": order_id,
            "number": number,
            "created_at": now,
        }
        for external_id, order_id, number in zip(wanted, ids, sorted(numbers), strict=True)
    ]
    statement = (
        sqlite_insert(IMPORTS)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(IMPORTS.c.external_id)
    )
    if is_postgres(session):
        # Arrays, not a 1,000-row VALUES list: one short statement to compile and plan.
        claimed = set(
            (
                await session.execute(
                    CLAIM_POSTGRES,
                    {
                        "channel": channel,
                        "now": now,
                        "e": [r["external_id"] for r in rows],
                        "o": [r["order_id"] for r in rows],
                        "n": [r["number"] for r in rows],
                    },
                )
            ).scalars()
        )
    else:
        claimed = set()
        for start in range(0, len(rows), 500):  # SQLite's bound-parameter limit
            chunk = rows[start : start + 500]
            claimed |= set((await session.execute(statement.values(chunk))).scalars())
    found = {
        row["external_id"]: Claim(row["order_id"], row["number"], True)
        for row in rows
        if row["external_id"] in claimed
    }
    taken = [e for e in wanted if e not in claimed]
    if taken:
        earlier = await session.execute(
            select(OrderImport.external_id, OrderImport.order_id, OrderImport.number).where(
                OrderImport.channel == channel, OrderImport.external_id.in_(taken)
            )
        )
        for external_id, order_id, number in earlier:
            found[external_id] = Claim(order_id, number, False)
    gone = [e for e in taken if e not in found]
    if gone:
        # Claimed by a batch that gave the claim back (it could not place the order) between
        # our INSERT and our SELECT: claim those again.
        found |= await claim_imports(session, channel, gone, now=now)
    return found


async def release_imports(session: AsyncSession, channel: str, external_ids: Sequence[str]) -> None:
    """Give back the claims of orders the batch could not place, so a retry may place them."""
    if not external_ids:
        return
    await session.execute(
        delete(OrderImport).where(
            OrderImport.channel == channel, OrderImport.external_id.in_(list(external_ids))
        ),
        execution_options={"synchronize_session": False},
    )


async def place_many(
    session: AsyncSession, placements: Sequence[BatchPlacement], *, now: datetime
) -> tuple[list[PlacedOrder], list[DomainEvent]]:
    """Write the accepted orders of a batch (flush only); stock is already reserved."""
    if not placements:
        return [], []
    groups_of = [sorted(p.draft.seller_orders, key=lambda g: g.seller_id) for p in placements]
    so_ids = await reserve_ids(session, SELLER_ORDERS, sum(len(g) for g in groups_of))
    orders: list[tuple[Any, ...]] = []
    seller_orders: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    history: list[tuple[Any, ...]] = []
    events: list[DomainEvent] = []
    placed: list[PlacedOrder] = []
    next_id = iter(so_ids)
    for p, groups in zip(placements, groups_of, strict=True):
        d = p.draft
        email = d.email.strip().lower()
        orders.append(
            (
                p.order_id,
                p.number,
                d.buyer_user_id,
                email,
                d.phone,
                d.address,
                d.currency,
                d.items_amount,
                d.shipping_amount,
                d.total_amount,
                d.payment_method,
                d.language,
                d.sms_updates,
                p.payment_due_at,
                now,
            )
        )
        held: dict[int, list[dict[str, int]]] = defaultdict(list)
        for r in p.reservations:
            held[r.offer_id].append(
                {"offer_id": r.offer_id, "warehouse_id": r.warehouse_id, "quantity": r.quantity}
            )
        status = Status.VERIFIED if p.verified else Status.RECEIVED
        steps: list[tuple[Status | None, Status]] = [(None, Status.RECEIVED)]
        if p.verified:
            steps.append((Status.RECEIVED, Status.VERIFIED))
        parts: list[PlacedSellerOrder] = []
        for i, g in enumerate(groups, start=1):
            so_id = next(next_id)
            number = f"{p.number}-{i}"
            seller_orders.append(
                (
                    so_id,
                    p.order_id,
                    number,
                    g.seller_id,
                    g.seller_name,
                    status.value,
                    d.currency,
                    g.items_amount,
                    g.shipping_amount,
                    g.total_amount,
                    g.commission_amount,
                    g.delivery_service,
                    g.delivery_name,
                    g.ship_by,
                    g.promised_date,
                    g.carrier,
                    [h for line in g.lines for h in held[line.offer_id]],
                    now,
                    now if p.verified else None,
                    now,
                )
            )
            lines.extend(
                (
                    so_id,
                    line.offer_id,
                    line.product_id,
                    line.variant_id,
                    line.title,
                    line.sku,
                    line.fulfilled_by,
                    line.quantity,
                    line.unit_amount,
                    line.line_amount,
                )
                for line in g.lines
            )
            for before, after in steps:
                history.append(
                    (
                        so_id,
                        before.value if before else None,
                        after.value,
                        Actor.SYSTEM.value,
                        p.actor_ref,
                        "order placed" if before is None else "payment validated",
                        now,
                    )
                )
            parts.append(
                PlacedSellerOrder(so_id, g.seller_id, number, g.total_amount, g.commission_amount)
            )
        events.append(
            OrderPlaced(
                order_id=p.order_id,
                number=p.number,
                buyer_user_id=d.buyer_user_id,
                email=email,
                currency=d.currency,
                total_amount=d.total_amount,
                payment_method=d.payment_method,
                seller_order_ids=[s.id for s in parts],
                seller_ids=[s.seller_id for s in parts],
            )
        )
        for part in parts:
            for before, after in steps:
                events.append(
                    CHANGED[after](
                        seller_order_id=part.id,
                        order_id=p.order_id,
                        seller_id=part.seller_id,
                        number=part.number,
                        from_status=before.value if before else None,
                        to_status=after.value,
                        actor=Actor.SYSTEM.value,
                        reason=None,
                    )
                )
        placed.append(PlacedOrder(p.order_id, p.number, status, parts))
    await load_rows(session, ORDERS, ORDER_COLUMNS, orders)
    await load_rows(session, SELLER_ORDERS, SELLER_ORDER_COLUMNS, seller_orders)
    await load_rows(session, ORDER_LINES, LINE_COLUMNS, lines)
    await load_rows(session, ORDER_HISTORY, HISTORY_COLUMNS, history)
    return placed, events
