"""Every buyer message and seller notice renders in English and Indonesian, from plain
JSON facts."""

from __future__ import annotations

from typing import Any

import pytest

from pasar.notifications.domain import LOCALES, SELLER_TEMPLATES, SMS_TEMPLATES, Template
from pasar.notifications.rendering import Links, render_email, render_sms

LINKS = Links(
    public_address="https://pasar.example",
    order_url="https://pasar.example/orders/P-1?access=tok",
    carrier_names={"pasar-post": "Pasar Post"},
)

ORDER = {
    "id": 1,
    "number": "P-20261122-ABCD",
    "currency": "IDR",
    "items_amount": 15_000_000,
    "shipping_amount": 1_000_000,
    "total_amount": 16_000_000,
    "payment_method": "bank_transfer",
    "placed_at": "2026-11-22T08:30:00+00:00",
    "recipient_name": "Budi <b>Santoso</b>",
    "awaiting_payment": True,
}
PART = {
    "id": 7,
    "number": "P-20261122-ABCD-1",
    "seller_name": "Toko Kopi & Teh",
    "delivery_name": "Standard",
    "promised_date": "2026-11-26",
    "items_amount": 15_000_000,
    "shipping_amount": 1_000_000,
    "total_amount": 16_000_000,
    "lines": [
        {
            "title": "Kopi Toraja 250 g",
            "quantity": 3,
            "unit_amount": 5_000_000,
            "line_amount": 15_000_000,
        }
    ],
}
PAYMENT = {
    "bank": "Sandbox Bank",
    "virtual_account": "8808123456789",
    "amount": 16_000_000,
    "currency": "IDR",
    "due_at": "2026-11-23T08:30:00Z",
}
SHIPMENT = {"carrier": "pasar-post", "tracking_number": "PP123456789ID"}
SELLER = {"id": 3, "name": "Toko Kopi & Teh"}
ENDPOINT = {
    "id": 9,
    "url": "https://erp.example.com/hooks?source=pasar&v=2",
    "reason": "No successful delivery for 24 hours (since 2026-11-21 08:00 UTC); last error: "
    "HTTP 500",
    "disabled_at": "2026-11-22T08:00:00+00:00",
    "api_path": "/api/v1/sellers/3/webhook-endpoints/9",
}


def facts(template: Template) -> dict[str, Any]:
    """Sample facts, shaped like planning stores them."""
    if template is Template.WEBHOOK_DISABLED:
        return {"seller": SELLER, "endpoint": ENDPOINT}
    base: dict[str, Any] = {"order": ORDER}
    extra: dict[Template, dict[str, Any]] = {
        Template.ORDER_CONFIRMATION: {
            "parts": [PART, {**PART, "number": "P-2", "seller_name": "Batik"}]
        },
        Template.PAYMENT_INSTRUCTIONS: {"payment": PAYMENT},
        Template.PAYMENT_REMINDER: {"payment": PAYMENT},
        Template.PAYMENT_RECEIVED: {"payment": {"amount": 16_000_000, "currency": "IDR"}},
        Template.SHIPPED: {"part": PART, "shipment": SHIPMENT},
        Template.OUT_FOR_DELIVERY: {"part": PART, "shipment": SHIPMENT},
        Template.DELIVERED: {
            "part": PART,
            "shipment": SHIPMENT,
            "where_left": "locked_mailbox",
            "delivered_at": "2026-11-25T04:00:00+00:00",
        },
        Template.DELAYED: {
            "part": PART,
            "shipment": SHIPMENT,
            "delay": {
                "reason": "expected_after_promise",
                "promised_date": "2026-11-26",
                "expected_date": "2026-11-28",
            },
        },
        Template.CANCELLED: {
            "part": PART,
            "cancellation": {"cause": "seller", "refund_amount": 16_000_000, "released_amount": 0},
        },
        Template.CONFIRM_RECEIPT: {
            "part": PART,
            "shipment": SHIPMENT,
            "delivered_at": "2026-11-25T04:00:00+00:00",
            "completes_on": "2026-12-02",
        },
    }
    return {**base, **extra[template]}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", list(Template))
def test_every_email_renders_text_and_html(template: Template, locale: str) -> None:
    """Subject, plain text and HTML, with the order number (buyers' messages) and no
    unrendered markup."""
    rendered = render_email(template, locale, facts(template), LINKS)
    assert rendered.subject
    assert rendered.html is not None
    if template not in SELLER_TEMPLATES:
        assert ORDER["number"] in rendered.subject or PART["number"] in rendered.subject
    for body in (rendered.text, rendered.html):
        assert "{{" not in body
        assert "{%" not in body
        assert "%(" not in body
    assert rendered.html.startswith("<!doctype html>")
    assert f'<html lang="{locale}">' in rendered.html


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", sorted(SMS_TEMPLATES))
def test_every_text_message_renders_short(template: Template, locale: str) -> None:
    """One line, short enough for a couple of SMS segments."""
    text = render_sms(template, locale, facts(template), LINKS)
    assert text.startswith("Pasar:")
    assert "\n" not in text
    assert len(text) <= 320


