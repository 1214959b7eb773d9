"""Reading and repairing the event machinery: what is pending, what died, what ran when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.platform.broker_backlog import backlog_size
from pasar.platform.errors import Conflict, NotFound
from pasar.platform.outbox import OutboxEvent
from pasar.platform.pagination import Page, decode_id_cursor, encode_cursor
from pasar.platform.scheduler import ScheduledRun


class EventStatus(StrEnum):
    PENDING = "pending"  # waiting for the relay (or for its next attempt)
    PUBLISHED = "published"  # handed to every consumer
    DEAD = "dead"  # attempts spent; an operator replays it


class EventNotFound(NotFound):
    code = "event-not-found"
    title = "Event not found"


class NothingToReplay(Conflict):
    code = "event-not-replayable"
    title = "Event is still pending"


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    name: str
    version: int
    status: EventStatus
    occurred_at: datetime
    published_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    dead_at: datetime | None
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventStats:
    pending: int
    retrying: int
    dead: int
    oldest_pending_at: datetime | None
    by_name_dead: dict[str, int]
    broker_backlog: int


def status_of(row: OutboxEvent) -> EventStatus:
    if row.dead_at is not None:
        return EventStatus.DEAD
    if row.published_at is not None:
        return EventStatus.PUBLISHED
    return EventStatus.PENDING


def _view(row: OutboxEvent) -> EventView:
    return EventView(
        id=row.id,
        name=row.name,
        version=row.version,
        status=status_of(row),
        occurred_at=row.occurred_at,
        published_at=row.published_at,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        dead_at=row.dead_at,
        payload=row.payload,
    )


def _where(status: EventStatus | None) -> list[ColumnElement[bool]]:
    if status is EventStatus.DEAD:
        return [OutboxEvent.dead_at.is_not(None)]
    if status is EventStatus.PUBLISHED:
        return [OutboxEvent.published_at.is_not(None)]
    if status is EventStatus.PENDING:
        return [OutboxEvent.published_at.is_(None), OutboxEvent.dead_at.is_(None)]
    return []


async def list_events(
    session: AsyncSession,
    *,
    status: EventStatus | None,
    name: str | None,
    limit: int,
    cursor: str | None,
) -> Page[EventView]:
    """Newest first; `status=dead` is the dead-letter queue."""
    after = decode_id_cursor(cursor)
    query = select(OutboxEvent).where(*_where(status))
    if name:
        query = query.where(OutboxEvent.name == name)
    if after is not None:
        query = query.where(OutboxEvent.id < after)
    rows = list(await session.scalars(query.order_by(OutboxEvent.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[_view(r) for r in rows],
        next_cursor=encode_cursor([rows[-1].id]) if more and rows else None,
    )


async def get_event(session: AsyncSession, event_id: int) -> EventView:
    row = await session.get(OutboxEvent, event_id)
    if row is None:
        raise EventNotFound(f"No event {event_id}.")
    return _view(row)


async def replay(session: AsyncSession, event_id: int) -> EventView:
    """Hand a dead (or already published) event to the consumers again, with fresh attempts.

    Consumers are idempotent: a replayed event re-sends only what did not happen the first
    time (an email is sent at most once per event and recipient).
    """
    row = await session.get(OutboxEvent, event_id, with_for_update=True)
    if row is None:
        raise EventNotFound(f"No event {event_id}.")
    if status_of(row) is EventStatus.PENDING:
        raise NothingToReplay(f"Event {event_id} is pending already; the relay will deliver it.")
    row.published_at = row.dead_at = row.next_attempt_at = None
    row.attempts = 0
    row.last_error = None
    await session.commit()
    return _view(row)


async def replay_dead(session: AsyncSession, *, name: str | None) -> int:
    """Put every dead event (of one name, if given) back in the queue; returns how many."""
    query = (
        update(OutboxEvent)
        .where(OutboxEvent.dead_at.is_not(None))
        .values(dead_at=None, next_attempt_at=None, attempts=0, last_error=None)
    )
    if name:
        query = query.where(OutboxEvent.name == name)
    result = await session.execute(query)
    await session.commit()
    replayed: int = result.rowcount  # type: ignore[attr-defined]
    return replayed


async def stats(session: AsyncSession) -> EventStats:
    """The queue's health; reads only pending and dead rows (indexed), never the history."""
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(OutboxEvent.attempts > 0),
                func.min(OutboxEvent.occurred_at),
            ).where(*_where(EventStatus.PENDING))
        )
    ).one()
    dead = await session.execute(
        select(OutboxEvent.name, func.count())
        .where(OutboxEvent.dead_at.is_not(None))
        .group_by(OutboxEvent.name)
    )
    by_name: dict[str, int] = {row[0]: row[1] for row in dead}
    return EventStats(
        pending=row[0],
        retrying=row[1],
        dead=sum(by_name.values()),
        oldest_pending_at=row[2],
        by_name_dead=by_name,
        broker_backlog=await backlog_size(session),
    )


async def recent_runs(
    session: AsyncSession, *, job: str | None, limit: int
) -> Sequence[ScheduledRun]:
    query = select(ScheduledRun)
    if job:
        query = query.where(ScheduledRun.job == job)
    query = query.order_by(ScheduledRun.period_start.desc(), ScheduledRun.job).limit(limit)
    return list(await session.scalars(query))
