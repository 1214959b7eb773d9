"""Query discipline for carriers' tracking webhooks: a post costs the same statements
whatever its size.

A carrier posts up to a thousand scans at once; the parcels, the events, the parcels'
new statuses and the outbox rows each go in one statement (or one executemany) for the
whole batch. A 1-scan post and a 100-scan post over several parcels are counted; a
per-event or per-parcel statement makes the larger count grow and fails the equality.
"""

from __future__ import annotations

from typing import Any

import httpx

from pasar.platform.db import Database
from tests.api import test_fulfillment_support as f
from tests.api.test_checkout_queries import counting
from tests.api.test_fulfillment_tracking import POST, report, scan
from tests.support import Actors

#: Measured (SQLite / PostgreSQL) 5 / 4: the parcels locked with their SellerOrders'
#: others, one multi-row event insert, one executemany of the parcels' updates, one of the
#: outbox rows (SQLite adds its BEGIN IMMEDIATE).
TRACKING_POST_CEILING = 5


async def _post_counting(
    client: httpx.AsyncClient, database: Database, *events: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    with counting(database) as seen:
        body = await report(client, POST, *events)
    return body, seen


async def test_a_tracking_post_costs_the_same_for_1_scan_or_100_over_4_parcels(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    made = [await f.shipped(client, actors, carrier=POST) for _ in range(4)]
    numbers = [parcel["tracking_number"] for _, parcel in made]
    # Picked up first, so neither measured post hands a parcel over.
    await report(client, POST, *(scan(n, f"{n}-pck", "PCK", hours=1) for n in numbers))

    one_body, one = await _post_counting(
        client, database, scan(numbers[0], "single", "ARR", hours=2)
    )
    many = [
        scan(numbers[i % 4], f"bulk-{i}", ("DEP", "ARR", "HUB")[i % 3], hours=3 + i / 10)
        for i in range(100)
    ]
    many_body, hundred = await _post_counting(client, database, *many)

    assert one_body == {"accepted": 1, "duplicates": 0, "unknown_tracking_numbers": []}
    assert many_body == {"accepted": 100, "duplicates": 0, "unknown_tracking_numbers": []}
    assert len(one) == len(hundred), (one, hundred)
    assert len(hundred) <= TRACKING_POST_CEILING, hundred

    # The same post again changes nothing, answers with duplicates, and costs no more.
    again_body, again = await _post_counting(client, database, *many)
    assert again_body == {"accepted": 0, "duplicates": 100, "unknown_tracking_numbers": []}
    assert len(again) <= len(hundred), again
    for placed, parcel in made:
        seen = await f.shipment(client, placed.shop, parcel["id"])
        assert seen["status"] == "in_transit"
        assert len(seen["events"]) == 1 + 1 + 25 + (parcel is made[0][1])
