"""Seller scores: parcels delivered by the promised day over the last 90 days, every
asked seller in one query, and "new" (no rate) below the threshold."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from pasar.fulfillment import (
    NEW_SELLER_DELIVERIES,
    score_window_start,
    seller_on_time_rates,
)
from pasar.fulfillment.models import Shipment
from pasar.platform.db import Database
from pasar.platform.time import utcnow
from tests.api import test_fulfillment_support as f
from tests.api.test_checkout_queries import counting
from tests.api.test_fulfillment_delays import POST, scan_at
from tests.support import Actors

_numbers = itertools.count(1)


# Tests that write rows directly take `app` too: its teardown empties the tables.


async def parcels(
    database: Database,
    seller_id: int,
    *,
    on_time: int = 0,
    late: int = 0,
    status: str = "delivered",
    delivered_at: datetime | None = None,
) -> None:
    """Shipments of `seller_id` as fulfilment leaves them once delivered (or not):
    `on_time` delivered an hour before the promised day ended, `late` an hour after."""
    arrived = delivered_at or utcnow() - timedelta(days=2)
    async with database.sessionmaker() as session:
        for is_late in [False] * on_time + [True] * late:
            n = next(_numbers)
            deadline = arrived + (timedelta(hours=-1) if is_late else timedelta(hours=1))
            session.add(
                Shipment(
                    seller_order_id=n,
                    seller_order_number=f"SO-{n}",
                    order_id=n,
                    seller_id=seller_id,
                    warehouse_id=1,
                    carrier=POST,
                    service="standard",
                    service_name="Standard",
                    tracking_number=f"SCORE{seller_id}X{n}",
                    status=status,
                    label_cost=900,
                    currency="USD",
                    ship_by=deadline.date() - timedelta(days=2),
                    promised_date=deadline.date(),
                    pickup_deadline=deadline - timedelta(days=2),
                    promise_deadline=deadline,
                    expected_date=deadline.date(),
                    delivered_at=arrived if status == "delivered" else None,
                    last_event_at=arrived,
                    created_at=arrived - timedelta(days=3),
                    updated_at=arrived,
                )
            )
        await session.commit()


def since() -> date:
    return score_window_start(utcnow())


async def test_every_sellers_score_comes_from_one_query(app: FastAPI, database: Database) -> None:
    """Three sellers, one statement; the rate counts only delivered parcels in the window."""
    await parcels(database, 1, on_time=5, late=1)
    await parcels(database, 1, on_time=3, delivered_at=utcnow() - timedelta(days=120))
    await parcels(database, 1, on_time=2, status="in_transit")
    await parcels(database, 2, on_time=NEW_SELLER_DELIVERIES - 1)
    await parcels(database, 4, on_time=9)
    async with database.sessionmaker() as session:
        with counting(database) as seen:
            scores = await seller_on_time_rates(session, [1, 2, 3], since())
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, seen
    assert set(scores) == {1, 2, 3}
    assert (scores[1].delivered, scores[1].on_time, scores[1].on_time_rate) == (6, 5, 0.8333)
    assert not scores[1].is_new
    assert (scores[2].delivered, scores[2].on_time_rate) == (NEW_SELLER_DELIVERIES - 1, None)
    assert scores[2].is_new
    assert (scores[3].delivered, scores[3].on_time, scores[3].on_time_rate) == (0, 0, None)


async def test_the_threshold_is_where_a_rate_starts(app: FastAPI, database: Database) -> None:
    """At exactly the threshold the rate is shown, late parcels and all."""
    await parcels(database, 7, on_time=NEW_SELLER_DELIVERIES - 2, late=2)
    async with database.sessionmaker() as session:
        score = (await seller_on_time_rates(session, [7], since()))[7]
        assert await seller_on_time_rates(session, [], since()) == {}
    assert score.delivered == NEW_SELLER_DELIVERIES
    assert score.on_time_rate == round((NEW_SELLER_DELIVERIES - 2) / NEW_SELLER_DELIVERIES, 4)


async def test_a_parcel_delivered_through_tracking_counts_as_performance_does(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """A real parcel, delivered by a carrier scan before the promise ends, counts on time,
    the same as the seller's delivery-performance report."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    seller_id = placed.shop.seller.seller_id
    assert seller_id is not None
    await scan_at(client, parcel["tracking_number"], "DLV", utcnow() - timedelta(minutes=5))
    report = await client.get(
        f"/api/v1/sellers/{seller_id}/delivery-performance", headers=placed.shop.seller.headers
    )
    async with database.sessionmaker() as session:
        score = (await seller_on_time_rates(session, [seller_id], since()))[seller_id]
    assert (score.delivered, score.on_time) == (
        report.json()["delivered"],
        report.json()["on_time"],
    )
    assert score.delivered == 1


async def test_the_public_api_lists_scores_for_several_sellers(
    client: httpx.AsyncClient, database: Database
) -> None:
    """No sign-in: buyers' apps show the same scores as the product page."""
    await parcels(database, 11, on_time=NEW_SELLER_DELIVERIES)
    r = await client.get("/api/v1/seller-scores", params={"seller_id": [11, 12]})
    assert r.status_code == 200, r.text
    assert [(s["seller_id"], s["delivered"], s["on_time_rate"]) for s in r.json()] == [
        (11, NEW_SELLER_DELIVERIES, 1.0),
        (12, 0, None),
    ]
    assert r.json()[0]["since"] == since().isoformat()
    schema = (await client.get("/openapi.json")).json()
    assert "/api/v1/seller-scores" in schema["paths"]


@pytest.mark.parametrize(
    "params",
    [{}, {"seller_id": "0"}, {"seller_id": "abc"}, {"seller_id": [str(n) for n in range(101)]}],
)
async def test_bad_seller_lists_are_problems(
    client: httpx.AsyncClient, params: dict[str, object]
) -> None:
    r = await client.get("/api/v1/seller-scores", params=params)  # type: ignore[arg-type]
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_the_window_is_ninety_days() -> None:
    assert score_window_start(datetime(2026, 4, 1, 12, tzinfo=UTC)) == date(2026, 1, 1)
