"""webhooks tables: endpoints and their event types, deliveries, and every attempt.

    webhook_endpoints 1─* webhook_subscriptions   (endpoint_id, event_type)
                      1─* webhook_deliveries      UNIQUE(event_id, endpoint_id)
                              1─* webhook_attempts

`seller_id` NULL marks an operator's marketplace-wide endpoint. Deliveries copy the event
(type, time, the payload as this endpoint may see it), so the log and retries never need
the outbox row again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, BigId, id_column

PENDING_ONLY = text("status = 'pending'")


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = id_column()
    #: NULL: an operator's endpoint, receiving the subscribed events of every seller.
    seller_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(500))
    enabled: Mapped[bool]
    #: The signing secret, sealed (`sealing.py`); never stored or logged in clear.
    secret_sealed: Mapped[str] = mapped_column(String(200))
    #: The secret a rotation replaced: it keeps signing alongside until it expires.
    previous_secret_sealed: Mapped[str | None] = mapped_column(String(200))
    previous_secret_expires_at: Mapped[datetime | None]
    #: The first failure since the last success; cleared by a success.
    failing_since: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    endpoint_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        # The sender's claim reads only due pending rows: small however long the log grows.
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            "id",
            postgresql_where=PENDING_ONLY,
            sqlite_where=PENDING_ONLY,
        ),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = id_column()
    #: The outbox event's id (no foreign key: the outbox may be pruned; the copy stays).
    event_id: Mapped[int] = mapped_column(BigInteger)
    endpoint_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    #: When it is next due; while a worker posts it, the end of that worker's lease.
    next_attempt_at: Mapped[datetime]
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = id_column()
    delivery_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    #: The first kilobyte of the receiver's answer.
    response_body: Mapped[str | None] = mapped_column(Text)
