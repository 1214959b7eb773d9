"""catalog: bulk offer import from JSON and CSV, with a report per row."""

from __future__ import annotations

import time

import httpx

from pasar import catalog
from pasar.platform.db import Database
from tests.api.test_catalog_support import listing, product
from tests.support import Actor, Actors


def _url(seller: Actor, mode: str | None = None) -> str:
    suffix = f"?mode={mode}" if mode else ""
    return f"/api/v1/sellers/{seller.seller_id}/offers/import{suffix}"


async def _own_offers(client: httpx.AsyncClient, seller: Actor) -> list[dict[str, object]]:
    response = await client.get(
        f"/api/v1/sellers/{seller.seller_id}/offers", headers=seller.headers
    )
    return list(response.json()["items"])


async def test_json_import_creates_then_updates(client: httpx.AsyncClient, actors: Actors) -> None:
    """A second import updates changed rows, keeps the others, and says which was which."""
    seller = await actors.seller()
    await product(client, seller, title="Socks", skus=["SO-S", "SO-M"])
    rows = [{"sku": "SO-S", "price_amount": 300}, {"sku": "SO-M", "price_amount": 350}]
    first = await client.post(_url(seller), json=rows, headers=seller.headers)
    assert first.status_code == 200, first.text
    assert [r["status"] for r in first.json()["rows"]] == ["created", "created"]
    rows[1] = {"sku": "SO-M", "price_amount": 320, "status": "inactive"}
    second = (await client.post(_url(seller), json=rows, headers=seller.headers)).json()
    assert [r["status"] for r in second["rows"]] == ["unchanged", "updated"]
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 1, 1)
    offers = {o["sku"]: o for o in await _own_offers(client, seller)}
    assert offers["SO-M"]["price_amount"] == 320
    assert offers["SO-M"]["status"] == "inactive"
    card = (await listing(client))["items"][0]
    assert card["best_offer"]["price_amount"] == 300
    assert card["offer_count"] == 1


