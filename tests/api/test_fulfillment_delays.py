"""Proactive delay detection with a frozen clock: each reason flagged before the promise is
missed, once, announced once, and never for parcels that arrived. Days end at the
warehouse's midnight (the test warehouses are in Jakarta, UTC+7, unless a test moves one)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.delays import detect_delays
from pasar.fulfillment.models import Shipment
from pasar.fulfillment.timeline import end_of_day
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.settings import Settings
from tests.api import test_fulfillment_support as f
from tests.api import test_orders_support as s
from tests.api.test_inventory_support import WAREHOUSE
from tests.support import Actors

POST = "pasar-post"
JAKARTA = str(WAREHOUSE["time_zone"])


@pytest.fixture
def config(settings: Settings) -> FulfillmentConfig:
    return FulfillmentConfig.from_settings(settings)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def day(d: str, hour: int = 1) -> datetime:
    """`hour` o'clock UTC on the ISO day `d`."""
    return datetime.combine(date.fromisoformat(d), time(hour), tzinfo=UTC)


def ends(d: str, zone: str = JAKARTA) -> datetime:
    """The instant the ISO day `d` ends in `zone`: the warehouse's midnight after it."""
    return end_of_day(date.fromisoformat(d), zone)


async def scan_at(
    client: httpx.AsyncClient, tracking_number: str, code: str, at: datetime, **extra: Any
) -> None:
    event = {
        "tracking_number": tracking_number,
        "event_id": f"{code}-{at.timestamp()}",
        "code": code,
        "description": f"{code} scan",
        "location": "Semarang",
        "occurred_at": iso(at),
        **extra,
    }
    r = await f.post_tracking(client, POST, {"events": [event]})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1


async def detect(database: Database, config: FulfillmentConfig, now: datetime) -> int:
    async with database.sessionmaker() as session:
        return await detect_delays(session, now=now, config=config)


async def flags(database: Database) -> dict[int, tuple[str | None, date]]:
    async with database.sessionmaker() as session:
        rows = await session.execute(
            select(Shipment.id, Shipment.delay_reason, Shipment.expected_date)
        )
        return {r.id: (r.delay_reason, r.expected_date) for r in rows}


async def announced(database: Database) -> list[dict[str, Any]]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.name == "shipment.delayed")
            .order_by(OutboxEvent.id)
        )
        return [dict(r) for r in rows]


