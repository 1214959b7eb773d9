"""Operator endpoints: the outbox (pending, dead letters, replay) and the scheduled jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from pasar.identity import OperatorPrincipal
from pasar.operations import service
from pasar.operations.schemas import (
    EventDetail,
    EventStatsRead,
    EventSummary,
    JobRun,
    ReplayResult,
)
from pasar.operations.service import EventStatus, EventView
from pasar.platform.db import Session
from pasar.platform.pagination import Cursor, Limit, Page
from pasar.platform.routing import GuardedRouter
from pasar.platform.types import Id

router = GuardedRouter(prefix="/api/v1/admin", tags=["operations"])

NameFilter = Annotated[str | None, Query(max_length=100, description="Only events of this name.")]


def _summary(view: EventView) -> EventSummary:
    return EventSummary(
        id=view.id,
        name=view.name,
        version=view.version,
        status=view.status,
        occurred_at=view.occurred_at,
        published_at=view.published_at,
        attempts=view.attempts,
        next_attempt_at=view.next_attempt_at,
        last_error=view.last_error,
        dead_at=view.dead_at,
    )


def _detail(view: EventView) -> EventDetail:
    return EventDetail(**_summary(view).model_dump(), payload=view.payload)


@router.get("/events", response_model=Page[EventSummary], summary="List outbox events")
async def list_events(
    principal: OperatorPrincipal,
    session: Session,
    status: Annotated[
        EventStatus | None, Query(description="`dead` is the dead-letter queue.")
    ] = None,
    name: NameFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[EventSummary]:
    """Domain events, newest first, with their delivery state."""
    page = await service.list_events(session, status=status, name=name, limit=limit, cursor=cursor)
    return Page(items=[_summary(v) for v in page.items], next_cursor=page.next_cursor)


@router.get("/events/stats", response_model=EventStatsRead, summary="Event queue health")
async def event_stats(principal: OperatorPrincipal, session: Session) -> EventStatsRead:
    """How many events wait, retry or died, and how far behind the relay is."""
    found = await service.stats(session)
    return EventStatsRead(
        pending=found.pending,
        retrying=found.retrying,
        dead=found.dead,
        oldest_pending_at=found.oldest_pending_at,
        dead_by_name=found.by_name_dead,
        broker_backlog=found.broker_backlog,
    )


@router.get("/events/{event_id}", response_model=EventDetail, summary="Inspect an event")
async def get_event(event_id: Id, principal: OperatorPrincipal, session: Session) -> EventDetail:
    """One event with its payload and its last error."""
    return _detail(await service.get_event(session, event_id))


@router.post("/events/{event_id}/replay", response_model=EventDetail, summary="Replay an event")
async def replay_event(event_id: Id, principal: OperatorPrincipal, session: Session) -> EventDetail:
    """Deliver a dead or published event again, with fresh attempts. Consumers are
    idempotent, so only what did not happen the first time happens now."""
    return _detail(await service.replay(session, event_id))


@router.post("/events/replay-dead", response_model=ReplayResult, summary="Replay dead letters")
async def replay_dead(
    principal: OperatorPrincipal, session: Session, name: NameFilter = None
) -> ReplayResult:
    """Put every dead-lettered event (of one name, if given) back in the queue, e.g. after
    fixing the consumer that failed them."""
    return ReplayResult(replayed=await service.replay_dead(session, name=name))


@router.get("/jobs", response_model=list[JobRun], summary="Scheduled job runs")
async def job_runs(
    principal: OperatorPrincipal,
    session: Session,
    job: Annotated[str | None, Query(max_length=100, description="Only this job.")] = None,
    limit: Limit = 50,
) -> list[JobRun]:
    """The latest runs of the scheduled jobs (one per job and period, whichever worker ran
    it), newest period first."""
    runs = await service.recent_runs(session, job=job, limit=limit)
    return [
        JobRun(
            job=r.job,
            period_start=r.period_start,
            status=r.status,
            worker=r.worker,
            started_at=r.started_at,
            finished_at=r.finished_at,
            handled=r.handled,
            error=r.error,
        )
        for r in runs
    ]
