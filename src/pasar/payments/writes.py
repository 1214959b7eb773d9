"""The few writes every payment operation is made of: ledger lines, a share's move, closing.

Flush only. Callers hold the payment row's lock (SELECT … FOR UPDATE) before calling these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, and_, case, exists, insert, null, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.payments.domain import CLOSED, AllocationStatus, EntryKind, Move, PaymentStatus
from pasar.payments.errors import PaymentStateConflict
from pasar.payments.models import Payment, PaymentAllocation, PaymentLedgerEntry
from pasar.platform.time import utcnow

#: Built once (Core): every payment operation appends to the ledger.
INSERT_LEDGER = insert(cast(Table, PaymentLedgerEntry.__table__))


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger line; `seller_order_id` None means the whole payment."""

    kind: EntryKind
    amount: int
    seller_order_id: int | None = None
    provider_ref: str | None = None
    note: str | None = None


async def write_ledger(
    session: AsyncSession,
    payment_id: int,
    order_id: int,
    currency: str,
    actor: str,
    entries: Sequence[Entry],
) -> None:
    """Append entries in one statement."""
    now = utcnow()
    await session.execute(
        INSERT_LEDGER,
        [
            {
                "payment_id": payment_id,
                "order_id": order_id,
                "seller_order_id": e.seller_order_id,
                "kind": e.kind.value,
                "amount": e.amount,
                "currency": currency,
                "provider_ref": e.provider_ref,
                "actor": actor[:64],
                "note": e.note[:200] if e.note else None,
                "created_at": now,
            }
            for e in entries
        ],
    )


async def apply_move(
    session: AsyncSession,
    *,
    payment_id: int,
    allocation_id: int,
    status_read: AllocationStatus,
    move: Move,
) -> None:
    """Write a share's move and the payment's totals, guarded by the status read.

    A payment whose every share is now cancelled becomes `cancelled` (unless it had already
    failed or expired): nothing more can happen to it.
    """
    a, p = PaymentAllocation, Payment
    now = utcnow()
    result = await session.execute(
        update(a)
        .where(a.id == allocation_id, a.status == status_read.value)
        .values(
            status=move.status.value,
            captured=a.captured + move.captured,
            refunded=a.refunded + move.refunded,
            voided=a.voided + move.voided,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise PaymentStateConflict("The payment changed meanwhile; try again.")
    live = exists().where(a.payment_id == p.id, a.status != AllocationStatus.CANCELLED.value)
    closing = and_(p.status.not_in([s.value for s in CLOSED]), ~live)
    await session.execute(
        update(p)
        .where(p.id == payment_id)
        .values(
            captured=p.captured + move.captured,
            refunded=p.refunded + move.refunded,
            voided=p.voided + move.voided,
            status=case((closing, PaymentStatus.CANCELLED.value), else_=p.status),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


async def close_unvalidated(session: AsyncSession, payment_id: int, status: PaymentStatus) -> None:
    """Fail or expire a payment no money reached: it and every share are closed."""
    a, p = PaymentAllocation, Payment
    now = utcnow()
    await session.execute(
        update(a)
        .where(a.payment_id == payment_id, a.status != AllocationStatus.CANCELLED.value)
        .values(status=AllocationStatus.CANCELLED.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(p)
        .where(p.id == payment_id)
        .values(status=status.value, next_action=null(), updated_at=now)
        .execution_options(synchronize_session=False)
    )
