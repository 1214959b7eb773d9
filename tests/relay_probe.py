"""A relay worker process that records what it delivers, for the exactly-once tests and
`scripts/bench_relay.py`. PostgreSQL only.

    python -m tests.relay_probe <database-url> [--batch-size N] [--pause S]
                                [--consumers probe|broker|app] [--ready-dir DIR]

It runs a `Worker` (no drains, no jobs) whose consumer inserts `(event_id, worker pid)`
into `relay_probe`, a table with no unique constraint so that a duplicate delivery shows as
a second row, and exits once the outbox has no pending event. The consumer runs in the
relay's transaction: a batch whose worker is killed leaves no probe rows behind.
`--consumers broker` puts the NATS fan-out (PASAR_EVENT_BROKER, stream PASAR_RELAY_PROBE)
in front of the probe; `--consumers app` puts the app's consumers there.

With `--ready-dir`, it connects, writes `ready-<pid>` there and waits for a file `go`
before claiming anything, so several processes start draining at the same moment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from pasar.platform.db import Database
from pasar.platform.jobs import Consumer, StoredEvent
from pasar.platform.observability import configure_logging
from pasar.platform.settings import Settings
from pasar.platform.worker import Worker

PROBE_TABLE = "relay_probe"
PROBE_STREAM = "PASAR_RELAY_PROBE"
CREATE_PROBE_TABLE = (
    f"CREATE TABLE {PROBE_TABLE} (event_id bigint NOT NULL, worker integer NOT NULL)"
)
PENDING = "SELECT count(*) FROM outbox_events WHERE published_at IS NULL AND dead_at IS NULL"

#: A `seller_order.shipped` event as the orders module writes it (~250 bytes of JSON).
SEED_EVENTS = """
INSERT INTO outbox_events (name, version, payload, occurred_at, attempts)
SELECT 'seller_order.shipped', 1,
       json_build_object(
           'seller_order_id', 100000 + g, 'order_id', 50000 + g / 2, 'seller_id', 1 + g % 97,
           'number', 'PS-' || lpad(g::text, 8, '0') || '-' || (1 + g % 3),
           'from_status', 'packed', 'to_status', 'shipped',
           'actor', 'seller:' || (1 + g % 97) || ':user:' || (1000 + g % 389),
           'reason', NULL,
           'tracking_number', 'PP' || lpad(g::text, 14, '0'),
           'carrier', 'sandbox-express'),
       now() - interval '1 second', 0
FROM generate_series(1, :count) AS g
"""


async def reset(conn: AsyncConnection, count: int) -> None:
    """An outbox of `count` pending events and an empty probe table (the outbox's other
    rows are removed: use a database of its own)."""
    await conn.execute(text("DELETE FROM outbox_events"))
    await conn.execute(text(f"DROP TABLE IF EXISTS {PROBE_TABLE}"))
    await conn.execute(text(CREATE_PROBE_TABLE))
    await conn.execute(text(SEED_EVENTS), {"count": count})


def probe_consumer(pause: float = 0.0) -> Consumer:
    worker = os.getpid()

    async def record(session: AsyncSession, events: Sequence[StoredEvent]) -> None:
        await session.execute(
            text(
                f"INSERT INTO {PROBE_TABLE} (event_id, worker) "
                "SELECT unnest(CAST(:ids AS bigint[])), :worker"
            ),
            {"ids": [e.id for e in events], "worker": worker},
        )
        if pause:
            await asyncio.sleep(pause)  # still inside the batch's transaction

    return record


async def run(
    url: str,
    *,
    batch_size: int,
    pause: float,
    consumers: str,
    ready_dir: Path | None,
    max_seconds: float,
) -> int:
    settings = Settings(
        database_url=url,
        secret_key="relay-probe",  # type: ignore[arg-type]
        relay_batch_size=batch_size,
        worker_poll_seconds=0.02,
        log_level="WARNING",
    )
    configure_logging(level=settings.log_level, json=True)
    chosen: list[Consumer] = [probe_consumer(pause)]
    if consumers == "broker":
        from pasar.platform.broker import NatsFanout

        if not settings.event_broker:
            raise SystemExit("--consumers broker needs PASAR_EVENT_BROKER (nats://host:4222)")
        database = Database(url, pool_size=2)
        fanout = NatsFanout(
            settings.event_broker, stream=PROBE_STREAM, subject_prefix="pasar_relay_probe.events"
        )
        chosen = [fanout, *chosen]
    elif consumers == "app":
        from pasar.app import build_database
        from pasar.app import consumers as app_consumers

        database = build_database(url, pool_size=2)
        chosen = [*app_consumers(settings), *chosen]
    else:
        database = Database(url, pool_size=2)
    try:
        async with database.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))  # connected before saying ready
        if ready_dir is not None:
            (ready_dir / f"ready-{os.getpid()}").touch()
            while not (ready_dir / "go").exists():  # noqa: ASYNC110 (set by another process)
                await asyncio.sleep(0.005)
        worker = Worker(database=database, settings=settings, consumers=chosen)
        running = asyncio.create_task(worker.run())
        deadline = time.monotonic() + max_seconds
        while not running.done() and await _pending(database) > 0:
            if time.monotonic() > deadline:
                print(f"relay_probe: events still pending after {max_seconds} s", file=sys.stderr)
                worker.stop()
                await running
                return 2
            await asyncio.sleep(0.02)
        worker.stop()
        await running
        return 0
    finally:
        for consume in chosen:
            close = getattr(consume, "close", None)
            if close is not None:
                await close()
        await database.dispose()


async def _pending(database: Database) -> int:
    async with database.engine.connect() as conn:
        return int((await conn.execute(text(PENDING))).scalar_one())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.relay_probe", description=__doc__)
    parser.add_argument("url", help="PostgreSQL URL (postgresql+asyncpg://…)")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds per batch, in it")
    parser.add_argument("--consumers", choices=("probe", "broker", "app"), default="probe")
    parser.add_argument("--ready-dir", type=Path)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args(argv)
    if not args.url.startswith("postgresql"):
        parser.error("the probe needs PostgreSQL (SQLite runs one writer at a time)")
    return asyncio.run(
        run(
            args.url,
            batch_size=args.batch_size,
            pause=args.pause,
            consumers=args.consumers,
            ready_dir=args.ready_dir,
            max_seconds=args.max_seconds,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
