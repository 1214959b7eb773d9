"""notifications: the notification log; the buyer's language and SMS choice on carts and orders

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 17:45:00

Orders placed before this revision get English and no text messages.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pasar.platform.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("order_number", sa.String(length=20), nullable=True),
        sa.Column("seller_order_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_notifications_channel")),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'logged', 'failed', 'unknown')",
            name=op.f("ck_notifications_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "dedupe_key",
            "channel",
            "recipient",
            name=op.f("uq_notifications_dedupe_key_channel_recipient"),
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_notifications_order_number", ["order_number", "id"], unique=False)
        batch_op.create_index("ix_notifications_recipient", ["recipient", "id"], unique=False)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
        )
        batch_op.add_column(
            sa.Column("sms_updates", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("sms_updates", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.drop_column("sms_updates")
        batch_op.drop_column("language")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("sms_updates")
        batch_op.drop_column("language")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_recipient")
        batch_op.drop_index("ix_notifications_order_number")
        batch_op.drop_index("ix_notifications_status_due")
    op.drop_table("notifications")
