"""Webhook signatures: `Pasar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The MAC covers `f"{t}.{raw body}"`, so neither the body nor the time can be changed, and a
captured request is refused once its timestamp is more than five minutes away (replay).
The sandbox's key is derived from the app secret, never the secret itself.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from pasar.payments.errors import InvalidWebhook

HEADER = "Pasar-Signature"
TOLERANCE_SECONDS = 300


def sandbox_webhook_key(app_secret: str) -> bytes:
    return hmac.new(app_secret.encode(), b"payments-sandbox-webhook", hashlib.sha256).digest()


def _mac(key: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(key: bytes, body: bytes, now: datetime) -> str:
    """The header value for `body`, as the provider would send it."""
    timestamp = int(now.timestamp())
    return f"t={timestamp},v1={_mac(key, timestamp, body)}"


def verify(key: bytes, body: bytes, header: str | None, now: datetime) -> None:
    """Raise InvalidWebhook unless `header` is a fresh, valid signature of `body`.

    Several `v1=` values are accepted so the key can be rotated without downtime.
    """
    if not header:
        raise InvalidWebhook(f"The {HEADER} header is missing.", field=HEADER)
    timestamp: int | None = None
    macs: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif name == "v1":
            macs.append(value)
    if timestamp is None or not macs:
        raise InvalidWebhook(f"The {HEADER} header is malformed.", field=HEADER)
    if abs(now.timestamp() - timestamp) > TOLERANCE_SECONDS:
        raise InvalidWebhook("The signature timestamp is too old or in the future.", field=HEADER)
    expected = _mac(key, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, mac.encode("utf-8", "replace")) for mac in macs):
        raise InvalidWebhook("The signature does not match the body.", field=HEADER)
