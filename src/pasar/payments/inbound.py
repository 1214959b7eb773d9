"""What arrives from outside after placement: provider webhooks and 3-D Secure answers.

These are API-facing use cases: each owns its transaction and commits. When money arrives
late it is applied to the shares still alive; shares cancelled meanwhile are refunded at
once (a transfer) or voided (a card), so every cent stays accounted for. Money that no
share can take (the payment expired, failed, was cancelled or was already paid) is
recorded as `unapplied` and `returned`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.payments.domain import (
    AllocationStatus,
    EntryKind,
    PaymentConfig,
    PaymentStatus,
)
from pasar.payments.errors import PaymentNotFound, TransferAmountMismatch
from pasar.payments.events import PaymentRefunded, PaymentValidated, PaymentVoided
from pasar.payments.gateway import provider_for
from pasar.payments.models import Payment, PaymentAllocation, PaymentWebhookEvent
from pasar.payments.providers import InboundTransfer, OtherEvent
from pasar.payments.sandbox import SandboxProvider
from pasar.payments.schemas import WebhookResult
from pasar.payments.writes import Entry, write_ledger
from pasar.platform.errors import NotFound
from pasar.platform.outbox import emit

SYSTEM = "system:payments"


async def handle_webhook(
    session: AsyncSession,
    *,
    provider: str,
    body: bytes,
    signature: str | None,
    config: PaymentConfig,
    now: datetime,
) -> WebhookResult:
    """Verify, de-duplicate by event id, act. A redelivered event changes nothing."""
    event = provider_for(provider).parse_webhook(body, signature, app_secret=config.secret, now=now)
    if isinstance(event, OtherEvent):
        if not await _remember(
            session, provider, event.event_id, event.type, "ignored", event.raw, now
        ):
            return WebhookResult(event_id=event.event_id, result="duplicate")
        await session.commit()
        return WebhookResult(event_id=event.event_id, result="ignored")
    return await _transfer(session, provider, event, now)


async def _remember(
    session: AsyncSession,
    provider: str,
    event_id: str,
    type_: str,
    result: str,
    payload: dict[str, Any],
    now: datetime,
) -> bool:
    """Record the event id; False (and the transaction rolled back) if it was seen before."""
    dialect_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        dialect_insert(PaymentWebhookEvent)
        .values(
            provider=provider,
            event_id=event_id,
            type=type_,
            result=result,
            payload=payload,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(PaymentWebhookEvent.id)
    )
    if (await session.execute(statement)).first() is None:
        await session.rollback()
        return False
    return True


async def _transfer(
    session: AsyncSession, provider: str, event: InboundTransfer, now: datetime
) -> WebhookResult:
    p = Payment
    payment = (
        await session.execute(
            select(p.id, p.order_id, p.method, p.status, p.amount, p.currency, p.provider_ref)
            .where(p.virtual_account == event.virtual_account)
            .with_for_update()
        )
    ).first()
    if payment is None:
        raise PaymentNotFound("No payment waits on that virtual account.")
    exact = event.amount == payment.amount and event.currency == payment.currency
    if payment.status != PaymentStatus.PENDING.value:
        result = "returned"
    else:
        result = "received" if exact else "rejected"
    raw = event.raw
    if not await _remember(
        session, provider, event.event_id, "transfer.received", result, raw, now
    ):
        return WebhookResult(event_id=event.event_id, result="duplicate")
    if result == "rejected":
        note = f"expected {payment.amount} {payment.currency}"
        await write_ledger(
            session,
            payment.id,
            payment.order_id,
            event.currency,
            SYSTEM,
            [Entry(EntryKind.REJECTED, event.amount, note=note)],
        )
        await session.commit()
        raise TransferAmountMismatch(
            f"The transfer must be exactly {payment.amount} {payment.currency}; "
            f"{event.amount} {event.currency} was refused.",
            field="amount",
            expected=payment.amount,
        )
    if result == "returned":
        ref = await provider_for(provider).refund(
            payment.provider_ref,
            amount=event.amount,
            currency=event.currency,
            key=f"return:{event.event_id}",
        )
        note = f"payment is {payment.status}"
        await write_ledger(
            session,
            payment.id,
            payment.order_id,
            event.currency,
            SYSTEM,
            [
                Entry(EntryKind.UNAPPLIED, event.amount, note=note),
                Entry(EntryKind.RETURNED, event.amount, provider_ref=ref, note=note),
            ],
        )
    else:
        await settle(session, payment, provider, EntryKind.RECEIVED, now)
    await session.commit()
    return WebhookResult(event_id=event.event_id, result=result)


async def settle(
    session: AsyncSession, payment: Any, provider: str, opening: EntryKind, now: datetime
) -> None:
    """Late validation: live shares become paid (transfer) or authorised (card); shares
    cancelled meanwhile get their money back at once. Emits payment.validated."""
    a, p = PaymentAllocation, Payment
    received = opening is EntryKind.RECEIVED
    cancelled = await _cancelled_shares(session, payment.id)
    given_back = sum(amount for _, amount in cancelled)
    await session.execute(
        update(a)
        .where(a.payment_id == payment.id, a.status == AllocationStatus.PENDING.value)
        .values(
            status=(AllocationStatus.PAID if received else AllocationStatus.AUTHORISED).value,
            captured=a.amount if received else 0,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if cancelled:
        undo = {"captured": a.amount, "refunded": a.amount} if received else {"voided": a.amount}
        await session.execute(
            update(a)
            .where(a.payment_id == payment.id, a.status == AllocationStatus.CANCELLED.value)
            .values(**undo, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    status = PaymentStatus.RECEIVED if received else PaymentStatus.AUTHORISED
    totals = (
        {"captured": payment.amount, "refunded": given_back} if received else {"voided": given_back}
    )
    await session.execute(
        update(p)
        .where(p.id == payment.id)
        .values(status=status.value, validated_at=now, next_action=null(), updated_at=now, **totals)
        .execution_options(synchronize_session=False)
    )
    back_kind = EntryKind.REFUNDED if received else EntryKind.VOIDED
    provider_call = provider_for(provider).refund if received else provider_for(provider).void
    entries = [Entry(opening, payment.amount)]
    for seller_order_id, amount in cancelled:
        ref = await provider_call(
            payment.provider_ref,
            amount=amount,
            currency=payment.currency,
            key=f"{back_kind}:{seller_order_id}",
        )
        entries.append(Entry(back_kind, amount, seller_order_id, ref))
    await write_ledger(session, payment.id, payment.order_id, payment.currency, SYSTEM, entries)
    event = PaymentRefunded if received else PaymentVoided
    await emit(
        session,
        PaymentValidated(
            payment_id=payment.id,
            order_id=payment.order_id,
            method=payment.method,
            amount=payment.amount,
            currency=payment.currency,
        ),
        *(
            event(
                payment_id=payment.id,
                order_id=payment.order_id,
                seller_order_id=seller_order_id,
                method=payment.method,
                amount=amount,
                currency=payment.currency,
            )
            for seller_order_id, amount in cancelled
        ),
    )


async def _cancelled_shares(session: AsyncSession, payment_id: int) -> Sequence[Any]:
    a = PaymentAllocation
    rows = await session.execute(
        select(a.seller_order_id, a.amount)
        .where(a.payment_id == payment_id, a.status == AllocationStatus.CANCELLED.value)
        .order_by(a.seller_order_id)
    )
    return rows.all()


async def simulate_transfer(
    session: AsyncSession,
    *,
    virtual_account: str,
    amount: int,
    currency: str | None,
    config: PaymentConfig,
    now: datetime,
) -> WebhookResult:
    """The sandbox bank receives a transfer: sign its event and run the webhook's own path.

    Only with the sandbox switched on (else NotFound), so production never fakes money.
    """
    if not config.sandbox:
        raise NotFound("The payment sandbox is switched off.")
    event = {
        "id": f"evt_{secrets.token_urlsafe(18)}",
        "type": "transfer.received",
        "virtual_account": virtual_account,
        "amount": amount,
        "currency": currency or config.currency,
    }
    raw, signature = SandboxProvider().signed_event(event, app_secret=config.secret, now=now)
    return await handle_webhook(
        session, provider="sandbox", body=raw, signature=signature, config=config, now=now
    )
