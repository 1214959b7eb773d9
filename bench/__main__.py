"""`make bench`: Pasar's benchmarks against PostgreSQL, end to end, from an empty database.

    python -m bench [--database-url URL] [--seconds 30] [--concurrency 32] [--skip-seed]

It recreates the database (its name must contain "bench"), seeds the demo marketplace,
starts `pasar serve --workers 2`, drives it from this same machine and prints one table;
the figures also go to bench/results/latest.json for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench import catalog, chart, checkout, ingest, tracking
from bench.pgbench import _ranges, run_pgbench
from bench.server import (
    PASAR,
    libpq_url,
    pasar,
    recreate_database,
    require_bench_database,
    running_server,
    server_env,
)
from bench.stats import Recorder, Summary, table

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/pasar_bench"
DEFAULT_CATALOG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/pasar_catalog_bench"
RESULTS = Path(__file__).with_name("results")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("PASAR_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--seconds", type=int, default=30, help="Length of each timed run.")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="pasar serve worker processes.")
    parser.add_argument(
        "--carts", type=int, default=3_000, help="Carts prepared for place-order alone."
    )
    parser.add_argument("--parcels", type=int, default=500, help="Parcels made for tracking.")
    parser.add_argument("--batch", type=int, default=100, help="Scans per carrier webhook post.")
    parser.add_argument("--ingest-batch", type=int, default=500, help="Orders per batch post.")
    parser.add_argument("--ingest-concurrency", type=int, default=2)
    parser.add_argument(
        "--catalog-database-url",
        default=os.environ.get("PASAR_BENCH_CATALOG_DATABASE_URL", DEFAULT_CATALOG_URL),
        help="Database for the catalog reads, seeded with `pasar demo --scale large`.",
    )
    parser.add_argument(
        "--no-catalog", action="store_true", help="Skip the catalog stage (4 minutes of seeding)."
    )
    parser.add_argument("--skip-seed", action="store_true", help="Reuse the database as it is.")
    return parser.parse_args()


def _seed(url: str) -> None:
    env = server_env(url)
    pasar(env, "migrate")
    help_text = subprocess.run(
        [PASAR, "demo", "--help"], env=env, capture_output=True, text=True
    ).stdout
    if "--scale" in help_text:
        pasar(env, "demo", "--scale", "medium", "--orders", "0")
    else:
        pasar(env, "demo", "--products", "35000", "--orders", "0")


def _machine() -> dict[str, object]:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "load_before": [round(x, 2) for x in load],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    args = _args()
    require_bench_database(args.database_url)
    dsn = libpq_url(args.database_url)
    machine = _machine()
    if not args.skip_seed:
        started = time.perf_counter()
        asyncio.run(recreate_database(args.database_url))
        _seed(args.database_url)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    else:
        pasar(server_env(args.database_url), "migrate")
    offers = asyncio.run(checkout.load_offers(dsn))
    print(f"{offers.count:,} offers from {len(offers.by_seller)} sellers shipping to ID")

    rows: list[Summary] = []
    with running_server(args.database_url, args.workers) as base:
        print(f"whole guest checkout: {args.concurrency} buyers for {args.seconds} s ...")
        rec, seconds = asyncio.run(
            checkout.whole_checkout(
                base, offers, concurrency=args.concurrency, seconds=args.seconds
            )
        )
        whole = rec.summaries(seconds)
        _report_errors(rec)
        print(f"place-order alone: preparing {args.carts:,} carts ...")
        rec, seconds = asyncio.run(
            checkout.place_only(base, offers, concurrency=args.concurrency, carts=args.carts)
        )
        place = rec.summaries(seconds)
        _report_errors(rec)
        print("tracking: making parcels through the seller API ...")
        parcels = asyncio.run(tracking.make_parcels(base, dsn, args.parcels))
        print(
            f"tracking: {len(parcels)} parcels; signed batches of {args.batch} scans"
            f" for {args.seconds} s ..."
        )
        rec, seconds, accepted = asyncio.run(
            tracking.post_scans(
                base,
                server_env(args.database_url)["PASAR_SECRET_KEY"],
                parcels,
                batch=args.batch,
                concurrency=8,
                seconds=args.seconds,
            )
        )
        scans = rec.summaries(seconds)
        _report_errors(rec)
        events_rate = accepted / seconds
        print(
            f"order ingestion: batches of {args.ingest_batch} orders, "
            f"{args.ingest_concurrency} senders for {args.seconds} s ..."
        )
        token = asyncio.run(ingest.operator_token(base))
        rec, seconds, placed = asyncio.run(
            ingest.ingest(
                base, token, offers, args.seconds, args.ingest_batch, args.ingest_concurrency
            )
        )
        batches = rec.summaries(seconds)
        _report_errors(rec)
        ingest_rate = placed / seconds
    rows += [Summary(**{**asdict(s), "name": f"checkout: {s.name}"}) for s in whole]
    rows += [Summary(**{**asdict(s), "name": f"place-order alone: {s.name}"}) for s in place]
    rows += [
        Summary(**{**asdict(s), "name": f"tracking: {s.name} ({args.batch} events)"}) for s in scans
    ]
    rows += [
        Summary(**{**asdict(s), "name": f"ingestion: {s.name} ({args.ingest_batch} orders)"})
        for s in batches
    ]

    print(f"pgbench: the same write shape, {args.concurrency} clients for {args.seconds} s ...")
    ceiling = run_pgbench(
        dsn, asyncio.run(_ranges(dsn)), clients=args.concurrency, seconds=args.seconds
    )
    place_rate = next((s.rate for s in place if s.name == "place order"), 0.0)
    print()
    print(
        table(
            ["step", "count", "errors", "per s", "p50 ms", "p95 ms", "p99 ms"],
            [r.row() for r in rows],
        )
    )
    print()
    print(
        f"pgbench ceiling: {ceiling.tps:,.0f} orders/s (avg latency {ceiling.latency_ms:.1f} ms, "
        f"{ceiling.failed} failed); place-order alone / ceiling = {place_rate / ceiling.tps:.2f}"
        if ceiling.tps
        else "pgbench gave no figure"
    )
    print(f"tracking events accepted: {events_rate:,.0f} events/s")
    print(f"orders ingested: {ingest_rate:,.0f} orders/s")
    reads = None if args.no_catalog else _catalog_stage(args)
    RESULTS.mkdir(exist_ok=True)
    result = {
        "machine": machine | {"load_after": [round(x, 2) for x in os.getloadavg()]},
        "setup": {
            "workers": args.workers,
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "offers": offers.count,
            "sellers": len(offers.by_seller),
        },
        "rows": [asdict(r) for r in rows],
        "pgbench": asdict(ceiling),
        "catalog": reads,
        "tracking_events_per_second": round(events_rate),
        "ingested_orders_per_second": round(ingest_rate),
        "place_order_ratio": round(place_rate / ceiling.tps, 3) if ceiling.tps else None,
    }
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "latest.svg").write_text(chart.svg(result))
    print(f"\nwritten: {RESULTS / 'latest.json'}")


def _catalog_stage(args: argparse.Namespace) -> dict[str, object]:
    """Search, category listing and product page on the large catalog, with workers' RSS."""
    url = args.catalog_database_url
    require_bench_database(url)
    dsn = libpq_url(url)
    if not args.skip_seed:
        started = time.perf_counter()
        asyncio.run(recreate_database(url))
        env = server_env(url)
        pasar(env, "migrate")
        pasar(env, "demo", "--scale", "large")
        print(f"large catalog seeded in {time.perf_counter() - started:.0f} s")
    else:
        pasar(server_env(url), "migrate")
    with running_server(url, args.workers) as base:
        print(f"catalog reads: 3 scenarios at concurrency 16 for {args.seconds} s each ...")
        run = asyncio.run(catalog.run_catalog_with_rss(base, dsn, args.seconds, 16))
        ceiling = asyncio.run(catalog.run_ceiling(base, args.seconds, 16))
    rows = [*run.summaries, ceiling]
    print()
    print(
        table(
            ["scenario", "count", "errors", "per s", "p50 ms", "p95 ms", "p99 ms"],
            [r.row() for r in rows],
        )
    )
    print(catalog.rss_line("worker RSS before", run.rss_before))
    print(catalog.rss_line("worker RSS after", run.rss_after))
    return {
        "rows": [asdict(r) for r in rows],
        "rss_before_mb": run.rss_before,
        "rss_after_mb": run.rss_after,
    }


def _report_errors(rec: Recorder) -> None:
    refused = sum(rec.expected.values())
    if refused:
        print(f"  refused on purpose (out of stock): {refused}")
    for example in rec.error_examples:
        print(f"  error: {example}")


if __name__ == "__main__":
    main()
