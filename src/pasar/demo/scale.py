"""A marketplace at benchmark scale: a million variants in minutes, same seed, same data.

`seed` (the default `small` demo) builds its catalog through the services a seller's
import uses, which check and announce every row: right for 5,000 products, hours for a
million variants. Here sellers, warehouses and categories still go through the services
(a few hundred calls), but the catalog and its stock are streamed in chunks through the
owning modules' bulk loaders (`catalog.load_catalog`, `inventory.load_stock`): COPY on
PostgreSQL, memory flat whatever the size. No demo orders are placed: the benchmarks
place their own.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pasar import catalog, inventory
from pasar.demo.data import ADJECTIVES, BASE_PRICE, BASE_WEIGHT, BRANDS, NOUNS, OPTION_VALUES
from pasar.demo.names import ScaleName
from pasar.demo.orders import Progress
from pasar.demo.seed import (
    CATEGORIES_BY_LEAF,
    DEMO_PASSWORD,
    DemoSummary,
    _bulk_work,
    _categories,
    _nothing,
    _people,
    _sellers,
    _Shop,
)
from pasar.identity import hash_password
from pasar.platform.db import Database
from pasar.platform.settings import Settings

#: Sellers the shared `_sellers` plan adds beside the approved ones: first party,
#: three applicants (no warehouses) and one suspended seller (offers hidden).
_NOT_PLAIN_APPROVED = 5


@dataclass(frozen=True)
class Scale:
    """How big a bulk-built marketplace is. Every product has the same number of variants
    and offers, so the totals are exact: products * variants, products * offers."""

    sellers: int
    products: int
    variants_per_product: int
    #: Between variants_per_product (one seller per product) and twice that (two sellers).
    offers_per_product: int
    #: Products per chunk: one COPY per table and one progress tick per chunk.
    chunk: int = 12_500

    def __post_init__(self) -> None:
        variants, offers = self.variants_per_product, self.offers_per_product
        if not variants <= offers <= 2 * variants:
            raise ValueError("offers_per_product must be within 1x and 2x the variants")
        if self.sellers <= _NOT_PLAIN_APPROVED:
            raise ValueError(f"a scaled demo needs more than {_NOT_PLAIN_APPROVED} sellers")


SCALES = {
    # Checkout benchmark (issue 7): 35,000 products, 70,000 variants, 105,000 offers.
    ScaleName.MEDIUM: Scale(
        sellers=100, products=35_000, variants_per_product=2, offers_per_product=3
    ),
    # Catalog at scale (issue 7): 250,000 products, 1,000,000 variants, 1,500,000 offers.
    ScaleName.LARGE: Scale(
        sellers=500, products=250_000, variants_per_product=4, offers_per_product=6
    ),
}


async def seed_scaled(
    database: Database,
    scale: Scale,
    *,
    seed: int = 42,
    currency: str | None = None,
    settings: Settings | None = None,
    progress: Progress = _nothing,
) -> DemoSummary:
    """Seed people, `scale.sellers` sellers, the category tree and the bulk catalog."""
    settings = settings or Settings(database_url=database.url)
    currency = currency or settings.currency
    rng = random.Random(seed)
    summary = DemoSummary(password_hash=hash_password(DEMO_PASSWORD))
    with _bulk_work():
        async with (
            _unsynced(database) as connection,
            database.sessionmaker(bind=connection) as session,
        ):
            operator = await _people(session, summary)
            approved = scale.sellers - _NOT_PLAIN_APPROVED
            shops = await _sellers(session, rng, summary, operator, approved, progress)
            leaves = await _categories(session, summary)
            stocked = [shop for shop in shops if shop.warehouse_ids]
            async with catalog.bulk_loading(session), inventory.bulk_loading(session):
                for start in range(0, scale.products, scale.chunk):
                    numbers = range(start, min(start + scale.chunk, scale.products))
                    await _load_chunk(
                        session, rng, scale, numbers, leaves, stocked, currency, summary
                    )
                    progress("catalog", summary.products, scale.products)
                progress("indexes", 0, 1)
            await session.commit()
            progress("indexes", 1, 1)
    return summary


@asynccontextmanager
async def _unsynced(database: Database) -> AsyncIterator[AsyncConnection]:
    """One connection for the whole seed that does not wait for the disk at each commit.

    Seeding 500 sellers through the services commits a few thousand times; with
    `synchronous_commit` off a commit returns before its WAL is flushed. A crash may lose
    the last commits of the seed (never corrupt anything): rerun it on a fresh database.
    """
    async with database.engine.connect() as connection:
        if not database.is_sqlite:
            await connection.execute(text("SET synchronous_commit TO off"))
            await connection.commit()
        yield connection


async def _load_chunk(
    session: AsyncSession,
    rng: random.Random,
    scale: Scale,
    numbers: range,
    leaves: list[tuple[int, str]],
    shops: list[_Shop],
    currency: str,
    summary: DemoSummary,
) -> None:
    """Generate these products and load them with their offers' stock (no commit: the
    whole catalog is one transaction, see `catalog.bulk_loading`)."""
    products, placements = _chunk(rng, scale, numbers, leaves, shops, currency)
    loaded = await catalog.load_catalog(session, products)
    items = [
        inventory.BulkStock(
            offer_id=offer.offer_id,
            seller_id=offer.seller_id,
            warehouse_id=rng.choice(shop.warehouse_ids),
            quantity=quantity,
            low_stock_threshold=offer.low_stock_threshold,
        )
        for offer, (shop, quantity) in zip(loaded, placements, strict=True)
    ]
    summary.stock_rows += await inventory.load_stock(
        session, items, actor="demo", reason="initial stock (demo)"
    )
    summary.products += len(products)
    summary.variants += sum(len(p.variants) for p in products)
    summary.offers += len(loaded)


def _chunk(
    rng: random.Random,
    scale: Scale,
    numbers: range,
    leaves: list[tuple[int, str]],
    shops: list[_Shop],
    currency: str,
) -> tuple[list[catalog.BulkProduct], list[tuple[_Shop, int]]]:
    """Products for these numbers, and (shop, quantity) for each offer in load order."""
    products: list[catalog.BulkProduct] = []
    placements: list[tuple[_Shop, int]] = []
    extra = scale.offers_per_product - scale.variants_per_product
    for number in numbers:
        leaf_id, leaf = rng.choice(leaves)
        first, second = rng.sample(shops, 2)
        seconded = set(rng.sample(range(scale.variants_per_product), extra))
        base = BASE_PRICE[leaf] * 100
        variants = []
        for i, options in enumerate(_options(rng, leaf, scale.variants_per_product)):
            variant_base = int(base * rng.uniform(0.9, 1.3))
            sku = f"P{number:07d}-{i + 1:02d}"
            offers = []
            for shop in (first, second) if i in seconded else (first,):
                quantity = _quantity(rng)
                placements.append((shop, quantity))
                offers.append(
                    catalog.BulkOffer(
                        seller_id=shop.seller_id,
                        price_amount=int(variant_base * rng.uniform(0.85, 1.15)) // 100 * 100 + 99,
                        currency=currency,
                        available=quantity,
                        condition="new" if rng.random() < 0.92 else "refurbished",
                        seller_sku=f"{shop.seller_id}-{sku}",
                        fulfilled_by="marketplace" if shop is shops[0] else "seller",
                    )
                )
            variants.append(
                catalog.BulkVariant(
                    sku=sku,
                    option_values=options,
                    weight_g=max(50, int(BASE_WEIGHT[leaf] * rng.uniform(0.8, 1.2))),
                    length_mm=rng.randint(100, 600),
                    width_mm=rng.randint(80, 400),
                    height_mm=rng.randint(20, 300),
                    offers=offers,
                )
            )
        products.append(_product(rng, leaf_id, leaf, number, variants))
    return products, placements


def _product(
    rng: random.Random,
    leaf_id: int,
    leaf: str,
    number: int,
    variants: list[catalog.BulkVariant],
) -> catalog.BulkProduct:
    brand = rng.choice(BRANDS)
    title = f"{brand} {rng.choice(ADJECTIVES)} {rng.choice(NOUNS[leaf])}"
    return catalog.BulkProduct(
        title=f"{title} {number % 997 + 1}",
        description=(
            f"The {title.lower()} from {brand}: made for everyday use in {leaf.lower()}. "
            f"Sold by independent sellers across the archipelago."
        ),
        brand=brand,
        category_id=leaf_id,
        images=[f"https://images.example.com/p/{number}.jpg"],
        attributes={"material": rng.choice(("cotton", "steel", "bamboo", "recycled"))},
        variants=variants,
    )


_BUNDLES = ("Single", "Twin pack", "Family pack", "Bulk pack")


def _options(rng: random.Random, leaf: str, count: int) -> list[dict[str, Any]]:
    """`count` distinct option combinations on the leaf's axes (a bundle size if too few)."""
    combos: list[dict[str, Any]] = [{}]
    for axis in CATEGORIES_BY_LEAF[leaf]:
        values = rng.sample(OPTION_VALUES[axis], k=min(len(OPTION_VALUES[axis]), 5))
        combos = [{**c, axis: v} for c in combos for v in values]
    if len(combos) < count:
        combos = [{**c, "bundle": b} for c in combos for b in _BUNDLES]
    rng.shuffle(combos)
    return combos[:count]


def _quantity(rng: random.Random) -> int:
    """Mostly well stocked; a few sold out or nearly (the same mix as the small demo)."""
    roll = rng.random()
    return 0 if roll < 0.06 else rng.randint(1, 4) if roll < 0.16 else rng.randint(5, 250)
