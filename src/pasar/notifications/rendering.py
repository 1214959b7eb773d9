"""Turning a notification's facts into the words a buyer reads, in their language.

Templates are Jinja2 (`templates/email/<name>.html` and `.txt`, `templates/sms/<name>.txt`)
with gettext (`jinja2.ext.i18n`); catalogs are the `.po` files under `locale/`, compiled in
memory with Babel when first used, so no build step can forget them. English is the
source language. Money, dates and times are formatted by Babel for the locale.

The facts (`context`) are plain JSON stored on the notification: amounts in minor units,
dates and times as ISO strings. Rendering needs nothing else but the links and carrier
names, so a message renders the same wherever and whenever it is rendered.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pasar.notifications.domain import LOCALES, SELLER_TEMPLATES, Template
from pasar.platform.money import minor_units

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
LOCALE_DIR = HERE / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a string for translation where it is defined; it is translated when used."""
    return message


#: Subjects, translated with the reader's catalog; `%(number)s` is the order (or part)
#: number, for the messages about an order.
SUBJECTS: dict[Template, str] = {
    Template.ORDER_CONFIRMATION: N_("Order %(number)s is confirmed"),
    Template.PAYMENT_INSTRUCTIONS: N_("How to pay for order %(number)s"),
    Template.PAYMENT_REMINDER: N_("Reminder: order %(number)s is waiting for your payment"),
    Template.PAYMENT_RECEIVED: N_("Payment received for order %(number)s"),
    Template.SHIPPED: N_("Your order %(number)s is on its way"),
    Template.OUT_FOR_DELIVERY: N_("Your order %(number)s is out for delivery today"),
    Template.DELIVERED: N_("Your order %(number)s has been delivered"),
    Template.DELAYED: N_("Your order %(number)s is running late"),
    Template.CANCELLED: N_("Your order %(number)s has been cancelled"),
    Template.CONFIRM_RECEIPT: N_("Did your order %(number)s arrive well?"),
    Template.WEBHOOK_DISABLED: N_("Your webhook endpoint was turned off"),
}


@dataclass(frozen=True, slots=True)
class Links:
    """Where the messages point: the marketplace's address and the buyer's order page."""

    public_address: str
    order_url: str | None = None
    #: carrier code -> the name buyers know it by.
    carrier_names: Mapping[str, str] | None = None

    def tracking(self, tracking_number: str) -> str:
        return f"{self.public_address}/track/{quote(tracking_number, safe='')}"

    def carrier(self, code: str) -> str:
        return (self.carrier_names or {}).get(code, code)


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str | None
    text: str
    html: str | None


def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog of a locale (English: the source strings themselves)."""
    return _translations(locale)


@cache
def _translations(locale: str) -> gettext.NullTranslations:
    if locale == "en":
        return gettext.NullTranslations()
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as gettext would
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def catalog_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def environment(locale: str) -> Environment:
    """One Jinja environment per locale: its catalog and its formatting filters."""
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}; known: {', '.join(LOCALES)}")
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(_filters(locale))
    return env


def _filters(locale: str) -> dict[str, Callable[..., str]]:
    def money(amount: int, currency: str) -> str:
        places = minor_units(currency)
        return format_currency(Decimal(amount).scaleb(-places), currency, locale=locale)

    def day(value: str | date) -> str:
        when = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(when, format="long", locale=locale)

    def moment(value: str | datetime) -> str:
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        when = when.astimezone(UTC)
        clock = format_time(when, format="short", tzinfo=UTC, locale=locale)
        return f"{format_date(when.date(), format='long', locale=locale)}, {clock} UTC"

    return {"money": money, "day": day, "moment": moment}


def _variables(context: Mapping[str, Any], links: Links, locale: str) -> dict[str, Any]:
    shipment = context.get("shipment")
    found: dict[str, Any] = {
        **context,
        "locale": locale,
        "public_address": links.public_address,
        "order_url": links.order_url,
        "tracking_url": links.tracking(shipment["tracking_number"]) if shipment else None,
        "carrier_name": links.carrier(shipment["carrier"]) if shipment else None,
    }
    return found


def subject_of(template: Template, locale: str, context: Mapping[str, Any]) -> str:
    subject = translations(locale).gettext(SUBJECTS[template])
    if template in SELLER_TEMPLATES:  # about the seller's account: no order number
        return subject
    part = context.get("part")
    number = part["number"] if part else context["order"]["number"]
    return subject % {"number": number}


def render_email(
    template: Template, locale: str, context: Mapping[str, Any], links: Links
) -> Rendered:
    env = environment(locale)
    variables = _variables(context, links, locale)
    variables["subject"] = subject_of(template, locale, context)
    text = env.get_template(f"email/{template.value}.txt").render(variables)
    html = env.get_template(f"email/{template.value}.html").render(variables)
    return Rendered(subject=variables["subject"], text=_tidy(text), html=html)


def render_sms(template: Template, locale: str, context: Mapping[str, Any], links: Links) -> str:
    env = environment(locale)
    text = env.get_template(f"sms/{template.value}.txt").render(_variables(context, links, locale))
    return " ".join(text.split())


def _tidy(text: str) -> str:
    """Plain text: no trailing spaces, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip() + "\n"
