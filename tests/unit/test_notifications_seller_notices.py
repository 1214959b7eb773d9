"""Seller notices: which events call for one, and the facts and row planned for it."""

from __future__ import annotations

from datetime import UTC, datetime

from pasar.notifications.domain import (
    SELLER_NOTICES,
    SELLER_TEMPLATES,
    SMS_TEMPLATES,
    Channel,
    Template,
    channels_for,
    event_key,
    templates_for,
)
from pasar.notifications.seller_notices import notice_context, seller_message
from pasar.platform.jobs import StoredEvent
from pasar.sellers import SellerContact

WHEN = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
CONTACT = SellerContact(seller_id=3, name="Toko Kopi", email=" Owner@Example.COM ")


def disabled(**payload: object) -> StoredEvent:
    given = {
        "endpoint_id": 9,
        "seller_id": 3,
        "url": "https://erp.example.com/hooks",
        "reason": "No successful delivery for 24 hours",
        **payload,
    }
    return StoredEvent(
        id=41, name="webhook_endpoint.disabled", version=1, payload=given, occurred_at=WHEN
    )


def test_a_disabled_endpoint_is_a_seller_notice_by_email_only() -> None:
    """The buyers' planner ignores it; the seller gets an email, never a text message."""
    assert SELLER_NOTICES["webhook_endpoint.disabled"] is Template.WEBHOOK_DISABLED
    assert Template.WEBHOOK_DISABLED in SELLER_TEMPLATES
    assert Template.WEBHOOK_DISABLED not in SMS_TEMPLATES
    assert templates_for("webhook_endpoint.disabled", disabled().payload) == ()
    assert channels_for(Template.WEBHOOK_DISABLED, sms_updates=True, phone="+628123") == (
        Channel.EMAIL,
    )


def test_the_facts_name_the_endpoint_why_when_and_where_to_turn_it_back_on() -> None:
    context = notice_context(Template.WEBHOOK_DISABLED, CONTACT, disabled())
    assert context == {
        "seller": {"id": 3, "name": "Toko Kopi"},
        "endpoint": {
            "id": 9,
            "url": "https://erp.example.com/hooks",
            "reason": "No successful delivery for 24 hours",
            "disabled_at": "2026-11-22T08:00:00+00:00",
            "api_path": "/api/v1/sellers/3/webhook-endpoints/9",
        },
    }
    assert notice_context(Template.WEBHOOK_DISABLED, CONTACT, disabled(url="")) is None


def test_the_row_goes_to_the_contact_address_once_per_event() -> None:
    """Lower-cased like buyers' addresses (the operator's recipient search), no order."""
    context = notice_context(Template.WEBHOOK_DISABLED, CONTACT, disabled())
    assert context is not None
    key = event_key(41, Template.WEBHOOK_DISABLED)
    row = seller_message(
        CONTACT, Template.WEBHOOK_DISABLED, context, dedupe_key=key, event_id=41, now=WHEN
    )
    assert row["recipient"] == "owner@example.com"
    assert row["channel"] == "email"
    assert row["template"] == "webhook_disabled"
    assert row["locale"] == "en"
    assert row["dedupe_key"] == "event:41:webhook_disabled"
    assert row["order_id"] is None
    assert row["order_number"] is None
