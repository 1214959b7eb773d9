"""notifications' table: the notification log, which is also the send queue.

One row per message to one recipient on one channel. The unique key (dedupe_key,
channel, recipient) is what makes a message go at most once per event and recipient: a
redelivered event inserts nothing (ON CONFLICT DO NOTHING). `context` holds the facts the
message is rendered from; subject and bodies are filled in when the message is rendered,
just before its first send, and never change after, so the log shows exactly what went.
Orders are another module's rows, referenced by id (and number, for the operator's search).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, id_column

STATUSES = "'pending', 'sending', 'sent', 'logged', 'failed', 'unknown'"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("dedupe_key", "channel", "recipient"),
        CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        CheckConstraint(f"status IN ({STATUSES})", name="status"),
        # The sender's queue: due pending rows, and sending rows whose lease ran out.
        Index("ix_notifications_status_due", "status", "due_at"),
        Index("ix_notifications_order_number", "order_number", "id"),
        Index("ix_notifications_recipient", "recipient", "id"),
    )

    id: Mapped[int] = id_column()
    #: The outbox event that caused it; NULL for scheduled reminders.
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(320))
    template: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(8))
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    #: pending: when to (re)try; sending: when the lease runs out; otherwise NULL.
    due_at: Mapped[datetime | None]
    provider: Mapped[str | None] = mapped_column(String(40))
    #: Email: the Message-ID header we generated; SMS: the provider's id.
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    order_number: Mapped[str | None] = mapped_column(String(20))
    seller_order_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
