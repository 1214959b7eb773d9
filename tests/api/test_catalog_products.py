"""catalog: categories, products, search, listings and the product page."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import event

from pasar.platform.db import Database
from tests.api.test_catalog_support import (
    api_key_headers,
    category,
    listing,
    offer,
    product,
    set_available,
)
from tests.support import Actors


async def test_operators_build_the_category_tree(client: httpx.AsyncClient, actors: Actors) -> None:
    """Categories nest; the tree lists depth-first; sellers may not add categories."""
    operator = await actors.operator()
    fashion = await category(client, operator, "Fashion")
    shoes = await category(client, operator, "Shoes", fashion["id"])
    await category(client, operator, "Books")
    assert shoes["path"] == f"/{fashion['id']}/{shoes['id']}/"
    assert shoes["depth"] == 1
    tree = (await client.get("/api/v1/categories")).json()["items"]
    assert [c["name"] for c in tree] == ["Fashion", "Shoes", "Books"]
    roots = (await client.get("/api/v1/categories", params={"roots": True})).json()["items"]
    assert [c["name"] for c in roots] == ["Fashion", "Books"]
    seller = await actors.seller()
    denied = await client.post("/api/v1/categories", json={"name": "X"}, headers=seller.headers)
    assert denied.status_code == 403


async def test_seller_creates_a_product_with_variants(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The product page shows variants and options; with no offer it is not listed yet."""
    seller = await actors.seller()
    created = await product(client, seller, title="Linen Shirt", skus=["LS-S", "LS-M"])
    assert created["owner_seller_id"] == seller.seller_id
    assert [v["option_values"] for v in created["variants"]] == [{"size": "S"}, {"size": "M"}]
    assert created["best_offer"] is None
    page = (await client.get(f"/api/v1/products/{created['id']}")).json()
    assert page["slug"] == "linen-shirt"
    assert (await listing(client))["items"] == []


