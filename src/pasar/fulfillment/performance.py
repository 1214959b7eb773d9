"""Delivery promises measured against deliveries: the number sellers and carriers are judged by.

A parcel is on time when it was delivered on or before the day promised at checkout, a
day of the warehouse's time zone: before `promise_deadline`, the midnight that ends it.
"""

from __future__ import annotations

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
    s = Shipment
    start = datetime.combine(since, time.min, tzinfo=UTC)
    query = (
        select(
            s.carrier,
            func.count(),
            func.sum(case((s.delivered_at < s.promise_deadline, 1), else_=0)),
        )
        .where(
            s.status == TrackingStatus.DELIVERED.value,
            s.delivered_at.is_not(None),
            s.delivered_at >= start,
        )
        .group_by(s.carrier)
        .order_by(s.carrier)
    )
    open_query = select(
        func.count(), func.sum(case((s.delay_reason.is_not(None), 1), else_=0))
    ).where(s.status.not_in([*(f.value for f in FINAL), "cancelled"]))
    if seller_id is not None:
        query = query.where(s.seller_id == seller_id)
        open_query = open_query.where(s.seller_id == seller_id)
    carriers = [
        CarrierPerformance(
            carrier=code,
            delivered=count,
            on_time=int(timely or 0),
            on_time_rate=_rate(int(timely or 0), count),
            late=count - int(timely or 0),
        )
        for code, count, timely in (await session.execute(query)).all()
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
