"""Planning: which buyer gets which message for a batch of events, as rows in the log.

The consumer runs inside the relay's transaction. For a whole batch it reads the orders
(three statements) and, when a message needs them, the payments (two), then inserts every
planned message in one INSERT … ON CONFLICT DO NOTHING: an event delivered twice (after
a crash, or replayed by the operator) plans nothing new, because (dedupe key, channel,
recipient) is unique. Messages store their facts (`context`); the sender renders them.
Notices to sellers are planned the same way, by `seller_notices`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import orders, payments
from pasar.notifications.domain import (
    EVENT_NAMES,
    Channel,
    DeliveryStatus,
    Template,
    cancellation_cause,
    channels_for,
    event_key,
    locale_of,
    templates_for,
)
from pasar.notifications.models import Notification
from pasar.platform.jobs import StoredEvent
from pasar.platform.time import utcnow

NOTIFICATIONS = cast(Table, Notification.__table__)

#: Templates whose facts include the order's payment.
NEEDS_PAYMENT = frozenset(
    {Template.PAYMENT_INSTRUCTIONS, Template.PAYMENT_REMINDER, Template.CANCELLED}
)


async def plan_events(session: AsyncSession, events: Sequence[StoredEvent]) -> None:
    """The notifications consumer: plan the buyer messages a batch of events calls for."""
    wanted = [(e, templates_for(e.name, e.payload)) for e in events if e.name in EVENT_NAMES]
    wanted = [(e, found) for e, found in wanted if found]
    if not wanted:
        return
    order_ids = {int(e.payload["order_id"]) for e, _ in wanted}
    notices = await orders.order_notices(session, order_ids)
    paid = {int(e.payload["order_id"]) for e, found in wanted if NEEDS_PAYMENT.intersection(found)}
    views = await payments.payment_views(session, sorted(paid)) if paid else {}
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for event, found in wanted:
        order = notices.get(int(event.payload["order_id"]))
        if order is None:
            continue
        for template in found:
            context = event_context(template, order, event, views.get(order.id))
            if context is None:
                continue
            rows.extend(
                messages(
                    order,
                    template,
                    context,
                    dedupe_key=event_key(event.id, template),
                    event_id=event.id,
                    seller_order_id=_int_or_none(event.payload.get("seller_order_id")),
                    now=now,
                )
            )
    await insert_new(session, rows)


def messages(
    order: orders.OrderNotice,
    template: Template,
    context: Mapping[str, Any],
    *,
    dedupe_key: str,
    event_id: int | None,
    seller_order_id: int | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """One row per channel the buyer gets this message on."""
    recipients = {Channel.EMAIL: order.email, Channel.SMS: order.phone}
    return [
        {
            "event_id": event_id,
            "dedupe_key": dedupe_key,
            "channel": channel.value,
            "recipient": recipients[channel],
            "template": template.value,
            "locale": locale_of(order.language, "en"),
            "context": dict(context),
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "due_at": now,
            "order_id": order.id,
            "order_number": order.number,
            "seller_order_id": seller_order_id,
            "created_at": now,
            "updated_at": now,
        }
        for channel in channels_for(template, sms_updates=order.sms_updates, phone=order.phone)
    ]


async def insert_new(session: AsyncSession, rows: Iterable[dict[str, Any]]) -> int:
    """Insert the rows whose (dedupe key, channel, recipient) is new; returns how many."""
    unique = {(r["dedupe_key"], r["channel"], r["recipient"]): r for r in rows}
    if not unique:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(NOTIFICATIONS).on_conflict_do_nothing(
        index_elements=["dedupe_key", "channel", "recipient"]
    )
    result = await session.execute(statement, list(unique.values()))
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


# --- the facts each message is rendered from (plain JSON) -----------------------------------


def event_context(
    template: Template,
    order: orders.OrderNotice,
    event: StoredEvent,
    payment: payments.PaymentView | None,
) -> dict[str, Any] | None:
    """The facts for one event's message, or None when they are missing (nothing is sent)."""
    payload = event.payload
    base: dict[str, Any] = {"order": order_facts(order)}
    if template is Template.ORDER_CONFIRMATION:
        return {**base, "parts": [part_facts(p) for p in order.parts]}
    if template is Template.PAYMENT_INSTRUCTIONS:
        facts = payment_facts(payment)
        return {**base, "payment": facts} if facts else None
    if template is Template.PAYMENT_RECEIVED:
        amount = payload.get("amount", order.total_amount)
        currency = payload.get("currency", order.currency)
        return {**base, "payment": {"amount": int(amount), "currency": str(currency)}}
    part = order.part(int(payload["seller_order_id"]))
    if part is None:
        return None
    base["part"] = part_facts(part)
    if template is Template.SHIPPED:
        shipment = shipment_facts(part.carrier, part.tracking_number)
        return {**base, "shipment": shipment} if shipment else None
    if template is Template.OUT_FOR_DELIVERY:
        shipment = shipment_facts(payload.get("carrier"), payload.get("tracking_number"))
        return {**base, "shipment": shipment} if shipment else None
    if template is Template.DELIVERED:
        proof = part.delivery_proof or {}
        delivered = part.delivered_at or event.occurred_at
        return {
            **base,
            "shipment": shipment_facts(part.carrier, part.tracking_number),
            "where_left": proof.get("where_left"),
            "delivered_at": delivered.isoformat(),
        }
    if template is Template.DELAYED:
        shipment = shipment_facts(payload.get("carrier"), payload.get("tracking_number"))
        if shipment is None:
            return None
        delay = {
            "reason": str(payload.get("reason") or ""),
            "promised_date": str(payload.get("promised_date") or part.promised_date.isoformat()),
            "expected_date": str(payload["expected_date"]),
        }
        return {**base, "shipment": shipment, "delay": delay}
    if template is Template.CANCELLED:
        return {**base, "cancellation": cancellation_facts(part, payload, payment)}
    return None


