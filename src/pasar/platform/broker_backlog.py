"""Keeps a broker outage from holding back Pasar's own consumers.

The fan-out runs in the relay beside notifications and webhooks; if it raised while NATS
is down, every batch would roll back and buyers would get no email until the broker came
back (and after ten failures every event would be dead-lettered). `BrokerConsumer` instead
parks the events JetStream did not acknowledge in `broker_backlog`, in the relay's
transaction, so the batch is delivered to everyone else; `republish` (a drain) sends the
parked events with backoff until the broker takes them. External subscribers get every
event at least once, late and possibly out of order after an outage: they key on `id`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import ForeignKey, Text, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.backoff import backoff_delay
from pasar.platform.broker import BrokerError, NatsFanout
from pasar.platform.db import Base, BigId, Database
from pasar.platform.jobs import StoredEvent
from pasar.platform.outbox import OutboxEvent
from pasar.platform.time import utcnow

log = structlog.get_logger("pasar.broker")

BATCH = 200
#: Parked events are retried from 5 s, doubling to every 5 minutes, for as long as it takes.
BASE_DELAY_SECONDS, MAX_DELAY_SECONDS = 5.0, 300.0


class BrokerBacklog(Base):
    __tablename__ = "broker_backlog"

    event_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("outbox_events.id", ondelete="CASCADE"), primary_key=True
    )
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)


def _retry_at(attempts: int, now: datetime) -> datetime:
    return now + backoff_delay(
        attempts, base_seconds=BASE_DELAY_SECONDS, max_seconds=MAX_DELAY_SECONDS
    )


class BrokerConsumer:
    """The relay's consumer for the broker: publish, or park what was not acknowledged."""

    def __init__(self, fanout: NatsFanout) -> None:
        self.fanout = fanout

    async def __call__(self, session: AsyncSession, events: Sequence[StoredEvent]) -> None:
        try:
            await self.fanout(session, events)
        except BrokerError as exc:
            now = utcnow()
            rows: list[dict[str, Any]] = [
                {
                    "event_id": e.id,
                    "attempts": 1,
                    "next_attempt_at": _retry_at(1, now),
                    "last_error": str(exc)[:2000],
                }
                for e in events
            ]
            dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
            await session.execute(
                dialect.insert(BrokerBacklog).values(rows).on_conflict_do_nothing()
            )
            log.warning("broker unavailable; events parked", events=len(events), error=str(exc))

    async def close(self) -> None:
        await self.fanout.close()


async def republish(database: Database, fanout: NatsFanout, *, now: datetime | None = None) -> int:
    """Send one batch of due parked events to the broker; returns how many were tried."""
    now = now or utcnow()
    async with database.sessionmaker() as session, session.begin():
        rows = (
            await session.execute(
                select(BrokerBacklog, OutboxEvent)
                .join(OutboxEvent, OutboxEvent.id == BrokerBacklog.event_id)
                .where(BrokerBacklog.next_attempt_at <= now)
                .order_by(BrokerBacklog.event_id)
                .limit(BATCH)
                .with_for_update(skip_locked=True, of=BrokerBacklog)
            )
        ).all()
        if not rows:
            return 0
        events = [StoredEvent(e.id, e.name, e.version, e.payload, e.occurred_at) for _, e in rows]
        try:
            await fanout(session, events)
        except BrokerError as exc:
            # the batch is retried as one: the broker is down for all of it
            tries = max(parked.attempts for parked, _ in rows) + 1
            await session.execute(
                update(BrokerBacklog)
                .where(BrokerBacklog.event_id.in_([e.id for e in events]))
                .values(
                    attempts=BrokerBacklog.attempts + 1,
                    next_attempt_at=_retry_at(tries, max(now, utcnow())),
                    last_error=str(exc)[:2000],
                )
            )
            return 0  # nothing went through: the worker waits before asking again
        await session.execute(
            delete(BrokerBacklog).where(BrokerBacklog.event_id.in_([e.id for e in events]))
        )
        return len(events)


async def backlog_size(session: AsyncSession) -> int:
    """Events waiting for the broker (for the operator's queue health)."""
    found = await session.scalar(select(func.count()).select_from(BrokerBacklog))
    return int(found or 0)
