"""What checkout takes from the settings, as one immutable value the services receive.

Services never read settings themselves, so tests (and the order-placing journey) pass
exactly the holidays, limits and carriers they mean. The carriers come from the carriers
file (or the built-in ones), never from the database: pricing a cart costs no query more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pasar.checkout.domain import DEFAULT_GRAMS
from pasar.fulfillment import DEFAULT_CARRIERS, Carriers, load_carriers
from pasar.platform.settings import Settings

#: Most units of one offer in one cart line.
MAX_QUANTITY = 20
#: Most lines in one cart.
MAX_LINES = 50
#: Items worth this much (minor units) from one seller ship standard for free.
FREE_STANDARD_FROM = 10_000


@dataclass(frozen=True)
class CheckoutConfig:
    currency: str
    #: The marketplace's home country: where product pages promise delivery to.
    country: str = "ID"
    max_quantity: int = MAX_QUANTITY
    max_lines: int = MAX_LINES
    holidays: frozenset[date] = frozenset()
    carriers: Carriers = DEFAULT_CARRIERS
    #: What a variant without a recorded weight is assumed to weigh.
    default_grams: int = DEFAULT_GRAMS
    #: The marketplace's free standard shipping, per seller group; None: never free.
    free_standard_from: int | None = FREE_STANDARD_FROM
    commission_bps: int = 1000
    #: The language of notifications for a buyer who chose none.
    default_locale: str = "en"

    @classmethod
    def from_settings(
        cls, settings: Settings, *, carriers: Carriers | None = None
    ) -> CheckoutConfig:
        """`carriers`: the app's already-loaded set; without it they are read from settings."""
        return cls(
            currency=settings.currency,
            holidays=frozenset(settings.holidays),
            carriers=carriers if carriers is not None else load_carriers(settings.carriers_file),
            commission_bps=settings.commission_bps,
            default_locale=settings.default_locale,
        )
