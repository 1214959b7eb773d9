"""catalog listings of a category subtree, merged from one index range per category.

A subtree listing in price or id order is built as one ordered branch per category and a
merge of their heads (search._merged); beyond MAX_MERGED_CATEGORIES it is one filtered
scan. Both shapes must list the same products in the same order, page by page.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pasar.catalog import search
from pasar.platform.db import Database
from tests.api.test_catalog_support import category, listing, offer, product, set_available
from tests.support import Actors

SORTS = ("price_asc", "price_desc", "newest")


async def _walk(client: httpx.AsyncClient, **params: Any) -> list[int]:
    """Every product id of a listing, page by page (2 per page) through the cursor."""
    seen: list[int] = []
    cursor = None
    while True:
        page = await listing(client, limit=2, **params, **({"cursor": cursor} if cursor else {}))
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


async def _tree(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> tuple[int, dict[int, tuple[int, bool]]]:
    """Fashion > (Shoes > Boots, Bags) and Books beside it; products on every node, the
    parent included, with tied prices. Returns Fashion's id and {product id: (price,
    in stock)} of the products in its subtree."""
    operator = await actors.operator()
    seller = await actors.seller()
    fashion = await category(client, operator, "Fashion")
    shoes = await category(client, operator, "Shoes", fashion["id"])
    boots = await category(client, operator, "Boots", shoes["id"])
    bags = await category(client, operator, "Bags", fashion["id"])
    books = await category(client, operator, "Books")
    plan = [
        (fashion, 500, True),
        (shoes, 300, False),
        (shoes, 900, True),
        (boots, 300, True),
        (boots, 100, False),
        (bags, 700, True),
        (bags, 500, False),
        (books, 200, True),
        (books, 600, True),
    ]
    inside: dict[int, tuple[int, bool]] = {}
    for n, (node, price, stocked) in enumerate(plan):
        made = await product(
            client, seller, title=f"Item {n}", skus=[f"T-{n}"], category_id=node["id"]
        )
        sold = await offer(client, seller, f"T-{n}", price)
        if stocked:
            await set_available(database, sold["id"], 2)
        if node is not books:
            inside[made["id"]] = (price, stocked)
    return fashion["id"], inside


def _expected(inside: dict[int, tuple[int, bool]], sort: str, **filters: Any) -> list[int]:
    low, high = filters.get("min_price", 0), filters.get("max_price", 10**9)
    kept = [
        (price, pid)
        for pid, (price, stocked) in inside.items()
        if low <= price <= high and (stocked or not filters.get("in_stock"))
    ]
    if sort == "newest":
        return sorted((pid for _, pid in kept), reverse=True)
    ordered = sorted(kept, reverse=sort == "price_desc")
    return [pid for _, pid in ordered]


FILTERS: list[dict[str, Any]] = [
    {},
    {"min_price": 300},
    {"min_price": 300, "max_price": 700, "in_stock": True},
]


async def test_subtree_listing_pages_in_order_with_filters(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Every sort and filter of a subtree lists exactly its products, in order, once."""
    root, inside = await _tree(client, actors, database)
    for sort in SORTS:
        for filters in FILTERS:
            walked = await _walk(client, category=root, sort=sort, **filters)
            assert walked == _expected(inside, sort, **filters), (sort, filters)


async def test_merged_and_single_scan_listings_agree(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past MAX_MERGED_CATEGORIES the subtree is one filtered scan: same pages."""
    root, _ = await _tree(client, actors, database)
    merged = {
        (sort, i): await _walk(client, category=root, sort=sort, **filters)
        for sort in SORTS
        for i, filters in enumerate(FILTERS)
    }
    monkeypatch.setattr(search, "MAX_MERGED_CATEGORIES", 1)
    single = {
        (sort, i): await _walk(client, category=root, sort=sort, **filters)
        for sort in SORTS
        for i, filters in enumerate(FILTERS)
    }
    assert merged == single
    assert all(merged.values())


async def test_search_within_a_subtree_and_unknown_category(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Text search keeps the subtree filter (no merge by relevance); an unknown
    category is 404 whatever the sort."""
    root, inside = await _tree(client, actors, database)
    found = await listing(client, q="item", category=root)
    assert {p["id"] for p in found["items"]} == set(inside)
    for sort in SORTS:
        missing = await client.get("/api/v1/products", params={"category": 99999, "sort": sort})
        assert missing.status_code == 404


async def test_text_search_sorted_by_price_or_date_pages_over_the_matches(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """q with a price or date sort (ordered by expressions so the matches come first):
    every match once, in order, page by page; nothing else."""
    seller = await actors.seller()
    desks: dict[int, int] = {}
    for n, price in enumerate([400, 100, 400, 900, 250]):
        made = await product(client, seller, title=f"Oak desk {n}", skus=[f"D-{n}"])
        await offer(client, seller, f"D-{n}", price)
        desks[made["id"]] = price
    for n in range(3):
        await product(client, seller, title=f"Lamp {n}", skus=[f"L-{n}"])
        await offer(client, seller, f"L-{n}", 50 + n)
    by_price = sorted((price, pid) for pid, price in desks.items())
    expected = {
        "price_asc": [pid for _, pid in by_price],
        "price_desc": [pid for _, pid in reversed(by_price)],
        "newest": sorted(desks, reverse=True),
    }
    for sort, ids in expected.items():
        assert await _walk(client, q="desk", sort=sort) == ids, sort
