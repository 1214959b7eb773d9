"""Delivery over HTTP: address, options per seller, promised dates, choices and readiness.

The clock is pinned to Monday 23 November 2026, 10:00 in Jakarta; every test shop ships
from Jakarta (cut-off 15:00) with one handling day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from tests.api.test_checkout_support import (
    ABROAD,
    ADDRESS,
    MONDAY,
    MONDAY_MORNING,
    NATIONAL,
    add,
    address,
    configure,
    listed,
    new_cart,
    pin_clock,
    read,
    shop,
)
from tests.api.test_orders_support import card, order_of, place
from tests.support import Actors


def options(group: dict[str, Any]) -> dict[str, tuple[int, str, str, int]]:
    return {
        o["service"]: (o["price"], o["ship_by"], o["promised_date"], o["transit_days"])
        for o in group["options"]
    }


def day(offset: int) -> str:
    return (MONDAY + timedelta(days=offset)).isoformat()


async def test_local_delivery_is_promised_from_the_cut_off_and_handling_time(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Same region: standard 2 days (500), expedited 1 day (1200); ships Tuesday."""
    pin_clock(app, MONDAY_MORNING)
    toko = await shop(client, actors)
    token = await new_cart(client)
    await add(client, token, await listed(client, toko, price=2_500))
    before = await read(client, token)
    assert before["groups"][0]["options"] == []
    assert "Add a contact and delivery address." in before["blockers"]
    cart = await address(client, token)
    assert cart["contact"]["phone"] == "+6281234567890"
    assert options(cart["groups"][0]) == {
        "standard": (500, day(1), day(3), 2),
        "expedited": (1200, day(1), day(2), 1),
    }
    assert cart["groups"][0]["options"][0]["currency"] == "USD"


