"""On PostgreSQL, worker processes share the outbox with SKIP LOCKED and deliver every event
exactly once to a consumer that writes in the relay's transaction, even when one of them
is killed mid-batch. The workers are real processes (`tests/relay_probe.py`) recording
`(event_id, worker pid)` in a table with no unique constraint, so a duplicate would show.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from pasar.platform.db import Database
from tests.relay_probe import PROBE_TABLE, reset

pytestmark = pytest.mark.postgres_only

EVENTS = 10_000
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 120.0


class Probes:
    """Worker processes started together: each waits for `go` once it is connected."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.url = url
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *options: str) -> subprocess.Popen[bytes]:
        log = self.workdir / f"probe-{len(self.processes)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.relay_probe",
                    self.url,
                    "--ready-dir",
                    str(self.workdir),
                    *options,
                ],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    async def go(self, ready: int) -> None:
        await self._until(lambda: len(list(self.workdir.glob("ready-*"))) >= ready, "ready")
        (self.workdir / "go").touch()

    async def finish(self) -> None:
        await self._until(lambda: all(p.poll() is not None for p in self.processes), "done")

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.workdir.glob("probe-*.log")))

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    async def _until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"relay probes not {what} after {TIMEOUT_SECONDS} s:\n{self.logs()}")
            await asyncio.sleep(0.02)


@pytest.fixture
async def outbox(database: Database) -> AsyncIterator[Database]:
    """10,000 pending events and an empty probe table; both cleared afterwards."""
    async with database.engine.begin() as conn:
        await reset(conn, EVENTS)
    yield database
    async with database.engine.begin() as conn:
        await conn.execute(text(f"DROP TABLE IF EXISTS {PROBE_TABLE}"))
        await conn.execute(text("DELETE FROM outbox_events"))


@pytest.fixture
def probes(database_url: str, tmp_path: Path) -> Iterator[Probes]:
    started = Probes(database_url, tmp_path)
    yield started
    started.kill_all()


async def _tally(database: Database) -> dict[str, int]:
    async with database.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    f"SELECT count(*), count(DISTINCT event_id), count(DISTINCT worker),"
                    f" (SELECT count(*) FROM outbox_events WHERE published_at IS NOT NULL)"
                    f" FROM {PROBE_TABLE}"
                )
            )
        ).one()
    return {"rows": row[0], "events": row[1], "workers": row[2], "published": row[3]}


async def test_two_workers_drain_ten_thousand_events_exactly_once(
    outbox: Database, probes: Probes
) -> None:
    """Both processes take part and every event is delivered once: no loss, no double."""
    for _ in range(2):
        probes.start("--pause", "0.002")
    await probes.go(ready=2)
    await probes.finish()

    assert [p.returncode for p in probes.processes] == [0, 0], probes.logs()
    assert await _tally(outbox) == {
        "rows": EVENTS,
        "events": EVENTS,
        "workers": 2,
        "published": EVENTS,
    }


async def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(
    outbox: Database, probes: Probes
) -> None:
    """SIGKILL in the middle of a batch rolls the batch back (probe rows included); the
    other worker and a restarted one deliver it, once."""
    # The victim holds each batch open for 0.2 s after writing its probe rows, so once one
    # of its batches has committed, a kill a moment later lands inside the next.
    victim = probes.start("--pause", "0.2")
    probes.start("--pause", "0.02")
    await probes.go(ready=2)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while await _delivered_by(outbox, victim.pid) == 0:
        assert time.monotonic() < deadline, probes.logs()
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    pending = (await _tally(outbox))["published"] < EVENTS
    probes.start("--pause", "0.02")  # the "go" file is there: it starts at once
    await probes.finish()

    assert victim.returncode == -signal.SIGKILL
    assert pending, "the victim was killed after the drain had finished"
    assert [p.returncode for p in probes.processes[1:]] == [0, 0], probes.logs()
    tally = await _tally(outbox)
    assert tally["rows"] == EVENTS
    assert tally["events"] == EVENTS
    assert tally["published"] == EVENTS
    assert await _delivered_by(outbox, victim.pid) % 200 == 0  # whole batches, or nothing


async def _delivered_by(database: Database, pid: int) -> int:
    async with database.engine.connect() as conn:
        found = await conn.execute(
            text(f"SELECT count(*) FROM {PROBE_TABLE} WHERE worker = :pid"), {"pid": pid}
        )
        return int(found.scalar_one())
