"""Placing many orders in one transaction: the set-based twin of `placing.place`.

Order batches from trusted channels first *claim* their external ids (one INSERT … ON
CONFLICT DO NOTHING: a claim already made — committed, or by a batch still running, which
PostgreSQL waits for — makes that order a duplicate), then reserve stock for all of them
at once, then write every Order, SellerOrder, line and history row with one COPY per table
(PostgreSQL; executemany on SQLite). The events are the ones `place` emits, returned for
the caller to emit with the rest of the batch's.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import inventory
from pasar.orders.domain import _ALPHABET, Actor, Status
from pasar.orders.events import CHANGED, OrderPlaced, SellerOrderChanged
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


SYSTEM = Actor.SYSTEM.value
#: Per `verified`, the steps a new seller order takes: (from, to, its event, history reason).
_STEPS: dict[bool, list[tuple[str | None, str, type[SellerOrderChanged], str]]] = {
    False: [(None, Status.RECEIVED.value, CHANGED[Status.RECEIVED], "order placed")],
    True: [
        (None, Status.RECEIVED.value, CHANGED[Status.RECEIVED], "order placed"),
        (
            Status.RECEIVED.value,
            Status.VERIFIED.value,
            CHANGED[Status.VERIFIED],
            "payment validated",
        ),
    ],
}
#: Two characters of `_ALPHABET` per 10 random bits.
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]


def _order_numbers(now: datetime, count: int) -> set[str]:
    """`count` distinct `new_order_number`s — the same format and 40 random bits each,
    drawn at once (its eight `secrets.choice` calls cost more than the rest of a claim)."""
    assert len(_ALPHABET) == 32
    prefix = f"P{now:%y%m%d}-"
    numbers: set[str] = set()
    while len(numbers) < count:
        bits = secrets.randbits(40)
        numbers.add(
            prefix
            + _PAIRS[bits >> 30]
            + _PAIRS[(bits >> 20) & 1023]
            + _PAIRS[(bits >> 10) & 1023]
            + _PAIRS[bits & 1023]
        )
    return numbers


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
    numbers = _order_numbers(now, len(wanted))
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
        # The drafts' amounts are sums recomputed on every read: read each once.
        amounts = [(g.items_amount, g.shipping_amount) for g in groups]
        items_amount = sum(a for a, _ in amounts)
        shipping_amount = sum(s for _, s in amounts)
        total_amount = items_amount + shipping_amount
        orders.append(
            (
                p.order_id,
                p.number,
                d.buyer_user_id,
                email,
                d.phone,
                d.address,
                d.currency,
                items_amount,
                shipping_amount,
                total_amount,
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
        steps = _STEPS[p.verified]
        status_value = status.value
        parts: list[PlacedSellerOrder] = []
        for i, (g, (g_items, g_shipping)) in enumerate(zip(groups, amounts, strict=True), start=1):
            so_id = next(next_id)
            number = f"{p.number}-{i}"
            g_total = g_items + g_shipping
            seller_orders.append(
                (
                    so_id,
                    p.order_id,
                    number,
                    g.seller_id,
                    g.seller_name,
                    status_value,
                    d.currency,
                    g_items,
                    g_shipping,
                    g_total,
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
            history.extend(
                (so_id, before, after, SYSTEM, p.actor_ref, reason, now)
                for before, after, _, reason in steps
            )
            parts.append(
                PlacedSellerOrder(so_id, g.seller_id, number, g_total, g.commission_amount)
            )
        events.append(
            OrderPlaced(
                order_id=p.order_id,
                number=p.number,
                buyer_user_id=d.buyer_user_id,
                email=email,
                currency=d.currency,
                total_amount=total_amount,
                payment_method=d.payment_method,
                seller_order_ids=[s.id for s in parts],
                seller_ids=[s.seller_id for s in parts],
            )
        )
        for part in parts:
            for before, after, changed, _ in steps:
                events.append(
                    changed(
                        seller_order_id=part.id,
                        order_id=p.order_id,
                        seller_id=part.seller_id,
                        number=part.number,
                        from_status=before,
                        to_status=after,
                        actor=SYSTEM,
                        reason=None,
                    )
                )
        placed.append(PlacedOrder(p.order_id, p.number, status, parts))
    await load_rows(session, ORDERS, ORDER_COLUMNS, orders)
    await load_rows(session, SELLER_ORDERS, SELLER_ORDER_COLUMNS, seller_orders)
    await load_rows(session, ORDER_LINES, LINE_COLUMNS, lines)
    await load_rows(session, ORDER_HISTORY, HISTORY_COLUMNS, history)
    return placed, events
