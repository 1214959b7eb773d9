"""Money is integer minor units plus an ISO 4217 code; floats never touch a price."""

from __future__ import annotations

from typing import Annotated

import moneyed
from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def validate_currency(code: str) -> str:
    """Return the upper-cased ISO 4217 code, or raise ValueError for an unknown one."""
    normalised = code.strip().upper()
    try:
        moneyed.get_currency(normalised)
    except moneyed.CurrencyDoesNotExist:
        raise ValueError(f"unknown ISO 4217 currency code {code!r}") from None
    return normalised


def minor_units(code: str) -> int:
    """How many decimal places the currency's minor unit has (USD 2, JPY 0)."""
    sub_unit = moneyed.get_currency(code).sub_unit or 1
    return len(str(sub_unit)) - 1


CurrencyCode = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(validate_currency)]
MinorUnits = Annotated[int, Field(ge=0, le=10**13, description="Amount in minor units (cents)")]


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: MinorUnits
    currency: CurrencyCode

    def format(self) -> str:
        places = minor_units(self.currency)
        if places == 0:
            return f"{self.amount} {self.currency}"
        whole, cents = divmod(self.amount, 10**places)
        return f"{whole}.{cents:0{places}d} {self.currency}"
