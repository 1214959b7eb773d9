"""A worker's loops: it relays what is emitted while it runs, stops cleanly, and the
`pasar worker --once` command does what is due and exits."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.platform.db import Database
from pasar.platform.events import DomainEvent
from pasar.platform.jobs import Drain, Job, StoredEvent
from pasar.platform.migrate import upgrade
from pasar.platform.outbox import OutboxEvent, emit
from pasar.platform.settings import Settings
from pasar.platform.worker import Worker


@dataclass(frozen=True, kw_only=True)
class Waved(DomainEvent):
    name: ClassVar[str] = "test.waved"
    n: int


async def test_a_running_worker_relays_drains_and_schedules_until_stopped(
    app: object, database: Database, settings: Settings
) -> None:
    seen: list[int] = []
    drained: list[int] = []
    ticks: list[datetime] = []

    async def consume(_s: AsyncSession, events: Sequence[StoredEvent]) -> None:
        seen.extend(e.payload["n"] for e in events if e.name == Waved.name)

    async def drain(_db: Database, _settings: Settings) -> int:
        drained.append(1)
        return 0

    async def tick(_db: Database, _settings: Settings, now: datetime) -> int:
        ticks.append(now)
        return 1

    worker = Worker(
        database=database,
        settings=settings.model_copy(update={"worker_poll_seconds": 0.05}),
        consumers=[consume],
        drains=[Drain(name="test.drain", run=drain)],
        jobs=[Job(name="test.hourly", every=lambda _s: timedelta(hours=1), run=tick)],
    )
    task = asyncio.create_task(worker.run())
    async with database.sessionmaker() as session:
        await emit(session, Waved(n=1), Waved(n=2))
        await session.commit()
    async with asyncio.timeout(10):
        await _until(lambda: seen == [1, 2] and bool(drained) and bool(ticks))
    worker.stop()
    async with asyncio.timeout(5):
        await task
    assert len(ticks) == 1  # once per period, however often the scheduler looks


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():  # noqa: ASYNC110  (polling what another task changes)
        await asyncio.sleep(0.05)


def test_the_worker_command_does_what_is_due_and_exits(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    upgrade(url)

    async def seed() -> int:
        database = Database(url)
        try:
            async with database.sessionmaker() as session:
                await emit(session, *(Waved(n=n) for n in range(5)))
                await session.commit()
            async with database.sessionmaker() as session:
                pending = select(func.count()).where(OutboxEvent.published_at.is_(None))
                return int(await session.scalar(pending) or 0)
        finally:
            await database.dispose()

    assert asyncio.run(seed()) == 5
    env = {
        **os.environ,
        "PASAR_DATABASE_URL": url,
        "PASAR_SECRET_KEY": "test-secret-not-for-production",
        "PASAR_JOBS_INTERVAL_SECONDS": "0",
        "PASAR_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pasar", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "relay: 5" in done.stdout

    async def pending() -> int:
        database = Database(url)
        try:
            async with database.sessionmaker() as session:
                query = select(func.count()).where(OutboxEvent.published_at.is_(None))
                return int(await session.scalar(query) or 0)
        finally:
            await database.dispose()

    assert asyncio.run(pending()) == 0
