"""Throughput: a priced cart costs a fixed number of statements; the one-query helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from pasar import catalog, inventory, sellers
from pasar.platform.db import Database
from tests.api import test_inventory_support as inv
from tests.api.test_checkout_support import (
    MONDAY_MORNING,
    NATIONAL,
    add,
    address,
    listed,
    new_cart,
    pin_clock,
    read,
    restock,
    shop,
)
from tests.support import Actors


@contextmanager
def counting(database: Database) -> Iterator[list[str]]:
    """Every SQL statement sent to the database while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def statements_to_read(
    client: httpx.AsyncClient, database: Database, token: str
) -> list[str]:
    with counting(database) as seen:
        cart = await read(client, token)
    assert cart["groups"][0]["options"], "priced with delivery options"
    return seen


async def test_reading_a_cart_costs_the_same_for_1_or_12_lines(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """A 12-line, 4-seller cart is priced in as many statements as a 1-line cart."""
    pin_clock(app, MONDAY_MORNING)
    shops = [await shop(client, actors) for _ in range(4)]
    offers = [await listed(client, s) for s in shops for _ in range(3)]
    small, big = await new_cart(client), await new_cart(client)
    await add(client, small, offers[0])
    for offer_id in offers:
        await add(client, big, offer_id, 2)
    await address(client, small)
    await address(client, big)
    one = await statements_to_read(client, database, small)
    twelve = await statements_to_read(client, database, big)
    assert len((await read(client, big))["groups"]) == 4
    assert len(one) == len(twelve), (one, twelve)
    assert len([s for s in twelve if s.lstrip().upper().startswith("SELECT")]) == 5


async def test_ship_origins_pick_the_warehouse_with_most_available(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Same policy as reserve: most available wins; inactive warehouses never count."""
    toko = await shop(client, actors)
    offer = await listed(client, toko, stock=2)
    bandung = await client.post(
        f"/api/v1/sellers/{toko.seller.seller_id}/warehouses",
        json={
            **inv.WAREHOUSE,
            "code": "BDG",
            "city": "Bandung",
            "region": "Jawa Barat",
            "cut_off_time": "11:00",
        },
        headers=toko.seller.headers,
    )
    assert bandung.status_code == 201, bandung.text
    synced = await inv.sync(
        client,
        toko.seller,
        [{"offer_id": offer, "warehouse_id": bandung.json()["id"], "quantity": 7}],
    )
    assert synced.status_code == 200, synced.text
    never = await listed(client, toko, stock=0)
    async with database.sessionmaker() as session:
        origins = await inventory.ship_origins(session, [offer, never])
    assert set(origins) == {offer}
    origin = origins[offer]
    assert (origin.warehouse_id, origin.region, origin.cut_off_time) == (
        bandung.json()["id"],
        "Jawa Barat",
        "11:00",
    )
    assert (origin.available, origin.total_available) == (7, 9)
    closed = await client.patch(
        f"/api/v1/sellers/{toko.seller.seller_id}/warehouses/{bandung.json()['id']}",
        json={"is_active": False},
        headers=toko.seller.headers,
    )
    assert closed.status_code == 200, closed.text
    async with database.sessionmaker() as session:
        origin = (await inventory.ship_origins(session, [offer]))[offer]
    assert (origin.warehouse_id, origin.available, origin.total_available) == (
        toko.warehouse_id,
        2,
        2,
    )


async def test_a_group_is_promised_from_where_its_stock_is(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Stock only in Jakarta: a Bandung buyer gets national rates and dates."""
    pin_clock(app, MONDAY_MORNING)
    toko = await shop(client, actors)
    offer = await listed(client, toko)
    token = await new_cart(client)
    await add(client, token, offer)
    cart = await address(client, token, NATIONAL)
    assert {o["service"]: o["price"] for o in cart["groups"][0]["options"]} == {
        "standard": 900,
        "expedited": 1900,
    }
    await restock(client, toko, offer, 0)
    still = await read(client, token)  # no stock anywhere: the seller's address stands in
    assert [o["service"] for o in still["groups"][0]["options"]] == ["standard", "expedited"]


async def test_quotes_and_profiles_answer_for_many_ids_at_once(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Unknown ids are absent; what is known carries price, title, seller and policy."""
    toko = await shop(client, actors, "Toko Kopi")
    offer = await listed(client, toko, price=4_200, weight_g=300)
    seller_id = toko.seller.seller_id
    assert seller_id is not None
    async with database.sessionmaker() as session:
        quotes = await catalog.quote_offers(session, [offer, 999_999])
        profiles = await sellers.shipping_profiles(session, [seller_id, 999_999])
    assert set(quotes) == {offer}
    quote = quotes[offer]
    assert (quote.price_amount, quote.weight_grams, quote.purchasable, quote.reason) == (
        4_200,
        300,
        True,
        None,
    )
    assert (quote.title, quote.seller_name) == ("Kopi Gayo 250 g — Whole bean", "Toko Kopi")
    assert set(profiles) == {seller_id}
    profile = profiles[seller_id]
    assert (profile.sellable, profile.handling_days, profile.ship_from_timezone) == (
        True,
        1,
        "Asia/Jakarta",
    )
    assert (profile.cut_off_time.hour, profile.country) == (15, "ID")