async def test_national_delivery_takes_longer_and_costs_more(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Another region of the same country: standard 4 days (900), expedited 2 (1900)."""
    pin_clock(app, MONDAY_MORNING)
    toko = await shop(client, actors)
    token = await new_cart(client)
    await add(client, token, await listed(client, toko))
    cart = await address(client, token, NATIONAL)
    assert options(cart["groups"][0]) == {
        "standard": (900, day(1), day(7), 4),
        "expedited": (1900, day(1), day(3), 2),
    }


async def test_international_addresses_are_not_served_yet(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Abroad: no options, the group says why, and no service can be chosen."""
    pin_clock(app, MONDAY_MORNING)
    toko = await shop(client, actors, "Toko Lokal")
    token = await new_cart(client)
    await add(client, token, await listed(client, toko))
    cart = await address(client, token, ABROAD)
    (group,) = cart["groups"]
    assert (group["options"], group["issues"]) == ([], ["does not ship to SG"])
    assert "Toko Lokal does not ship to SG." in cart["blockers"]
    chosen = await client.put(
        f"/api/v1/carts/{token}/delivery",
        json={"choices": [{"seller_id": toko.seller.seller_id, "service": "standard"}]},
    )
    assert chosen.status_code == 422
    assert chosen.json()["field"] == "choices.0.service"


async def test_after_the_cut_off_handling_starts_the_next_business_day(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """At 15:00 sharp on Monday the parcel ships Wednesday, not Tuesday."""
    pin_clock(app, MONDAY_MORNING.replace(hour=15))
    toko = await shop(client, actors)
    token = await new_cart(client)
    await add(client, token, await listed(client, toko))
    cart = await address(client, token)
    assert options(cart["groups"][0])["standard"][1:3] == (day(2), day(4))


async def test_marketplace_holidays_are_not_business_days(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Tuesday a holiday: handling ends Wednesday, standard local arrives Friday."""
    pin_clock(app, MONDAY_MORNING)
    configure(app, holidays=frozenset({date(2026, 11, 24)}))
    toko = await shop(client, actors)
    token = await new_cart(client)
    await add(client, token, await listed(client, toko))
    cart = await address(client, token)
    assert options(cart["groups"][0])["standard"][1:3] == (day(2), day(4))


async def test_heavy_parcels_pay_per_kilogram_and_big_baskets_ship_free(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Weight over 1 kg adds 150 per started kg; items from 10,000 get free standard."""
    pin_clock(app, MONDAY_MORNING)
    toko = await shop(client, actors)
    beans = await listed(client, toko, price=1_000, weight_g=None)  # counts 500 g each
    token = await new_cart(client)
    await add(client, token, beans, 3)
    heavy = await address(client, token)
    assert options(heavy["groups"][0])["standard"][0] == 650
    free = await add(client, token, beans, 7)
    assert free["items_total"] == 10_000
    standard, expedited = (
        options(free["groups"][0])["standard"],
        options(free["groups"][0])["expedited"],
    )
    assert (standard[0], expedited[0]) == (0, 1200 + 4 * 150)


async def test_choosing_delivery_per_seller_makes_the_cart_ready(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Two sellers, two parcels: each needs a choice; then totals include shipping."""
    pin_clock(app, MONDAY_MORNING)
    a, b = await shop(client, actors, "Toko A"), await shop(client, actors, "Toko B")
    token = await new_cart(client)
    await add(client, token, await listed(client, a, price=2_000))
    await add(client, token, await listed(client, b, price=3_000), 2)
    cart = await address(client, token)
    assert [g["seller"]["name"] for g in cart["groups"]] == ["Toko A", "Toko B"]
    assert cart["ready"] is False
    assert "Choose a delivery option for Toko A." in cart["blockers"]
    url = f"/api/v1/carts/{token}/delivery"
    first = await client.put(
        url, json={"choices": [{"seller_id": a.seller.seller_id, "service": "expedited"}]}
    )
    assert first.status_code == 200, first.text
    assert first.json()["blockers"] == ["Choose a delivery option for Toko B."]
    second = await client.put(
        url, json={"choices": [{"seller_id": b.seller.seller_id, "service": "standard"}]}
    )
    cart = second.json()
    assert [g["chosen"]["service"] for g in cart["groups"]] == ["expedited", "standard"]
    assert (cart["items_total"], cart["shipping_total"], cart["grand_total"]) == (
        8_000,
        1_700,
        9_700,
    )
    assert (cart["ready"], cart["blockers"]) == (True, [])


async def test_bad_delivery_choices_name_the_field_and_change_nothing(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """A seller not in the cart, or an unknown service, is 422 naming the field."""
    pin_clock(app, MONDAY_MORNING)
    toko, stranger = await shop(client, actors), await shop(client, actors)
    token = await new_cart(client)
    await add(client, token, await listed(client, toko))
    await address(client, token)
    url = f"/api/v1/carts/{token}/delivery"
    mine = {"seller_id": toko.seller.seller_id, "service": "standard"}
    not_in_cart = {"seller_id": stranger.seller.seller_id, "service": "standard"}
    refused = await client.put(url, json={"choices": [mine, not_in_cart]})
    assert refused.status_code == 422
    assert (refused.json()["type"], refused.json()["field"]) == (
        "/problems/invalid-delivery-choice",
        "choices.1.seller_id",
    )
    unknown = await client.put(url, json={"choices": [{**mine, "service": "drone"}]})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "choices.0.service"
    assert (await read(client, token))["groups"][0]["chosen"] is None


async def test_addresses_are_validated_and_bad_ones_change_nothing(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Email, phone, country and required fields are checked; a refusal leaves the cart as is."""
    token = await new_cart(client)
    url = f"/api/v1/carts/{token}/address"
    for field, value in (
        ("email", "not-an-email"),
        ("phone", "12"),
        ("phone", "+62 abc 123"),
        ("country", "XX"),
        ("country", "IDN"),
        ("name", "   "),
        ("city", "Jakarta\u0000"),
    ):
        refused = await client.put(url, json={**ADDRESS, field: value})
        assert refused.status_code == 422, (field, value, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == field
    missing = {k: v for k, v in ADDRESS.items() if k != "postal_code"}
    assert (await client.put(url, json=missing)).status_code == 422
    assert (await read(client, token))["contact"] is None
    stored = await client.put(url, json={**ADDRESS, "country": "id", "line2": " Blok B "})
    assert stored.status_code == 200, stored.text
    assert (stored.json()["contact"]["country"], stored.json()["contact"]["line2"]) == (
        "ID",
        "Blok B",
    )


async def test_an_empty_cart_is_not_ready(client: httpx.AsyncClient) -> None:
    """Nothing to order: the blocker says so."""
    cart = await read(client, await new_cart(client))
    assert (cart["ready"], cart["blockers"]) == (False, ["The cart is empty."])


async def test_options_say_which_carrier_carries_them_and_the_order_remembers_it(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Each option names its carrier and tags; 12 kg goes by freight, and the order keeps it."""
    pin_clock(app, MONDAY_MORNING)
    toko = await shop(client, actors)
    token = await new_cart(client)
    await add(client, token, await listed(client, toko))
    light = await address(client, token)
    assert [
        (o["service"], o["carrier"], o["carrier_name"], o["tags"])
        for o in light["groups"][0]["options"]
    ] == [
        ("standard", "pasar-post", "Pasar Post", ["cheapest", "best_value"]),
        ("expedited", "pasar-post", "Pasar Post", ["fastest"]),
    ]
    heavy_token = await new_cart(client)
    await add(client, heavy_token, await listed(client, toko, price=3_000, weight_g=12_000))
    heavy = await address(client, heavy_token)
    standard, expedited = heavy["groups"][0]["options"]
    # Post 500 + 11 started kg * 150 = 2150; cargo's 10-20 kg band 1900 + 5 % fuel = 1995.
    # Ready Tuesday, collected Wednesday (Mon/Wed/Fri), 3 business days: Monday the 30th.
    assert (standard["carrier"], standard["price"], standard["promised_date"]) == (
        "nusantara-cargo",
        1995,
        day(7),
    )
    assert (expedited["carrier"], expedited["price"], expedited["tags"]) == (
        "pasar-post",
        2850,
        ["fastest", "best_value"],
    )
    chosen = await client.put(
        f"/api/v1/carts/{heavy_token}/delivery",
        json={"choices": [{"seller_id": toko.seller.seller_id, "service": "standard"}]},
    )
    assert chosen.json()["groups"][0]["chosen"]["carrier"] == "nusantara-cargo"
    placed = await place(client, heavy_token, card(), expected_total=3_000 + 1995)
    assert placed.status_code == 201, placed.text
    (part,) = (await order_of(client, placed.json()))["seller_orders"]
    assert (part["carrier"], part["delivery"]["service"], part["shipping_amount"]) == (
        "nusantara-cargo",
        "standard",
        1995,
    )
