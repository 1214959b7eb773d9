"""relay: outbox delivery state, scheduled job runs, broker backlog

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 17:40:00

Events recorded before the relay existed are marked published: they were consumed in
process when they happened, and replaying months of history as emails would be wrong.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pasar.platform.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("published_at IS NULL AND dead_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column(
                "next_attempt_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("dead_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_outbox_events_dead_at"), ["dead_at"], unique=False)
    op.execute("UPDATE outbox_events SET published_at = occurred_at WHERE published_at IS NULL")
    op.create_index(
        "ix_outbox_events_pending",
        "outbox_events",
        ["id"],
        unique=False,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_table(
        "scheduled_runs",
        sa.Column("job", sa.String(length=100), nullable=False),
        sa.Column("period_start", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("started_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("job", "period_start", name=op.f("pk_scheduled_runs")),
    )
    op.create_table(
        "broker_backlog",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", pasar.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_events.id"],
            name=op.f("fk_broker_backlog_event_id_outbox_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_broker_backlog")),
    )
    op.create_index(
        op.f("ix_broker_backlog_next_attempt_at"),
        "broker_backlog",
        ["next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_broker_backlog_next_attempt_at"), table_name="broker_backlog")
    op.drop_table("broker_backlog")
    op.drop_table("scheduled_runs")
    op.drop_index("ix_outbox_events_pending", table_name="outbox_events")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_events_dead_at"))
        batch_op.drop_column("dead_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
