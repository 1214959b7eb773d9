"""The front ends' languages: English (the source strings) and Indonesian.

Catalogs are gettext `.po` files under `locale/`, compiled in memory with Babel when first
used (as the notifications module does), so there is no build step to forget. The
language of a request is the `pasar_lang` cookie (set by the footer's switch), else the
best match of `Accept-Language`, else English.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
#: Supported languages, the first being the source language; value: its own name.
LOCALES: dict[str, str] = {"en": "English", "id": "Bahasa Indonesia"}
DEFAULT = "en"
COOKIE = "pasar_lang"


def N_(message: str) -> str:
    """Marks a string for translation where it is defined; it is translated when shown."""
    return message


def catalog_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of a locale (English: the source strings themselves)."""
    if locale == DEFAULT:
        return gettext.NullTranslations()
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as gettext would
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's choice if supported, else the best `Accept-Language` match, else English."""
    if cookie in LOCALES:
        return str(cookie)
    best, best_q = DEFAULT, 0.0
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        q -= position / 1000  # earlier tags win ties, as browsers intend
        if language in LOCALES and q > best_q:
            best, best_q = language, q
    return best


def request_locale(request: Request) -> str:
    return negotiate(request.cookies.get(COOKIE), request.headers.get("accept-language"))
