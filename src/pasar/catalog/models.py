"""catalog's tables. Seller and stock facts arrive by event and live in projections here.

Products carry a denormalised summary of their offers (best offer, its price, how many
visible offers, any in stock) so listings and the product page read one row per product,
and every listing is an index range scan in the order it is shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, BigId, id_column


class CatalogSeller(Base):
    """What the catalog knows of a seller, kept current by `seller.status_changed`."""

    __tablename__ = "catalog_sellers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    sellable: Mapped[bool] = mapped_column(Boolean)
    is_first_party: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]


class Category(Base):
    """A node of the category tree; `path` ('/1/5/12/') makes a subtree one index range."""

    __tablename__ = "categories"

    id: Mapped[int] = id_column()
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    path: Mapped[str] = mapped_column(String(255), unique=True)
    depth: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_price", "best_price", "id"),
        Index("ix_products_category_price", "category_id", "best_price", "id"),
        Index("ix_products_category_id_id", "category_id", "id"),
    )

    id: Mapped[int] = id_column()
    owner_seller_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str | None] = mapped_column(String(120))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    images: Mapped[list[Any]]
    attributes: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    # Summary of the visible offers, refreshed set-wise by projection.refresh_products.
    best_offer_id: Mapped[int | None] = mapped_column(BigInteger)
    best_price: Mapped[int | None] = mapped_column(BigInteger)
    offer_count: Mapped[int] = mapped_column(Integer, default=0)
    in_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Variant(Base):
    __tablename__ = "variants"

    id: Mapped[int] = id_column()
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    option_values: Mapped[dict[str, Any]]
    weight_g: Mapped[int | None] = mapped_column(Integer)
    length_mm: Mapped[int | None] = mapped_column(Integer)
    width_mm: Mapped[int | None] = mapped_column(Integer)
    height_mm: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]


class Offer(Base):
    """Seller, variant and condition, at a price; `available` comes from inventory events."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("seller_id", "variant_id", "condition"),
        Index("ix_offers_product_price", "product_id", "price_amount", "id"),
        Index("ix_offers_seller_product", "seller_id", "product_id"),
        Index("ix_offers_variant_id", "variant_id"),
    )

    id: Mapped[int] = id_column()
    seller_id: Mapped[int] = mapped_column(BigInteger)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    condition: Mapped[str] = mapped_column(String(20))
    seller_sku: Mapped[str | None] = mapped_column(String(64))
    fulfilled_by: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    low_stock_threshold: Mapped[int] = mapped_column(Integer)
    available: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
