"""fulfillment

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 14:41:16.286814
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pasar.platform.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("seller_order_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_order_number", sa.String(length=24), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("service_name", sa.String(length=100), nullable=False),
        sa.Column("tracking_number", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("label_cost", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("ship_by", sa.Date(), nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("pickup_deadline", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("promise_deadline", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=False),
        sa.Column("proof", sa.JSON(), nullable=True),
        sa.Column("delay_reason", sa.String(length=40), nullable=True),
        sa.Column("delay_detail", sa.String(length=300), nullable=True),
        sa.Column("delayed_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handed_over_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("superseded_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_event_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_shipments_tracking_number")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index("ix_shipments_open", ["status", "last_event_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_shipments_seller_created", ["seller_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipments_seller_order_id"), ["seller_order_id"], unique=False
        )

    op.create_table(
        "threepl_connections",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("endpoint_url", sa.String(length=500), nullable=True),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("fulfil_after_minutes", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threepl_connections")),
        sa.UniqueConstraint("warehouse_id", name=op.f("uq_threepl_connections_warehouse_id")),
    )
    with op.batch_alter_table("threepl_connections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_threepl_connections_seller_id"), ["seller_id"], unique=False
        )

    op.create_table(
        "packages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=True),
        sa.Column("width_mm", sa.Integer(), nullable=True),
        sa.Column("height_mm", sa.Integer(), nullable=True),
        sa.CheckConstraint("weight_grams > 0", name=op.f("ck_packages_weight_positive")),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_packages_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("shipment_id", "seq", name=op.f("uq_packages_shipment_id_seq")),
    )
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_packages_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "shipment_lines",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seller_order_id", sa.BigInteger(), nullable=False),
        sa.Column("order_line_id", sa.BigInteger(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipment_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_lines_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
        sa.UniqueConstraint(
            "shipment_id", "order_line_id", name=op.f("uq_shipment_lines_shipment_id_order_line_id")
        ),
    )
    with op.batch_alter_table("shipment_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_lines_seller_order_id"), ["seller_order_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipment_lines_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "threepl_requests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "connection_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("seller_order_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_order_number", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["threepl_connections.id"],
            name=op.f("fk_threepl_requests_connection_id_threepl_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threepl_requests")),
        sa.UniqueConstraint(
            "connection_id",
            "seller_order_id",
            name=op.f("uq_threepl_requests_connection_id_seller_order_id"),
        ),
    )
    with op.batch_alter_table("threepl_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_threepl_requests_due", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "tracking_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("event_key", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("occurred_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_tracking_events_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_events")),
        sa.UniqueConstraint(
            "shipment_id", "event_key", name=op.f("uq_tracking_events_shipment_id_event_key")
        ),
    )
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracking_events_shipment_id"), ["shipment_id"], unique=False
        )


def downgrade() -> None:
    for table in (
        "tracking_events",
        "threepl_requests",
        "shipment_lines",
        "packages",
        "threepl_connections",
        "shipments",
    ):
        op.drop_table(table)
