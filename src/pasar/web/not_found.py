"""The 404 page for addresses no route knows: a person gets HTML, a program problem+json.

A mistyped or stale link (`/no-such-page`) never reaches a `WebRoute`, so Starlette's 404
goes to the app's exception handler, which would answer JSON. `create_app` asks
`wants_html` first and, for a browser, answers with the storefront's error page in the
visitor's language, through the same session, headers and gzip as every page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from pasar.web.i18n import N_, request_locale
from pasar.web.routing import error_page, finish
from pasar.web.security import WebSession
from pasar.web.templating import translate

NOT_FOUND_DETAIL = N_(
    "There is nothing at this address. Check the link, or start again from the home page."
)
#: Paths that are only ever the JSON API's: they keep problem+json whatever was asked.
API_PREFIX = "/api/"


def wants_html(request: Request) -> bool:
    """A page for browsers: not the API, a GET or HEAD, and HTML is in `Accept` (a
    browser's navigation sends `text/html`; curl's `*/*` and API clients do not)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.url.path.startswith(API_PREFIX)
        and "text/html" in request.headers.get("accept", "").lower()
    )


def not_found_page(request: Request) -> Response:
    """The storefront's 404 page, as a `WebRoute` would render it."""
    secret = request.app.state.settings.secret
    session = WebSession.load(request, secret)
    request.state.web_session = session
    request.state.locale = request_locale(request)
    response = error_page(request, 404, "not-found", translate(request, NOT_FOUND_DETAIL))
    finish(request, response, session, secret)
    return response
