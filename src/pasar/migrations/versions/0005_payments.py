"""payments tables

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pasar.platform.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = pasar.platform.db.UTCDateTime(timezone=True)


def _money_checks(table: str) -> list[sa.CheckConstraint]:
    return [
        sa.CheckConstraint("amount >= 0", name=op.f(f"ck_{table}_amount_non_negative")),
        sa.CheckConstraint(
            "captured >= 0 AND refunded >= 0 AND voided >= 0",
            name=op.f(f"ck_{table}_moves_non_negative"),
        ),
        sa.CheckConstraint("captured + voided <= amount", name=op.f(f"ck_{table}_within_amount")),
        sa.CheckConstraint(
            "refunded <= captured", name=op.f(f"ck_{table}_refunds_within_captures")
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("order_number", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("captured", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("voided", sa.BigInteger(), nullable=False),
        sa.Column("due_at", UTC, nullable=True),
        sa.Column("validated_at", UTC, nullable=True),
        sa.Column("card_brand", sa.String(length=20), nullable=True),
        sa.Column("card_last4", sa.String(length=4), nullable=True),
        sa.Column("virtual_account", sa.String(length=32), nullable=True),
        sa.Column("challenge_hash", sa.String(length=64), nullable=True),
        sa.Column("next_action", sa.JSON(), nullable=True),
        sa.Column("instructions", sa.JSON(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "method IN ('card', 'bank_transfer', 'cod')", name=op.f("ck_payments_method")
        ),
        sa.CheckConstraint(
            "status IN ('requires_action', 'pending', 'authorised', 'received', 'accepted', "
            "'failed', 'expired', 'cancelled')",
            name=op.f("ck_payments_status"),
        ),
        *_money_checks("payments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("order_id", name=op.f("uq_payments_order_id")),
        sa.UniqueConstraint("provider_ref", name=op.f("uq_payments_provider_ref")),
        sa.UniqueConstraint("virtual_account", name=op.f("uq_payments_virtual_account")),
        sa.UniqueConstraint("challenge_hash", name=op.f("uq_payments_challenge_hash")),
    )

    op.create_table(
        "payment_allocations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("payment_id", BIG_ID, nullable=False),
        sa.Column("seller_order_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("captured", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("voided", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'authorised', 'accepted', 'paid', 'captured', 'cancelled')",
            name=op.f("ck_payment_allocations_status"),
        ),
        sa.CheckConstraint(
            "commission >= 0 AND commission <= amount",
            name=op.f("ck_payment_allocations_commission_in_range"),
        ),
        sa.CheckConstraint("net = amount - commission", name=op.f("ck_payment_allocations_net")),
        *_money_checks("payment_allocations"),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_allocations_payment_id_payments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_allocations")),
        sa.UniqueConstraint("seller_order_id", name=op.f("uq_payment_allocations_seller_order_id")),
    )
    op.create_index(
        op.f("ix_payment_allocations_payment_id"), "payment_allocations", ["payment_id"]
    )
    op.create_index(op.f("ix_payment_allocations_seller_id"), "payment_allocations", ["seller_id"])

    op.create_table(
        "payment_ledger",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("payment_id", BIG_ID, nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_order_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint(
            "kind IN ('authorised', 'accepted', 'received', 'captured', 'collected', 'voided', "
            "'refunded', 'unapplied', 'returned', 'rejected', 'failed', 'expired')",
            name=op.f("ck_payment_ledger_kind"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_payment_ledger_amount_non_negative")),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_ledger_payment_id_payments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_ledger")),
    )
    op.create_index(op.f("ix_payment_ledger_payment_id"), "payment_ledger", ["payment_id"])
    op.create_index("ix_payment_ledger_order_id_id", "payment_ledger", ["order_id", "id"])

    op.create_table(
        "payment_webhook_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_webhook_events")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_payment_webhook_events_provider_event_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("payment_webhook_events")
    op.drop_index("ix_payment_ledger_order_id_id", table_name="payment_ledger")
    op.drop_index(op.f("ix_payment_ledger_payment_id"), table_name="payment_ledger")
    op.drop_table("payment_ledger")
    op.drop_index(op.f("ix_payment_allocations_seller_id"), table_name="payment_allocations")
    op.drop_index(op.f("ix_payment_allocations_payment_id"), table_name="payment_allocations")
    op.drop_table("payment_allocations")
    op.drop_table("payments")
