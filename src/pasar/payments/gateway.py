"""The door to the providers: the registry, and authorising an order's payment.

`authorise` touches no database, so checkout runs it before taking any stock lock, and
calls `void_authorisation` as the compensation if the order then cannot be placed (out of
stock, a lost idempotency race). Cash on delivery never reaches a provider: it is our own
promise, up to `cod_limit`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pasar.payments.domain import PaymentConfig, PaymentMethod
from pasar.payments.errors import CodNotAvailable
from pasar.payments.providers import AuthoriseRequest, CardInput, PaymentProvider
from pasar.payments.sandbox import SandboxProvider
from pasar.payments.schemas import PaymentDetails

#: Provider name -> factory. Add a real provider here behind the same protocol.
PROVIDERS: dict[str, Callable[[], PaymentProvider]] = {"sandbox": SandboxProvider}
#: The pseudo-provider recorded for cash on delivery (no remote calls).
CASH = "cod"
#: The pseudo-provider of payments taken at a trusted channel (order batches).
EXTERNAL = "external"


def provider_for(name: str) -> PaymentProvider:
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise LookupError(f"no payment provider named {name!r}") from None


@dataclass(frozen=True)
class Authorisation:
    """The provider's answer, before any database write; `record_payment` stores it."""

    method: PaymentMethod
    provider: str
    provider_ref: str
    status: str  # "authorised" | "requires_action" | "pending" | "accepted"
    amount: int
    currency: str
    validated: bool
    due_at: datetime | None
    next_action: dict[str, Any] | None
    instructions: dict[str, Any] | None
    card_brand: str | None
    card_last4: str | None
    #: The secret in next_action's URL; only its digest is stored, for lookup.
    action_token: str | None = field(default=None, repr=False)


async def authorise(
    details: PaymentDetails,
    *,
    amount: int,
    currency: str,
    reference: str,
    config: PaymentConfig,
    now: datetime,
) -> Authorisation:
    """Ask the provider to hold the money, or raise PaymentDeclined / CodNotAvailable."""
    if amount < 0:
        raise ValueError("amount must be >= 0")
    base: dict[str, Any] = {
        "method": details.method,
        "amount": amount,
        "currency": currency,
        "next_action": None,
        "instructions": None,
        "card_brand": None,
        "card_last4": None,
    }
    if details.method is PaymentMethod.COD:
        if amount > config.cod_limit:
            raise CodNotAvailable(
                f"Cash on delivery is available up to {config.cod_limit} (minor units); "
                f"this order is {amount}.",
                limit=config.cod_limit,
            )
        ref = f"cod_{secrets.token_urlsafe(18)}"
        return Authorisation(
            **base, provider=CASH, provider_ref=ref, status="accepted", validated=True, due_at=None
        )
    provider = provider_for(config.provider)
    if details.method is PaymentMethod.BANK_TRANSFER:
        due = now + timedelta(hours=config.bank_transfer_hours)
        result = await provider.authorise(
            AuthoriseRequest(details.method, amount, currency, reference, expires_at=due)
        )
        base["instructions"] = {
            "bank": result.bank,
            "virtual_account": result.virtual_account,
            "amount": amount,
            "currency": currency,
            "due_at": due.isoformat().replace("+00:00", "Z"),
        }
        return Authorisation(
            **base,
            provider=provider.name,
            provider_ref=result.ref,
            status="pending",
            validated=False,
            due_at=due,
        )
    card = details.card
    assert card is not None  # PaymentDetails requires it for cards
    number = card.number.get_secret_value()
    action_due = now + timedelta(minutes=config.action_minutes)
    result = await provider.authorise(
        AuthoriseRequest(
            details.method,
            amount,
            currency,
            reference,
            expires_at=action_due,
            card=CardInput(
                number, card.exp_month, card.exp_year, card.cvc.get_secret_value(), card.holder
            ),
        )
    )
    base["card_brand"], base["card_last4"] = card.brand, number[-4:]
    if result.status == "requires_action":
        base["next_action"] = {"type": "three_ds_challenge", "url": result.action_url}
        return Authorisation(
            **base,
            provider=provider.name,
            provider_ref=result.ref,
            status="requires_action",
            validated=False,
            due_at=action_due,
            action_token=result.action_token,
        )
    return Authorisation(
        **base,
        provider=provider.name,
        provider_ref=result.ref,
        status="authorised",
        validated=True,
        due_at=None,
    )


async def void_authorisation(auth: Authorisation, *, config: PaymentConfig) -> None:
    """Compensation when the order was not placed after all: release the hold (card) or
    close the virtual account (bank transfer). Cash on delivery holds nothing."""
    if auth.method is PaymentMethod.COD:
        return
    await provider_for(auth.provider).void(
        auth.provider_ref,
        amount=auth.amount,
        currency=auth.currency,
        key=f"void:{auth.provider_ref}",
    )
