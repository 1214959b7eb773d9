"""The sandbox's 3-D Secure challenge: the stand-in for the card issuer's page.

The buyer reaches it through `next_action.url`, whose token (192 random bits) is the only
credential; we store its SHA-256, never the token. Passing authorises the card and emits
`payment.validated`; failing emits `payment.failed`. Each challenge is answered once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.payments.domain import EntryKind, PaymentStatus, token_digest
from pasar.payments.errors import ChallengeCompleted, ChallengeNotFound, PaymentStateConflict
from pasar.payments.events import PaymentFailed
from pasar.payments.gateway import provider_for
from pasar.payments.inbound import SYSTEM, settle
from pasar.payments.models import Payment
from pasar.payments.schemas import ChallengeRead
from pasar.payments.writes import Entry, close_unvalidated, write_ledger
from pasar.platform.outbox import emit

MERCHANT = "Pasar marketplace (sandbox)"


async def _payment(session: AsyncSession, token: str, *, lock: bool) -> Any:
    p = Payment
    query = select(
        p.id,
        p.order_id,
        p.order_number,
        p.method,
        p.provider,
        p.provider_ref,
        p.status,
        p.amount,
        p.currency,
        p.card_brand,
        p.card_last4,
        p.due_at,
    ).where(p.challenge_hash == token_digest(token))
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise ChallengeNotFound("No such challenge.")
    return row


def _read(row: Any, status: PaymentStatus) -> ChallengeRead:
    return ChallengeRead(
        merchant=MERCHANT,
        reference=row.order_number,
        amount=row.amount,
        currency=row.currency,
        card_brand=row.card_brand,
        card_last4=row.card_last4,
        status=status,
        expires_at=row.due_at,
    )


async def describe(session: AsyncSession, token: str) -> ChallengeRead:
    row = await _payment(session, token, lock=False)
    return _read(row, PaymentStatus(row.status))


async def answer(
    session: AsyncSession, *, token: str, passed: bool, now: datetime
) -> ChallengeRead:
    """Complete the challenge and commit; a second answer is ChallengeCompleted (409)."""
    row = await _payment(session, token, lock=True)
    if row.status != PaymentStatus.REQUIRES_ACTION.value:
        raise ChallengeCompleted(
            f"This challenge is closed: the payment is {row.status}.", status_now=row.status
        )
    if row.due_at is not None and now > row.due_at:
        raise PaymentStateConflict("The challenge has expired; the order will be cancelled.")
    result = await provider_for(row.provider).confirm_action(row.provider_ref, passed=passed)
    if result.status == "authorised":
        await settle(session, row, row.provider, EntryKind.AUTHORISED, now)
        status = PaymentStatus.AUTHORISED
    else:
        reason = result.reason or "failed"
        await close_unvalidated(session, row.id, PaymentStatus.FAILED)
        await write_ledger(
            session,
            row.id,
            row.order_id,
            row.currency,
            SYSTEM,
            [Entry(EntryKind.FAILED, 0, note=reason)],
        )
        await emit(
            session,
            PaymentFailed(
                payment_id=row.id, order_id=row.order_id, method=row.method, reason=reason
            ),
        )
        status = PaymentStatus.FAILED
    await session.commit()
    return _read(row, status)
