"""orders: order batches from trusted channels; payments: the `external` method

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pasar.platform.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = pasar.platform.db.UTCDateTime(timezone=True)
WIDE = "method IN ('card', 'bank_transfer', 'cod', 'external')"
NARROW = "method IN ('card', 'bank_transfer', 'cod')"


def upgrade() -> None:
    op.create_table(
        "order_imports",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_imports")),
        sa.UniqueConstraint(
            "channel", "external_id", name=op.f("uq_order_imports_channel_external_id")
        ),
        sa.UniqueConstraint("order_id", name=op.f("uq_order_imports_order_id")),
    )
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("ck_payments_method"), type_="check")
        batch.create_check_constraint(op.f("ck_payments_method"), WIDE)


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f("ck_payments_method"), type_="check")
        batch.create_check_constraint(op.f("ck_payments_method"), NARROW)
    op.drop_table("order_imports")
