"""Query discipline: the hot paths cost a fixed number of SQL statements.

Place-order, the product page API and the seller's order list are measured twice, with a
small case and a larger one (more lines, sellers, offers or orders), by counting every
statement the engine sends. An N+1 (one query per line, offer, seller or order) makes the
larger count grow and fails the equality; the ceilings catch a regression that adds the
same few statements to both.
"""

from __future__ import annotations

import httpx

from pasar.platform.db import Database
from tests.api import test_inventory_support as inv
from tests.api import test_orders_support as s
from tests.api.test_checkout_queries import counting
from tests.api.test_order_concurrency import _copies as copies_of_cart
from tests.support import Actors

#: Absolute ceilings, so a regression shows even when it costs the small and the large case
#: alike. Measured (SQLite / PostgreSQL): place-order 21 / 20 (pricing reads, the stock
#: lock, guarded UPDATE and ledger, one multi-row INSERT per order table, the whole order's
#: outbox rows as one executemany, payment rows, closing the cart); product page and its
#: offer list 6 / 4 for both requests; the seller's order list 6 / 5.
PLACE_ORDER_CEILING = 21
PRODUCT_PAGE_CEILING = 6
SELLER_ORDERS_CEILING = 6


async def _place_counting(
    client: httpx.AsyncClient, database: Database, lines: list[tuple[int, int]]
) -> list[str]:
    cart = await s.cart_with(client, lines)
    with counting(database) as seen:
        placed = await s.place(client, cart["token"], s.card())
    assert placed.status_code == 201, placed.text
    return seen


async def test_place_order_costs_the_same_for_1_line_or_6_lines_from_3_sellers(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    shops = [await s.shop(client, actors, f"Toko {i}", offers=2) for i in range(3)]
    one = await _place_counting(client, database, [(shops[0].offers[0], 1)])
    six = await _place_counting(
        client, database, [(offer, 2) for shop in shops for offer in shop.offers]
    )
    assert len(one) == len(six), (one, six)
    assert len(six) <= PLACE_ORDER_CEILING, six


async def _product_with_offers(
    client: httpx.AsyncClient, actors: Actors, *, variants: int, sellers: int
) -> tuple[int, int]:
    """A product with `variants` variants, each offered (and stocked) by `sellers` sellers;
    returns the product id and its number of offers."""
    owner = await actors.seller()
    made = await client.post(
        f"/api/v1/sellers/{owner.seller_id}/products",
        json={
            "title": "Kopi Toraja",
            "images": ["https://img.example.com/toraja.jpg"],
            "variants": [
                {"sku": f"TOR-{owner.seller_id}-{v}", "option_values": {"size": f"{v + 1}00 g"}}
                for v in range(variants)
            ],
        },
        headers=owner.headers,
    )
    assert made.status_code == 201, made.text
    product = made.json()
    offered = 0
    for n in range(sellers):
        seller = owner if n == 0 else await actors.seller()
        warehouse = await inv.warehouse(client, seller, f"PP{seller.seller_id}")
        ids = []
        for variant in product["variants"]:
            created = await client.post(
                f"/api/v1/sellers/{seller.seller_id}/offers",
                json={"variant_id": variant["id"], "price_amount": 20_000 + 100 * n},
                headers=seller.headers,
            )
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
        synced = await inv.sync(
            client,
            seller,
            [{"offer_id": o, "warehouse_id": warehouse, "quantity": 5} for o in ids],
        )
        assert synced.status_code == 200, synced.text
        offered += len(ids)
    return int(product["id"]), offered


async def _product_page_counting(
    client: httpx.AsyncClient, database: Database, product_id: int, offers: int
) -> list[str]:
    with counting(database) as seen:
        page = await client.get(f"/api/v1/products/{product_id}")
        listed = await client.get(f"/api/v1/products/{product_id}/offers")
    assert page.status_code == 200, page.text
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == offers
    return seen


async def test_product_page_costs_the_same_for_1_offer_or_12_offers_from_3_sellers(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """The product page and its offer list: 1 variant from 1 seller, then 4 from 3."""
    small, small_offers = await _product_with_offers(client, actors, variants=1, sellers=1)
    big, big_offers = await _product_with_offers(client, actors, variants=4, sellers=3)
    assert (small_offers, big_offers) == (1, 12)
    one = await _product_page_counting(client, database, small, small_offers)
    twelve = await _product_page_counting(client, database, big, big_offers)
    assert len(one) == len(twelve), (one, twelve)
    assert len(twelve) <= PRODUCT_PAGE_CEILING, twelve


async def _seller_orders_counting(
    client: httpx.AsyncClient, database: Database, shop: s.Shop, expected: int
) -> list[str]:
    path = f"/api/v1/sellers/{shop.seller.seller_id}/orders"
    with counting(database) as seen:
        listed = await client.get(path, params={"limit": 50}, headers=shop.seller.headers)
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == expected
    return seen


async def test_seller_order_list_costs_the_same_for_1_order_or_30(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """1 one-line order against 30 two-line orders (each also holding another seller's
    part), all on one page."""
    quiet = await s.shop(client, actors, "Quiet", offers=1)
    busy = await s.shop(client, actors, "Busy", offers=2, stock=100)
    other = await s.shop(client, actors, "Other", offers=1, stock=100)
    cart = await s.cart_with(client, [(quiet.offers[0], 1)])
    assert (await s.place(client, cart["token"], s.card())).status_code == 201
    lines = [(busy.offers[0], 1), (busy.offers[1], 2), (other.offers[0], 1)]
    first = await s.cart_with(client, lines)
    for token in [first["token"], *await copies_of_cart(database, first["token"], 29)]:
        placed = await s.place(client, token, s.card())
        assert placed.status_code == 201, placed.text
    one = await _seller_orders_counting(client, database, quiet, 1)
    thirty = await _seller_orders_counting(client, database, busy, 30)
    assert len(one) == len(thirty), (one, thirty)
    assert len(thirty) <= SELLER_ORDERS_CEILING, thirty
