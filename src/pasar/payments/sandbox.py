"""The built-in sandbox provider: behaves like a real one, moves no real money.

Test cards (any future expiry, any 3-4 digit CVC):

    4242 4242 4242 4242   authorised
    4000 0000 0000 0002   declined            (402, reason "card_declined")
    4000 0000 0000 9995   insufficient funds  (402, reason "insufficient_funds")
    4000 0000 0000 3220   requires 3-D Secure: answer the challenge at next_action.url
    any other Luhn-valid  authorised

Bank transfers get a fresh virtual account at "Pasar Sandbox Bank"; the sandbox's signed
`transfer.received` webhook (or `POST /api/v1/payments/sandbox/bank-transfers`) pays it.
References are random and unguessable: `sbx_ch_…` (charge), `sbx_va_…` (virtual account),
`sbx_cp_…` / `sbx_re_…` / `sbx_vo_…` (capture, refund, void).
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pasar.payments import signing
from pasar.payments.domain import CHALLENGE_PATH, PaymentMethod
from pasar.payments.errors import MalformedWebhook, PaymentDeclined
from pasar.payments.providers import (
    ActionResult,
    AuthoriseRequest,
    InboundTransfer,
    OtherEvent,
    ProviderAuthorisation,
    WebhookEvent,
)
from pasar.platform.money import CurrencyCode, MinorUnits

BANK = "Pasar Sandbox Bank"
VA_PREFIX = "8808"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
REQUIRES_ACTION = "4000000000003220"
SUCCESS = "4242424242424242"
MAX_WEBHOOK_BYTES = 64 * 1024


def new_ref(kind: str) -> str:
    return f"sbx_{kind}_{secrets.token_urlsafe(18)}"


class _Event(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=100)
    type: str = Field(min_length=1, max_length=60)


class _Transfer(_Event):
    virtual_account: str = Field(min_length=1, max_length=32)
    amount: MinorUnits
    currency: CurrencyCode


class SandboxProvider:
    name = "sandbox"

    async def authorise(self, request: AuthoriseRequest) -> ProviderAuthorisation:
        if request.method is PaymentMethod.BANK_TRANSFER:
            account = VA_PREFIX + f"{secrets.randbelow(10**12):012d}"
            return ProviderAuthorisation(
                ref=new_ref("va"), status="pending", bank=BANK, virtual_account=account
            )
        if request.card is None:
            raise ValueError("the sandbox authorises cards and bank transfers only")
        number = request.card.number
        if number == DECLINED:
            raise PaymentDeclined("The card was declined.", reason="card_declined")
        if number == INSUFFICIENT_FUNDS:
            raise PaymentDeclined("The card has insufficient funds.", reason="insufficient_funds")
        if number == REQUIRES_ACTION:
            token = secrets.token_urlsafe(24)
            return ProviderAuthorisation(
                ref=new_ref("ch"),
                status="requires_action",
                action_url=CHALLENGE_PATH.format(token=token),
                action_token=token,
            )
        return ProviderAuthorisation(ref=new_ref("ch"), status="authorised")

    async def capture(self, ref: str, *, amount: int, currency: str, key: str) -> str:
        return new_ref("cp")

    async def refund(self, ref: str, *, amount: int, currency: str, key: str) -> str:
        return new_ref("re")

    async def void(self, ref: str, *, amount: int, currency: str, key: str) -> str:
        return new_ref("vo")

    async def confirm_action(self, ref: str, *, passed: bool) -> ActionResult:
        if passed:
            return ActionResult("authorised")
        return ActionResult("failed", reason="three_ds_failed")

    def parse_webhook(
        self, body: bytes, signature: str | None, *, app_secret: str, now: datetime
    ) -> WebhookEvent:
        signing.verify(signing.sandbox_webhook_key(app_secret), body, signature, now)
        if len(body) > MAX_WEBHOOK_BYTES:
            raise MalformedWebhook("The event is too large.")
        try:
            data = json.loads(body)
            event = _Event.model_validate(data)
            if event.type != "transfer.received":
                return OtherEvent(event_id=event.id, type=event.type, raw=data)
            transfer = _Transfer.model_validate(data)
        except (ValueError, ValidationError) as exc:
            raise MalformedWebhook(f"The event cannot be read: {str(exc)[:200]}") from None
        return InboundTransfer(
            event_id=transfer.id,
            virtual_account=transfer.virtual_account,
            amount=transfer.amount,
            currency=transfer.currency,
            raw=data,
        )

    def signed_event(
        self, event: dict[str, object], *, app_secret: str, now: datetime
    ) -> tuple[bytes, str]:
        """Body and signature header of an event, as the sandbox would deliver it."""
        body = json.dumps(event, separators=(",", ":")).encode()
        return body, signing.sign(signing.sandbox_webhook_key(app_secret), body, now)
