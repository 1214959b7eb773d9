"""Order ingestion at peak: trusted channels post batches of orders, closed loop.

`concurrency` senders each post a batch of `batch_size` orders to
`POST /api/v1/admin/order-batches`, again and again, for `seconds`. Each order holds 1-3
lines from different sellers (quantity 1) and a fresh external id; payment is `external`
(paid at the channel). Every request's latency is recorded ("batch"); the rate that
matters is orders placed per second (an order refused for stock is counted apart, as
the checkout benchmark counts out-of-stock answers).

    python -m bench.ingest --base http://127.0.0.1:8951 --dsn postgresql://... \
        --seconds 30 --batch-size 500 --concurrency 3
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from typing import Any

import httpx

from bench.checkout import BUYER, Offers, load_offers
from bench.stats import Recorder, table

OPERATOR = {"email": "operator@pasar.example.com", "password": "pasar-demo-2026"}
ADDRESS = {k: v for k, v in BUYER.items() if k not in ("email", "phone")}


async def operator_token(base: str) -> str:
    """A bearer token for the demo's operator (order batches are for operators)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        answer = await http.post("/api/v1/auth/token", json=OPERATOR)
        answer.raise_for_status()
        return str(answer.json()["access_token"])


def batch_of(offers: Offers, rng: random.Random, size: int, tag: str) -> dict[str, Any]:
    return {
        "channel": "bench-import",
        "orders": [
            {
                "external_id": f"{tag}-{i}",
                "email": BUYER["email"],
                "phone": BUYER["phone"],
                "address": ADDRESS,
                "lines": [
                    {"offer_id": o, "quantity": 1} for o in offers.pick(rng, rng.randint(1, 3))
                ],
                "payment": {"method": "external"},
            }
            for i in range(size)
        ],
    }


async def ingest(
    base: str,
    token: str,
    offers: Offers,
    seconds: float,
    batch_size: int,
    concurrency: int,
    seed: int = 13,
) -> tuple[Recorder, float, int]:
    """Closed loop of batch senders; returns the recorder, the elapsed time, orders placed."""
    rec = Recorder()
    placed = 0
    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as http:

        async def sender(n: int) -> None:
            nonlocal placed
            rng = random.Random(seed * 1000 + n)
            run = uuid.uuid4().hex[:8]
            sent = 0
            while time.perf_counter() < deadline:
                body = batch_of(offers, rng, batch_size, f"{run}-{n}-{sent}")
                sent += 1
                started = time.perf_counter()
                try:
                    response = await http.post(
                        "/api/v1/admin/order-batches", json=body, headers=headers
                    )
                except httpx.HTTPError as exc:
                    rec.fail("batch", repr(exc))
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    rec.fail("batch", f"{response.status_code} {response.text}")
                    continue
                rec.ok("batch", elapsed)
                answer = response.json()
                placed += int(answer["placed"])
                for result in answer["results"]:
                    if result["status"] == "rejected":
                        if "insufficient-stock" in result["problem"]["type"]:
                            rec.refused("order")
                        else:
                            rec.fail("order", str(result["problem"]))

        started = time.perf_counter()
        await asyncio.gather(*(sender(n) for n in range(concurrency)))
    return rec, time.perf_counter() - started, placed


async def _main(args: argparse.Namespace) -> None:
    offers = await load_offers(args.dsn)
    token = await operator_token(args.base)
    rec, seconds, placed = await ingest(
        args.base, token, offers, args.seconds, args.batch_size, args.concurrency
    )
    rows = [s.row() for s in rec.summaries(seconds)]
    print(table(["step", "count", "errors", "per s", "p50 ms", "p95 ms", "p99 ms"], rows))
    print(
        f"orders placed: {placed:,} in {seconds:.1f} s = {placed / seconds:,.0f} orders/s "
        f"(batch {args.batch_size}, concurrency {args.concurrency}; "
        f"out of stock: {rec.expected.get('order', 0):,})"
    )
    for example in rec.error_examples:
        print("  error:", example)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--dsn", required=True, help="postgresql://… (to pick offers)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=3)
    asyncio.run(_main(parser.parse_args()))