async def test_bad_gtin_and_duplicate_sku_are_refused(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A GTIN with a wrong check digit is 422; a SKU already used is 409 sku-taken."""
    seller = await actors.seller()
    url = f"/api/v1/sellers/{seller.seller_id}/products"
    bad = await client.post(
        url,
        json={"title": "T", "variants": [{"sku": "A1", "gtin": "4006381333932"}]},
        headers=seller.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "variants.0.gtin"
    await product(client, seller, title="First", skus=["DUP-1"])
    dup = await client.post(
        url, json={"title": "Second", "variants": [{"sku": "DUP-1"}]}, headers=seller.headers
    )
    assert dup.status_code == 409
    assert dup.json()["type"] == "/problems/sku-taken"


def ids(body: dict[str, Any]) -> list[int]:
    return [p["id"] for p in body["items"]]


async def test_search_matches_title_brand_and_description(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Full-text search finds words anywhere, the last one as a prefix, never erroring."""
    seller = await actors.seller()
    shirt = await product(client, seller, title="Linen Shirt", skus=["S-1"], brand="Acme")
    mug = await product(
        client, seller, title="Mug", skus=["M-1"], description="Stoneware, holds hot coffee"
    )
    await offer(client, seller, "S-1", 1000)
    await offer(client, seller, "M-1", 500)
    assert ids(await listing(client, q="linen")) == [shirt["id"]]
    assert ids(await listing(client, q="acme shi")) == [shirt["id"]]
    assert ids(await listing(client, q="coffee")) == [mug["id"]]
    assert ids(await listing(client, q='"mug*( -')) == [mug["id"]]
    assert ids(await listing(client, q="nothing-like-this")) == []
    junk = await client.get("/api/v1/products", params={"q": "*** !!"})
    assert junk.status_code == 422
    assert junk.json()["field"] == "q"


async def test_relevance_ranks_title_above_description(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A word in the title outranks the same word in a description."""
    seller = await actors.seller()
    by_desc = await product(
        client, seller, title="Tea Pot", skus=["T-1"], description="Pairs with a kettle"
    )
    by_title = await product(client, seller, title="Kettle", skus=["K-1"])
    await offer(client, seller, "T-1", 100)
    await offer(client, seller, "K-1", 900)
    found = await listing(client, q="kettle")
    assert [p["id"] for p in found["items"]] == [by_title["id"], by_desc["id"]]


async def test_category_filter_covers_the_subtree(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Filtering by a category lists its descendants' products and nothing beside it."""
    operator = await actors.operator()
    seller = await actors.seller()
    fashion = await category(client, operator, "Fashion")
    shoes = await category(client, operator, "Shoes", fashion["id"])
    boots = await category(client, operator, "Boots", shoes["id"])
    books = await category(client, operator, "Books")
    made = {}
    for name, cat in (("Boot", boots), ("Shoe", shoes), ("Novel", books)):
        made[name] = await product(
            client, seller, title=name, skus=[f"{name}-1"], category_id=cat["id"]
        )
        await offer(client, seller, f"{name}-1", 100)
    found = await listing(client, category=fashion["id"])
    assert {p["id"] for p in found["items"]} == {made["Boot"]["id"], made["Shoe"]["id"]}
    assert (await listing(client, category=boots["id"]))["items"][0]["title"] == "Boot"
    missing = await client.get("/api/v1/products", params={"category": 99999})
    assert missing.status_code == 404


async def test_price_sort_and_keyset_pages_cover_everything_once(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Walking pages by cursor sees each product once, in price order, both ways."""
    seller = await actors.seller()
    prices = [700, 100, 500, 100, 900, 300, 500]
    for i, price in enumerate(prices):
        await product(client, seller, title=f"Item {i}", skus=[f"I-{i}"])
        await offer(client, seller, f"I-{i}", price)
    for sort, expected in (("price_asc", sorted(prices)), ("price_desc", sorted(prices)[::-1])):
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 3}
            if cursor:
                params["cursor"] = cursor
            page = await listing(client, **params)
            seen += [p["best_offer"]["price_amount"] for p in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected
    ranged = await listing(client, min_price=300, max_price=700, sort="price_asc")
    assert [p["best_offer"]["price_amount"] for p in ranged["items"]] == [300, 500, 500, 700]
    forged = await client.get("/api/v1/products", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert forged.status_code == 422


async def test_in_stock_and_seller_filters(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """in_stock keeps products with stock; seller_id keeps products that seller offers."""
    a = await actors.seller()
    b = await actors.seller()
    await product(client, a, title="Stocked", skus=["ST-1"])
    await product(client, b, title="Empty", skus=["EM-1"])
    stocked = await offer(client, a, "ST-1", 100)
    await offer(client, b, "EM-1", 100)
    await set_available(database, stocked["id"], 3)
    assert [p["title"] for p in (await listing(client, in_stock=True))["items"]] == ["Stocked"]
    by_b = await listing(client, seller_id=b.seller_id)
    assert [p["title"] for p in by_b["items"]] == ["Empty"]


async def test_product_page_costs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """The product page runs the same few SQL statements for 1 offer or 12."""
    shop = await actors.seller()
    created = await product(client, shop, title="Popular", skus=["P-1"])
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    async def cost() -> int:
        statements.clear()
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        try:
            response = await client.get(f"/api/v1/products/{created['id']}")
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    await offer(client, shop, "P-1", 1000)
    one = await cost()
    for i in range(11):
        other = await actors.seller()
        await offer(client, other, "P-1", 1000 + i)
    assert await cost() == one <= 2
    page = (await client.get(f"/api/v1/products/{created['id']}")).json()
    assert page["offer_count"] == 12
    assert page["other_offers_count"] == 11


async def test_only_the_owner_changes_a_product(client: httpx.AsyncClient, actors: Actors) -> None:
    """Another seller's staff or API key gets 404 and changes nothing; the owner succeeds."""
    owner = await actors.seller()
    rival = await actors.seller()
    created = await product(client, owner, title="Original", skus=["O-1"])
    url = f"/api/v1/products/{created['id']}"
    for headers in (rival.headers, await api_key_headers(client, rival)):
        denied = await client.patch(url, json={"title": "Hijacked"}, headers=headers)
        assert denied.status_code == 404
        assert denied.json()["type"] == "/problems/product-not-found"
        variant = await client.post(f"{url}/variants", json={"sku": "X-9"}, headers=headers)
        assert variant.status_code == 404
        foreign = await client.post(
            f"/api/v1/sellers/{owner.seller_id}/products",
            json={"title": "Fake", "variants": [{"sku": "F-1"}]},
            headers=headers,
        )
        assert foreign.status_code == 403
    assert (await client.get(url)).json()["title"] == "Original"
    updated = await client.patch(
        url, json={"title": "Renamed Thing", "brand": "Zed"}, headers=owner.headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["slug"] == "renamed-thing"
    await offer(client, owner, "O-1", 100)
    assert [p["id"] for p in (await listing(client, q="renamed"))["items"]] == [created["id"]]
    assert (await listing(client, q="original"))["items"] == []


async def test_inactive_products_are_hidden_from_buyers(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """An inactive product leaves listings and its page, except for its owner."""
    owner = await actors.seller()
    created = await product(client, owner, title="Seasonal", skus=["SE-1"])
    await offer(client, owner, "SE-1", 100)
    url = f"/api/v1/products/{created['id']}"
    await client.patch(url, json={"status": "inactive"}, headers=owner.headers)
    assert (await listing(client))["items"] == []
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=owner.headers)).status_code == 200


async def test_operator_creates_a_marketplace_product(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Operators may create products no seller owns, and sellers may not use that route."""
    operator = await actors.operator()
    seller = await actors.seller()
    body = {"title": "House Brand Tee", "variants": [{"sku": "HB-1", "gtin": "96385074"}]}
    denied = await client.post("/api/v1/products", json=body, headers=seller.headers)
    assert denied.status_code == 403
    created = await client.post("/api/v1/products", json=body, headers=operator.headers)
    assert created.status_code == 201, created.text
    assert created.json()["owner_seller_id"] is None
    assert created.json()["variants"][0]["gtin"] == "96385074"