async def test_one_bad_row_applies_nothing_by_default(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """all_or_nothing: a rejected row refuses the whole import and names each bad row."""
    seller = await actors.seller()
    await product(client, seller, title="Hat", skus=["H-1", "H-2"])
    rows = [
        {"sku": "H-1", "price_amount": 100},
        {"sku": "H-2", "price_amount": "12.50", "condition": "mint"},
        {"sku": "GHOST", "price_amount": 1},
    ]
    response = await client.post(_url(seller), json=rows, headers=seller.headers)
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/import-rejected"
    assert [r["row"] for r in body["rows"]] == [2, 3]
    assert {e["field"] for e in body["rows"][0]["errors"]} == {"price_amount", "condition"}
    assert body["rows"][1]["errors"][0]["field"] == "sku"
    assert await _own_offers(client, seller) == []


async def test_partial_mode_applies_the_valid_rows(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """partial: valid rows are written, and every rejected row says why."""
    seller = await actors.seller()
    await product(client, seller, title="Scarf", skus=["SC-1", "SC-2"])
    rows = [
        {"sku": "SC-1", "price_amount": 100},
        {"sku": "SC-2", "price_amount": 100, "currency": "EUR"},
        {"sku": "SC-1", "price_amount": 90},
        "not an object",
    ]
    report = (await client.post(_url(seller, "partial"), json=rows, headers=seller.headers)).json()
    assert [r["status"] for r in report["rows"]] == ["created", "rejected", "rejected", "rejected"]
    assert report["rows"][1]["errors"][0]["field"] == "currency"
    assert "row 1" in report["rows"][2]["errors"][0]["message"]
    assert [o["sku"] for o in await _own_offers(client, seller)] == ["SC-1"]


async def test_csv_body_and_upload_are_accepted(client: httpx.AsyncClient, actors: Actors) -> None:
    """CSV works as a text/csv body or a multipart upload; gtin can name the variant."""
    seller = await actors.seller()
    body = {"title": "Tin", "variants": [{"sku": "TIN-1", "gtin": "4006381333931"}]}
    await client.post(
        f"/api/v1/sellers/{seller.seller_id}/products", json=body, headers=seller.headers
    )
    csv_text = "gtin,price_amount,condition,fulfilled_by\n4006381333931,250,new,marketplace\n"
    as_body = await client.post(
        _url(seller),
        content=csv_text.encode(),
        headers={**seller.headers, "Content-Type": "text/csv"},
    )
    assert as_body.status_code == 200, as_body.text
    assert as_body.json()["rows"][0]["status"] == "created"
    upload = await client.post(
        _url(seller),
        files={"file": ("offers.csv", "sku,price_amount\nTIN-1,260\n", "text/csv")},
        headers=seller.headers,
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["rows"][0]["status"] == "updated"
    [made] = await _own_offers(client, seller)
    assert (made["price_amount"], made["fulfilled_by"]) == (260, "marketplace")


async def test_malformed_files_are_refused_whole(client: httpx.AsyncClient, actors: Actors) -> None:
    """A bad header, a non-UTF-8 file or a non-list body is refused before any row is read."""
    seller = await actors.seller()
    csv_headers = {**seller.headers, "Content-Type": "text/csv"}
    cases = [
        (b"sku,price,colour\nA,1,red\n", csv_headers),
        ("sku,price_amount\nCAF\xc9,1\n".encode("latin-1"), csv_headers),
        (b'{"sku": "A"}', {**seller.headers, "Content-Type": "application/json"}),
        (b"[{broken", {**seller.headers, "Content-Type": "application/json"}),
        (b"<xml/>", {**seller.headers, "Content-Type": "application/xml"}),
    ]
    for content, headers in cases:
        response = await client.post(_url(seller), content=content, headers=headers)
        assert response.status_code == 422, content
        assert response.json()["type"] == "/problems/malformed-import"


async def test_import_replays_for_the_same_idempotency_key(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A retried import with the same key returns the first report, not 'unchanged'."""
    seller = await actors.seller()
    await product(client, seller, title="Cup", skus=["CUP-1"])
    headers = {**seller.headers, "Idempotency-Key": "import-1"}
    rows = [{"sku": "CUP-1", "price_amount": 100}]
    first = await client.post(_url(seller), json=rows, headers=headers)
    second = await client.post(_url(seller), json=rows, headers=headers)
    assert first.json() == second.json()
    assert second.json()["rows"][0]["status"] == "created"


async def test_a_thousand_rows_import_in_one_call(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """1,000 rows import in one call; the same file again changes nothing."""
    seller = await actors.seller()
    skus = [f"BULK-{i:04d}" for i in range(1_000)]
    for start in range(0, len(skus), 100):
        await product(client, seller, title=f"Bulk {start}", skus=skus[start : start + 100])
    rows = [{"sku": sku, "price_amount": 1000 + i} for i, sku in enumerate(skus)]
    response = await client.post(_url(seller), json=rows, headers=seller.headers)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1_000
    again = (await client.post(_url(seller), json=rows, headers=seller.headers)).json()
    assert again["unchanged"] == 1_000


async def test_catalog_side_of_a_5000_row_import_is_fast(
    client: httpx.AsyncClient, database: Database
) -> None:
    """The catalog's own work for 5,000 new offers (set-based SQL) takes about a second."""
    own = Database(database.url, pool_size=1)
    own.dispatcher.subscribe_all(catalog.SUBSCRIPTIONS)
    try:
        async with own.sessionmaker() as session:
            products = [
                catalog.ProductCreate(
                    title=f"Fast {i}",
                    variants=[catalog.VariantCreate(sku=f"F-{i}-{j}") for j in range(5)],
                )
                for i in range(1_000)
            ]
            await catalog.add_products(session, seller_id=1, products=products)
            rows = [
                {"sku": f"F-{i}-{j}", "price_amount": 100} for i in range(1_000) for j in range(5)
            ]
            began = time.perf_counter()
            report = await catalog.import_offers(
                session, seller_id=1, rows=rows, mode=catalog.ImportMode.PARTIAL, currency="USD"
            )
            elapsed = time.perf_counter() - began
            await session.commit()
    finally:
        await own.dispose()
    assert report.created == 5_000
    assert elapsed < 3, f"import took {elapsed:.2f}s"
