"""A signed-in buyer's account: the profile, their orders (placed through the API while
signed in), each one opening without the guest access link; nobody else's."""

from __future__ import annotations

import httpx

from tests.api import test_fulfillment_support as f
from tests.support import Actors
from tests.web.support import post_form, token
from tests.web.test_signin import sign_in


async def test_a_buyer_sees_their_orders_newest_first_and_opens_one(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    buyer = await actors.buyer()
    first = await f.placed_order(client, actors, headers=buyer.headers, name="Satu")
    second = await f.placed_order(client, actors, headers=buyer.headers, name="Dua")
    someone = await actors.buyer()
    theirs = await f.placed_order(client, actors, headers=someone.headers, name="Tiga")
    guest = await f.placed_order(client, actors, name="Empat")

    signed = await sign_in(browser, buyer.email)
    assert signed.status_code == 303
    profile = await browser.get("/account")
    assert profile.status_code == 200, profile.text
    assert profile.headers["cache-control"] == "no-store"
    assert buyer.email in profile.text
    assert second.number in profile.text

    listed = await browser.get("/account/orders")
    assert listed.status_code == 200
    text = listed.text
    assert first.number in text
    assert second.number in text
    assert text.index(second.number) < text.index(first.number)  # newest first
    assert f'href="/orders/{first.number}"' in text
    assert theirs.number not in text
    assert guest.number not in text
    assert "Confirmed" in text  # paid by card: verified

    mine = await browser.get(f"/orders/{first.number}")  # no access link needed
    assert mine.status_code == 200, mine.text
    assert first.number in mine.text
    assert (await browser.get(f"/orders/{theirs.number}")).status_code == 404
    assert (await browser.get(f"/orders/{guest.number}")).status_code == 404
    # the guest link still opens a guest's order, signed in or not
    linked = await browser.get(f"/orders/{guest.number}", params={"access": guest.access_token})
    assert linked.status_code == 200


async def test_a_buyer_without_orders_is_invited_to_shop(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    buyer = await actors.buyer()
    await sign_in(browser, buyer.email)
    listed = await browser.get("/account/orders")
    assert listed.status_code == 200
    assert "You have not ordered anything yet." in listed.text


async def test_guests_are_sent_to_sign_in_and_sellers_are_refused(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    for path in ("/account", "/account/orders"):
        answer = await browser.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/signin?next={path}"
    owner = await actors.seller("Toko Kopi")
    await sign_in(browser, owner.email)
    assert (await browser.get("/account/orders")).status_code == 403


async def test_the_orders_page_speaks_indonesian(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    buyer = await actors.buyer()
    placed = await f.placed_order(client, actors, headers=buyer.headers)
    await sign_in(browser, buyer.email)
    chosen = await post_form(
        browser,
        "/language",
        {"locale": "id", "next": "/account/orders"},
        csrf=await token(browser, "/account"),
    )
    assert chosen.status_code == 303
    listed = await browser.get("/account/orders")
    assert '<html lang="id">' in listed.text
    assert "Pesanan saya" in listed.text
    assert "My orders" not in listed.text
    assert placed.number in listed.text
