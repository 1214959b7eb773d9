"""Jinja2 for the front ends: autoescaped, strict, translated, with Babel's formatting.

One environment per language (its gettext catalog and its money and date filters). Pages
are rendered by `page()`, which adds what every layout needs: the language, the CSRF
token, the flash message, the cart count, who is signed in (`viewer`) and the
fingerprinted static URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from pasar.platform.money import minor_units
from pasar.web import assets
from pasar.web.i18n import LOCALES, translations

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The session keys of the signed-in user: the bearer token (see `pasar.web.auth`) and
#: what the layout shows of them, saved at sign-in so that no page queries for it.
AUTH_KEY = "auth"
VIEWER_KEY = "viewer"
#: Each role's "My account" page.
ACCOUNT_PAGES = {
    "buyer": "/account",
    "seller_staff": "/seller",
    "operator": "/console",
    "support": "/console",
}


@cache
def environment(locale: str) -> Environment:
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(filters(locale))
    env.globals.update(static=assets.url, locales=LOCALES, query=query)
    return env


def filters(locale: str) -> dict[str, Callable[..., str]]:
    def money(amount: int, currency: str) -> str:
        places = minor_units(currency)
        return format_currency(Decimal(amount).scaleb(-places), currency, locale=locale)

    def day(value: date | datetime, form: str = "medium") -> str:
        when = value.date() if isinstance(value, datetime) else value
        return format_date(when, format=form, locale=locale)

    def moment(value: datetime) -> str:
        when = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return format_datetime(when, format="medium", tzinfo=UTC, locale=locale) + " UTC"

    def number(value: int) -> str:
        return format_decimal(value, locale=locale)

    return {"money": money, "day": day, "moment": moment, "number": number}


def query(params: Mapping[str, Any], **changes: Any) -> str:
    """`?a=1&b=2` from the current filters with some changed (None or "" drops one)."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v is not None and v != "" and v is not False}
    return "?" + urlencode(kept) if kept else "?"


def viewer(request: Request) -> dict[str, str] | None:
    """Who the layout greets: `{"name", "role", "account_url"}`, or None for a stranger.

    No query: it reads what sign-in saved in the signed session (name, role, the token's
    expiry). When this request has already resolved the token (`web_principal`, which
    every page behind sign-in and the order pages do), that answer wins, so a revoked or
    deactivated account is shown signed out on the first such page.
    """
    state = request.state
    session = state.web_session
    if not isinstance(session.get(AUTH_KEY), str):
        return None
    stored = session.get(VIEWER_KEY)
    stored = stored if isinstance(stored, dict) else {}
    role = str(stored.get("role") or "")
    if hasattr(state, "web_principal"):
        principal = state.web_principal
        if principal is None:
            return None
        role = str(principal.role)
    else:
        if not role or _expired(stored.get("until")):
            return None
    return {
        "name": str(stored.get("name") or ""),
        "role": role,
        "account_url": ACCOUNT_PAGES.get(role, "/"),
    }


def _expired(until: Any) -> bool:
    if not isinstance(until, str):
        return False
    try:
        when = datetime.fromisoformat(until)
    except ValueError:
        return True
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return when <= datetime.now(UTC)


def render(request: Request, name: str, **context: Any) -> str:
    state = request.state
    session = state.web_session
    variables = {
        "request": request,
        "locale": state.locale,
        "csrf_token": session.csrf_token,
        "flash": session.pop_flash(),
        "cart_count": int(session.get("cart_count") or 0),
        "viewer": viewer(request),
        "path": request.url.path,
        "current_url": request.url.path + (("?" + request.url.query) if request.url.query else ""),
        **context,
    }
    return environment(state.locale).get_template(name).render(variables)


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(request, name, **context), status_code=status_code)


def translate(request: Request, message: str, **values: Any) -> str:
    """Translate a Python-side message (marked with `N_`) into the request's language."""
    text = translations(request.state.locale).gettext(message)
    return text % values if values else text
