"""A worker killed (SIGKILL) in the middle of sending loses nothing and re-sends only
what it had in flight; an idempotent receiver processes every delivery exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from sqlalchemy import select

import pasar.cli
from pasar.inventory.events import StockLow
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.webhooks.domain import DELIVERED, PENDING, delivery_ref
from pasar.webhooks.models import WebhookDelivery
from tests.api.test_fulfillment_support import SECRET
from tests.api.test_webhooks_support import Receiver, emit_events, register, relay
from tests.support import Actors

DELIVERIES = 80
#: The whole test, worker start-ups included, stays under this.
BUDGET_SECONDS = 30.0

#: Used only if `pasar worker` is not there: the same worker, built the same way.
RUNNER = """
import asyncio, signal
from pasar.app import build_database, build_worker
from pasar.platform.settings import Settings

async def main() -> None:
    settings = Settings()
    database = build_database(settings.database_url)
    worker = build_worker(database, settings)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, worker.stop)
    await worker.run()
    await database.dispose()

asyncio.run(main())
"""


def _start_worker(database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PASAR_DATABASE_URL": database_url,
        "PASAR_SECRET_KEY": SECRET,
        "PASAR_WEBHOOK_TIMEOUT_SECONDS": "1",
        "PASAR_WORKER_POLL_SECONDS": "0.1",
        "PASAR_JOBS_INTERVAL_SECONDS": "0",
        "PASAR_LOG_LEVEL": "WARNING",
        "PASAR_AUTO_MIGRATE": "false",
    }
    if hasattr(pasar.cli, "worker"):
        command = [sys.executable, "-c", "from pasar.cli import app; app()", "worker"]
    else:
        command = [sys.executable, "-c", RUNNER]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


async def _statuses(database: Database) -> dict[int, tuple[str, int]]:
    async with database.sessionmaker() as session:
        rows = await session.execute(
            select(WebhookDelivery.id, WebhookDelivery.status, WebhookDelivery.attempts)
        )
        return {r.id: (r.status, r.attempts) for r in rows}


async def _until(
    predicate: Callable[[], Awaitable[bool]], deadline: float, what: str, log: Path
) -> None:
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    tail = (await asyncio.to_thread(log.read_text))[-3000:]
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{tail}")


async def test_a_killed_worker_resends_only_what_was_in_flight(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    database_url: str,
    settings: Settings,
    tmp_path: Path,
) -> None:
    deadline = time.monotonic() + BUDGET_SECONDS
    seller = await actors.seller()
    log = tmp_path / "worker.log"
    with Receiver(delay=0.4) as receiver:
        endpoint = await register(
            client,
            seller.headers,
            receiver.url,
            ["inventory.stock_low"],
            seller_id=seller.seller_id,
        )
        receiver.secrets = [endpoint["secret"]]
        await emit_events(
            database,
            *(
                StockLow(offer_id=n, seller_id=seller.seller_id, available=0, threshold=1)
                for n in range(1, DELIVERIES + 1)
            ),
        )
        await relay(database, settings)
        planned = await _statuses(database)
        assert len(planned) == DELIVERIES

        first = _start_worker(database_url, log)
        try:

            async def some_recorded() -> bool:
                # the first batch (32) is claimed at once and half of it answered: the
                # kill lands with outcomes committed and calls still in flight
                done = [s for s, _ in (await _statuses(database)).values() if s == DELIVERED]
                return len(done) >= 8

            await _until(some_recorded, deadline, "the first outcomes", log)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        at_kill = await _statuses(database)
        in_flight = {
            i for i, (status, attempts) in at_kill.items() if status == PENDING and attempts
        }
        done_at_kill = {i for i, (status, _) in at_kill.items() if status == DELIVERED}
        assert in_flight, f"the kill should land mid-batch: {Counter(at_kill.values())}"
        assert done_at_kill, "some outcomes should be committed before the kill"
        assert len(done_at_kill) < DELIVERIES

        second = _start_worker(database_url, log)
        try:

            async def all_delivered() -> bool:
                return all(s == DELIVERED for s, _ in (await _statuses(database)).values())

            await _until(all_delivered, deadline, "every delivery", log)
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(timeout=10)
            except subprocess.TimeoutExpired:
                second.kill()
                second.wait()

        every = {delivery_ref(i) for i in planned}
        assert set(receiver.processed) == every
        assert len(receiver.processed) == DELIVERIES  # the idempotent receiver: once each
        repeats = Counter(receiver.arrivals)
        duplicates = {ref for ref, n in repeats.items() if n > 1}
        assert duplicates <= {delivery_ref(i) for i in in_flight}
        assert sum(n - 1 for n in repeats.values()) <= len(in_flight)
        assert all(n <= 2 for n in repeats.values())
        # nothing committed as delivered before the kill was sent again
        assert not duplicates & {delivery_ref(i) for i in done_at_kill}
    assert time.monotonic() < deadline
