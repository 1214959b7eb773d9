"""Payment use cases that orders and checkout compose into their own transactions.

All of these flush and never commit: the caller owns the transaction (placing an order,
shipping, cancelling) and the money moves with it or not at all. Every function locks the
payment row first, so operations on one payment queue behind each other on PostgreSQL
(SQLite already serialises writers), and every allocation UPDATE is also guarded by the
status it read, so a lost race fails loudly instead of moving money twice.

The sandbox provider is in-process; a remote provider's capture and refund would be sent
after commit from the outbox (`payment.captured` / `payment.refunded`), with the same
idempotency keys used here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.payments.domain import (
    Allocation,
    AllocationStatus,
    EntryKind,
    Move,
    PaymentMethod,
    PaymentStatus,
    Share,
    plan_cancel,
    plan_capture,
    plan_collect,
    token_digest,
)
from pasar.payments.errors import PaymentNotFound, PaymentStateConflict
from pasar.payments.events import (
    PaymentCaptured,
    PaymentRefunded,
    PaymentStarted,
    PaymentVoided,
)
from pasar.payments.gateway import CASH, EXTERNAL, Authorisation, provider_for
from pasar.payments.models import Payment, PaymentAllocation
from pasar.payments.queries import view_of
from pasar.payments.schemas import PaymentView
from pasar.payments.writes import Entry, apply_move, close_unvalidated, write_ledger
from pasar.platform.events import DomainEvent
from pasar.platform.outbox import emit
from pasar.platform.time import utcnow

#: How each authorisation outcome starts its payment, allocations and ledger.
START = {
    "authorised": (PaymentStatus.AUTHORISED, AllocationStatus.AUTHORISED, EntryKind.AUTHORISED),
    "accepted": (PaymentStatus.ACCEPTED, AllocationStatus.ACCEPTED, EntryKind.ACCEPTED),
    "pending": (PaymentStatus.PENDING, AllocationStatus.PENDING, None),
    "requires_action": (PaymentStatus.REQUIRES_ACTION, AllocationStatus.PENDING, None),
}
JSON_COLUMNS = frozenset({"next_action", "instructions"})
EVENTS = {
    EntryKind.CAPTURED: PaymentCaptured,
    EntryKind.COLLECTED: PaymentCaptured,
    EntryKind.REFUNDED: PaymentRefunded,
    EntryKind.VOIDED: PaymentVoided,
}

_PAYMENTS = cast(Table, Payment.__table__)
#: Built once (Core, no unit of work): every order placed runs them.
INSERT_PAYMENT = insert(_PAYMENTS).returning(_PAYMENTS.c.id)
INSERT_ALLOCATIONS = insert(cast(Table, PaymentAllocation.__table__))


async def record_payment(
    session: AsyncSession,
    auth: Authorisation,
    *,
    order_id: int,
    order_number: str,
    allocations: Sequence[Allocation],
    actor: str,
    events: list[DomainEvent] | None = None,
) -> PaymentView:
    """Store an authorisation for a new order: the payment, one allocation per seller order
    and the opening ledger entry. Four statements, whatever the number of seller orders
    (three with `events`: the payment's event is appended there for the caller to emit)."""
    if not allocations or sum(a.amount for a in allocations) != auth.amount:
        raise ValueError("the allocations must add up to the authorised amount")
    if len({a.seller_order_id for a in allocations}) != len(allocations):
        raise ValueError("one allocation per seller order")
    status, share_status, opening = START[auth.status]
    now = utcnow()
    values: dict[str, Any] = {
        "order_id": order_id,
        "order_number": order_number,
        "method": auth.method.value,
        "provider": auth.provider,
        "provider_ref": auth.provider_ref,
        "status": status.value,
        "currency": auth.currency,
        "amount": auth.amount,
        "captured": 0,
        "refunded": 0,
        "voided": 0,
        "due_at": auth.due_at,
        "validated_at": now if auth.validated else None,
        "card_brand": auth.card_brand,
        "card_last4": auth.card_last4,
        "virtual_account": (auth.instructions or {}).get("virtual_account"),
        "challenge_hash": token_digest(auth.action_token) if auth.action_token else None,
        "next_action": auth.next_action,
        "instructions": auth.instructions,
        "created_at": now,
        "updated_at": now,
    }
    # JSON columns: None must be SQL NULL, not the JSON literal null: leave them out.
    row = {k: v for k, v in values.items() if v is not None or k not in JSON_COLUMNS}
    payment_id = (await session.execute(INSERT_PAYMENT, row)).scalar_one()
    shares = [
        {
            "payment_id": payment_id,
            "seller_order_id": a.seller_order_id,
            "seller_id": a.seller_id,
            "status": share_status.value,
            "amount": a.amount,
            "commission": a.commission,
            "net": a.net,
            "captured": 0,
            "refunded": 0,
            "voided": 0,
            "updated_at": now,
        }
        for a in allocations
    ]
    await session.execute(INSERT_ALLOCATIONS, shares)
    if opening is not None:
        await write_ledger(
            session, payment_id, order_id, auth.currency, actor, [Entry(opening, auth.amount)]
        )
    started = PaymentStarted(
        payment_id=payment_id,
        order_id=order_id,
        method=auth.method.value,
        status=status.value,
        amount=auth.amount,
        currency=auth.currency,
    )
    if events is not None:
        events.append(started)
    else:
        await emit(session, started)
    return view_of({**values, "id": payment_id}, shares)


async def capture(session: AsyncSession, *, seller_order_id: int, actor: str) -> None:
    """On shipping: take exactly this seller order's share of a card authorisation (a partial
    capture). Bank transfers were received already and cash is collected on delivery, so for
    them this does nothing. A second call does nothing."""
    await _operate(session, seller_order_id, actor, plan_capture, note=None)


async def collect_cash(session: AsyncSession, *, seller_order_id: int, actor: str) -> None:
    """On delivery of a cash-on-delivery seller order: the carrier holds the cash. Does
    nothing for other methods, or the second time."""
    await _operate(session, seller_order_id, actor, plan_collect, note=None)


async def cancel_allocation(
    session: AsyncSession, *, seller_order_id: int, actor: str, reason: str
) -> int:
    """The seller order was cancelled or returned: void or refund exactly its share, and
    return that amount (0 where nothing had moved, and on a second call). Once every share
    of a payment is cancelled, the payment is too."""
    return await _operate(session, seller_order_id, actor, plan_cancel, note=reason)


async def _operate(
    session: AsyncSession, seller_order_id: int, actor: str, plan: Any, *, note: str | None
) -> int:
    row = await _locked_share(session, seller_order_id)
    method = PaymentMethod(row.method)
    share = Share(
        method, AllocationStatus(row.status), row.amount, row.captured, row.refunded, row.voided
    )
    move: Move | None = plan(share)
    if move is None:
        return 0
    ref = await _provider_move(row, move, key=f"{move.kind}:{row.id}")
    await apply_move(
        session,
        payment_id=row.payment_id,
        allocation_id=row.id,
        status_read=share.status,
        move=move,
    )
    if move.kind is not None:
        await write_ledger(
            session,
            row.payment_id,
            row.order_id,
            row.currency,
            actor,
            [Entry(move.kind, move.amount, seller_order_id, ref, note)],
        )
        event = EVENTS.get(move.kind)
        if event is not None:
            await emit(
                session,
                event(
                    payment_id=row.payment_id,
                    order_id=row.order_id,
                    seller_order_id=seller_order_id,
                    method=method.value,
                    amount=move.amount,
                    currency=row.currency,
                ),
            )
    return move.amount


async def _locked_share(session: AsyncSession, seller_order_id: int) -> Any:
    a, p = PaymentAllocation, Payment
    row = (
        await session.execute(
            select(
                a.id,
                a.payment_id,
                a.status,
                a.amount,
                a.captured,
                a.refunded,
                a.voided,
                p.order_id,
                p.method,
                p.provider,
                p.provider_ref,
                p.currency,
            )
            .join(p, p.id == a.payment_id)
            .where(a.seller_order_id == seller_order_id)
            .with_for_update(of=p)
        )
    ).first()
    if row is None:
        raise PaymentNotFound(f"No payment covers seller order {seller_order_id}.")
    return row


async def _provider_move(row: Any, move: Move, *, key: str) -> str | None:
    """Tell the provider; cash on delivery, money taken at a channel (its refunds are the
    channel's) and zero amounts need no remote call."""
    if row.provider in (CASH, EXTERNAL) or move.amount == 0 or move.kind is None:
        return None
    provider = provider_for(row.provider)
    call = {
        EntryKind.CAPTURED: provider.capture,
        EntryKind.REFUNDED: provider.refund,
        EntryKind.VOIDED: provider.void,
    }[move.kind]
    return await call(row.provider_ref, amount=move.amount, currency=row.currency, key=key)


async def expire(session: AsyncSession, *, order_id: int, actor: str) -> None:
    """The payment deadline passed unpaid: the payment is `expired` and its shares cancelled.
    Idempotent; refuses a payment that was validated (PaymentStateConflict)."""
    p = Payment
    row = (
        await session.execute(
            select(p.id, p.status, p.validated_at, p.currency)
            .where(p.order_id == order_id)
            .with_for_update()
        )
    ).first()
    if row is None:
        raise PaymentNotFound(f"No payment for order {order_id}.")
    if row.status in (PaymentStatus.EXPIRED.value, PaymentStatus.FAILED.value):
        return
    if row.validated_at is not None:
        raise PaymentStateConflict("A validated payment does not expire.", status_now=row.status)
    await close_unvalidated(session, row.id, PaymentStatus.EXPIRED)
    await write_ledger(
        session, row.id, order_id, row.currency, actor, [Entry(EntryKind.EXPIRED, 0)]
    )
