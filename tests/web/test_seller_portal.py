"""The seller portal: dashboard, order queue and bulk actions, order detail and shipping.

Orders are placed through the real API (`placed_order`: paid by card, so verified); the
seller's owner then works in the portal as a browser would, forms and all.
"""

from __future__ import annotations

import re

import httpx

from tests.api import test_fulfillment_support as f
from tests.support import Actors
from tests.web.support import post_form, token
from tests.web.test_signin import sign_in

BOX = {"weight_grams": "800", "length_mm": "200", "width_mm": "150", "height_mm": "100"}


async def portal_for(browser: httpx.AsyncClient, placed: f.Placed, shop_index: int = 0) -> None:
    signed = await sign_in(browser, placed.shops[shop_index].seller.email)
    assert signed.status_code == 303, signed.text


async def pack(browser: httpx.AsyncClient, seller_order_id: int, **fields: str) -> httpx.Response:
    path = f"/seller/orders/{seller_order_id}"
    return await post_form(
        browser, f"{path}/shipments", {**BOX, **fields}, csrf=await token(browser, path)
    )


async def bulk(
    browser: httpx.AsyncClient, action: str, ids: list[int], **extra: str
) -> httpx.Response:
    csrf = await token(browser, "/seller/orders")
    data: dict[str, object] = {"action": action, "order": [str(i) for i in ids], **extra}
    return await post_form(browser, "/seller/orders/bulk", data, csrf=csrf)


