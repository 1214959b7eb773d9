"""Proactive delay detection: tell buyers, sellers and support before a promise is missed.

A scheduled job (`run_sweeps`). One statement selects, and locks, exactly the shipments
that have news — a reason to be flagged that they are not flagged for already (the rules
and their precedence are `timeline`'s) — so a shipment flagged yesterday costs nothing
today and the job never re-announces. Then one UPDATE per reason sets the flag, its
detail and a new expected date, and one outbox INSERT announces `ShipmentDelayed`.

Days are the warehouse's days, as the promise was made: the ship-by day "has passed" at
midnight after it in the warehouse's time zone (17:00 UTC the same day in Jakarta), an
instant stored on the shipment as `pickup_deadline`; the promised day's is
`promise_deadline`. The carrier pick-up deadline is the end of the ship-by day.

Several processes may run it at once: on PostgreSQL the candidates are locked with
SKIP LOCKED, so each shipment is flagged by one of them; SQLite has one writer anyway.

SellerOrders still unshipped past their ship-by day have no shipment row; orders already
counts them as `overdue` (the sellers' and operators' order counts), so they are not
repeated here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.domain import FINAL, MOVING, TrackingStatus
from pasar.fulfillment.events import ShipmentDelayed
from pasar.fulfillment.models import Shipment
from pasar.fulfillment.timeline import CANCELLED, DelayReason, ParcelFacts, assess_delay
from pasar.platform.outbox import emit

#: Most shipments flagged per run; the next run takes the rest.
BATCH = 500


def _skip_locked(session: AsyncSession) -> dict[str, Any]:
    return {"skip_locked": True} if session.get_bind().dialect.name == "postgresql" else {}


def _not_flagged_for(reason: DelayReason) -> Any:
    return or_(Shipment.delay_reason.is_(None), Shipment.delay_reason != reason.value)


def needs_flag(*, now: datetime, silence: timedelta) -> Any:
    """SQL for `timeline.assess_delay(...) is not None`: the reason that applies (in order
    of precedence) is news for the shipment. Kept exact so the batch never fills up with
    shipments that have nothing new to say."""
    open_ = Shipment.status.not_in([CANCELLED, *(s.value for s in FINAL)])
    passed = Shipment.promise_deadline <= now
    unpicked = and_(
        Shipment.status == TrackingStatus.LABEL_CREATED.value, Shipment.pickup_deadline <= now
    )
    silent = and_(
        Shipment.status.in_([s.value for s in MOVING]),
        Shipment.last_event_at <= now - silence,
    )
    return and_(
        open_,
        Shipment.superseded_at.is_(None),
        or_(
            and_(passed, _not_flagged_for(DelayReason.PROMISE_PASSED)),
            and_(not_(passed), unpicked, _not_flagged_for(DelayReason.NOT_PICKED_UP)),
            and_(not_(passed), silent, _not_flagged_for(DelayReason.NO_SCAN)),
            and_(
                not_(passed),
                not_(unpicked),
                not_(silent),
                Shipment.expected_date > Shipment.promised_date,
                Shipment.delay_reason.is_(None),
            ),
        ),
    )


async def detect_delays(
    session: AsyncSession, *, now: datetime, config: FulfillmentConfig, batch: int = BATCH
) -> int:
    """Flag the shipments at risk of missing their promise; how many were flagged. Commits."""
    silence = timedelta(hours=config.silence_hours)
    rows = list(
        await session.scalars(
            select(Shipment)
            .where(needs_flag(now=now, silence=silence))
            .order_by(Shipment.id)
            .limit(batch)
            .with_for_update(**_skip_locked(session))
        )
    )
    flags: list[dict[str, Any]] = []
    announcements: list[ShipmentDelayed] = []
    for row in rows:
        delay = assess_delay(
            ParcelFacts(
                status=row.status,
                ship_by=row.ship_by,
                promised_date=row.promised_date,
                pickup_deadline=row.pickup_deadline,
                promise_deadline=row.promise_deadline,
                expected_date=row.expected_date,
                last_event_at=row.last_event_at,
                delay_reason=row.delay_reason,
            ),
            now=now,
            silence=silence,
        )
        if delay is None:  # the SQL and the rules disagree: trust the rules
            continue
        flags.append(
            {
                "id": row.id,
                "delay_reason": delay.reason.value,
                "delay_detail": delay.detail,
                "expected_date": delay.expected_date,
                "delayed_at": now,
                "updated_at": now,
            }
        )
        announcements.append(
            ShipmentDelayed(
                shipment_id=row.id,
                seller_order_id=row.seller_order_id,
                order_id=row.order_id,
                seller_id=row.seller_id,
                carrier=row.carrier,
                tracking_number=row.tracking_number,
                reason=delay.reason.value,
                detail=delay.detail,
                promised_date=row.promised_date.isoformat(),
                expected_date=delay.expected_date.isoformat(),
            )
        )
    if not flags:
        await session.rollback()
        return 0
    # ORM bulk UPDATE by primary key: one executemany for the whole batch.
    await session.execute(update(Shipment), flags)
    await emit(session, *announcements)
    await session.commit()
    return len(flags)
