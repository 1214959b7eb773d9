"""sellers tables

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pasar.platform.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sellers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_entity", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=64), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("address_line1", sa.String(length=200), nullable=False),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("is_first_party", sa.Boolean(), nullable=False),
        sa.Column("created_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers")),
    )
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.create_index("ix_sellers_status_id", ["status", "id"], unique=False)

    op.create_table(
        "seller_documents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "seller_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("uploaded_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers.id"],
            name=op.f("fk_seller_documents_seller_id_sellers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_documents")),
    )
    with op.batch_alter_table("seller_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seller_documents_seller_id"), ["seller_id"], unique=False
        )

    op.create_table(
        "seller_policies",
        sa.Column(
            "seller_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("handling_days", sa.Integer(), nullable=False),
        sa.Column("ship_from_timezone", sa.String(length=64), nullable=False),
        sa.Column("cut_off_time", sa.Time(), nullable=False),
        sa.Column("return_window_days", sa.Integer(), nullable=False),
        sa.Column("service_email", sa.String(length=320), nullable=False),
        sa.Column("service_phone", sa.String(length=40), nullable=True),
        sa.Column("service_hours", sa.String(length=200), nullable=True),
        sa.Column("updated_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers.id"],
            name=op.f("fk_seller_policies_seller_id_sellers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seller_id", name=op.f("pk_seller_policies")),
    )
    op.create_table(
        "seller_status_changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "seller_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers.id"],
            name=op.f("fk_seller_status_changes_seller_id_sellers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_status_changes")),
    )
    with op.batch_alter_table("seller_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seller_status_changes_seller_id"), ["seller_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("seller_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seller_status_changes_seller_id"))

    op.drop_table("seller_status_changes")
    op.drop_table("seller_policies")
    with op.batch_alter_table("seller_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seller_documents_seller_id"))

    op.drop_table("seller_documents")
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_index("ix_sellers_status_id")

    op.drop_table("sellers")
