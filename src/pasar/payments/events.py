"""Facts the payments module publishes. Consumers select them by `name`.

Orders subscribes to `payment.validated` (verify the order's SellerOrders) and
`payment.failed` (cancel them). Both are emitted only when the outcome arrives *after*
placement; at placement the caller already knows `Authorisation.validated`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pasar.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PaymentStarted(DomainEvent):
    """A payment was recorded for a newly placed order (status as authorised at placement)."""

    name = "payment.started"
    payment_id: int
    order_id: int
    method: str
    status: str
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentValidated(DomainEvent):
    """Money arrived later: a bank transfer was received, or a 3-D Secure challenge passed."""

    name = "payment.validated"
    payment_id: int
    order_id: int
    method: str
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(DomainEvent):
    """A payment can no longer succeed (`reason`: "three_ds_failed")."""

    name = "payment.failed"
    payment_id: int
    order_id: int
    method: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class _AllocationMoved(DomainEvent):
    payment_id: int
    order_id: int
    seller_order_id: int
    method: str
    amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class PaymentCaptured(_AllocationMoved):
    """A SellerOrder's share was taken: card captured on shipping, or cash collected."""

    name = "payment.captured"


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(_AllocationMoved):
    """A SellerOrder's captured share was given back (cancellation or return)."""

    name = "payment.refunded"


@dataclass(frozen=True, kw_only=True)
class PaymentVoided(_AllocationMoved):
    """A SellerOrder's authorised, uncaptured share was released."""

    name = "payment.voided"
