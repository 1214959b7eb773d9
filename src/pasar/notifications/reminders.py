"""Scheduled reminders: a bank transfer still unpaid near its deadline, and a delivered
order whose receipt will soon be confirmed automatically.

Each job looks at a window that keeps overlapping from run to run; the dedupe key
(`payment_reminder:<order>`, `confirm_receipt:<seller order>`) makes every reminder go
once however many times, and however many workers, look.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pasar import orders, payments
from pasar.notifications.domain import (
    Template,
    auto_completion_date,
    payment_reminder_lead,
    receipt_reminder_after,
    reminder_key,
)
from pasar.notifications.planning import (
    insert_new,
    messages,
    order_facts,
    part_facts,
    payment_facts,
    shipment_facts,
)
from pasar.platform.db import Database
from pasar.platform.settings import Settings


async def remind_payments(database: Database, settings: Settings, now: datetime) -> int:
    """Plan a reminder for bank transfers due within the lead time; returns how many new."""
    lead = payment_reminder_lead(settings.bank_transfer_hours)
    async with database.sessionmaker() as session:
        ids = await orders.unpaid_orders(session, due_after=now, due_before=now + lead)
        if not ids:
            return 0
        notices = await orders.order_notices(session, ids)
        views = await payments.payment_views(session, ids)
        rows: list[dict[str, Any]] = []
        for order_id in ids:
            order = notices.get(order_id)
            if order is None or order.payment_method != "bank_transfer":
                continue
            facts = payment_facts(views.get(order_id))
            if facts is None:
                continue
            rows.extend(
                messages(
                    order,
                    Template.PAYMENT_REMINDER,
                    {"order": order_facts(order), "payment": facts},
                    dedupe_key=reminder_key(Template.PAYMENT_REMINDER, order_id),
                    event_id=None,
                    seller_order_id=None,
                    now=now,
                )
            )
        planned = await insert_new(session, rows)
        await session.commit()
    return planned


async def remind_receipts(database: Database, settings: Settings, now: datetime) -> int:
    """Plan a confirm-receipt reminder for parts delivered long enough ago and not yet
    completed (auto-completion is `completion_days` after delivery)."""
    after = receipt_reminder_after(settings.completion_days)
    window = timedelta(days=settings.completion_days)
    async with database.sessionmaker() as session:
        found = await orders.delivered_unconfirmed(
            session, delivered_after=now - window, delivered_before=now - after
        )
        if not found:
            return 0
        notices = await orders.order_notices(session, {order_id for order_id, _ in found})
        rows: list[dict[str, Any]] = []
        for order_id, part_id in found:
            order = notices.get(order_id)
            part = order.part(part_id) if order is not None else None
            if order is None or part is None or part.delivered_at is None:
                continue
            context = {
                "order": order_facts(order),
                "part": part_facts(part),
                "shipment": shipment_facts(part.carrier, part.tracking_number),
                "delivered_at": part.delivered_at.isoformat(),
                "completes_on": auto_completion_date(
                    part.delivered_at.date(), settings.completion_days
                ).isoformat(),
            }
            rows.extend(
                messages(
                    order,
                    Template.CONFIRM_RECEIPT,
                    context,
                    dedupe_key=reminder_key(Template.CONFIRM_RECEIPT, part_id),
                    event_id=None,
                    seller_order_id=part_id,
                    now=now,
                )
            )
        planned = await insert_new(session, rows)
        await session.commit()
    return planned
