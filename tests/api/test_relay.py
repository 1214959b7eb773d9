"""The outbox relay and the scheduler, on SQLite and PostgreSQL: delivery in id order,
retries with backoff, dead letters an operator can inspect and replay, jobs once a period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.platform.db import Database
from pasar.platform.events import DomainEvent
from pasar.platform.jobs import Job, StoredEvent
from pasar.platform.outbox import OutboxEvent, emit
from pasar.platform.relay import RelayPolicy, drain, relay_once
from pasar.platform.scheduler import LEASE, ScheduledRun, claim, period_start, run_due
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from tests.support import Actors


@dataclass(frozen=True, kw_only=True)
class Pinged(DomainEvent):
    name: ClassVar[str] = "test.pinged"
    n: int


class Recorder:
    """A consumer that remembers what it saw, and fails on the numbers it is told to."""

    def __init__(self, fail_on: set[int] | None = None) -> None:
        self.seen: list[int] = []
        self.fail_on = fail_on or set()

    async def __call__(self, session: AsyncSession, events: Sequence[StoredEvent]) -> None:
        for event in events:
            if event.name != Pinged.name:
                continue
            if event.payload["n"] in self.fail_on:
                raise RuntimeError(f"cannot handle {event.payload['n']}")
        self.seen.extend(e.payload["n"] for e in events if e.name == Pinged.name)


async def _emit(database: Database, *numbers: int) -> None:
    async with database.sessionmaker() as session:
        await emit(session, *(Pinged(n=n) for n in numbers))
        await session.commit()


async def _rows(database: Database) -> dict[int, OutboxEvent]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(select(OutboxEvent).where(OutboxEvent.name == Pinged.name))
        return {r.payload["n"]: r for r in rows}


async def test_events_reach_consumers_once_in_order(app: object, database: Database) -> None:
    await _emit(database, *range(1, 8))
    recorder = Recorder()
    handled = await drain(database, [recorder], policy=RelayPolicy(batch_size=3))
    assert handled == 7
    assert recorder.seen == list(range(1, 8))
    assert all(r.published_at is not None for r in (await _rows(database)).values())
    assert await drain(database, [recorder]) == 0
    assert recorder.seen == list(range(1, 8))


async def test_a_poison_event_is_retried_with_backoff_without_holding_back_the_rest(
    app: object, database: Database
) -> None:
    await _emit(database, 1, 2, 3)
    recorder = Recorder(fail_on={2})
    now = utcnow()
    await relay_once(database, [recorder], now=now)
    assert recorder.seen == [1, 3]
    rows = await _rows(database)
    assert rows[1].published_at is not None
    assert rows[3].published_at is not None
    failed = rows[2]
    assert failed.published_at is None
    assert failed.dead_at is None
    assert failed.attempts == 1
    assert "cannot handle 2" in (failed.last_error or "")
    assert failed.next_attempt_at is not None
    wait = failed.next_attempt_at - now
    assert timedelta(seconds=2) <= wait <= timedelta(seconds=5)
    # Not due yet: nothing happens; once due and fixed, it goes through.
    assert await relay_once(database, [recorder], now=now) == 0
    recorder.fail_on.clear()
    assert await relay_once(database, [recorder], now=failed.next_attempt_at) == 1
    assert recorder.seen == [1, 3, 2]


async def test_a_failing_consumer_leaves_no_half_written_state(
    app: object, database: Database
) -> None:
    """The consumer's writes for a failed event roll back with it (savepoint per event)."""

    async def writes_then_fails(session: AsyncSession, events: Sequence[StoredEvent]) -> None:
        for event in events:
            if event.name != Pinged.name:
                continue
            await emit(session, Pinged(n=100 + event.payload["n"]))
            if event.payload["n"] == 2:
                raise RuntimeError("boom")

    await _emit(database, 1, 2)
    await relay_once(database, [writes_then_fails], policy=RelayPolicy(batch_size=2))
    rows = await _rows(database)
    assert 101 in rows  # event 1's consumer work committed
    assert 102 not in rows  # event 2's was rolled back with its failure
    assert rows[2].attempts == 1


