"""payments' tables. Orders and seller orders are another module's rows, referenced by id.

`payments` holds one row per Order and the running totals; `payment_allocations` one per
SellerOrder with its commission and net (the basis of payouts); `payment_ledger` is the
append-only record of every movement, so every cent can be traced; and
`payment_webhook_events` remembers which provider events were processed (replays change
nothing). CHECK constraints repeat the domain's money invariants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, BigId, id_column


def money_checks() -> tuple[CheckConstraint, ...]:
    """The allocation invariants, for both tables that carry the counters."""
    return (
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint(
            "captured >= 0 AND refunded >= 0 AND voided >= 0", name="moves_non_negative"
        ),
        CheckConstraint("captured + voided <= amount", name="within_amount"),
        CheckConstraint("refunded <= captured", name="refunds_within_captures"),
    )


PAYMENT_STATUSES = (
    "'requires_action', 'pending', 'authorised', 'received', 'accepted', "
    "'failed', 'expired', 'cancelled'"
)
ALLOCATION_STATUSES = "'pending', 'authorised', 'accepted', 'paid', 'captured', 'cancelled'"
ENTRY_KINDS = (
    "'authorised', 'accepted', 'received', 'captured', 'collected', 'voided', 'refunded', "
    "'unapplied', 'returned', 'rejected', 'failed', 'expired'"
)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("order_id"),
        UniqueConstraint("provider_ref"),
        UniqueConstraint("virtual_account"),
        UniqueConstraint("challenge_hash"),
        CheckConstraint("method IN ('card', 'bank_transfer', 'cod', 'external')", name="method"),
        CheckConstraint(f"status IN ({PAYMENT_STATUSES})", name="status"),
        *money_checks(),
    )

    id: Mapped[int] = id_column()
    order_id: Mapped[int] = mapped_column(BigInteger)
    order_number: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(40))
    provider_ref: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    captured: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    voided: Mapped[int] = mapped_column(BigInteger, default=0)
    due_at: Mapped[datetime | None]
    validated_at: Mapped[datetime | None]
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    virtual_account: Mapped[str | None] = mapped_column(String(32))
    #: sha256 of the 3-D Secure challenge token; NULL unless a challenge was issued.
    challenge_hash: Mapped[str | None] = mapped_column(String(64))
    next_action: Mapped[dict[str, Any] | None]
    instructions: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PaymentAllocation(Base):
    __tablename__ = "payment_allocations"
    __table_args__ = (
        UniqueConstraint("seller_order_id"),
        CheckConstraint(f"status IN ({ALLOCATION_STATUSES})", name="status"),
        CheckConstraint("commission >= 0 AND commission <= amount", name="commission_in_range"),
        CheckConstraint("net = amount - commission", name="net"),
        *money_checks(),
    )

    id: Mapped[int] = id_column()
    payment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    seller_order_id: Mapped[int] = mapped_column(BigInteger)
    seller_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    commission: Mapped[int] = mapped_column(BigInteger)
    net: Mapped[int] = mapped_column(BigInteger)
    captured: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    voided: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]


class PaymentLedgerEntry(Base):
    """One movement (or zero-amount status marker); `seller_order_id` NULL = whole payment."""

    __tablename__ = "payment_ledger"
    __table_args__ = (
        Index("ix_payment_ledger_order_id_id", "order_id", "id"),
        CheckConstraint(f"kind IN ({ENTRY_KINDS})", name="kind"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
    )

    id: Mapped[int] = id_column()
    payment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(BigInteger)
    seller_order_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class PaymentWebhookEvent(Base):
    """A provider event we processed; the unique key makes a redelivery a no-op."""

    __tablename__ = "payment_webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = id_column()
    provider: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(60))
    result: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
