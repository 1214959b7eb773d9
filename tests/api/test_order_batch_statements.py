"""An order batch costs a fixed number of statements, whatever its size.

Counted at the engine (COPY on PostgreSQL goes around it, one per table either way): a
batch of 10 orders and one of 100 must send the same statements, so ingestion scales
with rows, never with round trips.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from pasar.platform.db import Database
from tests.api import test_orders_support as s
from tests.api.test_order_batches import order, post
from tests.support import Actors


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]).split(None, 1)[0].upper())

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_batch_of_100_sends_the_statements_of_a_batch_of_10(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    a = await s.shop(client, actors, "Count A", offers=3, stock=1_000, price=1_000)
    b = await s.shop(client, actors, "Count B", offers=3, stock=1_000, price=2_000)
    operator = await actors.operator()

    def batch(tag: str, size: int) -> list[dict[str, Any]]:
        return [
            order(f"{tag}-{i}", (a.offers[i % 3], 1), (b.offers[(i + 1) % 3], 2))
            for i in range(size)
        ]

    await post(client, operator.headers, batch("warm", 2))
    counted = []
    for tag, size in (("ten", 10), ("hundred", 100)):
        with statements(database) as seen:
            body = await post(client, operator.headers, batch(tag, size))
        assert body["placed"] == size
        counted.append(seen)
    assert counted[0] == counted[1]
    assert len(counted[0]) < 40