async def three_parcels(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> tuple[f.Placed, list[dict[str, Any]]]:
    """One SellerOrder in three parcels, one line each."""
    placed = await f.placed_order(client, actors, offers=3)
    lines = await f.order_line_ids(database, placed.seller_order_id)
    parcels = [
        await f.create_shipment(
            client,
            placed.shop,
            placed.seller_order_id,
            carrier=POST,
            lines=[{"order_line_id": line, "quantity": 1}],
        )
        for line in lines
    ]
    return placed, parcels


async def test_three_reasons_are_flagged_before_the_promise_passes(
    client: httpx.AsyncClient, actors: Actors, database: Database, config: FulfillmentConfig
) -> None:
    """Not collected by the end of its ship-by day, silent for longer than the silence
    window, expected after the promise: each flagged once, with a later estimate, while the
    promise still stands; a second run flags nothing and each flag is announced once."""
    placed, (unpicked, silent, slow) = await three_parcels(client, actors, database)
    # A short silence window, so the silent parcel's last scan falls after its label was
    # created whatever the wall clock says (a 48-hour one reached back before it whenever
    # the order was placed less than two days before its ship-by day ended).
    config = dataclasses.replace(config, silence_hours=5)
    ship_by, promised = unpicked["ship_by"], unpicked["promised_date"]
    now = ends(ship_by) + timedelta(hours=1)  # 01:00 in Jakarta the day after the ship-by day
    assert now < ends(promised), "the promise must still stand"
    await f.hand_over(client, placed.shop, [silent["id"], slow["id"]])
    await scan_at(client, silent["tracking_number"], "PCK", now - timedelta(hours=6))
    later = (date.fromisoformat(promised) + timedelta(days=2)).isoformat()
    await scan_at(
        client, slow["tracking_number"], "ARR", now - timedelta(hours=1), expected_date=later
    )
    assert await detect(database, config, now - timedelta(hours=2)) == 1  # only the slow one

    assert await detect(database, config, now) == 2
    found = await flags(database)
    assert found[unpicked["id"]][0] == "not_picked_up"
    assert found[silent["id"]][0] == "no_scan"
    assert found[slow["id"]] == ("expected_after_promise", date.fromisoformat(later))
    transit = date.fromisoformat(promised) - date.fromisoformat(ship_by)
    assert found[unpicked["id"]][1] == now.astimezone(ZoneInfo(JAKARTA)).date() + transit
    assert found[silent["id"]][1] == date.fromisoformat(promised)  # still in time

    assert await detect(database, config, now) == 0
    assert await detect(database, config, now + timedelta(hours=3)) == 0
    events = await announced(database)
    assert Counter(e["shipment_id"] for e in events) == {
        unpicked["id"]: 1,
        silent["id"]: 1,
        slow["id"]: 1,
    }
    by_id = {e["shipment_id"]: e for e in events}
    assert by_id[unpicked["id"]]["reason"] == "not_picked_up"
    assert by_id[unpicked["id"]]["promised_date"] == promised
    assert by_id[unpicked["id"]]["seller_id"] == placed.shop.seller.seller_id
    assert ship_by in by_id[unpicked["id"]]["detail"]


async def test_a_missed_promise_is_announced_even_after_an_early_flag(
    client: httpx.AsyncClient, actors: Actors, database: Database, config: FulfillmentConfig
) -> None:
    """Flagged as not collected, then the promised day passes: flagged again as missed —
    the last resort — and then no more."""
    _, parcel = await f.shipped(client, actors, carrier=POST, hand=False)
    early = day(parcel["ship_by"]) + timedelta(days=1)
    missed = day(parcel["promised_date"]) + timedelta(days=1)
    assert await detect(database, config, early) == 1
    assert await detect(database, config, missed) == 1
    assert await detect(database, config, missed + timedelta(days=1)) == 0
    assert [e["reason"] for e in await announced(database)] == ["not_picked_up", "promise_passed"]
    assert (await flags(database))[parcel["id"]][0] == "promise_passed"
    assert (await flags(database))[parcel["id"]][1] > date.fromisoformat(parcel["promised_date"])


async def test_a_moving_parcel_past_its_promise_is_flagged(
    client: httpx.AsyncClient, actors: Actors, database: Database, config: FulfillmentConfig
) -> None:
    """In transit with recent scans, but the promised day is over: promise passed."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    missed = day(parcel["promised_date"]) + timedelta(days=1)
    await scan_at(client, parcel["tracking_number"], "ARR", missed - timedelta(hours=2))
    assert await detect(database, config, missed - timedelta(days=1)) == 0
    assert await detect(database, config, missed) == 1
    assert [e["reason"] for e in await announced(database)] == ["promise_passed"]


async def test_delivered_and_cancelled_parcels_are_never_flagged(
    client: httpx.AsyncClient, actors: Actors, database: Database, config: FulfillmentConfig
) -> None:
    """Arrived (even late) or voided: no delay, however long after the promise."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    late = day(parcel["promised_date"], 20) + timedelta(days=1)
    await scan_at(client, parcel["tracking_number"], "DLV", late)
    voided = await f.placed_order(client, actors)
    label = await f.create_shipment(client, voided.shop, voided.seller_order_id, carrier=POST)
    r = await client.post(
        f"/api/v1/sellers/{voided.shop.seller.seller_id}/shipments/{label['id']}/cancel",
        headers=voided.shop.seller.headers,
    )
    assert r.status_code == 200, r.text
    far = day(parcel["promised_date"]) + timedelta(days=30)
    assert await detect(database, config, far) == 0
    assert await announced(database) == []


async def test_delivery_clears_the_flag(
    client: httpx.AsyncClient, actors: Actors, database: Database, config: FulfillmentConfig
) -> None:
    """A flagged parcel that arrives is no longer shown as delayed."""
    placed, parcel = await f.shipped(client, actors, carrier=POST, hand=False)
    assert await detect(database, config, day(parcel["ship_by"]) + timedelta(days=1)) == 1
    await f.hand_over(client, placed.shop, [parcel["id"]])
    await scan_at(client, parcel["tracking_number"], "DLV", day(parcel["promised_date"], 9))
    seen = await f.shipment(client, placed.shop, parcel["id"])
    assert seen["delay"] is None
    assert seen["status"] == "delivered"
    public = (await client.get(f"/api/v1/tracking/{parcel['tracking_number']}")).json()
    assert public["delay"] is None
    assert public["on_time"] is True


async def test_the_delay_notice_is_public(
    client: httpx.AsyncClient, actors: Actors, database: Database, config: FulfillmentConfig
) -> None:
    """The tracking API and page show the notice, the new estimate and 'running late'."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    later = (date.fromisoformat(parcel["promised_date"]) + timedelta(days=3)).isoformat()
    await scan_at(
        client,
        parcel["tracking_number"],
        "ARR",
        day(parcel["ship_by"], 9),
        expected_date=later,
    )
    assert await detect(database, config, day(parcel["ship_by"], 10)) == 1
    api = (await client.get(f"/api/v1/tracking/{parcel['tracking_number']}")).json()
    assert api["delay"]["reason"] == "expected_after_promise"
    assert "after the promised date" in api["delay"]["message"]
    assert api["expected_date"] == later
    assert api["on_time"] is False
    page = await client.get(f"/track/{parcel['tracking_number']}")
    assert "This parcel may be late" in page.text
    assert "Running late" in page.text
    listed = await client.get(
        f"/api/v1/sellers/{placed.shop.seller.seller_id}/shipments",
        params={"delayed": "true"},
        headers=placed.shop.seller.headers,
    )
    assert [s["id"] for s in listed.json()["items"]] == [parcel["id"]]


async def label_from(
    client: httpx.AsyncClient, actors: Actors, zone: str
) -> tuple[s.Shop, dict[str, Any]]:
    """A label bought for an order shipping from a warehouse in `zone` (moved there before
    checkout, so its promise was made in that zone too)."""
    shop = await s.shop(client, actors, f"Zone {zone}")
    r = await client.patch(
        f"/api/v1/sellers/{shop.seller.seller_id}/warehouses/{shop.warehouse_id}",
        json={"time_zone": zone},
        headers=shop.seller.headers,
    )
    assert r.status_code == 200, r.text
    cart = await s.cart_with(client, [(shop.offers[0], 1)])
    placed = await s.place(client, cart["token"], s.card())
    assert placed.status_code == 201, placed.text
    seller_order_id = placed.json()["seller_orders"][0]["id"]
    return shop, await f.create_shipment(client, shop, seller_order_id, carrier=POST)


@pytest.mark.parametrize(
    ("zone", "utc_day_after"),
    [("Asia/Jakarta", 0), ("America/Los_Angeles", 1)],
)
async def test_an_uncollected_parcel_is_flagged_at_the_warehouses_midnight(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    config: FulfillmentConfig,
    zone: str,
    utc_day_after: int,
) -> None:
    """Flagged the minute the ship-by day ends where the warehouse is, not before: in
    Jakarta while it is still that day in UTC (not 7 hours late), in Los Angeles only at
    08:00 UTC the next day (not 8 hours early)."""
    _, parcel = await label_from(client, actors, zone)
    deadline = ends(parcel["ship_by"], zone)
    ship_by = date.fromisoformat(parcel["ship_by"])
    assert deadline.date() == ship_by + timedelta(days=utc_day_after)
    assert deadline < ends(parcel["promised_date"], zone), "the promise must still stand"
    assert await detect(database, config, deadline - timedelta(minutes=1)) == 0
    assert await detect(database, config, deadline) == 1
    assert (await flags(database))[parcel["id"]][0] == "not_picked_up"
    (event,) = await announced(database)
    assert "warehouse time" in event["detail"]


async def test_on_time_means_by_the_warehouses_midnight(
    client: httpx.AsyncClient, actors: Actors, database: Database, config: FulfillmentConfig
) -> None:
    """Delivered at 16:59 UTC on the promised day in Jakarta is on time; at 17:00 UTC the
    same UTC day it is late: the promised day had ended there."""
    placed, on_time = await f.shipped(client, actors, carrier=POST)
    late_shop, late_parcel = await label_from(client, actors, JAKARTA)
    deadline = ends(on_time["promised_date"])
    await scan_at(client, on_time["tracking_number"], "DLV", deadline - timedelta(minutes=1))
    late_deadline = ends(late_parcel["promised_date"])
    await scan_at(client, late_parcel["tracking_number"], "DLV", late_deadline)
    public = (await client.get(f"/api/v1/tracking/{on_time['tracking_number']}")).json()
    assert public["on_time"] is True
    assert (await f.shipment(client, placed.shop, on_time["id"]))["on_time"] is True
    late = (await client.get(f"/api/v1/tracking/{late_parcel['tracking_number']}")).json()
    assert late["on_time"] is False
    assert (await f.shipment(client, late_shop, late_parcel["id"]))["on_time"] is False
    for shop, kept in ((placed.shop, 1), (late_shop, 0)):
        r = await client.get(
            f"/api/v1/sellers/{shop.seller.seller_id}/delivery-performance",
            headers=shop.seller.headers,
        )
        assert r.status_code == 200, r.text
        assert (r.json()["delivered"], r.json()["on_time"]) == (1, kept)
        assert r.json()["by_carrier"][0]["late"] == 1 - kept
    assert late_deadline.date() == date.fromisoformat(late_parcel["promised_date"])


@pytest.mark.postgres_only
async def test_concurrent_runs_flag_each_parcel_once(
    client: httpx.AsyncClient, actors: Actors, database: Database, config: FulfillmentConfig
) -> None:
    """Several workers at once (SKIP LOCKED): every parcel flagged and announced once."""
    _, parcels = await three_parcels(client, actors, database)
    now = day(parcels[0]["ship_by"]) + timedelta(days=1)
    counts = await asyncio.gather(*(detect(database, config, now) for _ in range(4)))
    assert sum(counts) == 3
    assert Counter(e["shipment_id"] for e in await announced(database)) == {
        p["id"]: 1 for p in parcels
    }
