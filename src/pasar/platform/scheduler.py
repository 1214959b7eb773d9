"""Scheduled jobs, once per period however many workers run: the database is the lock.

A period of a job is claimed by inserting its row (job, period start); the primary key lets
exactly one worker win, on SQLite and PostgreSQL alike, without clocks agreeing to the
second or a leader being elected. The row is also the job's history for operators
(`GET /api/v1/admin/jobs`). A run whose worker died is taken over once its lease expires,
so a crash delays a period's run but does not skip it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import String, Text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, Database
from pasar.platform.jobs import Job
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow

log = structlog.get_logger("pasar.scheduler")

RUNNING, DONE, FAILED = "running", "done", "failed"
#: A run still "running" after this long is presumed dead and may be taken over.
LEASE = timedelta(minutes=10)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


class ScheduledRun(Base):
    __tablename__ = "scheduled_runs"

    job: Mapped[str] = mapped_column(String(100), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    handled: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)


def period_start(now: datetime, every: timedelta) -> datetime:
    """The start of the period `now` falls in; periods are aligned to a fixed epoch, so every
    worker computes the same one."""
    return EPOCH + ((now - EPOCH) // every) * every


async def claim(database: Database, job: str, start: datetime, worker: str, now: datetime) -> bool:
    """True if this worker won the job's period (or took over a dead run of it)."""
    values: dict[str, Any] = {
        "job": job,
        "period_start": start,
        "status": RUNNING,
        "worker": worker,
        "started_at": now,
    }
    dialect = postgresql if not database.is_sqlite else sqlite
    statement = dialect.insert(ScheduledRun).values(values).on_conflict_do_nothing()
    async with database.sessionmaker() as session, session.begin():
        inserted: int = (await session.execute(statement)).rowcount  # type: ignore[attr-defined]
        if inserted == 1:
            return True
        takeover = await session.execute(
            update(ScheduledRun)
            .where(
                ScheduledRun.job == job,
                ScheduledRun.period_start == start,
                ScheduledRun.status == RUNNING,
                ScheduledRun.started_at < now - LEASE,
            )
            .values(worker=worker, started_at=now)
        )
        took: int = takeover.rowcount  # type: ignore[attr-defined]
        return took == 1


async def run_due(
    database: Database,
    settings: Settings,
    jobs: Sequence[Job],
    *,
    worker: str,
    now: datetime | None = None,
) -> dict[str, int]:
    """Run every job whose current period nobody has claimed yet; returns what each did."""
    now = now or utcnow()
    ran: dict[str, int] = {}
    for job in jobs:
        every = job.every(settings)
        if every is None:
            continue
        start = period_start(now, every)
        if not await claim(database, job.name, start, worker, now):
            continue
        status, handled, error = DONE, 0, None
        try:
            handled = await job.run(database, settings, now)
        except Exception as exc:  # recorded for the operator; the next period runs again
            log.exception("job failed", job=job.name)
            status, handled, error = FAILED, -1, f"{type(exc).__name__}: {exc}"[:2000]
        async with database.sessionmaker() as session, session.begin():
            await session.execute(
                update(ScheduledRun)
                .where(ScheduledRun.job == job.name, ScheduledRun.period_start == start)
                .values(status=status, finished_at=utcnow(), handled=handled, error=error)
            )
        ran[job.name] = handled
    return ran


__all__ = ["ScheduledRun", "claim", "period_start", "run_due"]
