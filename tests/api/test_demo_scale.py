"""The bulk-loaded demo (`pasar demo --scale medium|large`), scaled down: a real marketplace.

The same code path as a million variants — chunks, COPY on PostgreSQL, indexes rebuilt —
with figures small enough for the suite. Buyers must find, open and buy what it loads.
"""

from __future__ import annotations

import random

import httpx
import pytest
from sqlalchemy import func, select, text

from pasar.catalog import BulkProduct
from pasar.catalog.models import CatalogSeller, Offer, Product, Variant
from pasar.demo.data import PLACES
from pasar.demo.scale import Scale, _chunk, seed_scaled
from pasar.demo.seed import _Shop
from pasar.inventory.models import StockLevel, StockMovement, StockThreshold
from pasar.platform.db import Database
from pasar.platform.settings import Settings

#: Three chunks (8 + 8 + 8 + 6 products), two sellers on some variants.
TINY = Scale(sellers=7, products=30, variants_per_product=3, offers_per_product=5, chunk=8)

INDEXES = (
    "SELECT indexname FROM pg_indexes WHERE tablename IN ('products', 'variants', 'offers', "
    "'stock_levels', 'stock_movements', 'stock_thresholds') "
    "UNION ALL SELECT conname FROM pg_constraint WHERE contype IN ('f', 'u') "
    "AND conrelid::regclass::text IN ('products', 'variants', 'offers', 'stock_levels', "
    "'stock_movements', 'stock_thresholds') ORDER BY 1"
)


async def _index_names(database: Database) -> list[str]:
    if database.is_sqlite:
        return []
    async with database.engine.connect() as conn:
        return [r[0] for r in await conn.execute(text(INDEXES))]


async def test_bulk_demo_loads_exact_counts_with_a_balanced_ledger(
    database: Database, settings: Settings, client: httpx.AsyncClient
) -> None:
    """Products x variants x offers as asked; every offer stocked once, the ledger sums to
    every level, offers' availability is the stock, and (PostgreSQL) every index and key
    dropped for the load is back."""
    indexes = await _index_names(database)
    summary = await seed_scaled(database, TINY, seed=3, settings=settings)
    assert (summary.products, summary.variants, summary.offers, summary.stock_rows) == (
        30,
        90,
        150,
        150,
    )
    assert summary.sellers_approved + summary.sellers_applied + summary.sellers_suspended == 7
    async with database.sessionmaker() as session:
        counted = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Product, Variant, Offer, StockLevel, StockMovement, StockThreshold)
        ]
        assert counted == [30, 90, 150, 150, 150, 150]
        mismatched = await session.scalar(
            select(func.count())
            .select_from(StockLevel)
            .join(Offer, Offer.id == StockLevel.offer_id)
            .where(
                (Offer.available != StockLevel.on_hand) | (Offer.seller_id != StockLevel.seller_id)
            )
        )
        assert mismatched == 0
        unbalanced = await session.scalar(
            select(func.count())
            .select_from(StockLevel)
            .where(
                StockLevel.on_hand
                != select(func.sum(StockMovement.on_hand_delta))
                .where(StockMovement.stock_id == StockLevel.id)
                .scalar_subquery()
            )
        )
        assert unbalanced == 0
    assert await _index_names(database) == indexes


async def test_bulk_demo_products_are_searchable_and_buyable(
    database: Database, settings: Settings, client: httpx.AsyncClient
) -> None:
    """Search finds a loaded product by its brand, its page shows the best offer, that offer
    goes into a cart, and a cart asking for more units than were loaded is told so."""
    await seed_scaled(database, TINY, seed=3, settings=settings)
    async with database.sessionmaker() as session:
        product = (
            await session.scalars(
                select(Product).where(Product.in_stock.is_(True)).order_by(Product.id).limit(1)
            )
        ).one()
        shown = await session.scalar(
            select(func.count()).select_from(Product).where(Product.best_price.is_not(None))
        )
        scarce = (
            await session.execute(
                select(Offer.id, Offer.available)
                .join(CatalogSeller, CatalogSeller.id == Offer.seller_id)
                .where(CatalogSeller.sellable.is_(True), Offer.available.between(1, 10))
                .order_by(Offer.id)
                .limit(1)
            )
        ).first()
    assert shown is not None
    assert shown >= 25  # only products offered by the suspended seller alone are hidden
    listing = await client.get("/api/v1/products", params={"limit": 100})
    assert listing.status_code == 200, listing.text
    assert len(listing.json()["items"]) == shown

    found = await client.get("/api/v1/products", params={"q": product.brand, "limit": 100})
    assert found.status_code == 200, found.text
    assert product.id in {p["id"] for p in found.json()["items"]}
    page = await client.get(f"/api/v1/products/{product.id}")
    assert page.status_code == 200, page.text
    assert page.json()["best_offer"]["id"] == product.best_offer_id

    cart = await client.post("/api/v1/carts")
    lines = f"/api/v1/carts/{cart.json()['token']}/lines"
    added = await client.post(lines, json={"offer_id": product.best_offer_id, "quantity": 1})
    assert added.status_code == 200, added.text
    assert scarce is not None

    def issues(cart: httpx.Response) -> list[dict[str, object]]:
        assert cart.status_code == 200, cart.text
        (line,) = [
            li for g in cart.json()["groups"] for li in g["lines"] if li["offer_id"] == scarce.id
        ]
        return list(line["issues"])

    every = await client.post(lines, json={"offer_id": scarce.id, "quantity": scarce.available})
    assert issues(every) == []
    one_more = await client.post(lines, json={"offer_id": scarce.id, "quantity": 1})
    assert [(i["code"], i["available"]) for i in issues(one_more)] == [
        ("insufficient_stock", scarce.available)
    ]


def test_same_seed_same_catalog() -> None:
    """The generator is a pure function of its seed: benchmarks rerun on the same data."""
    shops = [
        _Shop(seller_id=i, place=PLACES[0], warehouse_ids=[i], owner_email="") for i in range(6)
    ]
    leaves = [(1, "Phones"), (2, "Board Games"), (3, "Snacks")]

    def generate(seed: int) -> tuple[list[BulkProduct], list[tuple[_Shop, int]]]:
        return _chunk(random.Random(seed), TINY, range(12), leaves, shops, "IDR")

    assert generate(5) == generate(5)
    assert generate(5) != generate(6)
    products, placements = generate(5)
    assert len(products) == 12
    assert len(placements) == 12 * TINY.offers_per_product
    for product in products:
        options = [tuple(sorted(v.option_values.items())) for v in product.variants]
        assert len(set(options)) == len(options) == TINY.variants_per_product


def test_scales_refuse_impossible_shapes() -> None:
    with pytest.raises(ValueError):
        Scale(sellers=10, products=5, variants_per_product=3, offers_per_product=7)
