"""Recording the payments of an order batch: one COPY per table for the whole batch.

Orders from a trusted channel arrive paid (`external`: the channel took the money, we
record it as received, every share paid) or to be paid on delivery (`cod`, accepted up to
the cash-on-delivery limit). Neither reaches a provider, so there is nothing to authorise
before the transaction and nothing to void after it. The rows and the `payment.started`
events are the ones `record_payment` writes for the same outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.payments.domain import (
    Allocation,
    AllocationStatus,
    EntryKind,
    PaymentMethod,
    PaymentStatus,
)
from pasar.payments.events import PaymentStarted
from pasar.payments.gateway import CASH, EXTERNAL
from pasar.payments.models import Payment, PaymentAllocation, PaymentLedgerEntry
from pasar.platform.bulk import load_rows, reserve_ids
from pasar.platform.events import DomainEvent

PAYMENTS = cast(Table, Payment.__table__)
ALLOCATIONS = cast(Table, PaymentAllocation.__table__)
LEDGER = cast(Table, PaymentLedgerEntry.__table__)
PAYMENT_COLUMNS = (
    "id",
    "order_id",
    "order_number",
    "method",
    "provider",
    "provider_ref",
    "status",
    "currency",
    "amount",
    "captured",
    "refunded",
    "voided",
    "validated_at",
    "created_at",
    "updated_at",
)
ALLOCATION_COLUMNS = (
    "payment_id",
    "seller_order_id",
    "seller_id",
    "status",
    "amount",
    "commission",
    "net",
    "captured",
    "refunded",
    "voided",
    "updated_at",
)
LEDGER_COLUMNS = (
    "payment_id",
    "order_id",
    "kind",
    "amount",
    "currency",
    "provider_ref",
    "actor",
    "note",
    "created_at",
)
#: Methods an order batch may use: (payment status, share status, opening entry, paid now).
BATCH_METHODS = {
    PaymentMethod.EXTERNAL: (
        PaymentStatus.RECEIVED,
        AllocationStatus.PAID,
        EntryKind.RECEIVED,
        True,
    ),
    PaymentMethod.COD: (
        PaymentStatus.ACCEPTED,
        AllocationStatus.ACCEPTED,
        EntryKind.ACCEPTED,
        False,
    ),
}


@dataclass(frozen=True, slots=True)
class SettledPayment:
    """One batch order's payment: how, how much, and the channel's own reference."""

    order_id: int
    order_number: str
    method: PaymentMethod
    amount: int
    currency: str
    allocations: Sequence[Allocation]
    reference: str | None = None


async def record_settled(
    session: AsyncSession, payments: Sequence[SettledPayment], *, actor: str, now: datetime
) -> list[DomainEvent]:
    """Store every payment, its shares and opening ledger entry (flush only); the events."""
    if not payments:
        return []
    ids = await reserve_ids(session, PAYMENTS, len(payments))
    rows: list[tuple[Any, ...]] = []
    shares: list[tuple[Any, ...]] = []
    ledger: list[tuple[Any, ...]] = []
    events: list[DomainEvent] = []
    for payment_id, p in zip(ids, payments, strict=True):
        status, share_status, opening, paid = BATCH_METHODS[p.method]
        if sum(a.amount for a in p.allocations) != p.amount:
            raise ValueError("the allocations must add up to the payment")
        provider = EXTERNAL if p.method is PaymentMethod.EXTERNAL else CASH
        captured = p.amount if paid else 0
        rows.append(
            (
                payment_id,
                p.order_id,
                p.order_number,
                p.method.value,
                provider,
                f"{provider}_{p.order_number}",
                status.value,
                p.currency,
                p.amount,
                captured,
                0,
                0,
                now,
                now,
                now,
            )
        )
        shares.extend(
            (
                payment_id,
                a.seller_order_id,
                a.seller_id,
                share_status.value,
                a.amount,
                a.commission,
                a.net,
                a.amount if paid else 0,
                0,
                0,
                now,
            )
            for a in p.allocations
        )
        ledger.append(
            (
                payment_id,
                p.order_id,
                opening.value,
                p.amount,
                p.currency,
                p.reference,
                actor[:64],
                "paid at the channel" if paid else None,
                now,
            )
        )
        events.append(
            PaymentStarted(
                payment_id=payment_id,
                order_id=p.order_id,
                method=p.method.value,
                status=status.value,
                amount=p.amount,
                currency=p.currency,
            )
        )
    await load_rows(session, PAYMENTS, PAYMENT_COLUMNS, rows)
    await load_rows(session, ALLOCATIONS, ALLOCATION_COLUMNS, shares)
    await load_rows(session, LEDGER, LEDGER_COLUMNS, ledger)
    return events
