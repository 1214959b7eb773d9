"""Product-page promises: one unit of an offer, quoted as a cart would be, before any address."""

from __future__ import annotations

from datetime import date

import httpx
from fastapi import FastAPI

from pasar import checkout
from pasar.platform.db import Database
from tests.api.test_checkout_queries import counting
from tests.api.test_checkout_support import (
    ABROAD,
    ADDRESS,
    MONDAY_MORNING,
    NATIONAL,
    add,
    address,
    listed,
    new_cart,
    pin_clock,
    shop,
)
from tests.support import Actors


def config_of(app: FastAPI) -> checkout.CheckoutConfig:
    """What the cart endpoints price with: the app's settings and carriers."""
    state = app.state
    return checkout.CheckoutConfig.from_settings(
        state.settings, carriers=state.fulfillment_config.carriers
    )


def destination(body: dict[str, str]) -> checkout.Destination:
    return checkout.Destination(body["country"], body["region"], body["postal_code"])


async def cart_standard(
    client: httpx.AsyncClient, offer_id: int, to: dict[str, str]
) -> tuple[date, int]:
    """The cart's standard option for one unit of the offer shipped to this address."""
    token = await new_cart(client)
    await add(client, token, offer_id)
    cart = await address(client, token, to)
    standard = next(o for o in cart["groups"][0]["options"] if o["service"] == "standard")
    return date.fromisoformat(standard["promised_date"]), int(standard["price"])


async def test_a_promise_is_the_carts_standard_option(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Same date and price as the cart's standard option, locally, nationally and when free."""
    pin_clock(app, MONDAY_MORNING)
    toko = await shop(client, actors)
    cheap = await listed(client, toko, price=2_500)
    dear = await listed(client, toko, price=25_000, weight_g=3_000)
    config = config_of(app)
    for to in (ADDRESS, NATIONAL):
        async with database.sessionmaker() as session:
            found = await checkout.offer_promises(
                session, [cheap, dear], destination(to), config=config, now=MONDAY_MORNING
            )
        for offer_id in (cheap, dear):
            promise = found[offer_id]
            assert promise is not None
            assert promise.service == "standard"
            assert promise.currency == config.currency
            expected = await cart_standard(client, offer_id, to)
            assert (promise.earliest_date, promise.price) == expected, (to["region"], offer_id)
        free = found[dear]
        assert free is not None
        assert free.price == 0, "free standard from 10,000"
    async with database.sessionmaker() as session:
        local = await checkout.offer_promises(
            session, [cheap], destination(ADDRESS), config=config, now=MONDAY_MORNING
        )
        far = await checkout.offer_promises(
            session, [cheap], destination(NATIONAL), config=config, now=MONDAY_MORNING
        )
    assert local[cheap] is not None
    assert far[cheap] is not None
    assert local[cheap].earliest_date < far[cheap].earliest_date
    assert local[cheap].price < far[cheap].price


async def test_no_carrier_no_promise_and_unknown_offers_are_absent(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    pin_clock(app, MONDAY_MORNING)
    toko = await shop(client, actors)
    offer = await listed(client, toko)
    async with database.sessionmaker() as session:
        abroad = await checkout.offer_promises(
            session,
            [offer, 999_999],
            (ABROAD["country"], ABROAD["region"], None),
            config=config_of(app),
            now=MONDAY_MORNING,
        )
        nothing = await checkout.offer_promises(
            session, [], destination(ADDRESS), config=config_of(app), now=MONDAY_MORNING
        )
    assert abroad == {offer: None}
    assert nothing == {}


async def test_an_out_of_stock_offer_is_promised_from_the_seller(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """No stock location: the seller's own address and cut-off, as a cart line would."""
    pin_clock(app, MONDAY_MORNING)
    toko = await shop(client, actors)
    offer = await listed(client, toko, stock=0)
    async with database.sessionmaker() as session:
        found = await checkout.offer_promises(
            session, [offer], destination(NATIONAL), config=config_of(app), now=MONDAY_MORNING
        )
    assert found[offer] is not None
    assert (found[offer].earliest_date, found[offer].price) == await cart_standard(
        client, offer, NATIONAL
    )


async def test_promises_cost_three_statements_for_any_number_of_offers(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Set-based: the same statements for 1 offer as for 3 offers of 3 sellers."""
    pin_clock(app, MONDAY_MORNING)
    offers = [await listed(client, await shop(client, actors)) for _ in range(3)]
    config = config_of(app)
    counts = []
    for ids in (offers[:1], offers):
        async with database.sessionmaker() as session:
            with counting(database) as seen:
                found = await checkout.offer_promises(
                    session, ids, destination(NATIONAL), config=config, now=MONDAY_MORNING
                )
        assert set(found) == set(ids)
        assert all(found.values())
        counts.append([s for s in seen if s.lstrip().upper().startswith("SELECT")])
    assert len(counts[0]) == len(counts[1]) == 3, counts


def test_the_regions_a_buyer_may_choose() -> None:
    regions = checkout.delivery_regions("id")
    assert regions[0] == checkout.Destination("ID", "DKI Jakarta", "10210")
    assert len({r.region for r in regions}) == len(regions) > 5
    assert checkout.delivery_regions("ZZ") == ()
