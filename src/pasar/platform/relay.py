"""The outbox relay: hands committed events to the consumers, at least once, in id order.

A worker claims a batch of pending events (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so any
number of workers share the work without waiting on each other; SQLite's single writer
serialises them) and runs every consumer over the batch *in the same transaction* that
marks the batch published. A worker killed mid-batch therefore leaves the batch pending
and the consumers' writes undone: nothing is lost and nothing is half-done. Side effects
outside the database (a NATS publish) may repeat; they carry the event id for de-duplication.

If a batch fails, its events are retried one by one (each in a savepoint) so one poison
event cannot hold back the others; a failing event is retried with backoff and
dead-lettered after `relay_max_attempts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.platform.backoff import backoff_delay
from pasar.platform.db import Database
from pasar.platform.jobs import Consumer, StoredEvent
from pasar.platform.outbox import OutboxEvent
from pasar.platform.time import utcnow

log = structlog.get_logger("pasar.relay")

#: First retry after ~5 s, doubling to at most an hour.
BASE_DELAY_SECONDS, MAX_DELAY_SECONDS = 5.0, 3600.0


@dataclass(frozen=True, slots=True)
class RelayPolicy:
    batch_size: int = 200
    max_attempts: int = 10


async def relay_once(
    database: Database,
    consumers: Sequence[Consumer],
    *,
    policy: RelayPolicy = RelayPolicy(),
    now: datetime | None = None,
) -> int:
    """Claim one batch of due events and deliver it; returns how many events were claimed."""
    now = now or utcnow()
    async with database.sessionmaker() as session, session.begin():
        events = await _claim(session, policy.batch_size, now)
        if not events:
            return 0
        try:
            async with session.begin_nested():
                for consume in consumers:
                    await consume(session, events)
        except Exception:
            log.exception("batch failed; retrying its events one by one", size=len(events))
            done, failed = await _one_by_one(session, consumers, events)
        else:
            done, failed = [e.id for e in events], {}
        if done:
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_(done))
                .values(published_at=now, next_attempt_at=None, last_error=None)
            )
        if failed:
            # the backoff counts from the failure, not from the claim: retrying a batch event
            # by event can take longer than the first step
            await _fail(session, failed, max(now, utcnow()), policy)
    return len(events)


async def drain(
    database: Database,
    consumers: Sequence[Consumer],
    *,
    policy: RelayPolicy = RelayPolicy(),
    now: datetime | None = None,
) -> int:
    """Relay until nothing is due (tests and one-shot commands); returns events handled."""
    total = 0
    while handled := await relay_once(database, consumers, policy=policy, now=now):
        total += handled
    return total


async def _claim(session: AsyncSession, limit: int, now: datetime) -> list[StoredEvent]:
    rows = (
        await session.execute(
            select(
                OutboxEvent.id,
                OutboxEvent.name,
                OutboxEvent.version,
                OutboxEvent.payload,
                OutboxEvent.occurred_at,
            )
            .where(
                OutboxEvent.published_at.is_(None),
                OutboxEvent.dead_at.is_(None),
                func.coalesce(OutboxEvent.next_attempt_at, OutboxEvent.occurred_at) <= now,
            )
            .order_by(OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    return [StoredEvent(*row) for row in rows]


async def _one_by_one(
    session: AsyncSession, consumers: Sequence[Consumer], events: Sequence[StoredEvent]
) -> tuple[list[int], dict[int, str]]:
    done: list[int] = []
    failed: dict[int, str] = {}
    for event in events:
        try:
            async with session.begin_nested():
                for consume in consumers:
                    await consume(session, [event])
        except Exception as exc:  # any consumer's failure: retried later, then dead-lettered
            error = f"{type(exc).__name__}: {exc}"[:2000]
            # one line per event; the batch's traceback was logged once already
            log.warning("event failed", event_id=event.id, event_name=event.name, error=error)
            failed[event.id] = error
        else:
            done.append(event.id)
    return done, failed


async def _fail(
    session: AsyncSession, failed: dict[int, str], now: datetime, policy: RelayPolicy
) -> None:
    """Count a failed attempt for each event: due again after a backoff, or dead."""
    attempts = dict(
        (
            await session.execute(
                select(OutboxEvent.id, OutboxEvent.attempts).where(OutboxEvent.id.in_(failed))
            )
        ).all()
    )
    changes: list[dict[str, Any]] = []
    for event_id, error in failed.items():
        tries = attempts[event_id] + 1
        dead = tries >= policy.max_attempts
        retry_at = (
            None
            if dead
            else now
            + backoff_delay(tries, base_seconds=BASE_DELAY_SECONDS, max_seconds=MAX_DELAY_SECONDS)
        )
        changes.append(
            {
                "id": event_id,
                "attempts": tries,
                "last_error": error,
                "next_attempt_at": retry_at,
                "dead_at": now if dead else None,
            }
        )
        if dead:
            log.error("event dead-lettered", event_id=event_id, attempts=tries, error=error)
    await session.execute(update(OutboxEvent), changes)


async def prune(database: Database, *, before: datetime, batch: int = 10_000) -> int:
    """Delete events published before `before`, a batch at a time (short transactions that
    never hold the outbox for long); pending and dead events are kept. Returns how many."""
    total = 0
    while True:
        async with database.sessionmaker() as session, session.begin():
            ids = select(OutboxEvent.id).where(OutboxEvent.published_at < before).limit(batch)
            result = await session.execute(
                delete(OutboxEvent).where(OutboxEvent.id.in_(ids.scalar_subquery()))
            )
        deleted: int = result.rowcount  # type: ignore[attr-defined]
        total += deleted
        if deleted < batch:
            return total
