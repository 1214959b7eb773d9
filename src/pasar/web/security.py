"""The front ends' security model: a signed session cookie, CSRF tokens, strict headers.

- **Session**: one cookie, `pasar_session`, a JSON dict signed (not encrypted) with
  itsdangerous under a key derived from the marketplace secret. It holds only what a
  browser may know about itself: its CSRF token, its cart token, the cart's line count
  and a flash message. HttpOnly, SameSite=Lax, Secure unless the host is localhost.
- **CSRF**: a random token bound to the session, put in every form as `csrf_token` (htmx
  requests also send it as `X-CSRF-Token`) and checked on every POST with a constant-time
  comparison; a cross-site `Origin` is refused as well. A refusal is a 403 page.
- **Headers**: every HTML answer carries a Content-Security-Policy without inline scripts
  or styles, `nosniff`, `frame-ancestors 'none'` and a same-origin referrer policy.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from pasar.platform.signing import derive_key

COOKIE = "pasar_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_AGE = 30 * 24 * 3600
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

#: Images may come from sellers' https hosts; everything else only from Pasar itself.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
HTML_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _serializer(secret: str) -> URLSafeTimedSerializer:
    key = derive_key(secret, "web:session").hex()
    return URLSafeTimedSerializer(key, salt="pasar.web.session")


@dataclass
class WebSession:
    """The browser's session; changes mark it dirty so the answer re-sends the cookie."""

    data: dict[str, Any] = field(default_factory=dict)
    dirty: bool = False

    @classmethod
    def load(cls, request: Request, secret: str) -> WebSession:
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = _serializer(secret).loads(raw, max_age=MAX_AGE)
            except BadSignature:  # tampered, expired or from another secret: start afresh
                data = None
            if isinstance(data, dict):
                return cls(data=data)
        return cls()

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def set(self, key: str, value: Any) -> None:
        if value is None:
            if key in self.data:
                del self.data[key]
                self.dirty = True
        elif self.data.get(key) != value:
            self.data[key] = value
            self.dirty = True

    @property
    def csrf_token(self) -> str:
        token = self.data.get("csrf")
        if not isinstance(token, str) or len(token) < 32:
            token = secrets.token_urlsafe(32)
            self.set("csrf", token)
        return token

    def flash(self, message: str) -> None:
        """A message for the next page the browser sees (after a redirect)."""
        self.set("flash", message)

    def pop_flash(self) -> str | None:
        message = self.data.get("flash")
        self.set("flash", None)
        return message if isinstance(message, str) else None

    def save(self, response: Response, request: Request, secret: str) -> None:
        if not self.dirty:
            return
        response.set_cookie(
            COOKIE,
            _serializer(secret).dumps(self.data),
            max_age=MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=is_secure_context(request),
        )
        self.dirty = False


def is_secure_context(request: Request) -> bool:
    """Cookies are Secure everywhere but on the developer's own machine (plain http)."""
    return request.url.scheme == "https" or (request.url.hostname or "") not in LOCAL_HOSTS


def csrf_valid(session: WebSession, submitted: str | None) -> bool:
    expected = session.data.get("csrf")
    if not isinstance(expected, str) or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def same_origin(request: Request) -> bool:
    """A present `Origin` must be this host (browsers send it on every cross-site POST)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host
