"""Reading orders: the buyer's Order, a seller's queue, the operator's search.

Each view is a fixed number of queries (orders, seller orders, lines, history, payments)
whatever the number of sellers or lines: rows are fetched by id lists, never one by one.
Lists are keyset pages on id, newest first (ids grow with placement time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import payments
from pasar.orders.domain import (
    BUYER_CANCELLABLE,
    HOLDS_STOCK,
    Status,
    is_overdue,
    summary_status,
)
from pasar.orders.errors import OrderNotFound, SellerOrderNotFound
from pasar.orders.models import Order, OrderHistory, OrderLine, SellerOrder
from pasar.orders.schemas import (
    BuyerDetails,
    DeliveryRead,
    HistoryRead,
    LineRead,
    OrderCounts,
    OrderDetail,
    OrderRead,
    OrderSummary,
    PaymentSummary,
    SellerOrderDetail,
    SellerOrderRead,
    SellerRef,
)
from pasar.platform.errors import InvalidInput
from pasar.platform.pagination import Page, decode_cursor, encode_cursor


async def order_ref(session: AsyncSession, number: str) -> Order | None:
    return await session.scalar(select(Order).where(Order.number == number))


async def read_order(
    session: AsyncSession, order_id: int, *, detail: bool = False, today: date
) -> OrderRead:
    order = await session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise OrderNotFound(f"Order {order_id} does not exist.")
    seller_orders = (
        await session.scalars(
            select(SellerOrder)
            .where(SellerOrder.order_id == order_id)
            .order_by(SellerOrder.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    parts = await _seller_order_views(session, seller_orders, {order.id: order}, today, detail)
    views = await payments.payment_views(session, [order.id])
    payment = views.get(order.id)
    body: dict[str, Any] = {
        "id": order.id,
        "number": order.number,
        "status": summary_status([Status(s.status) for s in seller_orders]),
        "placed_at": order.placed_at,
        "email": order.email,
        "phone": order.phone,
        "address": order.address,
        "currency": order.currency,
        "items_amount": order.items_amount,
        "shipping_amount": order.shipping_amount,
        "total_amount": order.total_amount,
        "payment_method": order.payment_method,
        "language": order.language,
        "sms_updates": order.sms_updates,
        "payment_due_at": order.payment_due_at,
        "payment": _payment_summary(payment) if payment is not None else None,
        "seller_orders": parts,
    }
    return OrderDetail(**body) if detail else OrderRead(**body)


def _payment_summary(view: Any) -> PaymentSummary:
    return PaymentSummary(
        method=str(view.method),
        status=view.status,
        amount=view.amount,
        captured=view.captured,
        refunded=view.refunded,
        due_at=view.due_at,
        card_brand=view.card_brand,
        card_last4=view.card_last4,
        next_action=view.next_action,
        instructions=view.instructions,
    )


async def _seller_order_views(
    session: AsyncSession,
    rows: Sequence[SellerOrder],
    orders: dict[int, Order],
    today: date,
    detail: bool,
) -> list[Any]:
    ids = [r.id for r in rows]
    lines: dict[int, list[LineRead]] = defaultdict(list)
    history: dict[int, list[HistoryRead]] = defaultdict(list)
    if ids:
        for line in await session.scalars(
            select(OrderLine).where(OrderLine.seller_order_id.in_(ids)).order_by(OrderLine.id)
        ):
            lines[line.seller_order_id].append(LineRead.model_validate(line, from_attributes=True))
        for entry in await session.scalars(
            select(OrderHistory)
            .where(OrderHistory.seller_order_id.in_(ids))
            .order_by(OrderHistory.id)
        ):
            history[entry.seller_order_id].append(
                HistoryRead.model_validate(entry, from_attributes=True)
            )
    views: list[Any] = []
    for r in rows:
        body = _seller_order_body(r, today, lines[r.id], history[r.id])
        if detail:
            order = orders[r.order_id]
            views.append(
                SellerOrderDetail(
                    **body,
                    order_id=order.id,
                    order_number=order.number,
                    buyer=BuyerDetails(email=order.email, phone=order.phone, address=order.address),
                    payment_method=order.payment_method,
                    commission_amount=r.commission_amount,
                    net_amount=r.total_amount - r.commission_amount,
                )
            )
        else:
            views.append(SellerOrderRead(**body))
    return views


def _seller_order_body(
    r: SellerOrder, today: date, lines: list[LineRead], history: list[HistoryRead]
) -> dict[str, Any]:
    return {
        "id": r.id,
        "number": r.number,
        "seller": SellerRef(id=r.seller_id, name=r.seller_name),
        "status": Status(r.status),
        "currency": r.currency,
        "items_amount": r.items_amount,
        "shipping_amount": r.shipping_amount,
        "total_amount": r.total_amount,
        "delivery": DeliveryRead(
            service=r.delivery_service,
            name=r.delivery_name,
            shipping_amount=r.shipping_amount,
            ship_by=r.ship_by,
            promised_date=r.promised_date,
        ),
        "carrier": r.carrier,
        "tracking_number": r.tracking_number,
        "delivery_proof": r.delivery_proof,
        "cancel_reason": r.cancel_reason,
        "cancelled_by": r.cancelled_by,
        "overdue": is_overdue(Status(r.status), r.ship_by, today),
        "buyer_can_cancel": Status(r.status) in BUYER_CANCELLABLE,
        "buyer_can_confirm": r.status == Status.DELIVERED.value,
        "placed_at": r.placed_at,
        "verified_at": r.verified_at,
        "processing_at": r.processing_at,
        "shipped_at": r.shipped_at,
        "delivered_at": r.delivered_at,
        "completed_at": r.completed_at,
        "cancelled_at": r.cancelled_at,
        "lines": lines,
        "history": history,
    }


async def read_seller_order(
    session: AsyncSession, seller_order_id: int, *, seller_id: int | None, today: date
) -> SellerOrderDetail:
    query = select(SellerOrder).where(SellerOrder.id == seller_order_id)
    if seller_id is not None:
        query = query.where(SellerOrder.seller_id == seller_id)
    row = await session.scalar(query.execution_options(populate_existing=True))
    if row is None:
        raise SellerOrderNotFound(f"Seller order {seller_order_id} does not exist.")
    order = await session.get(Order, row.order_id)
    assert order is not None
    views = await _seller_order_views(session, [row], {order.id: order}, today, True)
    result: SellerOrderDetail = views[0]
    return result


def _after(statement: Select[Any], column: Any, cursor: str | None) -> Select[Any]:
    after = decode_cursor(cursor, arity=1)
    if after is None:
        return statement
    if not isinstance(after[0], int):
        raise InvalidInput("The cursor does not match this listing.", field="cursor")
    return statement.where(column < after[0])


async def list_seller_orders(
    session: AsyncSession,
    *,
    seller_id: int | None,
    statuses: Sequence[Status],
    placed_from: datetime | None,
    placed_to: datetime | None,
    overdue: bool | None,
    today: date,
    limit: int,
    cursor: str | None,
    number: str | None = None,
) -> Page[SellerOrderDetail]:
    """A seller's queue (or, with no seller, every SellerOrder for the operator).

    `number` finds SellerOrders by the start of their number, so an Order's number
    (`P261122-7K3M9Q2X`) finds its SellerOrders (`P261122-7K3M9Q2X-1`).
    """
    query = select(SellerOrder).execution_options(populate_existing=True)
    if seller_id is not None:
        query = query.where(SellerOrder.seller_id == seller_id)
    if number:
        query = query.where(SellerOrder.number.startswith(number.strip().upper(), autoescape=True))
    if statuses:
        query = query.where(SellerOrder.status.in_([s.value for s in statuses]))
    if placed_from is not None:
        query = query.where(SellerOrder.placed_at >= placed_from)
    if placed_to is not None:
        query = query.where(SellerOrder.placed_at < placed_to)
    if overdue is not None:
        late = SellerOrder.status.in_([s.value for s in HOLDS_STOCK]) & (
            SellerOrder.ship_by < today
        )
        query = query.where(late if overdue else ~late)
    query = _after(query, SellerOrder.id, cursor)
    rows = (await session.scalars(query.order_by(SellerOrder.id.desc()).limit(limit + 1))).all()
    page = rows[:limit]
    order_ids = {r.order_id for r in page}
    orders = {o.id: o for o in await session.scalars(select(Order).where(Order.id.in_(order_ids)))}
    items = await _seller_order_views(session, page, orders, today, True)
    next_cursor = encode_cursor([page[-1].id]) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


async def list_orders(
    session: AsyncSession,
    *,
    buyer_user_id: int | None,
    email: str | None,
    number: str | None,
    limit: int,
    cursor: str | None,
    part_status: Status | None = None,
    late_on: date | None = None,
) -> Page[OrderSummary]:
    """Orders newest first: a buyer's own, or the operator's search by number or email.

    `part_status` keeps the Orders with a SellerOrder in that status; `late_on` those with a
    SellerOrder still holding stock after its ship-by day (overdue on that day).
    """
    query = select(Order)
    if buyer_user_id is not None:
        query = query.where(Order.buyer_user_id == buyer_user_id)
    if email:
        query = query.where(Order.email == email.strip().lower())
    if number:
        query = query.where(Order.number == number.strip().upper())
    if part_status is not None:
        query = query.where(
            Order.id.in_(
                select(SellerOrder.order_id).where(SellerOrder.status == part_status.value)
            )
        )
    if late_on is not None:
        late = SellerOrder.status.in_([s.value for s in HOLDS_STOCK]) & (
            SellerOrder.ship_by < late_on
        )
        query = query.where(Order.id.in_(select(SellerOrder.order_id).where(late)))
    query = _after(query, Order.id, cursor)
    rows = (await session.scalars(query.order_by(Order.id.desc()).limit(limit + 1))).all()
    page = rows[:limit]
    statuses: dict[int, list[Status]] = defaultdict(list)
    if page:
        found = await session.execute(
            select(SellerOrder.order_id, SellerOrder.status).where(
                SellerOrder.order_id.in_([o.id for o in page])
            )
        )
        for order_id, status in found:
            statuses[order_id].append(Status(status))
    items = [
        OrderSummary(
            id=o.id,
            number=o.number,
            status=summary_status(statuses[o.id]),
            placed_at=o.placed_at,
            currency=o.currency,
            total_amount=o.total_amount,
            payment_method=o.payment_method,
            seller_count=len(statuses[o.id]),
        )
        for o in page
    ]
    next_cursor = encode_cursor([page[-1].id]) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


async def counts(session: AsyncSession, *, seller_id: int | None, today: date) -> OrderCounts:
    """SellerOrders per status, late ones and today's shipping: two grouped queries."""
    scope = [SellerOrder.seller_id == seller_id] if seller_id is not None else []
    rows = (
        await session.execute(
            select(SellerOrder.status, func.count()).where(*scope).group_by(SellerOrder.status)
        )
    ).all()
    live = SellerOrder.status.in_([Status.VERIFIED.value, Status.PROCESSING.value])
    held = SellerOrder.status.in_([s.value for s in HOLDS_STOCK])
    late, due = (
        await session.execute(
            select(
                func.count().filter(held, SellerOrder.ship_by < today),
                func.count().filter(live, SellerOrder.ship_by == today),
            ).where(*scope)
        )
    ).one()
    return OrderCounts(
        by_status={str(r[0]): int(r[1]) for r in rows}, overdue=int(late), to_ship_today=int(due)
    )


