"""Tracking end to end: carriers' signed webhooks, parcels and SellerOrders that follow them,
proof of delivery, the public tracking API and page, and the sandbox carrier's runner."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.models import TrackingEvent
from pasar.fulfillment.sandbox_runner import advance_sandbox
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.settings import Settings
from pasar.platform.signing import HEADER, sign
from pasar.platform.time import utcnow
from tests.api import test_fulfillment_support as f
from tests.api import test_orders_support as s
from tests.support import Actors

POST = "pasar-post"
PROOF = {
    "where_left": "locked_mailbox",
    "recipient_name": "Budi Santoso",
    "photo_url": "https://pod.example.com/p/1.jpg",
    "signature": "data:image/png;base64,AAAA",
    "lat": -6.2,
    "lon": 106.8,
}


def stamp(hours: float = 0) -> str:
    return (utcnow() + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def scan(
    tracking_number: str, event_id: str, code: str, *, hours: float = 0, **extra: Any
) -> dict[str, Any]:
    return {
        "tracking_number": tracking_number,
        "event_id": event_id,
        "code": code,
        "description": extra.pop("description", f"{code} scan"),
        "location": extra.pop("location", "Bandung"),
        "occurred_at": stamp(hours),
        **extra,
    }


async def report(
    client: httpx.AsyncClient, carrier: str, *events: dict[str, Any]
) -> dict[str, Any]:
    r = await f.post_tracking(client, carrier, {"events": list(events)})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def count_events(database: Database, shipment_id: int) -> int:
    async with database.sessionmaker() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(TrackingEvent)
            .where(TrackingEvent.shipment_id == shipment_id)
        )
        return int(found or 0)


async def outbox(database: Database, name: str) -> list[dict[str, Any]]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.name == name).order_by(OutboxEvent.id)
        )
        return [dict(r) for r in rows]


# --- the webhook -----------------------------------------------------------------------


async def test_a_signed_scan_is_accepted_and_the_timeline_grows(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A carrier's signed pick-up scan is recorded and moves the parcel."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    tn = parcel["tracking_number"]
    body = await report(client, POST, scan(tn, "e1", "PCK", description="Picked up"))
    assert body == {"accepted": 1, "duplicates": 0, "unknown_tracking_numbers": []}
    seen = await f.shipment(client, placed.shop, parcel["id"])
    assert seen["status"] == "picked_up"
    assert [e["code"] for e in seen["events"]] == ["LABEL_CREATED", "PCK"]


async def test_a_wrong_signature_is_refused(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Signed with another key (here: another carrier's): 401 problem+json, nothing stored."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    raw = orjson.dumps({"events": [scan(parcel["tracking_number"], "e1", "DLV")]})
    wrong = sign(f.carrier_key("sandbox"), raw)
    r = await f.post_tracking(client, POST, raw, headers={HEADER: wrong})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == "/problems/bad-signature"
    unsigned = await f.post_tracking(client, POST, raw, headers={})
    assert unsigned.status_code == 401
    assert await count_events(database, parcel["id"]) == 1


async def test_a_stale_signature_is_refused(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """A captured webhook replayed ten minutes later is refused."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    payload = {"events": [scan(parcel["tracking_number"], "e1", "DLV")]}
    r = await f.post_tracking(client, POST, payload, timestamp=int(time.time()) - 600)
    assert r.status_code == 401
    assert "too old" in r.json()["detail"]
    assert await count_events(database, parcel["id"]) == 1


