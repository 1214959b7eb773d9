"""Order again: a new cart from an order's items and address (after a refused payment)."""

from __future__ import annotations

import httpx

from tests.api import test_orders_support as o
from tests.support import Actors


async def test_an_order_goes_back_into_a_new_cart_with_its_address(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    a = await o.shop(client, actors, "Toko A", offers=2)
    b = await o.shop(client, actors, "Toko B")
    cart = await o.cart_with(client, [(a.offers[0], 2), (a.offers[1], 1), (b.offers[0], 3)])
    placed = await o.place(client, cart["token"], o.card())
    assert placed.status_code == 201, placed.text
    body = placed.json()

    again = await client.post(
        f"/api/v1/orders/{body['number']}/cart", params={"access": body["access_token"]}
    )

    assert again.status_code == 201, again.text
    new = again.json()
    assert new["token"] != cart["token"]
    lines = {line["offer_id"]: line["quantity"] for g in new["groups"] for line in g["lines"]}
    assert lines == {a.offers[0]: 2, a.offers[1]: 1, b.offers[0]: 3}
    assert new["contact"]["email"] == o.ADDRESS["email"].lower()
    assert new["contact"]["city"] == o.ADDRESS["city"]


async def test_only_the_order_holder_may_order_it_again(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    a = await o.shop(client, actors, "Toko A")
    cart = await o.cart_with(client, [(a.offers[0], 1)])
    placed = (await o.place(client, cart["token"], o.card())).json()
    url = f"/api/v1/orders/{placed['number']}/cart"

    stranger = await client.post(url, params={"access": "x" * 43})
    seller = await client.post(url, headers=a.seller.headers)

    assert stranger.status_code == 404
    assert stranger.headers["content-type"].startswith("application/problem+json")
    assert seller.status_code == 404
    assert (await client.get(f"/api/v1/carts/{cart['token']}")).json()["status"] == "ordered"
