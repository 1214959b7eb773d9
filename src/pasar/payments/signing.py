"""The sandbox provider's webhook signature: Pasar's one signed-webhook format.

`pasar.platform.signing` does the work (`t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
five minutes' tolerance, several `v1` values while a key rotates); this module only
derives the sandbox key from the app secret and speaks in payments' error.
"""

from __future__ import annotations

from datetime import datetime

from pasar.payments.errors import InvalidWebhook
from pasar.platform import signing
from pasar.platform.signing import HEADER, TOLERANCE_SECONDS, BadSignature

__all__ = ["HEADER", "TOLERANCE_SECONDS", "sandbox_webhook_key", "sign", "verify"]


def sandbox_webhook_key(app_secret: str) -> bytes:
    return signing.derive_key(app_secret, "payments-sandbox-webhook")


def sign(key: bytes, body: bytes, now: datetime) -> str:
    """The header value for `body`, as the provider would send it."""
    return signing.sign(key, body, timestamp=int(now.timestamp()))


def verify(key: bytes, body: bytes, header: str | None, now: datetime) -> None:
    """Raise InvalidWebhook unless `header` is a fresh, valid signature of `body`."""
    try:
        signing.verify(key, body, header, now=now.timestamp())
    except BadSignature as bad:
        raise InvalidWebhook(bad.detail, field=HEADER) from None