async def test_a_body_changed_after_signing_is_refused(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """The signature covers the exact bytes: a tampered body does not verify."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    raw, headers = f.signed(POST, {"events": [scan(parcel["tracking_number"], "e1", "NAH")]})
    tampered = raw.replace(b'"NAH"', b'"DLV"')
    assert tampered != raw
    r = await f.post_tracking(client, POST, tampered, headers=headers)
    assert r.status_code == 401
    assert await count_events(database, parcel["id"]) == 1


async def test_the_same_event_twice_is_recorded_once(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """A carrier retrying a delivery: one event row, one shipment.delivered, one delivery."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    delivered = scan(parcel["tracking_number"], "dlv-1", "DLV", proof=PROOF)
    first = await report(client, POST, delivered)
    again = await report(client, POST, delivered)
    assert (first["accepted"], first["duplicates"]) == (1, 0)
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    assert await count_events(database, parcel["id"]) == 2  # the label and the delivery
    assert len(await outbox(database, "shipment.delivered")) == 1
    history = (await f.seller_order(client, placed.shop, placed.seller_order_id))["history"]
    assert [h["to_status"] for h in history].count("delivered") == 1


async def test_a_batch_repeating_an_event_counts_it_once(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """The same event id twice in one post is one event."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    pick = scan(parcel["tracking_number"], "p1", "PCK")
    body = await report(client, POST, pick, pick)
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert await count_events(database, parcel["id"]) == 2


async def test_out_of_order_scans_keep_the_latest_status(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """An older hub scan arriving after 'out for delivery' is kept but does not win."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    tn = parcel["tracking_number"]
    await report(client, POST, scan(tn, "ofd", "OFD", hours=3))
    body = await report(client, POST, scan(tn, "hub", "HUB", hours=1), scan(tn, "pck", "PCK"))
    assert body["accepted"] == 2
    seen = await f.shipment(client, placed.shop, parcel["id"])
    assert seen["status"] == "out_for_delivery"
    public = (await client.get(f"/api/v1/tracking/{tn}")).json()
    assert [e["status"] for e in public["events"]] == [
        "out_for_delivery",
        "in_transit",
        "picked_up",
        "label_created",
    ]
    changes = await outbox(database, "shipment.status_changed")
    assert [c["to_status"] for c in changes] == ["out_for_delivery"]


async def test_a_scan_after_delivery_does_not_undo_it(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Delivered is final: a later stray hub scan shows on the timeline only."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    tn = parcel["tracking_number"]
    await report(client, POST, scan(tn, "dlv", "DLV", hours=1))
    await report(client, POST, scan(tn, "late", "HUB", hours=2))
    seen = await f.shipment(client, placed.shop, parcel["id"])
    assert seen["status"] == "delivered"
    assert len(seen["events"]) == 3


async def test_delivery_with_proof_delivers_the_order_and_shows_the_proof(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Delivered with proof: the SellerOrder is delivered with it, on the buyer's order and
    on the public tracking API (first name only and no photo there)."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    tn = parcel["tracking_number"]
    await report(client, POST, scan(tn, "dlv", "DLV", proof=PROOF))

    order = await f.buyer_order(client, placed)
    part = order["seller_orders"][0]
    assert part["status"] == "delivered"
    assert part["buyer_can_confirm"] is True
    proof = part["delivery_proof"]
    assert proof["where_left"] == "locked_mailbox"
    assert proof["left_at"] == "Left in a locked mailbox"
    assert proof["recipient_name"] == "Budi Santoso"
    assert proof["photo_url"] == PROOF["photo_url"]
    assert (proof["latitude"], proof["longitude"]) == (-6.2, 106.8)
    assert proof["tracking_number"] == tn

    seen = await f.shipment(client, placed.shop, parcel["id"])
    assert seen["proof"]["signature"] == PROOF["signature"]
    assert seen["delivered_at"] is not None

    public = await client.get(f"/api/v1/tracking/{tn}")
    assert public.status_code == 200, public.text
    body = public.json()
    assert body["status"] == "delivered"
    assert body["proof"] == {
        "where_left": "locked_mailbox",
        "where_left_label": "Left in a locked mailbox",
        "recipient_first_name": "Budi",
        "photo_url": None,  # the doorstep photo is the buyer's, not every finder's
    }
    assert "pod.example.com" not in public.text
    mine = await client.get(f"/api/v1/orders/{placed.number}/tracking", params=placed.access)
    assert mine.json()["parcels"][0]["proof"]["photo_url"] == PROOF["photo_url"]
    assert "Santoso" not in public.text
    assert "AAAA" not in public.text
    assert "106.8" not in public.text
    delivered = await outbox(database, "shipment.delivered")
    assert [(d["tracking_number"], d["where_left"]) for d in delivered] == [(tn, "locked_mailbox")]


async def test_a_parcel_returned_to_sender_fails_the_delivery(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Returned to sender: the SellerOrder's delivery failed, with the reason."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    tn = parcel["tracking_number"]
    await report(client, POST, scan(tn, "nah", "NAH"), scan(tn, "rts", "RTS", hours=1))
    part = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert part["status"] == "delivery_failed"
    assert "returned to sender" in part["history"][-1]["reason"]
    assert tn in part["history"][-1]["reason"]


async def test_attempts_and_exceptions_show_but_do_not_move_the_order(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A failed attempt and a hold-up appear on the timeline; the order stays shipped."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    tn = parcel["tracking_number"]
    await report(client, POST, scan(tn, "nah", "NAH", description="Nobody home"))
    assert (await f.shipment(client, placed.shop, parcel["id"]))["status"] == "delivery_attempted"
    await report(client, POST, scan(tn, "x", "X42", hours=1, description="Address unclear"))
    seen = await f.shipment(client, placed.shop, parcel["id"])
    assert seen["status"] == "exception"
    part = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert part["status"] == "shipped"
    public = (await client.get(f"/api/v1/tracking/{tn}")).json()
    assert [e["description"] for e in public["events"]][:2] == ["Address unclear", "Nobody home"]


async def test_a_carrier_scan_hands_the_parcel_over(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """The seller forgot to mark it handed over: the carrier's pick-up scan ships the order."""
    placed, parcel = await f.shipped(client, actors, carrier=POST, hand=False)
    assert (await f.seller_order(client, placed.shop, placed.seller_order_id))[
        "status"
    ] == "processing"
    await report(client, POST, scan(parcel["tracking_number"], "p", "PCK"))
    seen = await f.shipment(client, placed.shop, parcel["id"])
    assert seen["handed_over_at"] is not None
    part = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert part["status"] == "shipped"
    assert part["history"][-1]["actor"] == "system"
    assert len(await outbox(database, "shipment.handed_over")) == 1


async def test_unknown_tracking_numbers_are_reported_not_refused(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A batch with a number Pasar does not know records the rest and names the stranger."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    body = await report(
        client,
        POST,
        scan(parcel["tracking_number"], "a", "PCK"),
        scan("PP000000000000", "b", "PCK"),
    )
    assert body == {
        "accepted": 1,
        "duplicates": 0,
        "unknown_tracking_numbers": ["PP000000000000"],
    }


async def test_one_carrier_cannot_move_another_carriers_parcel(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """The sandbox's key posting a Pasar Post number: unknown, nothing recorded."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    body = await report(client, "sandbox", scan(parcel["tracking_number"], "a", "DLV"))
    assert body["unknown_tracking_numbers"] == [parcel["tracking_number"]]
    assert await count_events(database, parcel["id"]) == 1


async def test_an_unknown_carrier_is_not_found(client: httpx.AsyncClient) -> None:
    """No such carrier: 404 problem+json."""
    r = await f.post_tracking(client, "no-such-carrier", {"events": []})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "payload",
    [b"{not json", b'{"events": [{"tracking_number": "PP1"}]}', b"[]", b'{"events": []}'],
)
async def test_a_malformed_webhook_is_refused(client: httpx.AsyncClient, payload: bytes) -> None:
    """Signed but not in the carrier's shape: 422 problem+json."""
    r = await f.post_tracking(client, POST, payload)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


# --- split shipments -------------------------------------------------------------------


async def test_a_split_order_is_delivered_only_when_both_parcels_are(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Two parcels of one SellerOrder: the first delivery leaves it shipped, the second
    delivers it."""
    placed = await f.placed_order(client, actors, offers=2)
    first_line, second_line = await f.order_line_ids(database, placed.seller_order_id)
    one = await f.create_shipment(
        client,
        placed.shop,
        placed.seller_order_id,
        carrier=POST,
        lines=[{"order_line_id": first_line, "quantity": 1}],
    )
    two = await f.create_shipment(
        client,
        placed.shop,
        placed.seller_order_id,
        carrier=POST,
        lines=[{"order_line_id": second_line, "quantity": 1}],
    )
    await f.hand_over(client, placed.shop, [one["id"], two["id"]])
    assert (await f.seller_order(client, placed.shop, placed.seller_order_id))[
        "status"
    ] == "shipped"

    await report(client, POST, scan(one["tracking_number"], "d1", "DLV", proof=PROOF))
    part = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert part["status"] == "shipped"

    await report(client, POST, scan(two["tracking_number"], "d2", "DLV", hours=1))
    part = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert part["status"] == "delivered"
    assert part["delivery_proof"]["tracking_number"] == two["tracking_number"]
    assert len(await outbox(database, "shipment.delivered")) == 2


@pytest.mark.postgres_only
async def test_both_halves_delivered_at_once_deliver_the_order(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Two carriers' deliveries of a split order committed concurrently: neither misses the
    other, so the SellerOrder ends delivered (its parcels are locked together)."""
    for _ in range(3):
        placed = await f.placed_order(client, actors, offers=2)
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
        await f.hand_over(client, placed.shop, [p["id"] for p in parcels])
        posts = await asyncio.gather(
            *(
                f.post_tracking(client, POST, {"events": [scan(p["tracking_number"], "d", "DLV")]})
                for p in parcels
            )
        )
        assert [r.status_code for r in posts] == [200, 200]
        part = await f.seller_order(client, placed.shop, placed.seller_order_id)
        assert part["status"] == "delivered"


# --- public tracking ---------------------------------------------------------------------


async def test_public_tracking_shows_no_contact_details_or_street(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Neither the JSON nor the page shows the buyer's email, phone, name or street."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    tn = parcel["tracking_number"]
    street = s.ADDRESS["line1"]
    await report(
        client,
        POST,
        scan(tn, "o", "OFD", location=f"{street}, Jakarta"),
        scan(tn, "d", "DLV", hours=1, proof=PROOF),
    )
    api = await client.get(f"/api/v1/tracking/{tn}")
    page = await client.get(f"/track/{tn}")
    assert api.status_code == 200, api.text
    assert page.status_code == 200, page.text
    for body in (api.text, page.text):
        for secret in ("guest.buyer", "Guest.Buyer", "@example.com", "6281234567890", street):
            assert secret not in body, secret
        assert "Guest Buyer" not in body
    destination = api.json()["destination"]
    assert destination == {"city": "Jakarta", "region": "DKI Jakarta", "country": "ID"}


async def test_unknown_tracking_number_is_not_found(client: httpx.AsyncClient) -> None:
    """An unknown number: 404 problem+json from the API, a friendly 404 page from the site."""
    r = await client.get("/api/v1/tracking/PP999999999999")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    page = await client.get("/track/PP999999999999")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "could not find" in page.text


async def test_guessing_tracking_numbers_is_rate_limited(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """After too many unknown numbers a client is refused, even for a real number."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    statuses = [(await client.get(f"/api/v1/tracking/PP{n:012d}")).status_code for n in range(12)]
    assert statuses[0] == 404
    assert statuses[-1] == 429
    real = await client.get(f"/api/v1/tracking/{parcel['tracking_number']}")
    assert real.status_code == 429


async def test_the_tracking_page_renders_the_timeline(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Server-rendered: status up top, promised and expected dates, the scans newest first,
    carrier text escaped."""
    _, parcel = await f.shipped(client, actors, carrier=POST)
    tn = parcel["tracking_number"]
    await report(
        client,
        POST,
        scan(tn, "p", "PCK", description="Picked up from the seller"),
        scan(tn, "h", "HUB", hours=1, description="<script>alert(1)</script> Bandung hub"),
    )
    page = await client.get(f"/track/{tn}")
    assert page.status_code == 200
    html = page.text
    assert '<h1 id="status">In transit</h1>' in html
    assert '<ol class="timeline">' in html
    assert html.index("Bandung hub") < html.index("Picked up from the seller")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Promised by" in html
    assert "Expected" in html
    assert "Pasar Post" in html


async def test_the_tracking_form_sends_you_to_the_parcel(client: httpx.AsyncClient) -> None:
    """`/track` is a labelled form; `/track?number=` redirects to the parcel's page."""
    form = await client.get("/track")
    assert form.status_code == 200
    assert '<label for="number">' in form.text
    go = await client.get("/track", params={"number": " pp123456789012 "})
    assert go.status_code == 303
    assert go.headers["location"] == "/track/PP123456789012"


async def test_tracking_pages_are_not_in_the_api_schema(client: httpx.AsyncClient) -> None:
    """The HTML pages are hidden from OpenAPI; the JSON tracking routes are documented."""
    spec = (await client.get("/openapi.json")).json()
    assert "/track/{tracking_number}" not in spec["paths"]
    assert "/track" not in spec["paths"]
    assert spec["paths"]["/api/v1/tracking/{tracking_number}"]["get"]["description"]
    webhook = spec["paths"]["/api/v1/carriers/{carrier_code}/tracking-events"]["post"]
    assert "requestBody" in webhook


async def test_the_buyer_tracks_every_parcel_of_the_order(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """With the order's link the buyer sees each parcel; without it, nothing."""
    placed = await f.placed_order(client, actors, sellers=2)
    parcels = []
    for shop in placed.shops:
        created = await f.create_shipment(client, shop, placed.seller_order_of(shop), carrier=POST)
        await f.hand_over(client, shop, [created["id"]])
        parcels.append(created["tracking_number"])
    await report(client, POST, scan(parcels[0], "d", "DLV", proof=PROOF))

    r = await client.get(f"/api/v1/orders/{placed.number}/tracking", params=placed.access)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [p["tracking_number"] for p in body["parcels"]] == parcels
    assert [p["status"] for p in body["parcels"]] == ["delivered", "label_created"]
    assert body["parcels"][0]["proof"]["recipient_first_name"] == "Budi"
    assert body["parcels"][0]["items"][0]["quantity"] == 1

    refused = await client.get(f"/api/v1/orders/{placed.number}/tracking")
    assert refused.status_code == 404
    wrong = await client.get(
        f"/api/v1/orders/{placed.number}/tracking", params={"access": "x" * 32}
    )
    assert wrong.status_code == 404


# --- the sandbox carrier runner ------------------------------------------------------------


async def test_the_sandbox_moves_a_parcel_to_delivery_by_itself(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """With the clock moved on, a sandbox parcel goes label → pick-up → hubs → delivered,
    and the SellerOrder is delivered; running again at the same time adds nothing."""
    placed, parcel = await f.shipped(client, actors, carrier="sandbox")
    config = FulfillmentConfig.from_settings(settings)
    labelled = datetime.fromisoformat(parcel["created_at"])

    async with database.sessionmaker() as session:
        assert await advance_sandbox(session, now=labelled, config=config) == 0
    async with database.sessionmaker() as session:
        early = await advance_sandbox(session, now=labelled + timedelta(hours=9), config=config)
    assert early >= 1
    moving = await f.shipment(client, placed.shop, parcel["id"])
    assert moving["status"] in {"picked_up", "in_transit"}

    later = labelled + timedelta(days=10)
    async with database.sessionmaker() as session:
        assert await advance_sandbox(session, now=later, config=config) >= 3
    async with database.sessionmaker() as session:
        assert await advance_sandbox(session, now=later, config=config) == 0
    done = await f.shipment(client, placed.shop, parcel["id"])
    assert done["status"] == "delivered"
    statuses = [e["status"] for e in done["events"]]
    assert statuses[0] == "label_created"
    assert statuses[1] == "picked_up"
    assert "in_transit" in statuses
    assert statuses[-1] == "delivered"
    assert done["proof"]["where_left"]
    part = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert part["status"] == "delivered"
    assert part["delivery_proof"]["tracking_number"] == parcel["tracking_number"]
    assert await count_events(database, parcel["id"]) == len(statuses)


async def test_the_sandbox_runner_leaves_other_carriers_alone(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """Only the sandbox carrier's parcels are scripted."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    config = FulfillmentConfig.from_settings(settings)
    async with database.sessionmaker() as session:
        assert await advance_sandbox(session, now=utcnow() + timedelta(days=10), config=config) == 0
    assert (await f.shipment(client, placed.shop, parcel["id"]))["status"] == "label_created"
