"""Which events become which buyer messages, on which channels, and when reminders go."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pasar.notifications.domain import (
    MAX_ATTEMPTS,
    Channel,
    Template,
    after_failure,
    cancellation_cause,
    channels_for,
    event_key,
    locale_of,
    payment_reminder_lead,
    receipt_reminder_after,
    templates_for,
)


@pytest.mark.parametrize(
    ("name", "payload", "expected"),
    [
        ("order.placed", {"payment_method": "card"}, (Template.ORDER_CONFIRMATION,)),
        (
            "order.placed",
            {"payment_method": "bank_transfer"},
            (Template.ORDER_CONFIRMATION, Template.PAYMENT_INSTRUCTIONS),
        ),
        ("payment.validated", {}, (Template.PAYMENT_RECEIVED,)),
        ("seller_order.shipped", {}, (Template.SHIPPED,)),
        ("seller_order.delivered", {}, (Template.DELIVERED,)),
        ("seller_order.cancelled", {}, (Template.CANCELLED,)),
        ("shipment.delayed", {}, (Template.DELAYED,)),
        (
            "shipment.status_changed",
            {"to_status": "out_for_delivery"},
            (Template.OUT_FOR_DELIVERY,),
        ),
        ("shipment.status_changed", {"to_status": "in_transit"}, ()),
        ("seller_order.verified", {}, ()),
        ("offer.created", {}, ()),
    ],
)
def test_events_map_to_buyer_messages(
    name: str, payload: dict[str, str], expected: tuple[Template, ...]
) -> None:
    assert templates_for(name, payload) == expected


def test_text_messages_need_the_buyers_consent_a_phone_and_a_key_moment() -> None:
    both = (Channel.EMAIL, Channel.SMS)
    assert channels_for(Template.SHIPPED, sms_updates=True, phone="+628123") == both
    assert channels_for(Template.SHIPPED, sms_updates=False, phone="+628123") == (Channel.EMAIL,)
    assert channels_for(Template.SHIPPED, sms_updates=True, phone="") == (Channel.EMAIL,)
    confirmation = Template.ORDER_CONFIRMATION
    assert channels_for(confirmation, sms_updates=True, phone="+628123") == (Channel.EMAIL,)


def test_dedupe_keys_are_per_event_and_template() -> None:
    assert event_key(7, Template.ORDER_CONFIRMATION) != event_key(7, Template.PAYMENT_INSTRUCTIONS)
    assert event_key(7, Template.SHIPPED) == event_key(7, Template.SHIPPED)


def test_locale_falls_back_to_a_supported_default() -> None:
    assert locale_of("id", "en") == "id"
    assert locale_of(None, "id") == "id"
    assert locale_of("fr", "de") == "en"


@pytest.mark.parametrize(
    ("actor", "reason", "cause"),
    [
        ("system", "payment not received by its deadline", "payment_expired"),
        ("system", "payment failed: three_ds_failed", "payment_failed"),
        ("buyer", "changed my mind", "buyer"),
        ("seller", None, "seller"),
        ("operator", "fraud", "operator"),
        ("system", "something else", "system"),
    ],
)
def test_cancellation_causes(actor: str, reason: str | None, cause: str) -> None:
    assert cancellation_cause(actor, reason) == cause


def test_reminder_timing() -> None:
    """Payment: six hours before a 24-hour deadline; receipt: two days before a 7-day
    auto-completion, halfway for short windows."""
    assert payment_reminder_lead(24) == timedelta(hours=6)
    assert payment_reminder_lead(4) == timedelta(hours=1)
    assert receipt_reminder_after(7) == timedelta(days=5)
    assert receipt_reminder_after(2) == timedelta(days=1)


def test_failures_give_up_when_permanent_or_after_the_last_attempt() -> None:
    assert not after_failure(1, permanent=False).give_up
    assert after_failure(1, permanent=True).give_up
    assert after_failure(MAX_ATTEMPTS, permanent=False).give_up
