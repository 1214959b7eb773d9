"""payments: methods, providers (sandbox built in), authorise/capture/void/refund, the ledger.

Other modules import only this. Payments knows orders only by id: it never imports them,
and tells them about money that arrived later (bank transfer, 3-D Secure) by event.

Checkout: `authorise` before the order transaction (no database), `record_payment` inside
it, `void_authorisation` if it fails. Orders: `capture` on shipping, `collect_cash` on
delivery, `cancel_allocation` on cancellation or return, `expire` at the deadline; all
flush only. See `sandbox` for the test cards.
"""

from pasar.payments.batch import SettledPayment, record_settled
from pasar.payments.challenges import answer as answer_challenge
from pasar.payments.challenges import describe as describe_challenge
from pasar.payments.domain import (
    CHALLENGE_PATH,
    Allocation,
    AllocationStatus,
    EntryKind,
    PaymentConfig,
    PaymentMethod,
    PaymentStatus,
    commission_for,
)
from pasar.payments.errors import (
    ChallengeCompleted,
    ChallengeNotFound,
    CodNotAvailable,
    InvalidWebhook,
    MalformedWebhook,
    PaymentDeclined,
    PaymentNotFound,
    PaymentStateConflict,
    TransferAmountMismatch,
)
from pasar.payments.events import (
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentStarted,
    PaymentValidated,
    PaymentVoided,
)
from pasar.payments.gateway import Authorisation, authorise, void_authorisation
from pasar.payments.inbound import simulate_transfer
from pasar.payments.queries import ledger, payment_views
from pasar.payments.router import router
from pasar.payments.schemas import (
    AllocationView,
    CardDetails,
    LedgerEntryView,
    PaymentDetails,
    PaymentView,
)
from pasar.payments.service import (
    cancel_allocation,
    capture,
    collect_cash,
    expire,
    record_payment,
)
from pasar.platform.events import Handler

#: Payments subscribes to nothing (yet).
SUBSCRIPTIONS: dict[str, Handler] = {}

__all__ = [
    "CHALLENGE_PATH",
    "SUBSCRIPTIONS",
    "Allocation",
    "AllocationStatus",
    "AllocationView",
    "Authorisation",
    "CardDetails",
    "ChallengeCompleted",
    "ChallengeNotFound",
    "CodNotAvailable",
    "EntryKind",
    "InvalidWebhook",
    "LedgerEntryView",
    "MalformedWebhook",
    "PaymentCaptured",
    "PaymentConfig",
    "PaymentDeclined",
    "PaymentDetails",
    "PaymentFailed",
    "PaymentMethod",
    "PaymentNotFound",
    "PaymentRefunded",
    "PaymentStarted",
    "PaymentStateConflict",
    "PaymentStatus",
    "PaymentValidated",
    "PaymentView",
    "PaymentVoided",
    "SettledPayment",
    "TransferAmountMismatch",
    "answer_challenge",
    "authorise",
    "cancel_allocation",
    "capture",
    "collect_cash",
    "commission_for",
    "describe_challenge",
    "expire",
    "ledger",
    "payment_views",
    "record_payment",
    "record_settled",
    "router",
    "simulate_transfer",
    "void_authorisation",
]
