"""Seller scores for buyers: how often a seller's parcels arrived by the promised day.

There are no reviews yet; delivery performance is the honest, measured number we have
(the same "on time" as `performance.delivery_performance`: delivered before the end of
the promised day). Product pages show one per offer, so the scores of every seller on a
page come from one grouped query, however many sellers there are.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.fulfillment.deps import Now
from pasar.fulfillment.domain import TrackingStatus
from pasar.fulfillment.models import Shipment
from pasar.identity import OptionalPrincipal
from pasar.platform.db import Session
from pasar.platform.types import Id

#: The window a score covers: long enough for a small shop to have a few deliveries,
#: short enough that a seller who improved (or slipped) shows it within a season.
SCORE_WINDOW_DAYS = 90
#: Below this many deliveries in the window a rate says more about luck than about the
#: seller (one late parcel of two is "50%"), so buyers see "New seller" instead.
NEW_SELLER_DELIVERIES = 5
#: Sellers one API call may ask about: a product page shows at most 50 offers.
MAX_SELLERS = 100


class SellerScore(BaseModel):
    """A seller's parcels delivered in the window, and the share that came on time."""

    seller_id: int
    since: date
    delivered: int
    on_time: int
    #: None while the seller has fewer than `NEW_SELLER_DELIVERIES` deliveries.
    on_time_rate: float | None

    @property
    def is_new(self) -> bool:
        return self.on_time_rate is None


def score_window_start(now: datetime) -> date:
    """The first day a score counts deliveries from, as of `now`."""
    return (now - timedelta(days=SCORE_WINDOW_DAYS)).date()


async def seller_on_time_rates(
    session: AsyncSession, seller_ids: Collection[int], since: date
) -> dict[int, SellerScore]:
    """Every asked seller's score (zero deliveries for one with none), in one query."""
    wanted = sorted(set(seller_ids))
    if not wanted:
        return {}
    s = Shipment
    start = datetime.combine(since, time.min, tzinfo=UTC)
    rows = await session.execute(
        select(
            s.seller_id,
            func.count(),
            func.sum(case((s.delivered_at < s.promise_deadline, 1), else_=0)),
        )
        .where(
            s.seller_id.in_(wanted),
            s.status == TrackingStatus.DELIVERED.value,
            s.delivered_at.is_not(None),
            s.delivered_at >= start,
        )
        .group_by(s.seller_id)
    )
    counts = {seller_id: (count, int(timely or 0)) for seller_id, count, timely in rows.all()}
    scores = {}
    for seller_id in wanted:
        delivered, on_time = counts.get(seller_id, (0, 0))
        rate = round(on_time / delivered, 4) if delivered >= NEW_SELLER_DELIVERIES else None
        scores[seller_id] = SellerScore(
            seller_id=seller_id,
            since=since,
            delivered=delivered,
            on_time=on_time,
            on_time_rate=rate,
        )
    return scores


router = APIRouter(tags=["shipments"])

SellerIds = Annotated[
    list[Id],
    Query(
        alias="seller_id",
        min_length=1,
        max_length=MAX_SELLERS,
        description="Repeat for several sellers: `?seller_id=1&seller_id=2`.",
    ),
]


@router.get("/api/v1/seller-scores", response_model=list[SellerScore])
async def read_seller_scores(
    seller_ids: SellerIds, _: OptionalPrincipal, session: Session, now: Now
) -> list[SellerScore]:
    """Public: each seller's on-time delivery rate over the last 90 days, as product
    pages show it next to an offer (null below the "new seller" threshold)."""
    scores = await seller_on_time_rates(session, seller_ids, score_window_start(now))
    return list(scores.values())
