"""Proactive delay detection with a frozen clock: each reason flagged before the promise is
missed, once, announced once, and never for parcels that arrived."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.delays import detect_delays
from pasar.fulfillment.models import Shipment
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.settings import Settings
from tests.api import test_fulfillment_support as f
from tests.support import Actors

POST = "pasar-post"


@pytest.fixture
def config(settings: Settings) -> FulfillmentConfig:
    return FulfillmentConfig.from_settings(settings)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def day(d: str, hour: int = 1) -> datetime:
    """`hour` o'clock UTC on the ISO day `d`."""
    return datetime.combine(date.fromisoformat(d), time(hour), tzinfo=UTC)


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
    """Not collected by the end of its ship-by day, silent for 48 hours, expected after the
    promise: each flagged once, with a later estimate, while the promise still stands; a
    second run flags nothing and each flag is announced exactly once."""
    placed, (unpicked, silent, slow) = await three_parcels(client, actors, database)
    ship_by, promised = unpicked["ship_by"], unpicked["promised_date"]
    now = day(ship_by) + timedelta(days=1)  # 01:00 UTC the day after the ship-by day
    assert now.date() < date.fromisoformat(promised), "the promise must still stand"
    await f.hand_over(client, placed.shop, [silent["id"], slow["id"]])
    await scan_at(client, silent["tracking_number"], "PCK", now - timedelta(hours=49))
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
    assert found[unpicked["id"]][1] == now.date() + transit
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
