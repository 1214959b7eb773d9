"""The seller portal's catalog pages: offers, CSV import, stock and settings.

Shops are seeded through the real API (`listed`: an approved seller with a warehouse, a
product, its offer and stock); the seller's owner then works in the portal as a browser
would, forms and all. Another seller's offer or warehouse is the 404 page.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from pasar.platform.money import minor_units
from tests.api import test_catalog_support as cat
from tests.api import test_inventory_support as inv
from tests.support import Actors
from tests.web.support import Listed, listed, post_form, token
from tests.web.test_signin import sign_in


async def portal_for(browser: httpx.AsyncClient, shop: Listed) -> None:
    signed = await sign_in(browser, shop.shop.seller.email)
    assert signed.status_code == 303, signed.text


def places(app: FastAPI) -> int:
    return minor_units(str(app.state.settings.currency))


async def test_each_page_renders_and_another_sellers_ids_are_not_found(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors, title="Kopi Gayo 250 g")
    theirs = await listed(client, actors, seller="Toko Lain", title="Teh Melati")
    await portal_for(browser, mine)
    warehouse = mine.shop.warehouse_id
    for path in (
        "/seller/offers",
        "/seller/offers/new",
        "/seller/offers/import",
        f"/seller/offers/{mine.offer_id}",
        "/seller/stock",
        f"/seller/stock?offer_id={mine.offer_id}",
        f"/seller/stock?warehouse_id={warehouse}",
        "/seller/settings",
        f"/seller/settings/warehouses/{warehouse}",
    ):
        page = await browser.get(path)
        assert page.status_code == 200, (path, page.text)
        assert page.headers["cache-control"] == "no-store"
    offers = await browser.get("/seller/offers")
    assert "Kopi Gayo 250 g" in offers.text
    assert "Teh Melati" not in offers.text
    assert 'href="/seller/offers"' in offers.text  # in the portal's navigation
    for path in (
        f"/seller/offers/{theirs.offer_id}",
        f"/seller/stock?offer_id={theirs.offer_id}",
        f"/seller/stock?warehouse_id={theirs.shop.warehouse_id}",
        f"/seller/settings/warehouses/{theirs.shop.warehouse_id}",
    ):
        page = await browser.get(path)
        assert page.status_code == 404, (path, page.text)
    csrf = await token(browser, "/seller/offers")
    edit = await post_form(browser, f"/seller/offers/{theirs.offer_id}", {"price": "1"}, csrf=csrf)
    assert edit.status_code == 404
    moved = await post_form(
        browser,
        f"/seller/settings/warehouses/{theirs.shop.warehouse_id}",
        {"name": "Mine now"},
        csrf=csrf,
    )
    assert moved.status_code == 404
    adjusted = await post_form(
        browser,
        "/seller/stock/adjust",
        {
            "offer_id": str(theirs.offer_id),
            "warehouse_id": str(warehouse),
            "delta": "5",
            "reason": "theft",
        },
        csrf=csrf,
    )
    assert adjusted.status_code == 303
    after = await browser.get(adjusted.headers["location"])
    assert 'role="alert"' in after.text
    [their_stock] = await inv.stock(client, theirs.shop.seller)
    assert their_stock["on_hand"] == 10


async def test_search_finds_offers_by_sku_or_title(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors, title="Kopi Gayo 250 g")
    await cat.product(client, mine.shop.seller, title="Teh Hijau", skus=["TEA-1"])
    await cat.offer(client, mine.shop.seller, "TEA-1", 1_000)
    await portal_for(browser, mine)
    found = await browser.get("/seller/offers", params={"q": "teh"})
    assert "Teh Hijau" in found.text
    assert "Kopi Gayo" not in found.text
    by_sku = await browser.get("/seller/offers", params={"q": "tea-"})
    assert "Teh Hijau" in by_sku.text
    nothing = await browser.get("/seller/offers", params={"q": "zzz"})
    assert "No offers here." in nothing.text


async def test_create_then_edit_an_offer(
    app: FastAPI, browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors)
    seller = mine.shop.seller
    await portal_for(browser, mine)
    csrf = await token(browser, "/seller/offers/new")

    missing = await post_form(browser, "/seller/offers/new", {"sku": "", "price": "x"}, csrf=csrf)
    assert missing.status_code == 422
    assert 'id="e-sku"' in missing.text
    assert 'id="e-price"' in missing.text

    unknown = await post_form(
        browser, "/seller/offers/new", {"sku": "NOPE-1", "price": "25"}, csrf=csrf
    )
    assert unknown.status_code == 422
    assert "NOPE-1" in unknown.text  # the catalog's own message, at the SKU field

    made = await post_form(
        browser,
        "/seller/offers/new",
        {
            "title": "Gula Aren 500 g",
            "sku": "GULA-500",
            "price": "25",
            "condition": "new",
            "seller_sku": "MY-GULA",
            "status": "active",
            "threshold": "3",
        },
        csrf=csrf,
    )
    assert made.status_code == 303, made.text
    path = made.headers["location"]
    offer_id = int(path.rsplit("/", 1)[1])
    shown = await browser.get(path)
    assert "Gula Aren 500 g" in shown.text
    assert "The offer is created." in shown.text
    offer = (await client.get(f"/api/v1/offers/{offer_id}", headers=seller.headers)).json()
    assert offer["price_amount"] == 25 * 10 ** places(app)
    assert offer["seller_sku"] == "MY-GULA"
    assert offer["low_stock_threshold"] == 3

    edited = await post_form(
        browser,
        path,
        {"price": "30", "status": "inactive", "threshold": "7", "seller_sku": ""},
        csrf=csrf,
    )
    assert edited.status_code == 303, edited.text
    offer = (await client.get(f"/api/v1/offers/{offer_id}", headers=seller.headers)).json()
    assert offer["price_amount"] == 30 * 10 ** places(app)
    assert offer["status"] == "inactive"
    assert offer["low_stock_threshold"] == 7
    listing = await browser.get("/seller/offers")
    assert "Gula Aren 500 g" in listing.text
    assert "Paused" in listing.text

    bad = await post_form(browser, path, {"price": "-1", "threshold": "7"}, csrf=csrf)
    assert bad.status_code == 422
    assert 'id="e-price"' in bad.text


async def test_import_reports_the_bad_row_and_imports_the_rest(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors)
    await cat.product(client, mine.shop.seller, title="Batik Tulis", skus=["BTK-S", "BTK-M"])
    await portal_for(browser, mine)
    csrf = await token(browser, "/seller/offers/import")
    csv = "sku,price_amount,condition\nBTK-S,150000,new\nNO-SUCH-SKU,1000,new\nBTK-M,160000,new\n"
    sent = await browser.post(
        "/seller/offers/import",
        data={"csrf_token": csrf, "mode": "partial"},
        files={"file": ("offers.csv", csv.encode(), "text/csv")},
    )
    assert sent.status_code == 200, sent.text
    report = sent.text
    assert 'id="row-2" class="alert"' in report
    row_two = report.split('id="row-2"')[1].split("</tr>")[0]
    assert "Rejected" in row_two
    assert "NO-SUCH-SKU" in row_two or "sku" in row_two
    for row in ("row-1", "row-3"):
        assert "Created" in report.split(f'id="{row}"')[1].split("</tr>")[0]
    listing = await browser.get("/seller/offers", params={"q": "BTK"})
    assert listing.text.count("Batik Tulis") == 2

    nothing = await browser.post(
        "/seller/offers/import",
        data={"csrf_token": csrf, "mode": "all_or_nothing"},
        files={"file": ("offers.csv", b"sku,price_amount\nNO-SUCH-SKU,5\n", "text/csv")},
    )
    assert nothing.status_code == 422
    assert "nothing was imported" in nothing.text
    assert 'id="row-1" class="alert"' in nothing.text

    malformed = await browser.post(
        "/seller/offers/import",
        data={"csrf_token": csrf},
        files={"file": ("offers.csv", b"colour,size\nred,M\n", "text/csv")},
    )
    assert malformed.status_code == 422
    assert "Unknown CSV columns" in malformed.text


async def test_a_stock_adjustment_changes_the_available_quantity(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors, stock=10)
    await portal_for(browser, mine)
    dashboard = await browser.get("/seller")
    assert 'href="/seller/stock?low=1"' in dashboard.text
    page = await browser.get("/seller/stock")
    assert "Kopi Gayo 250 g" in page.text
    assert '<td class="available">10</td>' in page.text
    adjusted = await post_form(
        browser,
        "/seller/stock/adjust",
        {
            "offer_id": str(mine.offer_id),
            "warehouse_id": str(mine.shop.warehouse_id),
            "delta": "-7",
            "reason": "Damaged in the rain",
            "back": "/seller/stock",
        },
        csrf=await token(browser, "/seller/stock"),
    )
    assert adjusted.status_code == 303, adjusted.text
    assert adjusted.headers["location"] == "/seller/stock"
    [level] = await inv.stock(client, mine.shop.seller)
    assert level["on_hand"] == 3
    assert level["available"] == 3
    after = await browser.get("/seller/stock")
    assert "Stock updated." in after.text
    assert '<td class="available late">3</td>' in after.text  # at or below 5
    low = await browser.get("/seller/stock?low=1")
    assert "Kopi Gayo 250 g" in low.text

    zero = await post_form(
        browser,
        "/seller/stock/adjust",
        {"offer_id": str(mine.offer_id), "warehouse_id": str(mine.shop.warehouse_id)}
        | {"delta": "0", "reason": ""},
        csrf=await token(browser, "/seller/stock"),
    )
    assert zero.status_code == 303
    assert "Give a change other than 0 and a reason." in (await browser.get("/seller/stock")).text


async def test_warehouses_and_policies_are_updated(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors)
    seller = mine.shop.seller
    await portal_for(browser, mine)
    csrf = await token(browser, "/seller/settings")

    saved = await post_form(
        browser,
        "/seller/settings/policies",
        {
            "handling_days": "3",
            "ship_from_timezone": "Asia/Jakarta",
            "cut_off_time": "13:30",
            "return_window_days": "14",
            "service_email": "cs@tokokopi.example",
            "service_phone": "+62 21 555 0100",
            "service_hours": "Mon-Fri 9-17",
        },
        csrf=csrf,
    )
    assert saved.status_code == 303, saved.text
    policies = (await client.get(f"/api/v1/sellers/{seller.seller_id}/policies")).json()
    assert policies["handling_days"] == 3
    assert policies["return_window_days"] == 14
    assert policies["service_email"] == "cs@tokokopi.example"
    page = await browser.get("/seller/settings")
    assert 'value="13:30"' in page.text

    refused = await post_form(
        browser,
        "/seller/settings/policies",
        {"handling_days": "99", "service_email": "not an email"},
        csrf=csrf,
    )
    assert refused.status_code == 422
    assert 'id="e-handling_days"' in refused.text
    assert 'id="e-service_email"' in refused.text

    added = await post_form(
        browser,
        "/seller/settings/warehouses",
        {**inv.WAREHOUSE, "code": "SBY-1", "name": "Gudang Surabaya", "city": "Surabaya"},
        csrf=csrf,
    )
    assert added.status_code == 303, added.text
    page = await browser.get("/seller/settings")
    assert "Gudang Surabaya" in page.text
    taken = await post_form(
        browser,
        "/seller/settings/warehouses",
        {**inv.WAREHOUSE, "code": "SBY-1", "name": "Again"},
        csrf=csrf,
    )
    assert taken.status_code == 409
    assert "Again" in taken.text  # the form keeps what was typed

    renamed = await post_form(
        browser,
        f"/seller/settings/warehouses/{mine.shop.warehouse_id}",
        {**inv.WAREHOUSE, "name": "Gudang Utama", "is_active": "1"},
        csrf=csrf,
    )
    assert renamed.status_code == 303, renamed.text
    found = await client.get(
        f"/api/v1/sellers/{seller.seller_id}/warehouses/{mine.shop.warehouse_id}",
        headers=seller.headers,
    )
    assert found.json()["name"] == "Gudang Utama"
    assert found.json()["is_active"] is True


async def test_forms_without_the_csrf_token_are_refused(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors)
    await portal_for(browser, mine)
    for path, data in (
        (f"/seller/offers/{mine.offer_id}", {"price": "1"}),
        ("/seller/settings/policies", {"handling_days": "1"}),
        (
            "/seller/stock/adjust",
            {
                "offer_id": str(mine.offer_id),
                "warehouse_id": str(mine.shop.warehouse_id),
                "delta": "5",
                "reason": "x",
            },
        ),
    ):
        refused = await browser.post(path, data={**data, "csrf_token": "forged"})
        assert refused.status_code == 403, path
    [level] = await inv.stock(client, mine.shop.seller)
    assert level["on_hand"] == 10


async def test_the_offers_page_in_indonesian(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors)
    await portal_for(browser, mine)
    chosen = await post_form(
        browser,
        "/language",
        {"locale": "id", "next": "/seller/offers"},
        csrf=await token(browser, "/seller"),
    )
    assert chosen.headers["location"] == "/seller/offers"
    offers = await browser.get("/seller/offers")
    assert '<html lang="id">' in offers.text
    assert "Penawaran baru" in offers.text
    assert "Dijual" in offers.text
    assert "New offer" not in offers.text
    stock = await browser.get("/seller/stock")
    assert "Stok" in stock.text


async def test_who_fulfils_is_chosen_on_create_and_edit_and_listed(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors)
    seller = mine.shop.seller
    await portal_for(browser, mine)
    form = await browser.get("/seller/offers/new")
    assert 'name="fulfilled_by" value="seller" checked' in form.text
    csrf = await token(browser, "/seller/offers/new")
    made = await post_form(
        browser,
        "/seller/offers/new",
        {"title": "Sambal Bawang", "sku": "SAMBAL-1", "price": "15", "fulfilled_by": "marketplace"},
        csrf=csrf,
    )
    assert made.status_code == 303, made.text
    path = made.headers["location"]
    offer_id = int(path.rsplit("/", 1)[1])
    offer = (await client.get(f"/api/v1/offers/{offer_id}", headers=seller.headers)).json()
    assert offer["fulfilled_by"] == "marketplace"
    shown = await browser.get(path)
    assert 'name="fulfilled_by" value="marketplace" checked' in shown.text
    listing = await browser.get("/seller/offers")
    assert "Marketplace" in listing.text

    kept = await post_form(browser, path, {"price": "16"}, csrf=csrf)  # not sent: unchanged
    assert kept.status_code == 303
    offer = (await client.get(f"/api/v1/offers/{offer_id}", headers=seller.headers)).json()
    assert offer["fulfilled_by"] == "marketplace"
    edited = await post_form(browser, path, {"price": "16", "fulfilled_by": "seller"}, csrf=csrf)
    assert edited.status_code == 303
    offer = (await client.get(f"/api/v1/offers/{offer_id}", headers=seller.headers)).json()
    assert offer["fulfilled_by"] == "seller"
    wrong = await post_form(browser, path, {"price": "16", "fulfilled_by": "drone"}, csrf=csrf)
    assert wrong.status_code == 422
    assert 'id="e-fulfilled_by"' in wrong.text


async def test_the_owner_edits_its_product_and_others_only_read_it(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await listed(client, actors, title="Kopi Gayo 250 g")
    theirs = await listed(client, actors, seller="Toko Lain", title="Teh Melati")
    await portal_for(browser, mine)
    offer_page = await browser.get(f"/seller/offers/{mine.offer_id}")
    assert f'href="/seller/products/{mine.product_id}"' in offer_page.text
    path = f"/seller/products/{mine.product_id}"
    page = await browser.get(path)
    assert page.status_code == 200
    assert 'id="f-description"' in page.text
    csrf = await token(browser, path)
    before = page.text.split('name="attributes_before" value="', 1)[1].split('"', 1)[0]

    bad = await post_form(
        browser,
        path,
        {"title": "", "images": "not a url", "attributes": "no colon", "attributes_before": ""},
        csrf=csrf,
    )
    assert bad.status_code == 422
    for field in ("title", "images", "attributes"):
        assert f'id="e-{field}"' in bad.text, field

    saved = await post_form(
        browser,
        path,
        {
            "title": "Kopi Gayo Premium 250 g",
            "description": "Arabika dari dataran tinggi Gayo.",
            "brand": "Gayo",
            "images": "https://example.com/kopi.jpg",
            "attributes": "roast: medium\norigin: Aceh",
            "attributes_before": before,
            "status": "active",
        },
        csrf=csrf,
    )
    assert saved.status_code == 303, saved.text
    product = (await client.get(f"/api/v1/products/{mine.product_id}")).json()
    assert product["title"] == "Kopi Gayo Premium 250 g"
    assert product["description"] == "Arabika dari dataran tinggi Gayo."
    assert product["brand"] == "Gayo"
    assert product["images"] == ["https://example.com/kopi.jpg"]
    assert product["attributes"] == {"roast": "medium", "origin": "Aceh"}
    assert "The product is saved." in (await browser.get(path)).text

    other = f"/seller/products/{theirs.product_id}"
    read_only = await browser.get(other)
    assert read_only.status_code == 200
    assert "Teh Melati" in read_only.text
    assert 'id="f-description"' not in read_only.text
    assert "only the seller who created it" in read_only.text
    refused = await post_form(browser, other, {"title": "Mine now"}, csrf=csrf)
    assert refused.status_code == 404
    assert (await client.get(f"/api/v1/products/{theirs.product_id}")).json()["title"] == (
        "Teh Melati"
    )


async def test_a_3pl_run_warehouse_is_connected_rotated_and_disconnected(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    """A warehouse added as run by a 3PL gets a connection page: the secret is shown once,
    in the answer to the form that issued it; a seller-run warehouse cannot be connected."""
    mine = await listed(client, actors)
    theirs = await listed(client, actors, seller="Toko Lain", title="Teh Melati")
    seller = mine.shop.seller
    await portal_for(browser, mine)
    csrf = await token(browser, "/seller/settings")
    added = await post_form(
        browser,
        "/seller/settings/warehouses",
        {
            **inv.WAREHOUSE,
            "code": "3PL-1",
            "name": "Gudang Mitra",
            "owner_kind": "3pl",
            "operator_name": "Mitra Logistik",
        },
        csrf=csrf,
    )
    assert added.status_code == 303, added.text
    listed_warehouses = (
        await client.get(f"/api/v1/sellers/{seller.seller_id}/warehouses", headers=seller.headers)
    ).json()["items"]
    made = next(w for w in listed_warehouses if w["code"] == "3PL-1")
    assert made["owner_kind"] == "3pl"
    assert made["operator_name"] == "Mitra Logistik"
    assert "run by Mitra Logistik" in (await browser.get("/seller/settings")).text
    path = f"/seller/settings/warehouses/{made['id']}/3pl"
    assert path in (await browser.get(f"/seller/settings/warehouses/{made['id']}")).text
    page = await browser.get(path)
    assert page.status_code == 200
    assert "Not connected" in page.text

    bad = await post_form(browser, path, {"kind": "carrier-pigeon"}, csrf=csrf)
    assert bad.status_code == 422
    assert 'id="e-kind"' in bad.text
    connected = await post_form(
        browser, path, {"kind": "sandbox", "fulfil_after_minutes": "5"}, csrf=csrf
    )
    assert connected.status_code == 200, connected.text
    assert "The warehouse is connected to its 3PL." in connected.text
    first = connected.text.split('id="new-secret">', 1)[1].split("<", 1)[0]
    assert len(first) > 20
    again = await browser.get(path)
    assert "Connected" in again.text
    assert first not in again.text
    assert "/api/v1/3pl/" in again.text  # where the 3PL reports
    api = await client.get(
        f"/api/v1/sellers/{seller.seller_id}/warehouses/{made['id']}/3pl", headers=seller.headers
    )
    assert api.json()["kind"] == "sandbox"
    assert api.json()["fulfil_after_minutes"] == 5

    changed = await post_form(
        browser, path, {"kind": "sandbox", "fulfil_after_minutes": "9"}, csrf=csrf
    )
    assert changed.status_code == 303
    rotated = await post_form(browser, f"{path}/rotate-secret", {}, csrf=csrf)
    assert rotated.status_code == 200
    second = rotated.text.split('id="new-secret">', 1)[1].split("<", 1)[0]
    assert second != first
    gone = await post_form(browser, f"{path}/disconnect", {}, csrf=csrf)
    assert gone.status_code == 303
    after = await browser.get(path)
    assert "The 3PL is disconnected." in after.text
    assert "Not connected" in after.text

    own = f"/seller/settings/warehouses/{mine.shop.warehouse_id}/3pl"
    refused = await post_form(browser, own, {"kind": "sandbox"}, csrf=csrf)
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    other = f"/seller/settings/warehouses/{theirs.shop.warehouse_id}/3pl"
    assert (await browser.get(other)).status_code == 404
    assert (await post_form(browser, other, {"kind": "sandbox"}, csrf=csrf)).status_code == 404
