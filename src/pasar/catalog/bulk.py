"""Load a big catalog fast: products, variants and offers by COPY, summaries computed once.

`add_products` and `import_offers` check every row and emit an event per product and
offer: right for a seller's import, far too slow for a million variants. `load_catalog`
trusts its caller (the demo generator and migrations from another shop, which produce
consistent rows) and writes each table with one COPY per call. Each product's summary
(best offer, price, offer count, stock flag) is ranked here with `domain.best_offer`
before the row is written, so nothing is refreshed afterwards; the PostgreSQL search
vector is a generated column and SQLite's FTS table is filled by its trigger, so search
sees every product loaded. No events are emitted: nothing is listening for a demo load.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.catalog.domain import (
    DEFAULT_LOW_STOCK_THRESHOLD,
    OfferFacts,
    OfferStatus,
    ProductStatus,
    best_offer,
    slugify,
)
from pasar.catalog.models import CatalogSeller, Offer, Product, Variant
from pasar.platform.bulk import indexes_deferred, is_postgres, load_rows, reserve_ids
from pasar.platform.time import utcnow


@dataclass(frozen=True, slots=True)
class BulkOffer:
    """One seller's offer of a variant; `available` is the stock inventory will hold."""

    seller_id: int
    price_amount: int
    currency: str
    available: int
    condition: str = "new"
    seller_sku: str | None = None
    fulfilled_by: str = "seller"


@dataclass(frozen=True, slots=True)
class BulkVariant:
    sku: str
    option_values: dict[str, Any]
    weight_g: int | None = None
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    offers: Sequence[BulkOffer] = ()


@dataclass(frozen=True, slots=True)
class BulkProduct:
    title: str
    description: str
    brand: str | None
    category_id: int | None
    images: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    variants: Sequence[BulkVariant] = ()


@dataclass(frozen=True, slots=True)
class LoadedOffer:
    offer_id: int
    seller_id: int
    product_id: int
    low_stock_threshold: int


PRODUCT_COLUMNS = (
    "id",
    "owner_seller_id",
    "title",
    "slug",
    "description",
    "brand",
    "category_id",
    "images",
    "attributes",
    "status",
    "best_offer_id",
    "best_price",
    "offer_count",
    "in_stock",
    "created_at",
    "updated_at",
)
VARIANT_COLUMNS = (
    "id",
    "product_id",
    "sku",
    "gtin",
    "option_values",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "created_at",
)
OFFER_COLUMNS = (
    "id",
    "seller_id",
    "variant_id",
    "product_id",
    "price_amount",
    "currency",
    "condition",
    "seller_sku",
    "fulfilled_by",
    "status",
    "low_stock_threshold",
    "available",
    "created_at",
    "updated_at",
)


async def load_catalog(session: AsyncSession, products: Sequence[BulkProduct]) -> list[LoadedOffer]:
    """Write marketplace-owned products with their variants and offers (no commit).

    Returns the new offers, in the order given, for the caller to stock them. The caller
    promises unique SKUs, existing categories and sellers already known to the catalog
    (`seller.status_changed` has been handled); an offer of an unknown seller is hidden.
    """
    if not products:
        return []
    variants = [v for p in products for v in p.variants]
    product_ids = await reserve_ids(session, _table(Product), len(products))
    variant_ids = await reserve_ids(session, _table(Variant), len(variants))
    offer_ids = await reserve_ids(session, _table(Offer), sum(len(v.offers) for v in variants))
    sellable = set(
        (
            await session.scalars(select(CatalogSeller.id).where(CatalogSeller.sellable.is_(True)))
        ).all()
    )
    now = utcnow()
    active, listed = OfferStatus.ACTIVE.value, ProductStatus.ACTIVE.value
    product_rows: list[tuple[Any, ...]] = []
    variant_rows: list[tuple[Any, ...]] = []
    offer_rows: list[tuple[Any, ...]] = []
    loaded: list[LoadedOffer] = []
    next_variant, next_offer = iter(variant_ids), iter(offer_ids)
    for product_id, product in zip(product_ids, products, strict=True):
        facts: list[OfferFacts] = []
        for variant in product.variants:
            variant_id = next(next_variant)
            variant_rows.append(
                (
                    variant_id,
                    product_id,
                    variant.sku,
                    None,
                    variant.option_values,
                    variant.weight_g,
                    variant.length_mm,
                    variant.width_mm,
                    variant.height_mm,
                    now,
                )
            )
            for offer in variant.offers:
                offer_id = next(next_offer)
                offer_rows.append(
                    (
                        offer_id,
                        offer.seller_id,
                        variant_id,
                        product_id,
                        offer.price_amount,
                        offer.currency,
                        offer.condition,
                        offer.seller_sku,
                        offer.fulfilled_by,
                        active,
                        DEFAULT_LOW_STOCK_THRESHOLD,
                        offer.available,
                        now,
                        now,
                    )
                )
                facts.append(
                    OfferFacts(
                        id=offer_id,
                        price_amount=offer.price_amount,
                        active=True,
                        seller_sellable=offer.seller_id in sellable,
                        available=offer.available,
                    )
                )
                loaded.append(
                    LoadedOffer(offer_id, offer.seller_id, product_id, DEFAULT_LOW_STOCK_THRESHOLD)
                )
        best = best_offer(facts)
        visible = [f for f in facts if f.seller_sellable]
        product_rows.append(
            (
                product_id,
                None,
                product.title,
                slugify(product.title),
                product.description,
                product.brand,
                product.category_id,
                product.images,
                product.attributes,
                listed,
                best.id if best else None,
                best.price_amount if best else None,
                len(visible),
                any(f.available > 0 for f in visible),
                now,
                now,
            )
        )
    await load_rows(session, _table(Product), PRODUCT_COLUMNS, product_rows)
    await load_rows(session, _table(Variant), VARIANT_COLUMNS, variant_rows)
    await load_rows(session, _table(Offer), OFFER_COLUMNS, offer_rows)
    return loaded


@asynccontextmanager
async def bulk_loading(session: AsyncSession) -> AsyncIterator[None]:
    """Wrap many `load_catalog` calls in ONE transaction: indexes and keys are rebuilt once
    at the end (PostgreSQL) and the planner's statistics refreshed (listings pick their
    index by them). The caller commits after leaving."""
    async with indexes_deferred(session, ("products", "variants", "offers")):
        yield
    statement = "ANALYZE products, variants, offers" if is_postgres(session) else "ANALYZE"
    await session.execute(text(statement))


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)