async def test_the_dashboard_counts_the_work_waiting(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    placed = await f.placed_order(client, actors)
    await portal_for(browser, placed)
    dashboard = await browser.get("/seller")
    assert dashboard.status_code == 200
    tiles = re.findall(r'<span class="price big[^"]*">(\d+)\+?</span><br>([^<]+)<', dashboard.text)
    counts = {label.strip(): int(n) for n, label in tiles}
    assert counts["Orders to pack"] == 1
    assert counts["Overdue"] == 0
    assert counts["Awaiting payment"] == 0
    assert 'href="/seller/orders?tab=to_pack"' in dashboard.text


async def test_the_queue_shows_only_this_sellers_orders(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    """One order from two sellers: each sees its own part; the other's is a 404 page."""
    placed = await f.placed_order(client, actors, sellers=2)
    mine = placed.seller_order_of(placed.shops[0])
    theirs = placed.seller_order_of(placed.shops[1])
    numbers = {p["id"]: p["number"] for p in placed.body["seller_orders"]}
    await portal_for(browser, placed)

    queue = await browser.get("/seller/orders")
    assert queue.status_code == 200
    assert numbers[mine] in queue.text
    assert numbers[theirs] not in queue.text
    assert f'name="order" value="{mine}"' in queue.text
    assert "Jakarta" in queue.text  # the buyer's city
    assert "1 item" in queue.text

    found = await browser.get("/seller/orders", params={"q": placed.number.lower()})
    assert numbers[mine] in found.text
    nothing = await browser.get("/seller/orders", params={"q": "P000000-NOPE"})
    assert "No orders here." in nothing.text
    shipped_tab = await browser.get("/seller/orders", params={"tab": "shipped"})
    assert numbers[mine] not in shipped_tab.text

    other = await browser.get(f"/seller/orders/{theirs}")
    assert other.status_code == 404
    assert "We could not find that page" in other.text
    refused = await post_form(
        browser,
        f"/seller/orders/{theirs}/shipments",
        BOX,
        csrf=await token(browser, f"/seller/orders/{mine}"),
    )
    assert refused.status_code == 404
    assert (await bulk(browser, "ship", [theirs])).status_code == 303
    theirs_now = await f.seller_order(client, placed.shops[1], theirs)  # it did not move
    assert theirs_now["status"] == "verified"


async def test_packing_buys_a_label_that_downloads_as_a_pdf(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    placed = await f.placed_order(client, actors)
    so_id = placed.seller_order_id
    await portal_for(browser, placed)
    detail = await browser.get(f"/seller/orders/{so_id}")
    assert "Pack and buy label" in detail.text
    assert "Siti" in detail.text or "Jakarta" in detail.text  # the delivery address

    packed = await pack(browser, so_id)
    assert packed.status_code == 303, packed.text
    assert packed.headers["location"] == f"/seller/orders/{so_id}"
    after = await browser.get(f"/seller/orders/{so_id}")
    assert "Packed. The label is ready to print." in after.text
    assert "Pack and buy label" not in after.text  # nothing left to pack
    assert "Hand over to the carrier" in after.text
    label_url = re.search(r'href="(/seller/shipments/\d+/label)"', after.text)
    assert label_url
    label = await browser.get(label_url.group(1))
    assert label.status_code == 200
    assert label.headers["content-type"] == "application/pdf"
    assert label.headers["content-disposition"].startswith("attachment;")
    assert label.content.startswith(b"%PDF")
    order = await f.seller_order(client, placed.shop, so_id)
    assert order["status"] == "processing"


async def test_a_bad_box_is_explained_next_to_the_field(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    placed = await f.placed_order(client, actors)
    await portal_for(browser, placed)
    bad = await pack(browser, placed.seller_order_id, weight_grams="heavy")
    assert bad.status_code == 422
    assert 'id="e-weight_grams"' in bad.text
    assert "Enter a whole number above zero." in bad.text
    assert 'value="heavy"' in bad.text
    wrong_carrier = await pack(browser, placed.seller_order_id, carrier="pigeon")
    assert wrong_carrier.status_code >= 400
    assert 'role="alert"' in wrong_carrier.text
    order = await f.seller_order(client, placed.shop, placed.seller_order_id)
    assert order["status"] == "verified"


async def test_bulk_mark_shipped_hands_the_parcels_over(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    placed = await f.placed_order(client, actors)
    so_id = placed.seller_order_id
    await portal_for(browser, placed)

    too_soon = await bulk(browser, "ship", [so_id])
    assert too_soon.status_code == 303
    queue = await browser.get(too_soon.headers["location"])
    assert "Pack these orders and buy their labels first" in queue.text
    nothing = await bulk(browser, "ship", [])
    assert (
        "Choose at least one order first." in (await browser.get(nothing.headers["location"])).text
    )

    assert (await pack(browser, so_id)).status_code == 303
    shipped = await bulk(browser, "ship", [so_id], back="/seller/orders?tab=ready")
    assert shipped.status_code == 303
    assert shipped.headers["location"] == "/seller/orders?tab=ready"
    order = await f.seller_order(client, placed.shop, so_id)
    assert order["status"] == "shipped"
    assert order["tracking_number"]
    tab = await browser.get("/seller/orders?tab=shipped")
    assert "Marked as shipped." in tab.text
    assert order["number"] in tab.text
    detail = await browser.get(f"/seller/orders/{so_id}")
    assert "Shipped" in detail.text
    assert "Hand over to the carrier" not in detail.text
    assert "Cancel this order" not in detail.text


async def test_bulk_prints_labels_and_a_pick_list(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    placed = await f.placed_order(client, actors)
    so_id = placed.seller_order_id
    await portal_for(browser, placed)
    queue = await browser.get("/seller/orders")
    assert f'<option value="{placed.shop.warehouse_id}">' in queue.text

    pick = await bulk(browser, "pick_list", [so_id], warehouse_id=str(placed.shop.warehouse_id))
    assert pick.status_code == 200, pick.text
    assert pick.headers["content-type"] == "application/pdf"
    assert pick.content.startswith(b"%PDF")
    today = await bulk(browser, "pick_list", [], warehouse_id=str(placed.shop.warehouse_id))
    assert today.content.startswith(b"%PDF")

    no_labels = await bulk(browser, "labels", [so_id])
    assert no_labels.status_code == 303
    assert (
        "None of the chosen orders has a label yet"
        in (await browser.get(no_labels.headers["location"])).text
    )
    await pack(browser, so_id)
    labels = await bulk(browser, "labels", [so_id])
    assert labels.status_code == 200
    assert labels.headers["content-type"] == "application/pdf"
    assert labels.content.startswith(b"%PDF")


async def test_the_seller_cancels_with_a_reason(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    placed = await f.placed_order(client, actors)
    so_id = placed.seller_order_id
    await portal_for(browser, placed)
    path = f"/seller/orders/{so_id}"
    blank = await post_form(
        browser, f"{path}/cancel", {"reason": ""}, csrf=await token(browser, path)
    )
    assert blank.status_code == 422
    assert "Tell the buyer why you cancel." in blank.text
    done = await post_form(
        browser, f"{path}/cancel", {"reason": "Out of stock"}, csrf=await token(browser, path)
    )
    assert done.status_code == 303
    detail = await browser.get(path)
    assert "The order is cancelled." in detail.text
    assert "Out of stock" in detail.text
    assert (await f.seller_order(client, placed.shop, so_id))["status"] == "cancelled"


async def test_buyers_and_strangers_do_not_get_in(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    assert (await browser.get("/seller/orders")).status_code == 303
    assert (
        (await browser.get("/seller/shipments/1/label")).headers["location"].startswith("/signin")
    )
    buyer = await actors.buyer()
    await sign_in(browser, buyer.email)
    assert (await browser.get("/seller")).status_code == 403


async def test_the_portal_speaks_indonesian(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    placed = await f.placed_order(client, actors)
    await portal_for(browser, placed)
    chosen = await post_form(
        browser,
        "/language",
        {"locale": "id", "next": "/seller/orders"},
        csrf=await token(browser, "/seller"),
    )
    assert chosen.headers["location"] == "/seller/orders"
    queue = await browser.get("/seller/orders")
    assert '<html lang="id">' in queue.text
    assert "Pesanan" in queue.text
    assert "Cetak label" in queue.text
    assert "Tandai dikirim" in queue.text
    assert "Print labels" not in queue.text
    detail = await browser.get(f"/seller/orders/{placed.seller_order_id}")
    assert "Kemas dan beli label" in detail.text


def qty_fields(page: str) -> dict[str, str]:
    """The pack form's quantity per order line, as drawn: `qty-<line id>` -> units left."""
    found = re.findall(r'name="(qty-\d+)"[^>]*value="(\d+)"', page)
    return dict(found)


async def test_a_label_is_cancelled_until_the_carrier_has_it(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    """A parcel not handed over offers "Cancel label"; once cancelled its items can be
    packed again; a parcel with the carrier no longer offers it, and the service refuses."""
    placed = await f.placed_order(client, actors)
    so_id = placed.seller_order_id
    path = f"/seller/orders/{so_id}"
    await portal_for(browser, placed)
    assert (await pack(browser, so_id)).status_code == 303
    detail = await browser.get(path)
    action = re.search(rf'action="({path}/shipments/(\d+)/cancel)"', detail.text)
    assert action, detail.text
    assert "Cancel label" in detail.text
    shipment_id = int(action.group(2))

    refused = await browser.post(action.group(1), data={})
    assert refused.status_code == 403  # no CSRF token
    cancelled = await post_form(browser, action.group(1), {}, csrf=await token(browser, path))
    assert cancelled.status_code == 303
    after = await browser.get(path)
    assert "is cancelled." in after.text
    assert "Label cancelled" in after.text
    assert "Pack and buy label" in after.text  # its items can be packed again
    assert (await f.shipment(client, placed.shop, shipment_id))["status"] == "cancelled"

    assert (await pack(browser, so_id)).status_code == 303
    assert (await bulk(browser, "ship", [so_id])).status_code == 303
    shipped = await browser.get(path)
    second = re.findall(r'href="/seller/shipments/(\d+)/label"', shipped.text)
    assert len(second) == 1
    assert f"/shipments/{second[0]}/cancel" not in shipped.text
    too_late = await post_form(
        browser, f"{path}/shipments/{second[0]}/cancel", {}, csrf=await token(browser, path)
    )
    assert too_late.status_code == 303
    explained = await browser.get(path)
    assert "cannot be cancelled" in explained.text
    assert (await f.shipment(client, placed.shop, int(second[0])))["status"] != "cancelled"


async def test_another_sellers_label_cannot_be_cancelled(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    placed = await f.placed_order(client, actors, sellers=2)
    mine = placed.seller_order_of(placed.shops[0])
    theirs = placed.seller_order_of(placed.shops[1])
    shipment = await f.create_shipment(client, placed.shops[1], theirs)
    await portal_for(browser, placed)
    csrf = await token(browser, f"/seller/orders/{mine}")
    for path in (
        f"/seller/orders/{theirs}/shipments/{shipment['id']}/cancel",
        f"/seller/orders/{mine}/shipments/{shipment['id']}/cancel",
    ):
        refused = await post_form(browser, path, {}, csrf=csrf)
        assert refused.status_code == 404, path
    assert (await f.shipment(client, placed.shops[1], shipment["id"]))["status"] != "cancelled"


async def test_several_boxes_and_a_partial_parcel(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Two lines of two units: the first parcel holds one line in two boxes (an empty third
    row is ignored); the rest goes in a second parcel."""
    placed = await f.placed_order(client, actors, offers=2, quantity=2)
    so_id = placed.seller_order_id
    path = f"/seller/orders/{so_id}"
    await portal_for(browser, placed)
    three = await browser.get(path, params={"boxes": "3"})
    assert three.status_code == 200
    assert 'id="f-weight_grams-3"' in three.text
    lines = qty_fields(three.text)
    assert sorted(lines.values()) == ["2", "2"]
    first, second = sorted(lines)
    csrf = await token(browser, path)

    resized = await post_form(
        browser, f"{path}/shipments", {**BOX, "boxes": "2", "resize": "1"}, csrf=csrf
    )
    assert resized.status_code == 200
    assert 'id="f-weight_grams-2"' in resized.text
    assert 'id="f-weight_grams-3"' not in resized.text
    assert 'value="800"' in resized.text  # what was typed stays

    half = await post_form(
        browser,
        f"{path}/shipments",
        {"weight_grams": ["800", "oops", ""], "length_mm": ["", "", ""], first: "2", second: "0"},
        csrf=csrf,
    )
    assert half.status_code == 422
    assert 'id="e-weight_grams-2"' in half.text
    none = await post_form(
        browser, f"{path}/shipments", {**BOX, first: "0", second: "0"}, csrf=csrf
    )
    assert none.status_code == 422
    assert "Choose at least one item for this parcel." in none.text
    too_many = await post_form(browser, f"{path}/shipments", {**BOX, first: "5"}, csrf=csrf)
    assert too_many.status_code >= 400
    assert 'role="alert"' in too_many.text

    packed = await post_form(
        browser,
        f"{path}/shipments",
        {
            "weight_grams": ["800", "1200", ""],
            "length_mm": ["200", "", ""],
            "width_mm": ["", "", ""],
            "height_mm": ["", "", ""],
            first: "2",
            second: "0",
            "idempotency_key": "two-boxes",
        },
        csrf=csrf,
    )
    assert packed.status_code == 303, packed.text
    after = await browser.get(path)
    assert "Pack and buy label" in after.text  # the second line is still to pack
    assert list(qty_fields(after.text)) == [second]
    assert "2 boxes" in after.text
    shipment_id = int(re.findall(r'href="/seller/shipments/(\d+)/label"', after.text)[0])
    shipment = await f.shipment(client, placed.shop, shipment_id)
    assert [p["weight_grams"] for p in shipment["packages"]] == [800, 1200]
    assert [(line["order_line_id"], line["quantity"]) for line in shipment["lines"]] == [
        (int(first.removeprefix("qty-")), 2)
    ]

    rest = await post_form(browser, f"{path}/shipments", BOX, csrf=await token(browser, path))
    assert rest.status_code == 303
    done = await browser.get(path)
    assert "Pack and buy label" not in done.text
    assert (await f.seller_order(client, placed.shop, so_id))["status"] == "processing"
