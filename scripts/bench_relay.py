"""How fast the outbox relay drains on PostgreSQL: events/s with 1 and with 2 worker processes.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE bench_relay'
    .venv/bin/python scripts/bench_relay.py postgresql+asyncpg://postgres@127.0.0.1:5432/bench_relay

The URL may also come from PASAR_DATABASE_URL. The database is migrated, then for each
worker count its outbox is emptied and refilled with N pending `seller_order.shipped`
events (~250-byte payloads, as the orders module writes them), and N worker processes
(`tests/relay_probe.py`: a `Worker` with no drains and no jobs) drain it. Every run
checks exactly-once delivery: the probe consumer writes `(event_id, worker)` in the relay's
transaction into a table with no unique key, so a lost or doubled event shows.

`--consumers probe` (default) measures the relay itself: claim, one set-based insert,
mark published. `--consumers broker` puts the NATS JetStream fan-out in front of the
probe (PASAR_EVENT_BROKER; into a stream PASAR_RELAY_PROBE, deleted at the end).
`--consumers app` puts the app's real consumers there (`pasar.app.consumers`:
notifications, webhooks, and the fan-out to PASAR_EVENTS when PASAR_EVENT_BROKER is set);
with no subscribers or endpoints configured they mostly filter and return.

The clock starts when every process is connected and told to go, and stops when the
outbox has no pending event (polled every 5 ms); process start-up is not counted.
The outbox is wiped: the database name must contain "bench".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import make_url, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402
from tests.relay_probe import PENDING, PROBE_STREAM, PROBE_TABLE, reset  # noqa: E402

from pasar.platform.migrate import upgrade  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("PASAR_DATABASE_URL"))
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--consumers", choices=("probe", "broker", "app"), default="probe")
    parser.add_argument("--repeat", type=int, default=3, help="runs per worker count")
    args = parser.parse_args()
    url: str | None = args.url
    if not url:
        parser.error("give a PostgreSQL URL (argument or PASAR_DATABASE_URL)")
    if not url.startswith("postgresql"):
        parser.error(
            f"{url!r} is not PostgreSQL: the benchmark measures workers sharing the outbox "
            "with SKIP LOCKED; SQLite runs one writer at a time, so there is nothing to share"
        )
    if args.consumers == "broker" and not os.environ.get("PASAR_EVENT_BROKER"):
        parser.error("--consumers broker needs PASAR_EVENT_BROKER (e.g. nats://127.0.0.1:4222)")
    name = make_url(url).database or ""
    if "bench" not in name:
        parser.error(f"refusing to wipe the outbox of database {name!r}: use e.g. bench_relay")

    upgrade(url)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"{args.events} events, batch size {args.batch_size}, consumers: {args.consumers}, "
        f"{args.repeat} runs each; {os.cpu_count()} CPUs shared with PostgreSQL, load {load}"
    )
    failed = False
    for workers in args.workers:
        runs = [
            asyncio.run(_run(url, args.events, workers, args.batch_size, args.consumers))
            for _ in range(args.repeat)
        ]
        seconds = statistics.median(r.seconds for r in runs)
        exact = all(r.exactly_once for r in runs)
        failed = failed or not exact
        shares = "/".join(str(s) for s in runs[-1].shares)
        all_runs = ", ".join(f"{args.events / r.seconds:,.0f}" for r in runs)
        print(
            f"{workers} worker{'s' if workers > 1 else ''}: median {args.events / seconds:,.0f}"
            f" events/s ({seconds:.2f} s); runs: {all_runs} events/s;"
            f" last run's split {shares}; exactly once: {'yes' if exact else 'NO'}"
        )
    if args.consumers == "broker":
        asyncio.run(_delete_probe_stream())
    return 1 if failed else 0


async def _delete_probe_stream() -> None:
    import nats
    import nats.js.errors

    client = await nats.connect(os.environ["PASAR_EVENT_BROKER"])
    try:
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await client.jetstream().delete_stream(PROBE_STREAM)
    finally:
        await client.close()


@dataclass(frozen=True)
class Run:
    seconds: float
    exactly_once: bool
    shares: list[int]  # events delivered by each worker, most first


async def _run(url: str, events: int, workers: int, batch_size: int, consumers: str) -> Run:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await reset(conn, events)
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE outbox_events"))
        with tempfile.TemporaryDirectory() as workdir:
            ready = Path(workdir)
            command = [sys.executable, "-m", "tests.relay_probe", url, "--ready-dir", workdir]
            command += ["--batch-size", str(batch_size), "--consumers", consumers]
            processes = [
                await asyncio.create_subprocess_exec(*command, cwd=ROOT) for _ in range(workers)
            ]
            try:
                while _ready(ready) < workers:
                    if any(p.returncode is not None for p in processes):
                        raise SystemExit("a worker process exited before starting")
                    await asyncio.sleep(0.01)
                async with engine.connect() as conn:
                    _go(ready)
                    started = time.perf_counter()
                    while (await conn.execute(text(PENDING))).scalar_one() > 0:
                        await conn.commit()
                        await asyncio.sleep(0.005)
                    seconds = time.perf_counter() - started
                codes = [await asyncio.wait_for(p.wait(), timeout=60) for p in processes]
            finally:
                for p in processes:
                    if p.returncode is None:
                        p.kill()
                        await p.wait()
        async with engine.connect() as conn:
            rows, distinct = (
                await conn.execute(
                    text(f"SELECT count(*), count(DISTINCT event_id) FROM {PROBE_TABLE}")  # noqa: S608
                )
            ).one()
            published = (
                await conn.execute(
                    text("SELECT count(*) FROM outbox_events WHERE published_at IS NOT NULL")
                )
            ).scalar_one()
            shares = [
                n
                for (n,) in await conn.execute(
                    text(f"SELECT count(*) FROM {PROBE_TABLE} GROUP BY worker ORDER BY 1 DESC")  # noqa: S608
                )
            ]
    finally:
        await engine.dispose()
    exact = rows == distinct == published == events and codes == [0] * workers
    return Run(seconds=seconds, exactly_once=exact, shares=shares)


def _ready(workdir: Path) -> int:
    return len(list(workdir.glob("ready-*")))


def _go(workdir: Path) -> None:
    (workdir / "go").touch()


if __name__ == "__main__":
    sys.exit(main())
