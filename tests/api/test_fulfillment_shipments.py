"""Shipments over the API: split and partial shipments, hand-over, labels, slips, pick lists."""

from __future__ import annotations

from datetime import timedelta

import httpx

from pasar.platform.db import Database
from pasar.platform.time import utcnow
from tests import documents_support as docs
from tests.api import test_fulfillment_support as f
from tests.api import test_orders_support as s
from tests.support import Actors

FAR = (utcnow() + timedelta(days=30)).date().isoformat()


async def test_one_shipment_moves_the_order_to_processing_then_shipped(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Packing everything buys a label (processing); handing it over ships the SellerOrder."""
    placed = await f.placed_order(client, actors, quantity=2)
    created = await f.create_shipment(client, placed.shop, placed.seller_order_id)
    assert created["status"] == "label_created"
    assert [line["quantity"] for line in created["lines"]] == [2]
    assert created["tracking_url"].endswith(f"/track/{created['tracking_number']}")
    assert created["events"][0]["status"] == "label_created"
    so = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert so["status"] == "processing"

    handed = await f.hand_over(client, placed.shop, [created["id"]])
    assert handed[0]["handed_over_at"] is not None
    so = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert so["status"] == "shipped"
    assert so["tracking_number"] == created["tracking_number"]
    assert so["carrier"] == created["carrier"]

    again = await f.hand_over(client, placed.shop, [created["id"]])
    assert again[0]["handed_over_at"] == handed[0]["handed_over_at"]


async def test_split_shipments_ship_the_order_only_when_every_unit_is_handed_over(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Partial quantities over two shipments: shipped after the second hand-over, not the first."""
    placed = await f.placed_order(client, actors, offers=2, quantity=3)
    first_line, second_line = await f.order_line_ids(database, placed.seller_order_id)
    part = await f.create_shipment(
        client,
        placed.shop,
        placed.seller_order_id,
        lines=[
            {"order_line_id": first_line, "quantity": 3},
            {"order_line_id": second_line, "quantity": 1},
        ],
    )
    await f.hand_over(client, placed.shop, [part["id"]])
    so = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert so["status"] == "processing"

    too_many = await client.post(
        f"/api/v1/sellers/{placed.shop.seller.seller_id}/orders/{placed.seller_order_id}/shipments",
        json={"packages": [f.BOX], "lines": [{"order_line_id": second_line, "quantity": 3}]},
        headers=placed.shop.seller.headers,
    )
    assert too_many.status_code == 422, too_many.text
    assert too_many.json()["type"].endswith("/shipment-exceeds-order")

    rest = await f.create_shipment(client, placed.shop, placed.seller_order_id)
    assert [(li["order_line_id"], li["quantity"]) for li in rest["lines"]] == [(second_line, 2)]
    await f.hand_over(client, placed.shop, [rest["id"]])
    so = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert so["status"] == "shipped"

    nothing = await client.post(
        f"/api/v1/sellers/{placed.shop.seller.seller_id}/orders/{placed.seller_order_id}/shipments",
        json={"packages": [f.BOX]},
        headers=placed.shop.seller.headers,
    )
    assert nothing.status_code == 409, nothing.text


async def test_a_cancelled_label_frees_its_units_and_a_collected_one_cannot_be_cancelled(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Voiding a label before pick-up lets the units be packed again; after, 409."""
    placed = await f.placed_order(client, actors)
    first = await f.create_shipment(client, placed.shop, placed.seller_order_id)
    base = f"/api/v1/sellers/{placed.shop.seller.seller_id}/shipments"
    r = await client.post(f"{base}/{first['id']}/cancel", headers=placed.shop.seller.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    label = await client.get(f"{base}/{first['id']}/label", headers=placed.shop.seller.headers)
    assert label.status_code == 404

    second = await f.create_shipment(client, placed.shop, placed.seller_order_id)
    await f.hand_over(client, placed.shop, [second["id"]])
    r = await client.post(f"{base}/{second['id']}/cancel", headers=placed.shop.seller.headers)
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/shipment-locked")


async def test_creating_a_shipment_twice_with_one_key_makes_one(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The Idempotency-Key replays the first shipment instead of buying a second label."""
    placed = await f.placed_order(client, actors)
    one = await f.create_shipment(client, placed.shop, placed.seller_order_id, key="pack-1")
    two = await f.create_shipment(client, placed.shop, placed.seller_order_id, key="pack-1")
    assert one["id"] == two["id"]
    listed = await client.get(
        f"/api/v1/sellers/{placed.shop.seller.seller_id}/shipments",
        params={"seller_order_id": placed.seller_order_id},
        headers=placed.shop.seller.headers,
    )
    assert [item["id"] for item in listed.json()["items"]] == [one["id"]]


async def test_an_unpaid_order_cannot_be_packed(client: httpx.AsyncClient, actors: Actors) -> None:
    """A bank transfer not yet received leaves the SellerOrder received: 409 not-shippable."""
    placed = await f.placed_order(client, actors, payment={"method": "bank_transfer"})
    r = await client.post(
        f"/api/v1/sellers/{placed.shop.seller.seller_id}/orders/{placed.seller_order_id}/shipments",
        json={"packages": [f.BOX]},
        headers=placed.shop.seller.headers,
    )
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/not-shippable")


async def test_another_seller_sees_none_of_it(client: httpx.AsyncClient, actors: Actors) -> None:
    """Shipments, labels and packing are 404 under another seller's id, and 403 across."""
    placed = await f.placed_order(client, actors)
    created = await f.create_shipment(client, placed.shop, placed.seller_order_id)
    other = await s.shop(client, actors, "Other shop")
    mine = f"/api/v1/sellers/{other.seller.seller_id}"
    for path in (f"{mine}/shipments/{created['id']}", f"{mine}/shipments/{created['id']}/label"):
        r = await client.get(path, headers=other.seller.headers)
        assert r.status_code == 404, (path, r.text)
    r = await client.post(
        f"{mine}/orders/{placed.seller_order_id}/shipments",
        json={"packages": [f.BOX]},
        headers=other.seller.headers,
    )
    assert r.status_code == 404, r.text
    r = await client.post(
        f"{mine}/shipments/hand-over",
        json={"shipment_ids": [created["id"]]},
        headers=other.seller.headers,
    )
    assert r.status_code == 404, r.text
    theirs = f"/api/v1/sellers/{placed.shop.seller.seller_id}/shipments/{created['id']}"
    r = await client.get(theirs, headers=other.seller.headers)
    assert r.status_code == 403, r.text


async def test_labels_print_one_page_per_package_with_barcodes_that_scan(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Two shipments, three boxes: one 4x6 PDF of three pages; Code 128 and QR decode."""
    first = await f.placed_order(client, actors, name="Label A")
    second = await f.placed_order(client, actors, name="Label B")
    two_boxes = [f.BOX, {"weight_grams": 1500}]
    a = await f.create_shipment(client, first.shop, first.seller_order_id, packages=two_boxes)
    b = await f.create_shipment(client, second.shop, second.seller_order_id)

    one = await client.get(
        f"/api/v1/sellers/{first.shop.seller.seller_id}/shipments/{a['id']}/label",
        headers=first.shop.seller.headers,
    )
    assert one.status_code == 200, one.text
    assert one.headers["content-type"] == "application/pdf"
    assert docs.page_sizes(one.content) == [(288.0, 432.0)] * 2
    texts = docs.page_texts(one.content)
    assert "1 of 2" in texts[0]
    assert "2 of 2" in texts[1]
    assert "Guest Buyer" in texts[0]
    for page in range(2):
        found = docs.decode(docs.page_image(one.content, page))
        assert found["Code128"] == [a["tracking_number"]]
        assert found["QRCode"] == [a["tracking_url"]]

    operator = await actors.operator()
    batch = await client.post(
        "/api/v1/admin/labels",
        json={"shipment_ids": [a["id"], b["id"]]},
        headers=operator.headers,
    )
    assert batch.status_code == 200, batch.text
    pages = len(docs.page_sizes(batch.content))
    assert pages == 3
    assert docs.decode(docs.page_image(batch.content, 2))["Code128"] == [b["tracking_number"]]


async def test_packing_slip_lists_what_is_in_the_box(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """The slip of a partial shipment shows its own lines and quantities and the order number."""
    placed = await f.placed_order(client, actors, offers=2, quantity=2)
    first_line, _ = await f.order_line_ids(database, placed.seller_order_id)
    created = await f.create_shipment(
        client,
        placed.shop,
        placed.seller_order_id,
        lines=[{"order_line_id": first_line, "quantity": 1}],
    )
    r = await client.get(
        f"/api/v1/sellers/{placed.shop.seller.seller_id}/shipments/{created['id']}/packing-slip",
        headers=placed.shop.seller.headers,
    )
    assert r.status_code == 200, r.text
    text = "\n".join(docs.page_texts(r.content))
    assert created["lines"][0]["sku"] in text
    assert placed.number in text
    assert created["seller_order_number"] in text


async def test_pick_list_gathers_what_is_due_and_drops_what_is_packed(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Two orders of one seller's SKU add up on one row; once one is packed, only the other."""
    shop = await s.shop(client, actors, "Picker", offers=1, stock=20)
    bought = []
    for quantity in (2, 3):
        cart = await s.cart_with(client, [(shop.offers[0], quantity)])
        placed = await s.place(client, cart["token"], s.card())
        assert placed.status_code == 201, placed.text
        bought.append(placed.json()["seller_orders"][0])
    path = f"/api/v1/sellers/{shop.seller.seller_id}/warehouses/{shop.warehouse_id}/pick-list"
    r = await client.get(path, params={"due_by": FAR}, headers=shop.seller.headers)
    assert r.status_code == 200, r.text
    pick = r.json()
    assert (pick["order_count"], pick["unit_count"]) == (2, 5)
    (row,) = pick["rows"]
    assert sorted(o["quantity"] for o in row["orders"]) == [2, 3]

    await f.create_shipment(client, shop, bought[0]["id"])
    r = await client.get(path, params={"due_by": FAR}, headers=shop.seller.headers)
    assert r.json()["unit_count"] == 3
    pdf = await client.get(f"{path}.pdf", params={"due_by": FAR}, headers=shop.seller.headers)
    assert pdf.status_code == 200, pdf.text
    assert row["sku"] in "\n".join(docs.page_texts(pdf.content))

    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    r = await client.get(path, params={"due_by": yesterday}, headers=shop.seller.headers)
    assert r.json()["rows"] == []


async def test_carriers_are_listed_for_integrators(client: httpx.AsyncClient) -> None:
    """GET /carriers names the built-in carriers, the sandbox among them."""
    r = await client.get("/api/v1/carriers")
    assert r.status_code == 200, r.text
    codes = {c["code"] for c in r.json()}
    assert {"pasar-post", "sandbox"} <= codes
