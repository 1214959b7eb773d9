"""Query discipline: a bulk hand-over costs a fixed number of statements, whatever the
number of SellerOrders it ships (no per-order query storms).

Money is the known exception: `payments.capture` still locks (and, for a card, captures)
one SellerOrder's share at a time, so its statements are counted apart; they grow by a
fixed amount per SellerOrder.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pasar import payments
from pasar.platform.db import Database
from tests.api import test_fulfillment_support as f
from tests.api import test_orders_support as s
from tests.api.test_checkout_queries import counting
from tests.support import Actors

#: The whole of POST /sellers/{id}/shipments/hand-over (with the shipments it returns),
#: leaving out the statements of `payments.capture`.
HAND_OVER_BUDGET = 25


async def test_handing_over_1_or_6_seller_orders_costs_the_same(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shipping six SellerOrders at once takes as many statements as shipping one, each
    SellerOrder showing its own parcel's carrier and tracking number."""
    shop = await s.shop(client, actors, "Bulk", offers=1, stock=50)
    parcels: dict[int, dict[str, Any]] = {}
    for _ in range(7):
        cart = await s.cart_with(client, [(shop.offers[0], 1)])
        placed = await s.place(client, cart["token"], s.card())
        assert placed.status_code == 201, placed.text
        so_id = int(placed.json()["seller_orders"][0]["id"])
        parcels[so_id] = await f.create_shipment(client, shop, so_id)

    # The statements seen so far in the counted block, and how many `capture` sent.
    seen: list[str] = []
    in_capture = 0
    capture = payments.capture

    async def counted_capture(session: Any, **kwargs: Any) -> None:
        nonlocal in_capture
        before = len(seen)
        await capture(session, **kwargs)
        in_capture += len(seen) - before

    monkeypatch.setattr(payments, "capture", counted_capture)
    ids = list(parcels)
    counts, money = [], []
    for batch in (ids[:1], ids[1:]):
        in_capture = 0
        with counting(database) as statements:
            seen = statements
            handed = await f.hand_over(client, shop, [parcels[i]["id"] for i in batch])
        assert len(handed) == len(batch)
        counts.append(len(seen) - in_capture)
        money.append(in_capture)

    for so_id, parcel in parcels.items():
        so = await f.seller_order(client, shop, so_id)
        assert so["status"] == "shipped"
        assert (so["carrier"], so["tracking_number"]) == (
            parcel["carrier"],
            parcel["tracking_number"],
        )
    assert counts[0] == counts[1], counts
    assert counts[0] <= HAND_OVER_BUDGET, counts
    assert money[0] > 0, money
    assert money[1] == 6 * money[0], money