async def test_dead_letters_are_listed_inspected_and_replayed_by_an_operator(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    operator = await actors.operator()
    await _emit(database, 1, 2)
    recorder = Recorder(fail_on={1})
    policy = RelayPolicy(max_attempts=2)
    when = utcnow()
    await relay_once(database, [recorder], policy=policy, now=when)
    await relay_once(database, [recorder], policy=policy, now=when + timedelta(hours=2))
    dead = (await _rows(database))[1]
    assert dead.dead_at is not None
    assert dead.attempts == 2
    # Dead is final: the relay does not pick it up again.
    assert await relay_once(database, [recorder], now=when + timedelta(days=9)) == 0

    listed = await client.get(
        "/api/v1/admin/events",
        params={"status": "dead", "name": Pinged.name},
        headers=operator.headers,
    )
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert item["id"] == dead.id
    assert item["status"] == "dead"
    assert item["attempts"] == 2
    detail = await client.get(f"/api/v1/admin/events/{dead.id}", headers=operator.headers)
    assert detail.json()["payload"] == {"n": 1}
    assert "cannot handle 1" in detail.json()["last_error"]
    stats = (await client.get("/api/v1/admin/events/stats", headers=operator.headers)).json()
    assert stats["dead"] == 1
    assert stats["dead_by_name"] == {Pinged.name: 1}
    assert stats["broker_backlog"] == 0

    recorder.fail_on.clear()
    replayed = await client.post(f"/api/v1/admin/events/{dead.id}/replay", headers=operator.headers)
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["status"] == "pending"
    assert replayed.json()["attempts"] == 0
    again = await client.post(f"/api/v1/admin/events/{dead.id}/replay", headers=operator.headers)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    await drain(database, [recorder])
    assert recorder.seen == [2, 1]


async def test_replay_all_dead_letters_of_a_name(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    operator = await actors.operator()
    await _emit(database, 1, 2, 3)
    await relay_once(database, [Recorder(fail_on={1, 2, 3})], policy=RelayPolicy(max_attempts=1))
    answer = await client.post(
        "/api/v1/admin/events/replay-dead",
        params={"name": Pinged.name},
        headers=operator.headers,
    )
    assert answer.json() == {"replayed": 3}
    recorder = Recorder()
    await drain(database, [recorder])
    assert sorted(recorder.seen) == [1, 2, 3]


async def test_event_endpoints_are_for_operators_only(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    buyer = await actors.buyer()
    seller = await actors.seller()
    for who in (buyer, seller):
        for path in ("/api/v1/admin/events", "/api/v1/admin/jobs", "/api/v1/admin/events/stats"):
            assert (await client.get(path, headers=who.headers)).status_code == 403
    assert (await client.get("/api/v1/admin/events")).status_code == 401
    bad = await client.get(
        "/api/v1/admin/events",
        params={"cursor": "not-a-cursor"},
        headers=(await actors.operator()).headers,
    )
    assert bad.status_code == 422


# --- scheduled jobs ---------------------------------------------------------------------------


def test_periods_are_aligned_so_every_worker_computes_the_same_one() -> None:
    every = timedelta(minutes=5)
    a = period_start(datetime(2026, 11, 22, 10, 7, 59, tzinfo=UTC), every)
    b = period_start(datetime(2026, 11, 22, 10, 5, 0, tzinfo=UTC), every)
    assert a == b == datetime(2026, 11, 22, 10, 5, tzinfo=UTC)
    assert period_start(datetime(2026, 11, 22, 10, 10, tzinfo=UTC), every) > a


async def test_a_job_runs_once_per_period_however_many_workers_ask(
    app: object,
    database: Database,
    settings: Settings,
    client: httpx.AsyncClient,
    actors: Actors,
) -> None:
    runs: list[datetime] = []

    async def tick(_db: Database, _settings: Settings, now: datetime) -> int:
        runs.append(now)
        return 7

    job = Job(name="test.tick", every=lambda _s: timedelta(minutes=1), run=tick)
    now = datetime(2026, 11, 22, 10, 0, 30, tzinfo=UTC)
    first = await run_due(database, settings, [job], worker="a", now=now)
    second = await run_due(database, settings, [job], worker="b", now=now + timedelta(seconds=20))
    assert first == {"test.tick": 7}
    assert second == {}
    third = await run_due(database, settings, [job], worker="b", now=now + timedelta(minutes=1))
    assert third == {"test.tick": 7}
    assert len(runs) == 2

    operator = await actors.operator()
    listed = await client.get(
        "/api/v1/admin/jobs", params={"job": "test.tick"}, headers=operator.headers
    )
    assert [(r["worker"], r["status"], r["handled"]) for r in listed.json()] == [
        ("b", "done", 7),
        ("a", "done", 7),
    ]


async def test_a_dead_workers_period_is_taken_over_after_its_lease(
    app: object, database: Database
) -> None:
    start = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert await claim(database, "test.slow", start, "a", start)
    assert not await claim(database, "test.slow", start, "b", start + timedelta(minutes=1))
    assert await claim(database, "test.slow", start, "b", start + LEASE + timedelta(seconds=1))
    async with database.sessionmaker() as session:
        run = await session.get_one(ScheduledRun, ("test.slow", start))
        assert run.worker == "b"


async def test_a_failing_job_is_recorded_and_the_others_still_run(
    app: object, database: Database, settings: Settings
) -> None:
    async def broken(_db: Database, _s: Settings, _now: datetime) -> int:
        raise RuntimeError("no luck")

    async def fine(_db: Database, _s: Settings, _now: datetime) -> int:
        return 1

    every = lambda _s: timedelta(minutes=1)  # noqa: E731
    jobs = [Job(name="test.broken", every=every, run=broken), Job("test.fine", every, fine)]
    ran = await run_due(database, settings, jobs, worker="a")
    assert ran == {"test.broken": -1, "test.fine": 1}
    async with database.sessionmaker() as session:
        status = await session.scalar(
            text("SELECT status FROM scheduled_runs WHERE job = 'test.broken'")
        )
        assert status == "failed"


def test_sweeps_are_off_when_the_interval_is_zero(settings: Settings) -> None:
    from pasar.app import SWEEP_JOBS

    off = settings.model_copy(update={"jobs_interval_seconds": 0})
    assert all(job.every(off) is None for job in SWEEP_JOBS)
    on = settings.model_copy(update={"jobs_interval_seconds": 60})
    assert all(job.every(on) == timedelta(minutes=1) for job in SWEEP_JOBS)


async def test_old_published_events_are_pruned_and_the_rest_kept(
    app: object, database: Database
) -> None:
    from pasar.platform.relay import prune

    await _emit(database, 1, 2, 3)
    when = utcnow()
    await relay_once(database, [Recorder(fail_on={3})], now=when)  # 1, 2 published; 3 retrying
    assert await prune(database, before=when - timedelta(days=1)) == 0
    assert await prune(database, before=when + timedelta(seconds=1), batch=1) == 2
    assert sorted(await _rows(database)) == [3]
