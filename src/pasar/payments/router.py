"""payments' HTTP layer: provider webhooks, the sandbox's pages, the operator's view.

The webhook, the sandbox's simulated transfer and the 3-D Secure challenge take no bearer
token: a signature, the sandbox switch and an unguessable token guard them instead.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path, Request

from pasar.identity import OperatorPrincipal
from pasar.payments import challenges, inbound, queries
from pasar.payments.domain import PaymentConfig
from pasar.payments.schemas import (
    ChallengeAnswer,
    ChallengeRead,
    PaymentDetailRead,
    TransferSimulation,
    WebhookResult,
)
from pasar.payments.signing import HEADER
from pasar.platform.db import Session
from pasar.platform.routing import GuardedRouter
from pasar.platform.time import utcnow
from pasar.platform.types import Id

router = GuardedRouter(prefix="/api/v1/payments", tags=["payments"])

Signature = Annotated[
    str | None,
    Header(
        alias=HEADER,
        max_length=512,
        description="`t=<unix seconds>,v1=<hex HMAC-SHA256 of f'{t}.{raw body}'>`.",
    ),
]
Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
WEBHOOK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["id", "type"],
                    "properties": {
                        "id": {"type": "string", "description": "Unique event id."},
                        "type": {"type": "string", "example": "transfer.received"},
                        "virtual_account": {"type": "string"},
                        "amount": {"type": "integer", "description": "Minor units."},
                        "currency": {"type": "string", "example": "IDR"},
                    },
                }
            }
        },
    }
}


def _config(request: Request) -> PaymentConfig:
    return PaymentConfig.from_settings(request.app.state.settings)


@router.post("/webhooks/sandbox", response_model=WebhookResult, openapi_extra=WEBHOOK_BODY)
async def sandbox_webhook(
    request: Request, session: Session, signature: Signature = None
) -> WebhookResult:
    """The sandbox provider's events, signed with `Pasar-Signature` (no bearer token).

    A bad or missing signature, or one more than five minutes old, is 401. An event id seen
    before answers 200 and changes nothing. `transfer.received` of the exact amount pays the
    bank transfer (`result: received`); a wrong amount is recorded and refused (422); money
    for a payment that expired, failed or was cancelled is recorded and returned.
    """
    return await inbound.handle_webhook(
        session,
        provider="sandbox",
        body=await request.body(),
        signature=signature,
        config=_config(request),
        now=utcnow(),
    )


@router.post("/sandbox/bank-transfers", response_model=WebhookResult)
async def simulate_bank_transfer(
    body: TransferSimulation, request: Request, session: Session
) -> WebhookResult:
    """Pretend the buyer paid a virtual account (sandbox only; 404 when it is off).

    Builds and signs the `transfer.received` event the sandbox bank would send, and runs
    it through the webhook's own code path. Public, like the webhook.
    """
    return await inbound.simulate_transfer(
        session,
        virtual_account=body.virtual_account,
        amount=body.amount,
        currency=body.currency,
        config=_config(request),
        now=utcnow(),
    )


@router.get("/challenges/{token}", response_model=ChallengeRead)
async def get_challenge(token: Token, session: Session) -> ChallengeRead:
    """What the 3-D Secure page shows: merchant, amount and whether it is still open.
    Public: the unguessable token in `next_action.url` is the credential."""
    return await challenges.describe(session, token)


@router.post("/challenges/{token}", response_model=ChallengeRead)
async def answer_challenge(token: Token, body: ChallengeAnswer, session: Session) -> ChallengeRead:
    """Pass or fail the 3-D Secure challenge (the sandbox lets the buyer choose).

    Pass authorises the card and verifies the order; fail cancels it. A challenge is
    answered once: the second answer is 409. Public: the token is the credential.
    """
    return await challenges.answer(
        session, token=token, passed=body.outcome == "pass", now=utcnow()
    )


@router.get("/orders/{order_id}", response_model=PaymentDetailRead)
async def get_order_payment(
    order_id: Id, principal: OperatorPrincipal, session: Session
) -> PaymentDetailRead:
    """The order's payment with its per-seller-order shares and the full ledger. Operators."""
    return await queries.payment_detail(session, order_id)
