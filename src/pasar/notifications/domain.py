"""What buyers and sellers are told, when, and how a notification's delivery moves on. Pure.

    event / schedule                         template             channels
    order.placed                             order_confirmation   email
    order.placed (bank transfer)             payment_instructions email
    payment due in a few hours (job)         payment_reminder     email, sms
    payment.validated                        payment_received     email
    seller_order.shipped                     shipped              email, sms
    shipment.status_changed → out_for_delivery  out_for_delivery  email, sms
    seller_order.delivered                   delivered            email, sms
    shipment.delayed                         delayed              email, sms
    seller_order.cancelled                   cancelled            email
    delivered, auto-completion near (job)    confirm_receipt      email
    webhook_endpoint.disabled (a seller's)   webhook_disabled     email, to the seller

SMS goes only to buyers who chose `sms_updates` at checkout, for the short, time-sensitive
moments. A notification's life:

    pending ──claim──▶ sending ──▶ sent | logged        (logged: kept in the mail log only)
       ▲                  │  ├──▶ pending (transient failure, with backoff)
       │                  │  └──▶ failed (permanent failure, or too many attempts)
       │                  └──lease expired──▶ unknown  (the worker died mid-send: never
       └────────── operator resend ◀── failed | unknown   resent by itself: at most once)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    LOGGED = "logged"
    FAILED = "failed"
    UNKNOWN = "unknown"


#: What an operator may send again by hand.
RESENDABLE = frozenset({DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN})


class Template(StrEnum):
    ORDER_CONFIRMATION = "order_confirmation"
    PAYMENT_INSTRUCTIONS = "payment_instructions"
    PAYMENT_REMINDER = "payment_reminder"
    PAYMENT_RECEIVED = "payment_received"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELAYED = "delayed"
    CANCELLED = "cancelled"
    CONFIRM_RECEIPT = "confirm_receipt"
    WEBHOOK_DISABLED = "webhook_disabled"


#: The moments that also go by text message (to buyers who asked for them).
SMS_TEMPLATES = frozenset(
    {
        Template.PAYMENT_REMINDER,
        Template.SHIPPED,
        Template.OUT_FOR_DELIVERY,
        Template.DELIVERED,
        Template.DELAYED,
    }
)

LOCALES = ("en", "id")

#: Events notifications reads; anything else in a relay batch is ignored.
EVENT_NAMES = frozenset(
    {
        "order.placed",
        "payment.validated",
        "seller_order.shipped",
        "seller_order.delivered",
        "seller_order.cancelled",
        "shipment.status_changed",
        "shipment.delayed",
    }
)

#: Events that call for a notice to a seller (its contact address), by template. A
#: marketplace-wide endpoint (no seller) is the operators' and notifies nobody by email.
SELLER_NOTICES: dict[str, Template] = {"webhook_endpoint.disabled": Template.WEBHOOK_DISABLED}

#: Templates addressed to a seller, not to a buyer about an order.
SELLER_TEMPLATES = frozenset(SELLER_NOTICES.values())

#: Attempts before a notification is given up as failed.
MAX_ATTEMPTS = 8
#: Retry waits: ~30 s, doubling, at most an hour (`pasar.platform.backoff`).
RETRY_BASE_SECONDS, RETRY_MAX_SECONDS = 30.0, 3600.0
#: How long a claimed notification may stay `sending` before it counts as unknown.
LEASE = timedelta(minutes=5)


def templates_for(name: str, payload: Mapping[str, Any]) -> tuple[Template, ...]:
    """The buyer messages one event calls for (none for most events)."""
    if name == "order.placed":
        found = [Template.ORDER_CONFIRMATION]
        if payload.get("payment_method") == "bank_transfer":
            found.append(Template.PAYMENT_INSTRUCTIONS)
        return tuple(found)
    if name == "shipment.status_changed":
        out = payload.get("to_status") == "out_for_delivery"
        return (Template.OUT_FOR_DELIVERY,) if out else ()
    return {
        "payment.validated": (Template.PAYMENT_RECEIVED,),
        "seller_order.shipped": (Template.SHIPPED,),
        "seller_order.delivered": (Template.DELIVERED,),
        "seller_order.cancelled": (Template.CANCELLED,),
        "shipment.delayed": (Template.DELAYED,),
    }.get(name, ())


def channels_for(
    template: Template, *, sms_updates: bool, phone: str | None
) -> tuple[Channel, ...]:
    """Email always; a text message too when the buyer asked for them and it is a key moment."""
    if sms_updates and phone and template in SMS_TEMPLATES:
        return (Channel.EMAIL, Channel.SMS)
    return (Channel.EMAIL,)


def event_key(event_id: int, template: Template) -> str:
    """At most once per event, template and recipient (the table's unique key adds those)."""
    return f"event:{event_id}:{template.value}"


def reminder_key(template: Template, subject_id: int) -> str:
    """Reminders are once per order (payment) or SellerOrder (receipt), however often the
    job looks."""
    return f"{template.value}:{subject_id}"


def locale_of(language: str | None, default: str) -> str:
    if language in LOCALES:
        return str(language)
    return default if default in LOCALES else LOCALES[0]


def cancellation_cause(actor: str | None, reason: str | None) -> str:
    """Why a SellerOrder was cancelled, as a code the templates put in the buyer's words."""
    text = (reason or "").lower()
    if actor == "system" and text.startswith("payment not received"):
        return "payment_expired"
    if actor == "system" and text.startswith("payment failed"):
        return "payment_failed"
    if actor in ("buyer", "seller", "operator"):
        return str(actor)
    return "system"


def payment_reminder_lead(bank_transfer_hours: int) -> timedelta:
    """How long before the deadline the payment reminder goes: a quarter of the time a
    buyer has to pay, at most six hours (a 24-hour window reminds at 6 hours left)."""
    return min(timedelta(hours=6), timedelta(hours=bank_transfer_hours) / 4)


def receipt_reminder_after(completion_days: int) -> timedelta:
    """How long after delivery the confirm-receipt reminder goes: two days before receipt
    is confirmed automatically (halfway, for windows of four days or less)."""
    window = timedelta(days=completion_days)
    return window - min(timedelta(days=2), window / 2)


@dataclass(frozen=True, slots=True)
class Retry:
    """What a failed attempt leads to."""

    give_up: bool


def after_failure(attempts: int, *, permanent: bool) -> Retry:
    return Retry(give_up=permanent or attempts >= MAX_ATTEMPTS)


def auto_completion_date(delivered: date, completion_days: int) -> date:
    return delivered + timedelta(days=completion_days)
