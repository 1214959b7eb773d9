"""The payment provider port. The sandbox implements it; Stripe, Xendit or Midtrans can too.

A provider is stateless from our side: every call names the provider's own reference,
and our tables hold the truth about how much of it was captured, voided or refunded.
Money calls carry an idempotency key so a retried capture never takes money twice.
Declines are raised as `PaymentDeclined`; webhook problems as `InvalidWebhook`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from pasar.payments.domain import PaymentMethod


@dataclass(frozen=True, repr=False)
class CardInput:
    """The raw card, for the sandbox. A real provider would take a client-side token."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str
    holder: str | None = None


@dataclass(frozen=True)
class AuthoriseRequest:
    method: PaymentMethod  # card or bank_transfer; cash on delivery needs no provider
    amount: int
    currency: str
    reference: str  # our order number, shown on statements
    expires_at: datetime  # 3-D Secure or transfer deadline
    card: CardInput | None = None


@dataclass(frozen=True)
class ProviderAuthorisation:
    ref: str
    status: Literal["authorised", "requires_action", "pending"]
    action_url: str | None = None  # 3-D Secure challenge
    action_token: str | None = None  # the secret part of action_url, for lookup
    bank: str | None = None  # bank transfer
    virtual_account: str | None = None


@dataclass(frozen=True)
class ActionResult:
    status: Literal["authorised", "failed"]
    reason: str | None = None


@dataclass(frozen=True)
class InboundTransfer:
    """Money arrived on a virtual account (provider-neutral)."""

    event_id: str
    virtual_account: str
    amount: int
    currency: str
    raw: dict[str, object]


@dataclass(frozen=True)
class OtherEvent:
    """A verified event we do not act on; acknowledged so the provider stops resending."""

    event_id: str
    type: str
    raw: dict[str, object]


WebhookEvent = InboundTransfer | OtherEvent


class PaymentProvider(Protocol):
    name: str

    async def authorise(self, request: AuthoriseRequest) -> ProviderAuthorisation: ...

    async def capture(self, ref: str, *, amount: int, currency: str, key: str) -> str: ...

    async def refund(self, ref: str, *, amount: int, currency: str, key: str) -> str: ...

    async def void(self, ref: str, *, amount: int, currency: str, key: str) -> str: ...

    async def confirm_action(self, ref: str, *, passed: bool) -> ActionResult: ...

    def parse_webhook(
        self, body: bytes, signature: str | None, *, app_secret: str, now: datetime
    ) -> WebhookEvent:
        """Verify the signature first (raise InvalidWebhook), then read the event."""
        ...