def test_buyer_input_is_escaped_in_html_but_not_in_text() -> None:
    """A name with markup is shown as text, never interpreted."""
    rendered = render_email(Template.SHIPPED, "en", facts(Template.SHIPPED), LINKS)
    assert rendered.html is not None
    assert "<b>Santoso</b>" not in rendered.html
    assert "Budi &lt;b&gt;Santoso&lt;/b&gt;" in rendered.html
    assert "Toko Kopi &amp; Teh" in rendered.html
    assert "Hello Budi <b>Santoso</b>," in rendered.text


def test_the_shipped_email_names_the_carrier_and_links_to_tracking() -> None:
    """Carrier name (not code), tracking number and the public tracking page, in both parts."""
    rendered = render_email(Template.SHIPPED, "en", facts(Template.SHIPPED), LINKS)
    link = "https://pasar.example/track/PP123456789ID"
    assert rendered.html is not None
    for body in (rendered.text, rendered.html):
        assert "Pasar Post" in body
        assert "PP123456789ID" in body
        assert link in body
    assert rendered.subject == "Your order P-20261122-ABCD-1 is on its way"


def test_indonesian_uses_indonesian_words_money_and_dates() -> None:
    """Words from the catalog, rupiah and dates formatted the Indonesian way."""
    en = render_email(
        Template.PAYMENT_INSTRUCTIONS, "en", facts(Template.PAYMENT_INSTRUCTIONS), LINKS
    )
    id_ = render_email(
        Template.PAYMENT_INSTRUCTIONS, "id", facts(Template.PAYMENT_INSTRUCTIONS), LINKS
    )
    assert id_.subject == "Cara membayar pesanan P-20261122-ABCD"
    assert "Silakan transfer tepat" in id_.text
    assert "Rp160.000,00" in id_.text.replace("\xa0", "")
    assert "IDR160,000.00" in en.text.replace("\xa0", "")
    assert "23 November 2026" in id_.text
    assert "November 23, 2026" in en.text
    assert "Halo Budi" in id_.text


def test_delivered_shows_where_the_parcel_was_left() -> None:
    """Proof of delivery in the buyer's words and language."""
    en = render_email(Template.DELIVERED, "en", facts(Template.DELIVERED), LINKS)
    id_ = render_email(Template.DELIVERED, "id", facts(Template.DELIVERED), LINKS)
    assert "left in a locked mailbox" in en.text
    assert "dimasukkan ke kotak surat berkunci" in id_.text


def test_an_unknown_locale_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported locale"):
        render_email(Template.SHIPPED, "fr", facts(Template.SHIPPED), LINKS)


@pytest.mark.parametrize(
    ("locale", "subject", "words"),
    [
        ("en", "Your webhook endpoint was turned off", ["Hello Toko Kopi", "Turn it back on"]),
        ("id", "Endpoint webhook Anda dinonaktifkan", ["Halo Toko Kopi", "Aktifkan kembali"]),
    ],
)
def test_the_webhook_disabled_notice_says_which_endpoint_why_since_when_and_what_to_do(
    locale: str, subject: str, words: list[str]
) -> None:
    """To the seller, in its words: the URL, the reason, when, and how to turn it back on
    (PATCH with `enabled: true`); the footer says why the seller gets it, not a buyer's."""
    rendered = render_email(
        Template.WEBHOOK_DISABLED, locale, facts(Template.WEBHOOK_DISABLED), LINKS
    )
    assert rendered.subject == subject
    assert rendered.html is not None
    text, html = rendered.text, rendered.html
    assert ENDPOINT["url"] in text
    assert "https://erp.example.com/hooks?source=pasar&amp;v=2" in html
    assert "last error: HTTP 500" in text
    assert "PATCH https://pasar.example/api/v1/sellers/3/webhook-endpoints/9" in text
    assert '{"enabled": true}' in text
    assert "Toko Kopi &amp; Teh" in html
    day = "22 November 2026" if locale == "id" else "November 22, 2026"
    for body in (text, html):
        assert day in body
        assert all(word in body for word in words)
        assert "placed an order" not in body
        assert "berbelanja" not in body
