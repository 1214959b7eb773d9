"""notifications: buyer emails and text messages, and notices to sellers, from domain
events and reminders.

Planning (`CONSUMERS`, in the relay's transaction) turns events into rows of the
notification log, at most one per event, template, channel and recipient: messages to
buyers about their orders (`plan_events`) and emails to a seller's contact address about
its account (`plan_seller_notices`: a webhook endpoint switched off). Sending (`DRAINS`,
every worker) claims due rows, renders and sends them by SMTP (or keeps them in the mail
log) and the SMS provider, at most once. Reminders (`JOBS`) plan the payment and
confirm-receipt reminders. The operator reads and resends through `router`.
"""

from __future__ import annotations

from datetime import timedelta

from pasar.notifications.domain import RESENDABLE, Channel, DeliveryStatus
from pasar.notifications.planning import plan_events
from pasar.notifications.reminders import remind_payments, remind_receipts
from pasar.notifications.router import HTML_POLICY, router
from pasar.notifications.seller_notices import plan_seller_notices
from pasar.notifications.sending import send_due
from pasar.notifications.service import (
    count_notifications,
    get_notification,
    list_notifications,
)
from pasar.notifications.service import resend as resend_notification
from pasar.platform.jobs import Consumer, Drain, Job
from pasar.platform.settings import Settings


def _every(settings: Settings) -> timedelta | None:
    """As often as the order journey's sweeps (`PASAR_JOBS_INTERVAL_SECONDS`; 0: off)."""
    seconds = settings.jobs_interval_seconds
    return timedelta(seconds=seconds) if seconds > 0 else None


CONSUMERS: dict[str, Consumer] = {
    "notifications": plan_events,
    "notifications.seller_notices": plan_seller_notices,
}
DRAINS: tuple[Drain, ...] = (Drain(name="notifications.send", run=send_due),)
JOBS: tuple[Job, ...] = (
    Job(name="notifications.payment_reminders", every=_every, run=remind_payments),
    Job(name="notifications.receipt_reminders", every=_every, run=remind_receipts),
)

__all__ = [
    "CONSUMERS",
    "DRAINS",
    "HTML_POLICY",
    "JOBS",
    "RESENDABLE",
    "Channel",
    "DeliveryStatus",
    "count_notifications",
    "get_notification",
    "list_notifications",
    "resend_notification",
    "router",
]
