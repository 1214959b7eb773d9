"""orders: index on placed_at (the operator console's daily numbers)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 18:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_orders_placed_at"), "orders", ["placed_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_orders_placed_at"), table_name="orders")
