"""Creating an Order and its SellerOrders: the write half of placing an order.

Checkout prices the cart and authorises the payment; `place` then reserves every line's
stock (all or nothing) and writes the Order, SellerOrders, lines and history in the
caller's transaction. It is on the hottest path of the marketplace, so it is a fixed
number of statements whatever the number of lines or sellers: inventory's five for the
reservation, one INSERT per table (multi-row, RETURNING ids), one outbox INSERT (none
when the caller collects the events to emit them with its own).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import inventory
from pasar.orders.domain import Actor, Status, new_order_number
from pasar.orders.events import CHANGED, OrderPlaced
from pasar.orders.models import Order, OrderHistory, OrderLine, SellerOrder
from pasar.platform.events import DomainEvent
from pasar.platform.outbox import emit

SELLER_ORDERS = cast(Table, SellerOrder.__table__)
ORDER_LINES = cast(Table, OrderLine.__table__)
ORDER_HISTORY = cast(Table, OrderHistory.__table__)
ORDERS = cast(Table, Order.__table__)
#: Built once, Core not ORM: placing an order runs each of them and building costs more.
INSERT_ORDER = insert(ORDERS).returning(ORDERS.c.id)
INSERT_SELLER_ORDERS = insert(SELLER_ORDERS).returning(SELLER_ORDERS.c.id, SELLER_ORDERS.c.number)
INSERT_LINES = insert(ORDER_LINES)
INSERT_HISTORY = insert(ORDER_HISTORY)


@dataclass(frozen=True, slots=True)
class LineDraft:
    offer_id: int
    product_id: int
    variant_id: int
    title: str
    sku: str
    fulfilled_by: str
    quantity: int
    unit_amount: int

    @property
    def line_amount(self) -> int:
        return self.unit_amount * self.quantity


@dataclass(frozen=True, slots=True)
class SellerOrderDraft:
    seller_id: int
    seller_name: str
    lines: Sequence[LineDraft]
    delivery_service: str
    delivery_name: str
    shipping_amount: int
    ship_by: date
    promised_date: date
    commission_amount: int
    #: The carrier checkout's rate shopping planned; shipping may still choose another.
    carrier: str | None = None

    @property
    def items_amount(self) -> int:
        return sum(line.line_amount for line in self.lines)

    @property
    def total_amount(self) -> int:
        return self.items_amount + self.shipping_amount


@dataclass(frozen=True, slots=True)
class OrderDraft:
    buyer_user_id: int | None
    email: str
    phone: str
    address: dict[str, Any]
    currency: str
    payment_method: str
    seller_orders: Sequence[SellerOrderDraft]
    #: Notifications: the buyer's language and whether they want text messages.
    language: str = "en"
    sms_updates: bool = False

    @property
    def items_amount(self) -> int:
        return sum(s.items_amount for s in self.seller_orders)

    @property
    def shipping_amount(self) -> int:
        return sum(s.shipping_amount for s in self.seller_orders)

    @property
    def total_amount(self) -> int:
        return self.items_amount + self.shipping_amount


@dataclass(frozen=True, slots=True)
class PlacedSellerOrder:
    id: int
    seller_id: int
    number: str
    total_amount: int
    commission_amount: int


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    id: int
    number: str
    status: Status
    seller_orders: list[PlacedSellerOrder] = field(default_factory=list)


async def place(
    session: AsyncSession,
    draft: OrderDraft,
    *,
    verified: bool,
    payment_due_at: datetime | None,
    actor_ref: str,
    now: datetime,
    events: list[DomainEvent] | None = None,
) -> PlacedOrder:
    """Reserve and record an order (flush only). Raises inventory.InsufficientStock.

    `verified` says the payment is already validated (card authorised, cash on delivery
    accepted): the SellerOrders then start in `verified`, and the history shows both steps.
    With `events`, the stock's and the order's events are appended there for the caller to
    emit once with its own, instead of being emitted here.
    """
    groups = sorted(draft.seller_orders, key=lambda g: g.seller_id)
    number = new_order_number(now)
    reservations = await inventory.reserve(
        session,
        lines=[
            inventory.ReservationLine(line.offer_id, line.quantity)
            for group in groups
            for line in group.lines
        ],
        reference=number,
        actor=actor_ref,
        events=events,
    )
    held: dict[int, list[dict[str, int]]] = defaultdict(list)
    for r in reservations:
        held[r.offer_id].append(
            {"offer_id": r.offer_id, "warehouse_id": r.warehouse_id, "quantity": r.quantity}
        )
    order_id = await session.scalar(
        INSERT_ORDER,
        {
            "number": number,
            "buyer_user_id": draft.buyer_user_id,
            "email": draft.email.strip().lower(),
            "phone": draft.phone,
            "address": draft.address,
            "currency": draft.currency,
            "items_amount": draft.items_amount,
            "shipping_amount": draft.shipping_amount,
            "total_amount": draft.total_amount,
            "payment_method": draft.payment_method,
            "language": draft.language,
            "sms_updates": draft.sms_updates,
            "payment_due_at": payment_due_at,
            "placed_at": now,
        },
    )
    assert order_id is not None
    status = Status.VERIFIED if verified else Status.RECEIVED
    rows = [
        {
            "order_id": order_id,
            "number": f"{number}-{i}",
            "seller_id": g.seller_id,
            "seller_name": g.seller_name,
            "status": status.value,
            "currency": draft.currency,
            "items_amount": g.items_amount,
            "shipping_amount": g.shipping_amount,
            "total_amount": g.total_amount,
            "commission_amount": g.commission_amount,
            "delivery_service": g.delivery_service,
            "delivery_name": g.delivery_name,
            "ship_by": g.ship_by,
            "promised_date": g.promised_date,
            "carrier": g.carrier,
            "reservations": [h for line in g.lines for h in held[line.offer_id]],
            "placed_at": now,
            "verified_at": now if verified else None,
            "updated_at": now,
        }
        for i, g in enumerate(groups, start=1)
    ]
    # Core inserts: one multi-row statement each (the ORM splits rows by their NULL shape,
    # and ordered RETURNING would cost SQLite one statement per row); ids map back by number.
    result = await session.execute(INSERT_SELLER_ORDERS, rows)
    id_of = {number: so_id for so_id, number in result}
    ids = [id_of[row["number"]] for row in rows]
    await session.execute(
        INSERT_LINES,
        [
            {
                "seller_order_id": so_id,
                "offer_id": line.offer_id,
                "product_id": line.product_id,
                "variant_id": line.variant_id,
                "title": line.title,
                "sku": line.sku,
                "fulfilled_by": line.fulfilled_by,
                "quantity": line.quantity,
                "unit_amount": line.unit_amount,
                "line_amount": line.line_amount,
            }
            for so_id, g in zip(ids, groups, strict=True)
            for line in g.lines
        ],
    )
    steps: list[tuple[Status | None, Status]] = [(None, Status.RECEIVED)]
    if verified:
        steps.append((Status.RECEIVED, Status.VERIFIED))
    await session.execute(
        INSERT_HISTORY,
        [
            {
                "seller_order_id": so_id,
                "from_status": before.value if before else None,
                "to_status": after.value,
                "actor": Actor.SYSTEM.value,
                "actor_ref": actor_ref,
                "reason": "order placed" if before is None else "payment validated",
                "at": now,
            }
            for so_id in ids
            for before, after in steps
        ],
    )
    placed: list[DomainEvent] = [
        OrderPlaced(
            order_id=order_id,
            number=number,
            buyer_user_id=draft.buyer_user_id,
            email=draft.email.strip().lower(),
            currency=draft.currency,
            total_amount=draft.total_amount,
            payment_method=draft.payment_method,
            seller_order_ids=ids,
            seller_ids=[g.seller_id for g in groups],
        )
    ]
    for so_id, row in zip(ids, rows, strict=True):
        for before, after in steps:
            placed.append(
                CHANGED[after](
                    seller_order_id=so_id,
                    order_id=order_id,
                    seller_id=row["seller_id"],
                    number=row["number"],
                    from_status=before.value if before else None,
                    to_status=after.value,
                    actor=Actor.SYSTEM.value,
                    reason=None,
                )
            )
    if events is not None:
        events.extend(placed)
    else:
        await emit(session, *placed)
    return PlacedOrder(
        id=order_id,
        number=number,
        status=status,
        seller_orders=[
            PlacedSellerOrder(
                so_id, g.seller_id, row["number"], g.total_amount, g.commission_amount
            )
            for so_id, g, row in zip(ids, groups, rows, strict=True)
        ],
    )
