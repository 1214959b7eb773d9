"""What checkout takes from the settings, as one immutable value the services receive.

Services never read settings themselves, so tests (and the order-placing journey) pass
exactly the holidays, limits and rates they mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pasar.checkout.domain import DEFAULT_RATES, RateTable
from pasar.platform.settings import Settings

#: Most units of one offer in one cart line.
MAX_QUANTITY = 20
#: Most lines in one cart.
MAX_LINES = 50


@dataclass(frozen=True)
class CheckoutConfig:
    currency: str
    max_quantity: int = MAX_QUANTITY
    max_lines: int = MAX_LINES
    holidays: frozenset[date] = frozenset()
    rates: RateTable = DEFAULT_RATES
    commission_bps: int = 1000

    @classmethod
    def from_settings(cls, settings: Settings) -> CheckoutConfig:
        return cls(
            currency=settings.currency,
            holidays=frozenset(settings.holidays),
            commission_bps=settings.commission_bps,
        )
