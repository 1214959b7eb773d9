"""Payment rules. Pure: no I/O, no framework, no ORM.

One Order has one payment, split into one *allocation* per SellerOrder. An allocation's
money only ever moves forward and is tracked by three counters beside its `amount`:

    captured  money taken (card capture, bank transfer received, cash collected)
    voided    authorised money released without being taken
    refunded  captured money given back

and always satisfies `captured + voided <= amount` and `refunded <= captured` (checked here
and again by CHECK constraints). The `plan_*` functions decide what an operation does to one
allocation; the service applies the resulting `Move` to the database and the ledger.

Commission is charged on the items only; shipping is passed through to the seller, so an
allocation's `net = amount - commission` is what the seller is owed for payout.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from pasar.payments.errors import PaymentStateConflict

if TYPE_CHECKING:
    from pasar.platform.settings import Settings

#: Where the sandbox's 3-D Secure challenge lives; the token is random, 192 bits.
CHALLENGE_PATH = "/api/v1/payments/challenges/{token}"
BASIS_POINTS = 10_000


class PaymentMethod(StrEnum):
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    COD = "cod"
    #: Paid at a trusted sales channel before the order reached us (order batches only).
    EXTERNAL = "external"


class PaymentStatus(StrEnum):
    REQUIRES_ACTION = "requires_action"  # card waiting for the 3-D Secure challenge
    PENDING = "pending"  # bank transfer waiting for the money
    AUTHORISED = "authorised"  # card authorised (captured per seller order on shipping)
    RECEIVED = "received"  # bank transfer arrived
    ACCEPTED = "accepted"  # cash on delivery accepted
    FAILED = "failed"  # 3-D Secure challenge failed
    EXPIRED = "expired"  # deadline passed unpaid
    CANCELLED = "cancelled"  # every allocation cancelled


#: Payment states that can still change because money arrives or a challenge completes.
AWAITING = frozenset({PaymentStatus.REQUIRES_ACTION, PaymentStatus.PENDING})
CLOSED = frozenset({PaymentStatus.FAILED, PaymentStatus.EXPIRED, PaymentStatus.CANCELLED})


class AllocationStatus(StrEnum):
    PENDING = "pending"  # payment not validated yet
    AUTHORISED = "authorised"  # card: may be captured
    ACCEPTED = "accepted"  # cash on delivery: collected on delivery
    PAID = "paid"  # bank transfer received for this share
    CAPTURED = "captured"  # card captured, or cash collected
    CANCELLED = "cancelled"  # voided, refunded, or nothing had moved


class EntryKind(StrEnum):
    """Ledger entry kinds. The first group moves an allocation's counters; `unapplied` money
    (arrived where nothing can take it) is always followed by the same `returned` amount;
    `rejected` transfers were refused at the door; the rest are zero-amount markers."""

    AUTHORISED = "authorised"
    ACCEPTED = "accepted"
    RECEIVED = "received"
    CAPTURED = "captured"
    COLLECTED = "collected"
    VOIDED = "voided"
    REFUNDED = "refunded"
    UNAPPLIED = "unapplied"
    RETURNED = "returned"
    REJECTED = "rejected"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True)
class PaymentConfig:
    """The payment policy, built from Settings. Amounts are minor units of `currency`."""

    currency: str
    cod_limit: int
    bank_transfer_hours: int
    action_minutes: int
    commission_bps: int
    sandbox: bool
    secret: str
    provider: str = "sandbox"

    @classmethod
    def from_settings(cls, settings: Settings) -> PaymentConfig:
        return cls(
            currency=settings.currency,
            cod_limit=settings.cod_limit,
            bank_transfer_hours=settings.bank_transfer_hours,
            action_minutes=settings.payment_action_minutes,
            commission_bps=settings.commission_bps,
            sandbox=settings.payments_sandbox,
            secret=settings.secret,
        )


@dataclass(frozen=True)
class Allocation:
    """One SellerOrder's share of the payment: items + shipping, and commission on items."""

    seller_order_id: int
    seller_id: int
    amount: int
    commission: int

    def __post_init__(self) -> None:
        if self.amount < 0 or not 0 <= self.commission <= self.amount:
            raise ValueError("an allocation needs 0 <= commission <= amount")

    @property
    def net(self) -> int:
        return self.amount - self.commission


