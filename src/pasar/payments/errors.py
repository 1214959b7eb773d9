"""payments' errors, each with a stable problem code.

DomainError
└── PaymentDeclined          402 payment-declined          provider refused the card (`reason`)
InvalidInput
├── CodNotAvailable          422 cod-not-available         over the cash-on-delivery `limit`
├── TransferAmountMismatch   422 transfer-amount-mismatch  wrong transfer amount (refused)
└── MalformedWebhook         400 malformed-webhook         signed, but not an event we can read
NotAuthenticated
└── InvalidWebhook           401 invalid-webhook           missing, bad or stale signature
NotFound
├── PaymentNotFound          404 payment-not-found         no payment for that order / account
└── ChallengeNotFound        404 challenge-not-found       unknown 3-D Secure challenge token
Conflict
├── PaymentStateConflict     409 payment-state-conflict    the payment cannot do that now
└── ChallengeCompleted       409 challenge-completed       the challenge was already answered
"""

from __future__ import annotations

from typing import Any

from pasar.platform.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)


class PaymentDeclined(DomainError):
    """Raised before anything is written: the order is not placed."""

    status = 402
    code = "payment-declined"
    title = "Payment declined"

    def __init__(self, detail: str, *, reason: str, **extra: Any) -> None:
        super().__init__(detail, field="payment.card", reason=reason, **extra)
        self.reason = reason


class CodNotAvailable(InvalidInput):
    code = "cod-not-available"
    title = "Cash on delivery not available"

    def __init__(self, detail: str, *, limit: int, **extra: Any) -> None:
        super().__init__(detail, field="payment.method", limit=limit, **extra)
        self.limit = limit


class TransferAmountMismatch(InvalidInput):
    code = "transfer-amount-mismatch"
    title = "Transfer amount mismatch"


class MalformedWebhook(InvalidInput):
    status = 400
    code = "malformed-webhook"
    title = "Malformed webhook"


class InvalidWebhook(NotAuthenticated):
    code = "invalid-webhook"
    title = "Invalid webhook signature"


class PaymentNotFound(NotFound):
    code = "payment-not-found"
    title = "Payment not found"


class ChallengeNotFound(NotFound):
    code = "challenge-not-found"
    title = "Challenge not found"


class PaymentStateConflict(Conflict):
    code = "payment-state-conflict"
    title = "Payment state conflict"


class ChallengeCompleted(Conflict):
    code = "challenge-completed"
    title = "Challenge already completed"
