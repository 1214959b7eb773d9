"""The product page promises a delivery date per offer for the buyer's chosen region."""

from __future__ import annotations

from datetime import date

import httpx
from babel.dates import format_date
from fastapi import FastAPI

from pasar.checkout import CheckoutConfig, Destination, offer_promises
from pasar.fulfillment import NEW_SELLER_DELIVERIES, Carriers
from pasar.fulfillment.carriers.base import ServiceLevel
from pasar.fulfillment.carriers.rate_table import (
    Band,
    RateService,
    RateTableCarrier,
    Zone,
    ZoneRate,
)
from pasar.platform.db import Database
from tests.api.test_checkout_queries import counting
from tests.api.test_checkout_support import MONDAY_MORNING, configure, pin_clock
from tests.api.test_seller_scores import parcels
from tests.support import Actors
from tests.web.support import also_offer, csrf_of, listed, post_form

JAKARTA = Destination("ID", "DKI Jakarta", "10210")
BANDUNG = Destination("ID", "Jawa Barat", "40111")


def shown(day: date) -> str:
    return f"Delivery by {format_date(day, format='full', locale='en')}"


def config_of(app: FastAPI) -> CheckoutConfig:
    state = app.state
    return CheckoutConfig.from_settings(state.settings, carriers=state.fulfillment_config.carriers)


async def expected(app: FastAPI, database: Database, offer_id: int, to: Destination) -> date:
    async with database.sessionmaker() as session:
        found = await offer_promises(
            session, [offer_id], to, config=config_of(app), now=MONDAY_MORNING
        )
    promise = found[offer_id]
    assert promise is not None
    return promise.earliest_date


async def test_the_page_promises_a_date_for_the_chosen_region(
    app: FastAPI,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    actors: Actors,
    database: Database,
) -> None:
    """Jakarta by default; choosing Jawa Barat (a form, no JavaScript) moves the date."""
    pin_clock(app, MONDAY_MORNING)
    kopi = await listed(client, actors, price=2_500)
    other = await also_offer(client, actors, kopi.product_id, seller="Toko Lain", price=3_000)
    near = await expected(app, database, kopi.offer_id, JAKARTA)
    far = await expected(app, database, kopi.offer_id, BANDUNG)
    assert near < far
    page = await browser.get(f"/products/{kopi.product_id}")
    assert page.status_code == 200, page.text
    buybox, others = page.text.split('id="offers-title"')
    assert '<option value="DKI Jakarta" selected>' in buybox
    assert shown(near) in buybox
    assert "Shipping $5.00" in buybox
    assert shown(await expected(app, database, other.offer_id, JAKARTA)) in others

    moved = await post_form(
        browser,
        "/deliver-to",
        {"region": "Jawa Barat", "next": f"/products/{kopi.product_id}"},
        csrf=csrf_of(page.text),
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/products/{kopi.product_id}"
    page = await browser.get(f"/products/{kopi.product_id}")
    assert '<option value="Jawa Barat" selected>' in page.text
    assert shown(far) in page.text
    assert shown(near) not in page.text
    assert "Shipping $9.00" in page.text

    ignored = await post_form(
        browser, "/deliver-to", {"region": "Atlantis", "next": "https://evil.example/"}
    )
    assert ignored.headers["location"] == "/"
    assert shown(far) in (await browser.get(f"/products/{kopi.product_id}")).text


async def test_the_region_form_needs_its_csrf_token(browser: httpx.AsyncClient) -> None:
    refused = await browser.post("/deliver-to", data={"region": "Bali", "next": "/"})
    assert refused.status_code == 403


async def test_a_region_no_carrier_serves_is_said_plainly(
    app: FastAPI, client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    pin_clock(app, MONDAY_MORNING)
    jakarta_only = RateTableCarrier(
        code="jkt-post",
        name="Jakarta Post",
        zones=(Zone("jkt", regions=frozenset({"DKI Jakarta"})),),
        services=(
            RateService(
                "standard",
                "Standard",
                ServiceLevel.STANDARD,
                {"jkt": ZoneRate(1, (Band(5_000, 700),))},
            ),
        ),
    )
    configure(app, carriers=Carriers([jakarta_only]))
    kopi = await listed(client, actors)
    page = await browser.get(f"/products/{kopi.product_id}")
    assert "Delivery by " in page.text
    assert "Shipping $7.00" in page.text
    await post_form(browser, "/deliver-to", {"region": "Bali", "next": "/"})
    page = await browser.get(f"/products/{kopi.product_id}")
    assert "Does not deliver to Bali" in page.text
    assert "Delivery by " not in page.text
    indonesian = await browser.get(
        f"/products/{kopi.product_id}", headers={"Accept-Language": "id"}
    )
    assert "Tidak mengirim ke Bali" in indonesian.text


async def test_the_page_costs_the_same_statements_for_1_or_3_offers(
    app: FastAPI,
    client: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    actors: Actors,
    database: Database,
) -> None:
    """No query per offer: promises for every seller come from a fixed set of statements."""
    pin_clock(app, MONDAY_MORNING)
    alone = await listed(client, actors, title="Teh Melati")
    crowded = await listed(client, actors, title="Kopi Toraja", seller="Toko Satu")
    for n in range(2):
        await also_offer(client, actors, crowded.product_id, seller=f"Toko {n}", price=3_000 + n)
    counts = []
    for product_id, offers in ((alone.product_id, 1), (crowded.product_id, 3)):
        await browser.get(f"/products/{product_id}")  # the session cookie is set
        with counting(database) as seen:
            page = await browser.get(f"/products/{product_id}")
        assert page.status_code == 200
        assert page.text.count("Delivery by ") == offers
        counts.append([s for s in seen if s.lstrip().upper().startswith("SELECT")])
    # The catalog's product and offers (4), three for every promise on the page and one
    # for every seller's score.
    assert len(counts[0]) == len(counts[1]) == 8, counts


async def test_each_offer_shows_its_sellers_on_time_rate(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """The buy box and every other offer say how often the seller delivered on time; a
    seller with too few deliveries to judge is "New seller", in the buyer's language."""
    kopi = await listed(client, actors, price=2_500)
    steady = await also_offer(client, actors, kopi.product_id, seller="Toko Tepat", price=3_000)
    fresh = await also_offer(client, actors, kopi.product_id, seller="Toko Baru", price=3_500)
    await parcels(database, kopi.seller_id, on_time=23, late=1)
    await parcels(database, steady.seller_id, on_time=120, late=2)
    await parcels(database, fresh.seller_id, on_time=NEW_SELLER_DELIVERIES - 1)
    page = await browser.get(f"/products/{kopi.product_id}")
    assert page.status_code == 200, page.text
    buybox, others = page.text.split('id="offers-title"')
    assert "Seller rating" in buybox
    assert "96% on time · 24 deliveries" in buybox
    tepat, baru = others.split("Sold by Toko Baru")
    assert "98% on time · 122 deliveries" in tepat
    assert "New seller" in baru
    assert "on time" not in baru
    indonesian = await browser.get(
        f"/products/{kopi.product_id}", headers={"Accept-Language": "id"}
    )
    assert "Penjual baru" in indonesian.text
    assert "96% tepat waktu · 24 pengiriman" in indonesian.text
