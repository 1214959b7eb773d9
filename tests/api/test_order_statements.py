"""Query discipline: placing an order and reading a seller's queue cost a fixed number of
statements, whatever the number of lines, sellers or orders (no per-line query storms)."""

from __future__ import annotations

import httpx

from pasar.platform.db import Database
from tests.api import test_orders_support as s
from tests.api.test_checkout_queries import counting
from tests.support import Actors

#: The whole of POST /carts/{token}/order for a card payment, on either database.
PLACE_ORDER_BUDGET = 30


async def test_placing_costs_the_same_for_1_line_or_9_lines_from_3_sellers(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    shops = [await s.shop(client, actors, f"Busy {n}", offers=3, stock=50) for n in range(3)]
    small = await s.cart_with(client, [(shops[0].offers[0], 1)])
    big = await s.cart_with(client, [(o, 2) for shop in shops for o in shop.offers])
    counts = []
    for cart in (small, big):
        with counting(database) as seen:
            placed = await s.place(client, cart["token"], s.card(), key=f"k-{cart['token']}")
        assert placed.status_code == 201, placed.text
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
    assert counts[0] <= PLACE_ORDER_BUDGET, counts


async def test_a_sellers_queue_costs_the_same_for_1_or_10_orders(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    shop = await s.shop(client, actors, "Queue", offers=2, stock=100)
    seller = shop.seller
    url = f"/api/v1/sellers/{seller.seller_id}/orders"
    counts = []
    for orders in (1, 9):
        for _ in range(orders):
            cart = await s.cart_with(client, [(shop.offers[0], 1), (shop.offers[1], 1)])
            assert (await s.place(client, cart["token"], s.card())).status_code == 201
        with counting(database) as seen:
            listed = await client.get(url, headers=seller.headers)
        assert listed.status_code == 200
        counts.append(len(seen))
    assert len(listed.json()["items"]) == 10
    assert counts[0] == counts[1], counts
