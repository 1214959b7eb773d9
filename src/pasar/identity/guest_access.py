"""Guest access links: a signed token that opens one resource (an order) without an account.

The token is an HMAC of the subject under the marketplace secret, so nothing is stored and
nothing can be guessed from the subject alone; rotating the secret revokes every link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def guest_access_token(secret: str, subject: str) -> str:
    mac = hmac.new(secret.encode(), f"guest-access:{subject}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()[:32]


def verify_guest_access(secret: str, subject: str, token: str | None) -> bool:
    if not token:
        return False
    return hmac.compare_digest(guest_access_token(secret, subject), token)
