"""What notifications need to know about orders: who to tell, in which language, about what.

Notifications sits above orders and reads it only through these functions. Each is a
fixed number of statements for any number of orders (a batch of events costs three
reads, not three per event), and none locks anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.orders.domain import Status
from pasar.orders.models import Order, OrderLine, SellerOrder


@dataclass(frozen=True, slots=True)
class NoticeLine:
    title: str
    quantity: int
    unit_amount: int
    line_amount: int


@dataclass(frozen=True, slots=True)
class NoticePart:
    """One SellerOrder as its buyer is told about it."""

    id: int
    number: str
    seller_id: int
    seller_name: str
    status: Status
    items_amount: int
    shipping_amount: int
    total_amount: int
    delivery_name: str
    promised_date: date
    carrier: str | None
    tracking_number: str | None
    delivery_proof: dict[str, Any] | None
    cancel_reason: str | None
    delivered_at: datetime | None
    lines: tuple[NoticeLine, ...]


@dataclass(frozen=True, slots=True)
class OrderNotice:
    """An Order with its buyer's contact and channel choice, and every SellerOrder."""

    id: int
    number: str
    email: str
    phone: str
    recipient_name: str | None
    language: str
    sms_updates: bool
    currency: str
    items_amount: int
    shipping_amount: int
    total_amount: int
    payment_method: str
    payment_due_at: datetime | None
    placed_at: datetime
    parts: tuple[NoticePart, ...]

    def part(self, seller_order_id: int) -> NoticePart | None:
        return next((p for p in self.parts if p.id == seller_order_id), None)


async def order_notices(
    session: AsyncSession, order_ids: Collection[int]
) -> dict[int, OrderNotice]:
    """order id -> what its buyer is told about it, for the orders that exist (3 reads)."""
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    orders = (await session.scalars(select(Order).where(Order.id.in_(ids)))).all()
    if not orders:
        return {}
    parts = (
        await session.scalars(
            select(SellerOrder).where(SellerOrder.order_id.in_(ids)).order_by(SellerOrder.id)
        )
    ).all()
    lines: dict[int, list[NoticeLine]] = defaultdict(list)
    if parts:
        found = await session.scalars(
            select(OrderLine)
            .where(OrderLine.seller_order_id.in_([p.id for p in parts]))
            .order_by(OrderLine.id)
        )
        for line in found:
            lines[line.seller_order_id].append(
                NoticeLine(line.title, line.quantity, line.unit_amount, line.line_amount)
            )
    by_order: dict[int, list[NoticePart]] = defaultdict(list)
    for so in parts:
        by_order[so.order_id].append(
            NoticePart(
                id=so.id,
                number=so.number,
                seller_id=so.seller_id,
                seller_name=so.seller_name,
                status=Status(so.status),
                items_amount=so.items_amount,
                shipping_amount=so.shipping_amount,
                total_amount=so.total_amount,
                delivery_name=so.delivery_name,
                promised_date=so.promised_date,
                carrier=so.carrier,
                tracking_number=so.tracking_number,
                delivery_proof=dict(so.delivery_proof) if so.delivery_proof else None,
                cancel_reason=so.cancel_reason,
                delivered_at=so.delivered_at,
                lines=tuple(lines[so.id]),
            )
        )
    return {
        o.id: OrderNotice(
            id=o.id,
            number=o.number,
            email=o.email,
            phone=o.phone,
            recipient_name=(o.address or {}).get("name"),
            language=o.language,
            sms_updates=o.sms_updates,
            currency=o.currency,
            items_amount=o.items_amount,
            shipping_amount=o.shipping_amount,
            total_amount=o.total_amount,
            payment_method=o.payment_method,
            payment_due_at=o.payment_due_at,
            placed_at=o.placed_at,
            parts=tuple(by_order[o.id]),
        )
        for o in orders
    }


async def unpaid_orders(
    session: AsyncSession, *, due_after: datetime, due_before: datetime, limit: int = 500
) -> list[int]:
    """Orders still awaiting their payment whose deadline falls in (due_after, due_before]:
    the ones a payment reminder is for. An order whose parts were all cancelled is not."""
    rows = await session.scalars(
        select(Order.id)
        .where(
            Order.payment_due_at > due_after,
            Order.payment_due_at <= due_before,
            select(SellerOrder.id)
            .where(SellerOrder.order_id == Order.id, SellerOrder.status == Status.RECEIVED.value)
            .exists(),
        )
        .order_by(Order.payment_due_at, Order.id)
        .limit(limit)
    )
    return list(rows)


async def delivered_unconfirmed(
    session: AsyncSession,
    *,
    delivered_after: datetime,
    delivered_before: datetime,
    limit: int = 500,
) -> list[tuple[int, int]]:
    """(order id, SellerOrder id) of parts delivered in (delivered_after, delivered_before]
    and not yet completed: the buyer may still confirm receipt or report a problem."""
    rows = await session.execute(
        select(SellerOrder.order_id, SellerOrder.id)
        .where(
            SellerOrder.status == Status.DELIVERED.value,
            SellerOrder.delivered_at > delivered_after,
            SellerOrder.delivered_at <= delivered_before,
        )
        .order_by(SellerOrder.delivered_at, SellerOrder.id)
        .limit(limit)
    )
    return [(r.order_id, r.id) for r in rows]
