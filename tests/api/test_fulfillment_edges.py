"""Where shipments meet the SellerOrder's other roads: reships, cancellations, operators."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.delays import detect_delays
from pasar.platform.db import Database
from pasar.platform.time import utcnow
from tests.api import test_fulfillment_support as f
from tests.api.test_fulfillment_threepl import buy, connect, post_report, shipped_report
from tests.api.test_fulfillment_threepl import threepl_shop as threepl_seller
from tests.api.test_fulfillment_tracking import POST, report, scan
from tests.support import Actors


async def status_of(client: httpx.AsyncClient, placed: f.Placed) -> str:
    so = await f.seller_order(client, placed.shop, placed.seller_order_id)
    return str(so["status"])


async def test_a_late_scan_of_the_returned_parcel_does_not_fail_the_reship(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Returned, reshipped; the old parcel scans once more on its way back; the reship's
    delivery still delivers the SellerOrder."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    old = parcel["tracking_number"]
    await report(client, POST, scan(old, "rts", "RTS"))
    assert await status_of(client, placed) == "delivery_failed"
    again = await f.create_shipment(client, placed.shop, placed.seller_order_id, carrier=POST)
    await f.hand_over(client, placed.shop, [again["id"]])
    assert await status_of(client, placed) == "shipped"
    await report(client, POST, scan(old, "back-at-depot", "ARR", hours=1))
    await report(client, POST, scan(again["tracking_number"], "dlv", "DLV", hours=2))
    assert await status_of(client, placed) == "delivered"


async def test_a_reship_after_the_operator_records_the_failure_is_delivered(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The first parcel never comes back: the operator's failure supersedes it anyway."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    await report(client, POST, scan(parcel["tracking_number"], "nah", "NAH"))
    operator = await actors.operator()
    r = await client.post(
        f"/api/v1/admin/seller-orders/{placed.seller_order_id}/delivery-failed",
        json={"reason": "buyer unreachable"},
        headers=operator.headers,
    )
    assert r.status_code == 200, r.text
    again = await f.create_shipment(client, placed.shop, placed.seller_order_id, carrier=POST)
    await f.hand_over(client, placed.shop, [again["id"]])
    await report(client, POST, scan(again["tracking_number"], "dlv", "DLV", hours=1))
    assert await status_of(client, placed) == "delivered"


async def test_a_failed_delivery_is_reshipped_once(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The reship packs every unit again; a second reship (a double click) finds nothing."""
    placed, parcel = await f.shipped(client, actors, carrier=POST, quantity=2)
    await report(client, POST, scan(parcel["tracking_number"], "rts", "RTS"))
    one = await f.create_shipment(client, placed.shop, placed.seller_order_id, carrier=POST)
    assert [line["quantity"] for line in one["lines"]] == [2]
    await f.create_shipment(client, placed.shop, placed.seller_order_id, expect=409)


async def test_an_order_with_a_parcel_at_the_carrier_cannot_be_cancelled(
    client: httpx.AsyncClient, actors: Actors, database: Database, app: FastAPI
) -> None:
    """Half handed over: cancelling is refused (409) and nothing changes; with no parcel
    handed over, cancelling voids the open labels and nothing is flagged late later."""
    placed = await f.placed_order(client, actors, offers=2)
    first_line, _ = await f.order_line_ids(database, placed.seller_order_id)
    one = await f.create_shipment(
        client,
        placed.shop,
        placed.seller_order_id,
        lines=[{"order_line_id": first_line, "quantity": 1}],
    )
    two = await f.create_shipment(client, placed.shop, placed.seller_order_id)
    await f.hand_over(client, placed.shop, [one["id"]])
    cancel = f"/api/v1/sellers/{placed.shop.seller.seller_id}/orders/{placed.seller_order_id}"
    r = await client.post(
        f"{cancel}/cancel", json={"reason": "changed my mind"}, headers=placed.shop.seller.headers
    )
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/shipment-locked")
    assert await status_of(client, placed) == "processing"
    assert (await f.shipment(client, placed.shop, two["id"]))["status"] == "label_created"

    other = await f.placed_order(client, actors, name="Cancel")
    label = await f.create_shipment(client, other.shop, other.seller_order_id)
    path = f"/api/v1/sellers/{other.shop.seller.seller_id}/orders/{other.seller_order_id}/cancel"
    r = await client.post(path, json={"reason": "out of stock"}, headers=other.shop.seller.headers)
    assert r.status_code == 200, r.text
    assert (await f.shipment(client, other.shop, label["id"]))["status"] == "cancelled"
    config = FulfillmentConfig.from_settings(app.state.settings)
    async with database.sessionmaker() as session:
        flagged = await detect_delays(session, now=utcnow() + timedelta(days=30), config=config)
    assert flagged == 2  # the first order's two parcels; the voided label never


async def test_an_operator_delivery_closes_the_parcels(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The operator records a delivery: the order's parcels read delivered too."""
    placed, parcel = await f.shipped(client, actors, carrier=POST)
    operator = await actors.operator()
    r = await client.post(
        f"/api/v1/admin/seller-orders/{placed.seller_order_id}/deliver",
        json={},
        headers=operator.headers,
    )
    assert r.status_code == 200, r.text
    assert (await f.shipment(client, placed.shop, parcel["id"]))["status"] == "delivered"


async def test_a_3pl_report_needs_a_time_zone(client: httpx.AsyncClient, actors: Actors) -> None:
    """A delivery time without an offset is a 422 problem, not a 500."""
    shop = await threepl_seller(client, actors, "Naive")
    connection = await connect(
        client, shop, {"kind": "webhook", "endpoint_url": "https://x.example/"}
    )
    part = await buy(client, shop, 1)
    secret = connection["secret"]
    first = await post_report(client, connection, secret, shipped_report(part["number"], "GCL-1"))
    assert first.status_code == 200, first.text
    delivered = await post_report(
        client,
        connection,
        secret,
        {
            "report_id": "r-9",
            "kind": "delivered",
            "seller_order_number": part["number"],
            "tracking_number": "GCL-1",
            "delivered_at": "2026-11-24T10:00:00",
        },
    )
    assert delivered.status_code == 422, delivered.text


async def test_an_oversized_carrier_post_is_refused_before_it_is_read(
    client: httpx.AsyncClient,
) -> None:
    """Over the webhook's limit: 413 problem+json, whatever the signature says."""
    huge = b'{"events": [' + b" " * 2_100_000 + b"]}"
    r = await client.post(
        f"/api/v1/carriers/{POST}/tracking-events",
        content=huge,
        headers={"Content-Type": "application/json", "Pasar-Signature": "t=1,v1=00"},
    )
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/payload-too-large")
