"""Webhook signatures: a fresh, correct MAC of the exact body, or a 401."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pasar.payments.errors import InvalidWebhook
from pasar.payments.signing import sandbox_webhook_key, sign, verify

NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)
KEY = sandbox_webhook_key("app-secret")
BODY = b'{"id":"evt_1","type":"transfer.received"}'


def test_a_fresh_signature_of_the_body_verifies() -> None:
    """What the sandbox signs, the webhook accepts (up to five minutes either way)."""
    header = sign(KEY, BODY, NOW)
    verify(KEY, BODY, header, NOW)
    verify(KEY, BODY, header, NOW + timedelta(minutes=5))
    verify(KEY, BODY, header, NOW - timedelta(minutes=5))


def test_the_key_is_derived_not_the_app_secret() -> None:
    """Leaking a webhook key does not leak the app secret, and apps differ."""
    assert KEY != b"app-secret"
    assert sandbox_webhook_key("other") != KEY


@pytest.mark.parametrize(
    ("header", "when", "body", "message"),
    [
        (None, NOW, BODY, "missing"),
        ("", NOW, BODY, "missing"),
        ("v1=abc", NOW, BODY, "malformed"),
        ("t=abc,v1=abc", NOW, BODY, "malformed"),
        (f"t={int(NOW.timestamp())}", NOW, BODY, "malformed"),
        (sign(KEY, BODY, NOW), NOW + timedelta(minutes=6), BODY, "old"),
        (sign(KEY, BODY, NOW), NOW - timedelta(minutes=6), BODY, "old"),
        (sign(KEY, BODY, NOW), NOW, BODY + b" ", "does not match"),
        (sign(b"other key", BODY, NOW), NOW, BODY, "does not match"),
        (f"t={int(NOW.timestamp())},v1=é", NOW, BODY, "does not match"),
        ("t=" + "9" * 5000 + ",v1=00", NOW, BODY, "malformed"),
    ],
)
def test_bad_signatures_are_refused(
    header: str | None, when: datetime, body: bytes, message: str
) -> None:
    """Missing, malformed, stale, tampered or foreign signatures are InvalidWebhook (401)."""
    with pytest.raises(InvalidWebhook, match=message) as raised:
        verify(KEY, body, header, when)
    assert raised.value.status == 401
    assert raised.value.field == "Pasar-Signature"


def test_a_rotated_key_can_be_sent_beside_the_old_one() -> None:
    """Several v1 values: any valid one is enough, so keys rotate without downtime."""
    good = sign(KEY, BODY, NOW)
    t, mac = good.split(",")
    verify(KEY, BODY, f"{t},v1={'0' * 64},{mac}", NOW)
