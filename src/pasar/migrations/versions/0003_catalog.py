"""catalog tables

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Besides the tables, full-text search differs by backend: on SQLite an FTS5 table
`products_fts` (a regular content table, rowid = product id) kept in sync by triggers;
on PostgreSQL a generated `products.search_vector` tsvector column with a GIN index.
Neither is in the ORM metadata; `catalog/search.py` reaches them by name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pasar.platform.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = pasar.platform.db.UTCDateTime(timezone=True)

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE products_fts USING fts5("
    "title, brand, description, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN "
    "INSERT INTO products_fts(rowid, title, brand, description) "
    "VALUES (new.id, new.title, coalesce(new.brand, ''), new.description); END",
    "CREATE TRIGGER products_fts_update AFTER UPDATE OF title, brand, description ON products "
    "BEGIN DELETE FROM products_fts WHERE rowid = old.id; "
    "INSERT INTO products_fts(rowid, title, brand, description) "
    "VALUES (new.id, new.title, coalesce(new.brand, ''), new.description); END",
    "CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN "
    "DELETE FROM products_fts WHERE rowid = old.id; END",
]
POSTGRES_FTS = [
    "ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(brand, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')) STORED",
    "CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)",
]


def upgrade() -> None:
    op.create_table(
        "catalog_sellers",
        sa.Column("id", BigId, autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sellable", sa.Boolean(), nullable=False),
        sa.Column("is_first_party", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_sellers")),
    )
    op.create_table(
        "categories",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("parent_id", BigId, nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=140), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["categories.id"],
            name=op.f("fk_categories_parent_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("path", name=op.f("uq_categories_path")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_index(op.f("ix_categories_parent_id"), "categories", ["parent_id"])
    op.create_table(
        "products",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("owner_seller_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("brand", sa.String(length=120), nullable=True),
        sa.Column("category_id", BigId, nullable=True),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("best_offer_id", sa.BigInteger(), nullable=True),
        sa.Column("best_price", sa.BigInteger(), nullable=True),
        sa.Column("offer_count", sa.Integer(), nullable=False),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_products_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
    )
    op.create_index("ix_products_category_id_id", "products", ["category_id", "id"])
    op.create_index("ix_products_category_price", "products", ["category_id", "best_price", "id"])
    op.create_index(op.f("ix_products_owner_seller_id"), "products", ["owner_seller_id"])
    op.create_index("ix_products_price", "products", ["best_price", "id"])
    op.create_table(
        "variants",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("product_id", BigId, nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("option_values", sa.JSON(), nullable=False),
        sa.Column("weight_g", sa.Integer(), nullable=True),
        sa.Column("length_mm", sa.Integer(), nullable=True),
        sa.Column("width_mm", sa.Integer(), nullable=True),
        sa.Column("height_mm", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_variants_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variants")),
        sa.UniqueConstraint("gtin", name=op.f("uq_variants_gtin")),
        sa.UniqueConstraint("sku", name=op.f("uq_variants_sku")),
    )
    op.create_index(op.f("ix_variants_product_id"), "variants", ["product_id"])
    op.create_table(
        "offers",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("seller_id", sa.BigInteger(), nullable=False),
        sa.Column("variant_id", BigId, nullable=False),
        sa.Column("product_id", BigId, nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("condition", sa.String(length=20), nullable=False),
        sa.Column("seller_sku", sa.String(length=64), nullable=True),
        sa.Column("fulfilled_by", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_offers_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["variants.id"],
            name=op.f("fk_offers_variant_id_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint(
            "seller_id",
            "variant_id",
            "condition",
            name=op.f("uq_offers_seller_id_variant_id_condition"),
        ),
    )
    op.create_index("ix_offers_product_price", "offers", ["product_id", "price_amount", "id"])
    op.create_index("ix_offers_seller_product", "offers", ["seller_id", "product_id"])
    op.create_index("ix_offers_variant_id", "offers", ["variant_id"])
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("products_fts_insert", "products_fts_update", "products_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS products_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_products_search_vector")
    op.drop_table("offers")
    op.drop_table("variants")
    op.drop_table("products")
    op.drop_table("categories")
    op.drop_table("catalog_sellers")
