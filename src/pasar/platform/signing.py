"""Signed webhooks, the Stripe way: `Pasar-Signature: t=<unix>,v1=<hex HMAC-SHA256>`.

The MAC covers `f"{t}.{raw body}"`, so neither the body nor the time can be changed, and a
receiver refuses timestamps outside a tolerance, so a captured request cannot be replayed
later. Each purpose gets its own key derived from the marketplace secret.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from pasar.platform.errors import NotAuthenticated

HEADER = "Pasar-Signature"
TOLERANCE_SECONDS = 300


class BadSignature(NotAuthenticated):
    code = "bad-signature"
    title = "Bad webhook signature"


def derive_key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def sign(key: bytes, body: bytes, *, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(
    key: bytes,
    body: bytes,
    header: str | None,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> int:
    """The signed timestamp if `header` signs `body` recently, else BadSignature."""
    if not header:
        raise BadSignature(f"The {HEADER} header is missing.", field=HEADER)
    pairs = [p.strip().split("=", 1) for p in header.split(",") if "=" in p]
    stamps = [v for k, v in pairs if k == "t"]
    # Several v1 values are allowed: a sender signs with old and new keys while rotating.
    macs = [v.encode("ascii", "replace") for k, v in pairs if k == "v1"]
    stamp = stamps[0] if stamps else ""
    t = int(stamp) if stamp.isascii() and stamp.isdigit() and len(stamp) <= 12 else -1
    if t < 0 or not macs:
        raise BadSignature(f"The {HEADER} header is malformed.", field=HEADER)
    expected = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest().encode()
    current = time.time() if now is None else now
    if abs(current - t) > tolerance:
        raise BadSignature("The signature is too old (or from the future).", field=HEADER)
    if not any(hmac.compare_digest(expected, mac) for mac in macs):
        raise BadSignature("The signature does not match the body.", field=HEADER)
    return t