def token_digest(token: str) -> str:
    """What we store of a secret token: enough to find it, useless to whoever reads it."""
    return hashlib.sha256(token.encode()).hexdigest()


def commission_for(items_total: int, bps: int) -> int:
    """Commission in minor units, rounded half up (an exact half cent goes to the platform)."""
    if items_total < 0 or not 0 <= bps <= BASIS_POINTS:
        raise ValueError("items_total must be >= 0 and bps within 0..10000")
    return (items_total * bps + BASIS_POINTS // 2) // BASIS_POINTS


@dataclass(frozen=True, slots=True)
class Share:
    """An allocation's money as stored."""

    method: PaymentMethod
    status: AllocationStatus
    amount: int
    captured: int = 0
    refunded: int = 0
    voided: int = 0

    def holds(self) -> bool:
        """The invariants every stored allocation keeps."""
        return (
            min(self.amount, self.captured, self.refunded, self.voided) >= 0
            and self.captured + self.voided <= self.amount
            and self.refunded <= self.captured
        )


@dataclass(frozen=True, slots=True)
class Move:
    """What one operation does to a share: a ledger entry and counter deltas."""

    kind: EntryKind | None
    amount: int
    status: AllocationStatus
    captured: int = 0
    refunded: int = 0
    voided: int = 0

    def apply(self, share: Share) -> Share:
        return replace(
            share,
            status=self.status,
            captured=share.captured + self.captured,
            refunded=share.refunded + self.refunded,
            voided=share.voided + self.voided,
        )


def _refuse(share: Share, operation: str) -> PaymentStateConflict:
    return PaymentStateConflict(
        f"Cannot {operation} a {share.method.value} payment share that is {share.status.value}.",
        status_now=share.status.value,
    )


def plan_capture(share: Share) -> Move | None:
    """On shipping: capture a card share in full; bank transfers and cash need nothing."""
    s = AllocationStatus
    if share.status is s.CANCELLED or (
        share.status is s.PENDING and share.method is not PaymentMethod.COD
    ):
        raise _refuse(share, "capture")
    if share.method is PaymentMethod.CARD and share.status is s.AUTHORISED:
        remaining = share.amount - share.captured - share.voided
        return Move(EntryKind.CAPTURED, remaining, s.CAPTURED, captured=remaining)
    return None


def plan_collect(share: Share) -> Move | None:
    """On delivery: the carrier collected the cash of a cash-on-delivery share."""
    if share.method is not PaymentMethod.COD:
        return None
    if share.status is AllocationStatus.CANCELLED:
        raise _refuse(share, "collect cash for")
    if share.status is AllocationStatus.ACCEPTED:
        remaining = share.amount - share.captured
        return Move(EntryKind.COLLECTED, remaining, AllocationStatus.CAPTURED, captured=remaining)
    return None


def plan_cancel(share: Share) -> Move | None:
    """Give back exactly this share's money: void what is only authorised, refund what was
    taken, and move nothing where nothing had arrived yet."""
    s = AllocationStatus
    if share.status is s.CANCELLED:
        return None
    if share.status in (s.CAPTURED, s.PAID):
        owed = share.captured - share.refunded
        return Move(EntryKind.REFUNDED, owed, s.CANCELLED, refunded=owed)
    if share.status is s.AUTHORISED:
        held = share.amount - share.captured - share.voided
        return Move(EntryKind.VOIDED, held, s.CANCELLED, voided=held)
    return Move(None, 0, s.CANCELLED)
