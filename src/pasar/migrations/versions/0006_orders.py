"""orders tables

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pasar.platform.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = pasar.platform.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("buyer_user_id", sa.BigInteger(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("items_amount", sa.BigInteger(), nullable=False),
        sa.Column("shipping_amount", sa.BigInteger(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("payment_method", sa.String(length=20), nullable=False),
        sa.Column("payment_due_at", UTC, nullable=True),
        sa.Column("placed_at", UTC, nullable=False),
        sa.CheckConstraint(
            "total_amount = items_amount + shipping_amount", name=op.f("ck_orders_total")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
    )
    op.create_index("ix_orders_buyer", "orders", ["buyer_user_id", "id"], unique=False)
    op.create_index(op.f("ix_orders_email"), "orders", ["email"], unique=False)
    op.create_index("ix_orders_payment_due", "orders", ["payment_due_at"], unique=False)
    op.create_table(
        "seller_orders",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("order_id", BIG_ID, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("seller_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("items_amount", sa.BigInteger(), nullable=False),
        sa.Column("shipping_amount", sa.BigInteger(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("commission_amount", sa.BigInteger(), nullable=False),
        sa.Column("delivery_service", sa.String(length=40), nullable=False),
        sa.Column("delivery_name", sa.String(length=100), nullable=False),
        sa.Column("ship_by", sa.Date(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("reservations", sa.JSON(), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=True),
        sa.Column("delivery_proof", sa.JSON(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("cancelled_by", sa.String(length=20), nullable=True),
        sa.Column("placed_at", UTC, nullable=False),
        sa.Column("verified_at", UTC, nullable=True),
        sa.Column("processing_at", UTC, nullable=True),
        sa.Column("shipped_at", UTC, nullable=True),
        sa.Column("delivered_at", UTC, nullable=True),
        sa.Column("completed_at", UTC, nullable=True),
        sa.Column("cancelled_at", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "total_amount = items_amount + shipping_amount",
            name=op.f("ck_seller_orders_seller_order_total"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_seller_orders_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_seller_orders_number")),
    )
    op.create_index(
        "ix_seller_orders_seller_placed", "seller_orders", ["seller_id", "placed_at"], unique=False
    )
    op.create_index(
        "ix_seller_orders_seller_status",
        "seller_orders",
        ["seller_id", "status", "placed_at"],
        unique=False,
    )
    op.create_index(
        "ix_seller_orders_status_delivered",
        "seller_orders",
        ["status", "delivered_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_seller_orders_tracking_number"), "seller_orders", ["tracking_number"], unique=False
    )
    op.create_table(
        "order_history",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("seller_order_id", BIG_ID, nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=20), nullable=False),
        sa.Column("actor_ref", sa.String(length=60), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_order_id"],
            ["seller_orders.id"],
            name=op.f("fk_order_history_seller_order_id_seller_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_history")),
    )
    op.create_index(
        op.f("ix_order_history_seller_order_id"), "order_history", ["seller_order_id"], unique=False
    )
    op.create_table(
        "order_lines",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("seller_order_id", BIG_ID, nullable=False),
        sa.Column("offer_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("variant_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("fulfilled_by", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_amount", sa.BigInteger(), nullable=False),
        sa.Column("line_amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["seller_order_id"],
            ["seller_orders.id"],
            name=op.f("fk_order_lines_seller_order_id_seller_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    op.create_index(
        op.f("ix_order_lines_seller_order_id"), "order_lines", ["seller_order_id"], unique=False
    )


def downgrade() -> None:
    for table in ("order_lines", "order_history", "seller_orders", "orders"):
        op.drop_table(table)