async def read_order_by_number(session: AsyncSession, number: str, *, today: date) -> OrderDetail:
    """An Order with every SellerOrder's commission, buyer details and history (the
    operator's read), by its number."""
    order = await order_ref(session, number.strip().upper())
    if order is None:
        raise OrderNotFound(f"Order {number} does not exist.")
    found = await read_order(session, order.id, detail=True, today=today)
    assert isinstance(found, OrderDetail)
    return found


@dataclass(frozen=True, slots=True)
class DayTotal:
    """Orders placed on one day (UTC) and the sum of their totals in one currency."""

    day: date
    orders: int
    amount: int


async def placed_per_day(
    session: AsyncSession, *, first: date, last: date, currency: str
) -> list[DayTotal]:
    """Orders placed per UTC day from `first` to `last` (inclusive), with the sum of the
    totals of those in `currency`: one query, a filtered count and sum per day."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if not days:
        return []
    start = datetime.combine(first, time.min, tzinfo=UTC)
    ranges = [(start + timedelta(days=n), start + timedelta(days=n + 1)) for n in range(len(days))]
    in_currency = Order.currency == currency
    columns: list[Any] = []
    for low, high in ranges:
        on_day = (Order.placed_at >= low) & (Order.placed_at < high)
        columns.append(func.count().filter(on_day))
        columns.append(func.coalesce(func.sum(Order.total_amount).filter(on_day & in_currency), 0))
    row = (
        await session.execute(
            select(*columns).where(Order.placed_at >= ranges[0][0], Order.placed_at < ranges[-1][1])
        )
    ).one()
    return [
        DayTotal(day=day, orders=int(row[2 * n]), amount=int(row[2 * n + 1]))
        for n, day in enumerate(days)
    ]
