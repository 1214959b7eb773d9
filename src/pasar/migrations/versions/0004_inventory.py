"""inventory tables

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pasar.platform.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = pasar.platform.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "warehouses",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("seller_id", sa.BigInteger(), nullable=True),
        sa.Column("owner_key", sa.BigInteger(), nullable=False),
        sa.Column("owner_kind", sa.String(length=20), nullable=False),
        sa.Column("operator_name", sa.String(length=200), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address_line1", sa.String(length=200), nullable=False),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("cut_off_time", sa.String(length=5), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "owner_kind IN ('seller', 'marketplace', '3pl')",
            name=op.f("ck_warehouses_owner_kind"),
        ),
        sa.CheckConstraint(
            "owner_kind <> 'marketplace' OR seller_id IS NULL",
            name=op.f("ck_warehouses_marketplace"),
        ),
        sa.CheckConstraint(
            "owner_kind <> 'seller' OR seller_id IS NOT NULL", name=op.f("ck_warehouses_seller")
        ),
        sa.CheckConstraint(
            "owner_key = coalesce(seller_id, 0)", name=op.f("ck_warehouses_owner_key")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint("owner_key", "code", name=op.f("uq_warehouses_owner_key_code")),
    )
    op.create_index(op.f("ix_warehouses_seller_id"), "warehouses", ["seller_id"])

    op.create_table(
        "stock_levels",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("offer_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", BIG_ID, nullable=False),
        sa.Column("seller_id", sa.BigInteger(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_levels_on_hand_non_negative")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_levels_reserved_non_negative")),
        sa.CheckConstraint(
            "reserved <= on_hand", name=op.f("ck_stock_levels_reserved_within_on_hand")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_stock_levels_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint(
            "offer_id", "warehouse_id", name=op.f("uq_stock_levels_offer_id_warehouse_id")
        ),
    )
    op.create_index(op.f("ix_stock_levels_warehouse_id"), "stock_levels", ["warehouse_id"])
    op.create_index("ix_stock_levels_seller_offer", "stock_levels", ["seller_id", "offer_id"])

    op.create_table(
        "stock_movements",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("stock_id", BIG_ID, nullable=False),
        sa.Column("seller_id", sa.BigInteger(), nullable=False),
        sa.Column("offer_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on_hand_delta", sa.Integer(), nullable=False),
        sa.Column("reserved_delta", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint(
            "kind IN ('receipt', 'adjustment', 'reservation', 'release', 'sale', 'return')",
            name=op.f("ck_stock_movements_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["stock_id"],
            ["stock_levels.id"],
            name=op.f("fk_stock_movements_stock_id_stock_levels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index(op.f("ix_stock_movements_stock_id"), "stock_movements", ["stock_id"])
    op.create_index(op.f("ix_stock_movements_reference"), "stock_movements", ["reference"])
    op.create_index("ix_stock_movements_seller_id_id", "stock_movements", ["seller_id", "id"])

    op.create_table(
        "stock_thresholds",
        sa.Column("offer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seller_id", sa.BigInteger(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_stock_thresholds")),
    )
    op.create_index(op.f("ix_stock_thresholds_seller_id"), "stock_thresholds", ["seller_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_stock_thresholds_seller_id"), table_name="stock_thresholds")
    op.drop_table("stock_thresholds")
    op.drop_index("ix_stock_movements_seller_id_id", table_name="stock_movements")
    op.drop_index(op.f("ix_stock_movements_reference"), table_name="stock_movements")
    op.drop_index(op.f("ix_stock_movements_stock_id"), table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_index("ix_stock_levels_seller_offer", table_name="stock_levels")
    op.drop_index(op.f("ix_stock_levels_warehouse_id"), table_name="stock_levels")
    op.drop_table("stock_levels")
    op.drop_index(op.f("ix_warehouses_seller_id"), table_name="warehouses")
    op.drop_table("warehouses")
