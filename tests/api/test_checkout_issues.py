"""Every cart read re-validates its lines; adding refuses what cannot be bought."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.api.test_checkout_support import (
    add,
    codes,
    configure,
    lines_of,
    listed,
    new_cart,
    read,
    restock,
    shop,
)
from tests.support import Actors


async def test_a_price_change_is_reported_with_both_prices(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The line keeps the price seen when added; a new price shows as price_changed."""
    toko = await shop(client, actors)
    offer = await listed(client, toko, price=2_500)
    token = await new_cart(client)
    await add(client, token, offer, 2)
    changed = await client.patch(
        f"/api/v1/offers/{offer}", json={"price_amount": 2_700}, headers=toko.seller.headers
    )
    assert changed.status_code == 200, changed.text
    (line,) = lines_of(await read(client, token))
    assert (line["seen_price"], line["unit_price"], line["line_total"]) == (2_500, 2_700, 5_400)
    (issue,) = line["issues"]
    assert (issue["code"], issue["old_price"], issue["new_price"]) == (
        "price_changed",
        2_500,
        2_700,
    )
    again = await add(client, token, offer, 1)
    assert codes(lines_of(again)[0]) == []  # re-adding shows (and records) today's price


async def test_a_deactivated_offer_is_unavailable_and_blocks(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The seller switches the offer off: the line says unavailable and the cart is not ready."""
    toko = await shop(client, actors)
    offer = await listed(client, toko)
    token = await new_cart(client)
    await add(client, token, offer)
    off = await client.patch(
        f"/api/v1/offers/{offer}", json={"status": "inactive"}, headers=toko.seller.headers
    )
    assert off.status_code == 200, off.text
    cart = await read(client, token)
    assert codes(lines_of(cart)[0]) == ["unavailable"]
    assert cart["ready"] is False
    assert any("no longer sold" in b for b in cart["blockers"])


async def test_a_suspended_seller_makes_its_lines_unavailable(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """An operator suspends the seller: its lines say seller_unavailable, others are fine."""
    bad, good = await shop(client, actors, "Toko Nakal"), await shop(client, actors, "Toko Baik")
    bad_offer, good_offer = await listed(client, bad), await listed(client, good)
    token = await new_cart(client)
    await add(client, token, bad_offer)
    await add(client, token, good_offer)
    operator = await actors.operator()
    suspended = await client.post(
        f"/api/v1/sellers/{bad.seller.seller_id}/status",
        json={"action": "suspend", "reason": "counterfeit goods"},
        headers=operator.headers,
    )
    assert suspended.status_code == 200, suspended.text
    issues = {li["offer_id"]: codes(li) for li in lines_of(await read(client, token))}
    assert issues == {bad_offer: ["seller_unavailable"], good_offer: []}


async def test_a_stock_shortfall_reports_what_is_left(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Stock drained below the quantity: insufficient_stock with the units available."""
    toko = await shop(client, actors)
    offer = await listed(client, toko, stock=10)
    token = await new_cart(client)
    await add(client, token, offer, 4)
    await restock(client, toko, offer, 3)
    (issue,) = lines_of(await read(client, token))[0]["issues"]
    assert (issue["code"], issue["available"]) == ("insufficient_stock", 3)
    await restock(client, toko, offer, 0)
    (issue,) = lines_of(await read(client, token))[0]["issues"]
    assert (issue["code"], issue["available"], issue["detail"]) == (
        "insufficient_stock",
        0,
        "Out of stock.",
    )


async def test_a_lowered_limit_reports_quantity_limit(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """A line above today's per-line maximum is reported, and blocks."""
    toko = await shop(client, actors)
    offer = await listed(client, toko, stock=50)
    token = await new_cart(client)
    await add(client, token, offer, 8)
    configure(app, max_quantity=5)
    cart = await read(client, token)
    assert codes(lines_of(cart)[0]) == ["quantity_limit"]
    assert cart["ready"] is False


async def test_adding_refuses_unknown_and_unsellable_offers(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Unknown offer 404, inactive offer 409, both naming offer_id; the cart is unchanged."""
    toko = await shop(client, actors)
    offer = await listed(client, toko)
    off = await client.patch(
        f"/api/v1/offers/{offer}", json={"status": "inactive"}, headers=toko.seller.headers
    )
    assert off.status_code == 200
    token = await new_cart(client)
    unknown = await client.post(
        f"/api/v1/carts/{token}/lines", json={"offer_id": 987_654, "quantity": 1}
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert (unknown.json()["type"], unknown.json()["field"]) == (
        "/problems/offer-not-found",
        "offer_id",
    )
    inactive = await client.post(
        f"/api/v1/carts/{token}/lines", json={"offer_id": offer, "quantity": 1}
    )
    assert inactive.status_code == 409
    assert inactive.json()["type"] == "/problems/offer-not-purchasable"
    assert (inactive.json()["field"], inactive.json()["reason"]) == ("offer_id", "offer_inactive")
    assert (await read(client, token))["groups"] == []


async def test_quantities_outside_the_limits_are_refused(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """0 or negative is 422; above the maximum (also by adding again) is 422 quantity-limit."""
    toko = await shop(client, actors)
    offer = await listed(client, toko, stock=100)
    token = await new_cart(client)
    lines = f"/api/v1/carts/{token}/lines"
    for bad in (0, -3):
        refused = await client.post(lines, json={"offer_id": offer, "quantity": bad})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "quantity"
    too_many = await client.post(lines, json={"offer_id": offer, "quantity": 21})
    assert too_many.status_code == 422
    assert (too_many.json()["type"], too_many.json()["field"]) == (
        "/problems/quantity-limit",
        "quantity",
    )
    line_id = lines_of(await add(client, token, offer, 15))[0]["id"]
    over = await client.post(lines, json={"offer_id": offer, "quantity": 6})
    assert over.status_code == 422
    patched = await client.patch(f"{lines}/{line_id}", json={"quantity": 21})
    assert patched.status_code == 422
    zero = await client.patch(f"{lines}/{line_id}", json={"quantity": 0})
    assert zero.status_code == 422
    assert lines_of(await read(client, token))[0]["quantity"] == 15


async def test_a_cart_holds_a_limited_number_of_lines(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Beyond max_lines distinct offers, adding is 409 cart-full; more of a present one is fine."""
    configure(app, max_lines=2)
    toko = await shop(client, actors)
    a, b, c = [await listed(client, toko) for _ in range(3)]
    token = await new_cart(client)
    await add(client, token, a)
    await add(client, token, b)
    full = await client.post(f"/api/v1/carts/{token}/lines", json={"offer_id": c})
    assert full.status_code == 409
    assert full.json()["type"] == "/problems/cart-full"
    await add(client, token, a)
    assert [li["offer_id"] for li in lines_of(await read(client, token))] == [a, b]
