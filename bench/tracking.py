"""Carrier tracking webhooks under load: signed batches of scans, as a carrier posts them.

Setup (untimed) makes real parcels through the API: the operator moves seller orders from
the checkout run to processing and buys a label for each. The timed part posts batches of
distinct in-transit scans (each with its own `event_id`), signed with the carrier's key
exactly as a carrier would, from `concurrency` senders, and counts events accepted per
second.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta

import asyncpg  # type: ignore[import-untyped]
import httpx
import orjson

from bench.stats import Recorder
from pasar.platform.signing import HEADER, derive_key, sign

OPERATOR = {"email": "operator@pasar.example.com", "password": "pasar-demo-2026"}
SCANS = ("DEP", "ARR", "HUB")


async def make_parcels(
    base: str, dsn: str, count: int, concurrency: int = 8
) -> list[tuple[str, str]]:
    """(carrier, tracking number) of `count` fresh parcels, made through the seller API."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT id, seller_id FROM seller_orders WHERE status = 'verified'"
            " ORDER BY id LIMIT $1",
            count,
        )
    finally:
        await conn.close()
    parcels: list[tuple[str, str]] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        token = (await http.post("/api/v1/auth/token", json=OPERATOR)).raise_for_status().json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}

        async def one(row: asyncpg.Record) -> None:
            path = f"/api/v1/sellers/{row['seller_id']}/orders/{row['id']}"
            await http.post(f"{path}/process", headers=headers)
            made = await http.post(
                f"{path}/shipments", headers=headers, json={"packages": [{"weight_grams": 800}]}
            )
            if made.status_code == 201:
                body = made.json()
                parcels.append((body["carrier"], body["tracking_number"]))

        queue = list(rows)

        async def worker() -> None:
            while queue:
                await one(queue.pop())

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return parcels


async def post_scans(
    base: str,
    secret: str,
    parcels: list[tuple[str, str]],
    *,
    batch: int,
    concurrency: int,
    seconds: float,
) -> tuple[Recorder, float, int]:
    """Post signed batches for `seconds`; returns the recorder, the time and events accepted."""
    rec = Recorder()
    keys = {carrier: derive_key(secret, f"carrier:{carrier}") for carrier, _ in parcels}
    by_carrier: dict[str, list[str]] = {}
    for carrier, number in parcels:
        by_carrier.setdefault(carrier, []).append(number)
    sequence = itertools.count()
    start = datetime.now(UTC) - timedelta(days=2)
    accepted = 0
    deadline = time.perf_counter() + seconds

    def next_batch(carrier: str) -> bytes:
        numbers = by_carrier[carrier]
        events = []
        for _ in range(batch):
            n = next(sequence)
            number = numbers[n % len(numbers)]
            events.append(
                {
                    "tracking_number": number,
                    "event_id": f"{number}-bench-{n}",
                    "code": SCANS[n % len(SCANS)],
                    "description": "In transit",
                    "location": "Jakarta Hub",
                    "occurred_at": (start + timedelta(seconds=n // len(numbers))).isoformat(),
                }
            )
        return orjson.dumps({"events": events})

    carriers = itertools.cycle(sorted(by_carrier))
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:

        async def sender() -> None:
            nonlocal accepted
            while time.perf_counter() < deadline:
                carrier = next(carriers)
                body = next_batch(carrier)
                headers = {HEADER: sign(keys[carrier], body), "Content-Type": "application/json"}
                began = time.perf_counter()
                response = await http.post(
                    f"/api/v1/carriers/{carrier}/tracking-events", content=body, headers=headers
                )
                if response.status_code == 200:
                    rec.ok("tracking batch", (time.perf_counter() - began) * 1000)
                    accepted += orjson.loads(response.content)["accepted"]
                else:
                    rec.fail("tracking batch", f"{response.status_code} {response.text}")

        began = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
    return rec, time.perf_counter() - began, accepted