def order_facts(order: orders.OrderNotice) -> dict[str, Any]:
    return {
        "id": order.id,
        "number": order.number,
        "currency": order.currency,
        "items_amount": order.items_amount,
        "shipping_amount": order.shipping_amount,
        "total_amount": order.total_amount,
        "payment_method": order.payment_method,
        "placed_at": order.placed_at.isoformat(),
        "recipient_name": order.recipient_name,
        "awaiting_payment": order.payment_due_at is not None,
    }


def part_facts(part: orders.NoticePart) -> dict[str, Any]:
    return {
        "id": part.id,
        "number": part.number,
        "seller_name": part.seller_name,
        "delivery_name": part.delivery_name,
        "promised_date": part.promised_date.isoformat(),
        "items_amount": part.items_amount,
        "shipping_amount": part.shipping_amount,
        "total_amount": part.total_amount,
        "lines": [
            {
                "title": line.title,
                "quantity": line.quantity,
                "unit_amount": line.unit_amount,
                "line_amount": line.line_amount,
            }
            for line in part.lines
        ],
    }


def payment_facts(payment: payments.PaymentView | None) -> dict[str, Any] | None:
    """Bank transfer instructions, or None for a payment that has none."""
    if payment is None or not payment.instructions:
        return None
    given = payment.instructions
    if not given.get("virtual_account") or not given.get("due_at"):
        return None
    return {
        "bank": str(given.get("bank") or ""),
        "virtual_account": str(given["virtual_account"]),
        "amount": int(given.get("amount", payment.amount)),
        "currency": str(given.get("currency", payment.currency)),
        "due_at": str(given["due_at"]),
    }


def shipment_facts(carrier: Any, tracking_number: Any) -> dict[str, str] | None:
    if not carrier or not tracking_number:
        return None
    return {"carrier": str(carrier), "tracking_number": str(tracking_number)}


def cancellation_facts(
    part: orders.NoticePart, payload: Mapping[str, Any], payment: payments.PaymentView | None
) -> dict[str, Any]:
    """Why, and what happened to the money: refunded if it was taken, released if it was
    only held on a card, else nothing was charged."""
    refunded = released = 0
    if payment is not None:
        share = next((a for a in payment.allocations if a.seller_order_id == part.id), None)
        if share is not None:
            refunded = share.refunded
            released = share.voided if str(payment.method) == "card" else 0
    return {
        "cause": cancellation_cause(payload.get("actor"), payload.get("reason")),
        "refund_amount": refunded,
        "released_amount": released,
    }


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
