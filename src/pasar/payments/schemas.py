"""payments' request and response bodies.

`PaymentDetails` is the `payment` object of the place-order request, so its validation
errors name fields like `payment.card.number`. Card numbers and CVCs are `SecretStr`:
they never appear in a repr, a log line, a validation error or a JSON dump.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
)

from pasar.payments.cards import card_brand, is_expired, luhn_valid, normalise_number
from pasar.payments.domain import AllocationStatus, EntryKind, PaymentMethod, PaymentStatus
from pasar.platform.money import CurrencyCode, MinorUnits
from pasar.platform.time import utcnow

TEST_CARDS = """
Sandbox test cards (any future expiry, any 3-4 digit CVC):
`4242 4242 4242 4242` authorised; `4000 0000 0000 0002` declined (402, reason
`card_declined`); `4000 0000 0000 9995` insufficient funds (402, reason
`insufficient_funds`); `4000 0000 0000 3220` requires 3-D Secure (answer the challenge at
`next_action.url`); any other Luhn-valid number is authorised.
"""


class CardDetails(BaseModel):
    """A card, as typed by the buyer. Only the brand and last four digits are kept."""

    model_config = ConfigDict(hide_input_in_errors=True)

    number: SecretStr = Field(description="12-19 digits; spaces allowed." + TEST_CARDS)
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=2000, le=2199, description="Four digits.")
    cvc: SecretStr = Field(description="3 or 4 digits.")
    holder: str | None = Field(default=None, max_length=100)

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: object) -> str:
        if not isinstance(value, str):
            raise ValueError("a card number is a string of digits")
        number = normalise_number(value)
        if not luhn_valid(number):
            raise ValueError("the card number is not valid (check digit mismatch)")
        return number

    @field_validator("cvc", mode="before")
    @classmethod
    def _cvc(cls, value: object) -> str:
        if not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise ValueError("a CVC is 3 or 4 digits")
        if len(value) not in (3, 4):
            raise ValueError("a CVC is 3 or 4 digits")
        return value

    @field_validator("exp_year")
    @classmethod
    def _not_expired(cls, value: int, info: ValidationInfo) -> int:
        month = info.data.get("exp_month")
        if isinstance(month, int) and is_expired(month, value, utcnow()):
            raise ValueError("the card has expired")
        return value

    @property
    def brand(self) -> str:
        return card_brand(self.number.get_secret_value())

    @property
    def last4(self) -> str:
        return self.number.get_secret_value()[-4:]


class PaymentDetails(BaseModel):
    """How the buyer pays: `card` (authorised now, captured per seller order on shipping),
    `bank_transfer` (pay the virtual account before the deadline) or `cod` (cash on
    delivery, up to a limit).

    Sandbox test cards (any future expiry, any 3-4 digit CVC): `4242 4242 4242 4242`
    authorised; `4000 0000 0000 0002` declined (402, reason `card_declined`);
    `4000 0000 0000 9995` insufficient funds (402, reason `insufficient_funds`);
    `4000 0000 0000 3220` requires 3-D Secure (answer the challenge at `next_action.url`);
    any other Luhn-valid number is authorised.
    """

    method: PaymentMethod
    card: CardDetails | None = Field(
        default=None, validate_default=True, description="Required for, and only for, cards."
    )

    @field_validator("method")
    @classmethod
    def _not_external(cls, value: PaymentMethod) -> PaymentMethod:
        if value is PaymentMethod.EXTERNAL:
            raise ValueError("external payments are recorded only by order batches")
        return value

    @field_validator("card")
    @classmethod
    def _card_iff_card_method(
        cls, value: CardDetails | None, info: ValidationInfo
    ) -> CardDetails | None:
        method = info.data.get("method")
        if method is PaymentMethod.CARD and value is None:
            raise ValueError("card details are required to pay by card")
        if method is not None and method is not PaymentMethod.CARD and value is not None:
            raise ValueError("card details are only for card payments")
        return value


class AllocationView(BaseModel):
    """One seller order's share. `net = amount - commission` is owed to the seller."""

    seller_order_id: int
    seller_id: int
    amount: int
    commission: int
    net: int
    status: AllocationStatus
    captured: int
    refunded: int
    voided: int


class PaymentView(BaseModel):
    id: int
    order_id: int
    method: PaymentMethod
    provider: str
    status: PaymentStatus
    amount: int
    currency: str
    captured: int
    refunded: int
    voided: int
    due_at: datetime | None
    card_brand: str | None
    card_last4: str | None
    next_action: dict[str, Any] | None
    instructions: dict[str, Any] | None
    allocations: list[AllocationView]


class LedgerEntryView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    payment_id: int
    seller_order_id: int | None
    kind: EntryKind
    amount: int
    currency: str
    provider_ref: str | None
    actor: str
    note: str | None
    created_at: datetime


class PaymentDetailRead(PaymentView):
    """The operator's view: the payment and every movement of its money, in order."""

    order_number: str
    ledger: list[LedgerEntryView]


class TransferSimulation(BaseModel):
    virtual_account: str = Field(pattern=r"^[0-9]{8,32}$")
    amount: MinorUnits
    currency: CurrencyCode | None = Field(
        default=None, description="Defaults to the marketplace currency."
    )


class WebhookResult(BaseModel):
    event_id: str
    result: Literal["received", "returned", "duplicate", "ignored"]


class ChallengeAnswer(BaseModel):
    outcome: Literal["pass", "fail"]


class ChallengeRead(BaseModel):
    """The sandbox's stand-in for the card issuer's 3-D Secure page."""

    merchant: str
    reference: str
    amount: int
    currency: str
    card_brand: str | None
    card_last4: str | None
    status: PaymentStatus
    expires_at: datetime | None
