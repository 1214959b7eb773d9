"""The route class every front-end page goes through: the request's session and language
in, CSRF checked on every POST, errors as HTML pages, security headers, cookie and gzip out.

Doing this per route (rather than as app middleware) keeps the JSON API untouched and the
web module self-contained: `create_app` only includes `pasar.web.router`.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from pasar.platform.errors import DomainError
from pasar.web.assets import compressible
from pasar.web.i18n import N_, request_locale
from pasar.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    HTML_HEADERS,
    WebSession,
    csrf_valid,
    same_origin,
)
from pasar.web.templating import page, translate

log = structlog.get_logger("pasar.web")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MIN_GZIP_BYTES = 860

#: Titles of the error pages, by status (the detail comes from the error itself).
TITLES = {
    400: N_("Something is wrong with that request"),
    402: N_("The payment did not go through"),
    403: N_("This is not allowed"),
    404: N_("We could not find that page"),
    409: N_("That cannot be done now"),
    422: N_("Some details need another look"),
    429: N_("Too many attempts"),
}
CSRF_DETAIL = N_(
    "This form has expired or did not come from this site. Go back, reload the page and try again."
)


class CsrfRefused(Exception):
    """A POST without this session's CSRF token (or from another site)."""


class WebRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def web_handler(request: Request) -> Response:
            secret = request.app.state.settings.secret
            session = WebSession.load(request, secret)
            request.state.web_session = session
            request.state.locale = request_locale(request)
            try:
                if request.method not in SAFE_METHODS:
                    await check_csrf(request, session)
                response = await handler(request)
            except CsrfRefused:
                response = error_page(request, 403, "csrf-failed", translate(request, CSRF_DETAIL))
            except DomainError as exc:
                response = error_page(request, exc.status, exc.code, exc.detail)
            except RequestValidationError as exc:
                fields = ", ".join(
                    ".".join(str(p) for p in err.get("loc", ())[1:]) for err in exc.errors()
                )
                response = error_page(request, 422, "validation-failed", fields)
            except StarletteHTTPException as exc:
                response = error_page(request, exc.status_code, "http-error", str(exc.detail))
            finish(request, response, session, secret)
            return response

        return web_handler


async def check_csrf(request: Request, session: WebSession) -> None:
    """The session's token must come with the POST, in the header htmx sends or in the form.

    Either one will do: htmx keeps the `<body hx-headers>` of the first page it loaded, so
    after signing in (which rotates the token) its header is stale while the form's field is
    current.
    """
    submitted = [request.headers.get(CSRF_HEADER)]
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()  # cached on the request: the page reads it again
        value = form.get(CSRF_FIELD)
        submitted.append(value if isinstance(value, str) else None)
    if not same_origin(request) or not any(csrf_valid(session, s) for s in submitted):
        log.info("csrf refused", path=request.url.path)
        raise CsrfRefused


def error_page(request: Request, status: int, code: str, detail: str) -> Response:
    title = translate(request, TITLES.get(status, N_("Something went wrong")))
    return page(request, "error.html", status_code=status, title=title, detail=detail, code=code)


def finish(request: Request, response: Response, session: WebSession, secret: str) -> None:
    """Session cookie, security headers and compression, on every answer of the web."""
    session.save(response, request, secret)
    headers = response.headers
    media = headers.get("content-type", "")
    if media.startswith("text/html"):
        for name, value in HTML_HEADERS.items():
            headers.setdefault(name, value)
        headers.setdefault("Cache-Control", "private, no-cache")
        _vary(response, "Cookie", "Accept-Language")
    if compressible(media):
        _vary(response, "Accept-Encoding")
        if _accepts_gzip(request) and "content-encoding" not in headers:
            body = bytes(response.body)
            if len(body) >= MIN_GZIP_BYTES:
                squeezed = gzip.compress(body, compresslevel=6, mtime=0)
                response.body = squeezed
                headers["Content-Encoding"] = "gzip"
                headers["Content-Length"] = str(len(squeezed))


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _vary(response: Response, *names: str) -> None:
    present = [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]
    for name in names:
        if name.lower() not in (p.lower() for p in present):
            present.append(name)
    response.headers["Vary"] = ", ".join(present)
