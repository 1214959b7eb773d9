"""Delivery promises measured against deliveries: the number sellers and carriers are judged by.

A parcel is on time when it was delivered on or before the date promised at checkout
(dates compared in UTC).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.fulfillment.domain import FINAL, TrackingStatus
from pasar.fulfillment.models import Shipment
from pasar.fulfillment.schemas import CarrierPerformance, DeliveryPerformance


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def delivery_performance(
    session: AsyncSession, *, seller_id: int | None, since: date
) -> DeliveryPerformance:
    """Rows are aggregated here rather than in SQL: "delivered on or before the promised
    date" needs a date of a timestamp, which SQLite and PostgreSQL spell differently."""
    s = Shipment
    start = datetime.combine(since, time.min, tzinfo=UTC)
    query = select(s.carrier, s.delivered_at, s.promised_date).where(
        s.status == TrackingStatus.DELIVERED.value,
        s.delivered_at.is_not(None),
        s.delivered_at >= start,
    )
    open_query = select(
        func.count(), func.sum(case((s.delay_reason.is_not(None), 1), else_=0))
    ).where(s.status.not_in([*(f.value for f in FINAL), "cancelled"]))
    if seller_id is not None:
        query = query.where(s.seller_id == seller_id)
        open_query = open_query.where(s.seller_id == seller_id)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for carrier, delivered_at, promised in (await session.execute(query)).all():
        assert delivered_at is not None
        counts[carrier][0] += 1
        counts[carrier][1] += int(delivered_at.astimezone(UTC).date() <= promised)
    carriers = [
        CarrierPerformance(
            carrier=code,
            delivered=count,
            on_time=timely,
            on_time_rate=_rate(timely, count),
            late=count - timely,
        )
        for code, (count, timely) in sorted(counts.items())
    ]
    open_count, flagged = (await session.execute(open_query)).one()
    total = sum(c.delivered for c in carriers)
    timely_total = sum(c.on_time for c in carriers)
    return DeliveryPerformance(
        since=since,
        delivered=total,
        on_time=timely_total,
        on_time_rate=_rate(timely_total, total),
        in_transit=int(open_count or 0),
        flagged_late=int(flagged or 0),
        by_carrier=carriers,
    )
