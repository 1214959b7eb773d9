"""The fulfilment story end to end, as issue 4 tells it.

Two sellers share one guest order. One prints its pick list and labels, ships, and the
sandbox carrier's scans carry the parcel to the buyer's door with proof; the buyer
watches the timeline. The other seller packs but never hands over: the delay detector
flags the parcel the day after its ship-by date, before the promised date passes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import httpx
from sqlalchemy import select

from pasar.fulfillment import FulfillmentConfig, advance_sandbox, detect_delays
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from tests import documents_support as docs
from tests.api import test_fulfillment_support as f
from tests.support import Actors


async def test_pick_print_ship_track_to_the_door_and_flag_the_late_one(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """Pick list, labels, hand-over, scans to delivery with proof; a stuck parcel is flagged."""
    config = FulfillmentConfig.from_settings(settings)
    placed = await f.placed_order(client, actors, sellers=2, quantity=2, name="Journey")
    fast, slow = placed.shops
    fast_so, slow_so = placed.seller_order_of(fast), placed.seller_order_of(slow)

    # The fast seller's morning: what to pick, then pack on the sandbox carrier and print.
    due = (utcnow() + timedelta(days=30)).date().isoformat()
    r = await client.get(
        f"/api/v1/sellers/{fast.seller.seller_id}/warehouses/{fast.warehouse_id}/pick-list",
        params={"due_by": due},
        headers=fast.seller.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["unit_count"] == 2
    parcel = await f.create_shipment(client, fast, fast_so, carrier="sandbox")
    labels = await client.post(
        f"/api/v1/sellers/{fast.seller.seller_id}/labels",
        json={"shipment_ids": [parcel["id"]]},
        headers=fast.seller.headers,
    )
    assert labels.status_code == 200, labels.text
    scanned = docs.decode(docs.page_image(labels.content, 0))
    assert scanned["Code128"] == [parcel["tracking_number"]]
    await f.hand_over(client, fast, [parcel["id"]])

    # The slow seller packs too, and then nothing happens.
    stuck = await f.create_shipment(client, slow, slow_so)

    # Days pass for the sandbox carrier: its scans take the parcel to the door.
    async with database.sessionmaker() as session:
        scans = await advance_sandbox(session, now=utcnow() + timedelta(days=8), config=config)
    assert scans >= 3
    tracking = await client.get(f"/api/v1/orders/{placed.number}/tracking", params=placed.access)
    assert tracking.status_code == 200, tracking.text
    parcels = {p["tracking_number"]: p for p in tracking.json()["parcels"]}
    delivered = parcels[parcel["tracking_number"]]
    assert delivered["status"] == "delivered"
    assert delivered["proof"]["where_left"]
    statuses = [event["status"] for event in reversed(delivered["events"])]
    assert statuses[0] == "label_created"
    assert statuses[-1] == "delivered"
    assert "picked_up" in statuses
    assert "in_transit" in statuses
    order = await f.buyer_order(client, placed)
    by_seller = {so["seller"]["id"]: so for so in order["seller_orders"]}
    assert by_seller[fast.seller.seller_id]["status"] == "delivered"
    assert by_seller[fast.seller.seller_id]["delivery_proof"]

    # The morning after the slow seller's ship-by day: flagged, and the promise still stands.
    ship_by = date.fromisoformat(stuck["ship_by"])
    morning = datetime.combine(ship_by + timedelta(days=1), time(1), tzinfo=UTC)
    assert morning.date() < date.fromisoformat(stuck["promised_date"])
    async with database.sessionmaker() as session:
        assert await detect_delays(session, now=morning, config=config) == 1
    flagged = await f.shipment(client, slow, stuck["id"])
    assert flagged["delay"]["reason"] == "not_picked_up"
    async with database.sessionmaker() as session:
        names = list(
            await session.scalars(
                select(OutboxEvent.name).where(OutboxEvent.name == "shipment.delayed")
            )
        )
    assert names == ["shipment.delayed"]
    public = await client.get(f"/api/v1/tracking/{stuck['tracking_number']}")
    assert public.json()["delay"] is not None
