"""Guest checkout under a closed-loop load: each of N clients does the whole journey, again
and again, for a fixed time, and every step's latency is recorded.

The journey is the one a storefront makes: create a cart, add 1-3 lines from different
sellers, give the address, choose delivery per seller, place the order with a card (with an
Idempotency-Key). "Place-order alone" first prepares carts, then times only the last step.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.http import Client, TransportError
from bench.stats import Recorder

BUYER = {
    "email": "bench@example.com",
    "phone": "+6281234567890",
    "name": "Bench Buyer",
    "line1": "Jl. Sudirman 1",
    "city": "Jakarta",
    "region": "DKI Jakarta",
    "postal_code": "10210",
    "country": "ID",
}
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}

#: The problem type of a deliberate "sold out" answer (inventory's insufficient-stock).
OUT_OF_STOCK = "insufficient-stock"


@dataclass
class Offers:
    """In-stock offers of approved sellers that ship to the buyer, by seller."""

    by_seller: dict[int, list[int]]

    def pick(self, rng: random.Random, lines: int) -> list[int]:
        sellers = rng.sample(list(self.by_seller), k=min(lines, len(self.by_seller)))
        return [rng.choice(self.by_seller[s]) for s in sellers]

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_seller.values())


async def load_offers(dsn: str, limit: int = 100_000) -> Offers:
    """The offers a buyer in Indonesia can buy, read straight from the database: setting up a
    benchmark is not part of what it measures."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            """
            SELECT o.id, o.seller_id FROM offers o JOIN sellers s ON s.id = o.seller_id
            WHERE o.status = 'active' AND s.status IN ('approved', 'warned')
              AND EXISTS (
                SELECT 1 FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
                WHERE l.offer_id = o.id AND w.country = 'ID' AND w.is_active
                  AND l.on_hand - l.reserved >= 3)
              AND NOT EXISTS (
                SELECT 1 FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
                WHERE l.offer_id = o.id AND w.country <> 'ID')
            ORDER BY o.id LIMIT $1
            """,
            limit,
        )
    finally:
        await conn.close()
    by_seller: dict[int, list[int]] = {}
    for row in rows:
        by_seller.setdefault(row["seller_id"], []).append(row["id"])
    if len(by_seller) < 3:
        raise SystemExit(
            f"need in-stock offers from 3 sellers shipping to ID, found {len(by_seller)}"
        )
    return Offers(by_seller)


class Refused(Exception):
    """The marketplace said no on purpose (out of stock): not an error of the system."""


class Failed(Exception):
    pass


async def _call(
    http: Client,
    rec: Recorder,
    step: str,
    method: str,
    url: str,
    **kwargs: Any,
) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        response = await http.request(method, url, **kwargs)
    except TransportError as exc:
        rec.fail(step, repr(exc))
        raise Failed(step) from exc
    elapsed = (time.perf_counter() - started) * 1000
    if response.status < 300:
        rec.ok(step, elapsed)
        return response.json()  # type: ignore[no-any-return]
    problem = response.json() if response.is_json else {}
    if response.status == 409 and OUT_OF_STOCK in str(problem.get("type", "")):
        rec.refused(step)
        raise Refused(step)
    rec.fail(step, f"{response.status} {response.text}")
    raise Failed(step)


async def prepare_cart(http: Client, rec: Recorder, offer_ids: list[int]) -> tuple[str, int]:
    """Cart, lines, address, delivery: returns the cart token and the total to expect."""
    cart = (await _call(http, rec, "create cart", "POST", "/api/v1/carts"))["token"]
    for offer_id in offer_ids:
        await _call(
            http,
            rec,
            "add line",
            "POST",
            f"/api/v1/carts/{cart}/lines",
            json={"offer_id": offer_id, "quantity": 1},
        )
    priced = await _call(http, rec, "address", "PUT", f"/api/v1/carts/{cart}/address", json=BUYER)
    choices = [{"seller_id": g["seller"]["id"], "service": "standard"} for g in priced["groups"]]
    priced = await _call(
        http, rec, "delivery", "PUT", f"/api/v1/carts/{cart}/delivery", json={"choices": choices}
    )
    return cart, int(priced["grand_total"])


async def place(http: Client, rec: Recorder, cart: str, total: int) -> None:
    body = {"payment": {"method": "card", "card": CARD}, "expected_total": total}
    await _call(
        http,
        rec,
        "place order",
        "POST",
        f"/api/v1/carts/{cart}/order",
        json=body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def _client(base: str, concurrency: int) -> Client:
    return Client(base, connections=concurrency)


async def whole_checkout(
    base: str, offers: Offers, *, concurrency: int, seconds: float, seed: int = 7
) -> tuple[Recorder, float]:
    """Closed loop: `concurrency` buyers each checking out one order after another."""
    rec = Recorder()
    deadline = time.perf_counter() + seconds
    async with _client(base, concurrency) as http:

        async def buyer(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    cart, total = await prepare_cart(http, rec, offers.pick(rng, rng.randint(1, 3)))
                    await place(http, rec, cart, total)
                except (Refused, Failed):
                    continue
                rec.ok("whole checkout", (time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(buyer(n) for n in range(concurrency)))
    return rec, time.perf_counter() - started


async def place_only(
    base: str, offers: Offers, *, concurrency: int, carts: int, seed: int = 11
) -> tuple[Recorder, float]:
    """Prepare `carts` carts (untimed), then place them all at `concurrency` in flight."""
    setup = Recorder()
    queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
    async with _client(base, concurrency) as http:

        async def preparer(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            for _ in range(n, carts, concurrency):
                try:
                    queue.put_nowait(
                        await prepare_cart(http, setup, offers.pick(rng, rng.randint(1, 3)))
                    )
                except (Refused, Failed):
                    continue

        await asyncio.gather(*(preparer(n) for n in range(concurrency)))
        rec = Recorder()

        async def placer() -> None:
            while not queue.empty():
                cart, total = queue.get_nowait()
                try:
                    await place(http, rec, cart, total)
                except (Refused, Failed):
                    continue

        started = time.perf_counter()
        await asyncio.gather(*(placer() for _ in range(concurrency)))
    return rec, time.perf_counter() - started
