"""The storefront for someone signed in, and 3-D Secure in the web checkout: a buyer's
web order is theirs, the layout knows who is signed in, the bank's challenge page leads
back to the order."""

from __future__ import annotations

import re
from html import unescape

import httpx

from pasar.identity import Role
from tests.support import Actors
from tests.web.support import (
    CARD,
    CONTACT,
    add_to_cart,
    csrf_of,
    listed,
    post_form,
    submit_checkout,
    token,
)
from tests.web.test_signin import sign_in

THREE_DS_CARD = {**CARD, "card_number": "4000 0000 0000 3220"}
CHALLENGE = re.compile(r"^/pay/challenge/[A-Za-z0-9_-]{16,64}$")
SIGN_OUT = '<form method="post" action="/signout" class="inline signout">'


async def _place(browser: httpx.AsyncClient, seller_id: int, fields: dict[str, str]) -> str:
    shown = await submit_checkout(browser, fields, action="update")
    assert shown.status_code == 200, shown.text
    placed = await submit_checkout(browser, {**fields, f"delivery_{seller_id}": "standard", **CARD})
    assert placed.status_code == 303, placed.text
    return str(placed.headers["location"])


async def test_a_signed_in_buyers_web_order_is_theirs(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    kopi = await listed(client, actors)
    buyer = await actors.buyer()
    assert (await sign_in(browser, buyer.email)).status_code == 303
    await add_to_cart(browser, kopi.offer_id)

    form = await browser.get("/checkout")  # the account's email and name, ready
    assert form.status_code == 200
    assert f'value="{buyer.email}"' in form.text
    assert f'value="{buyer.email.split("@")[0]}"' in form.text

    typed = {k: v for k, v in CONTACT.items() if k not in ("email", "name")}
    url = await _place(browser, kopi.seller_id, {**typed, "email": "", "name": ""})
    number = re.match(r"^/orders/([A-Z0-9-]+)\?placed=1$", url)
    assert number, url  # no access link: the order is the buyer's own
    opened = await browser.get(url)
    assert opened.status_code == 200, opened.text
    assert "Thank you for your order" in opened.text
    assert buyer.email in opened.text  # the contact came from the account

    listed_orders = await browser.get("/account/orders")
    assert f'href="/orders/{number.group(1)}"' in listed_orders.text
    api = await client.get("/api/v1/orders", headers=buyer.headers)
    assert [o["number"] for o in api.json()["items"]] == [number.group(1)]


async def test_a_guests_web_order_stays_a_guest_order(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    """Seller staff shopping are guests: the access link, not their account."""
    kopi = await listed(client, actors)
    owner = await actors.seller("Toko Teh")
    await sign_in(browser, owner.email)
    await add_to_cart(browser, kopi.offer_id)
    form = await browser.get("/checkout")
    assert owner.email not in form.text
    url = await _place(browser, kopi.seller_id, CONTACT)
    assert re.match(r"^/orders/[A-Z0-9-]+\?access=[\w-]+&placed=1$", url)


async def test_the_layout_greets_whoever_is_signed_in(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    home = await browser.get("/")
    assert '<a href="/signin">Sign in</a>' in home.text
    assert "My account" not in home.text
    assert SIGN_OUT not in home.text

    buyer = await actors.buyer()
    await sign_in(browser, buyer.email)
    for path in ("/", "/search?q=kopi", "/cart", "/account"):
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert '<a href="/account"><span class="who-name">' in page.text, path
        assert buyer.email.split("@")[0] in page.text
        assert "My account" in page.text
        assert SIGN_OUT in page.text
        assert '<a href="/signin">Sign in</a>' not in page.text

    out = await post_form(browser, "/signout", {}, csrf=await token(browser, "/"))
    assert out.status_code == 303
    after = await browser.get("/")
    assert '<a href="/signin">Sign in</a>' in after.text
    assert "My account" not in after.text

    for role, account in (
        (Role.OPERATOR, "/console"),
        (Role.SUPPORT, "/console"),
    ):
        someone = await actors.user(role)
        await sign_in(browser, someone.email)
        assert f'<a href="{account}">' in (await browser.get("/")).text
        await post_form(browser, "/signout", {}, csrf=await token(browser, "/"))
    owner = await actors.seller("Toko Kopi")
    await sign_in(browser, owner.email)
    assert '<a href="/seller">' in (await browser.get("/")).text


async def test_a_revoked_session_is_shown_signed_out_once_checked(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    """The header reads the session (no query); a page that resolves the token corrects it."""
    buyer = await actors.buyer()
    await sign_in(browser, buyer.email)
    cookie = browser.cookies["pasar_session"]
    await post_form(browser, "/signout", {}, csrf=await token(browser, "/"))
    browser.cookies.set("pasar_session", cookie, domain="localhost")  # an old cookie replayed
    checked = await browser.get("/account")  # resolves: the token is revoked
    assert checked.status_code == 303
    page = await browser.get("/")
    assert '<a href="/signin">Sign in</a>' in page.text
    assert "My account" not in page.text


async def _three_ds_order(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> str:
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    shown = await submit_checkout(browser, CONTACT, action="update")
    assert shown.status_code == 200
    placed = await submit_checkout(
        browser, {**CONTACT, f"delivery_{kopi.seller_id}": "standard", **THREE_DS_CARD}
    )
    assert placed.status_code == 303, placed.text
    location = str(placed.headers["location"])
    assert CHALLENGE.match(location), location
    return location


async def test_a_3d_secure_card_goes_through_the_banks_page_and_back(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    challenge = await _three_ds_order(client, browser, actors)
    bank = await browser.get(challenge)
    assert bank.status_code == 200, bank.text
    assert bank.headers["cache-control"] == "no-store"
    assert "3220" in bank.text
    assert 'name="outcome" value="pass"' in bank.text
    answered = await browser.post(
        challenge, data={"csrf_token": csrf_of(bank.text), "outcome": "pass"}
    )
    assert answered.status_code == 303, answered.text
    order_url = str(answered.headers["location"])
    assert re.match(r"^/orders/[A-Z0-9-]+\?access=[\w-]+$", order_url)
    order = await browser.get(order_url)
    assert order.status_code == 200
    assert "Your payment is confirmed" in order.text
    assert "Confirmed" in order.text  # verified
    assert "Your bank needs to confirm this payment" not in order.text
    again = await browser.get(challenge)  # answered once
    assert "This payment was already answered." in again.text
    assert 'name="outcome"' not in again.text


async def test_the_order_page_links_to_the_banks_page_until_it_is_answered(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, actors: Actors
) -> None:
    challenge = await _three_ds_order(client, browser, actors)
    bank = await browser.get(challenge)
    number = re.search(r'translate="no">([A-Z0-9-]+)</dd>', bank.text)
    assert number
    found = await post_form(
        browser, "/find-order", {"number": number.group(1), "email": CONTACT["email"]}
    )
    order = await browser.get(str(found.headers["location"]))
    assert "Your bank needs to confirm this payment" in order.text
    assert f'href="{challenge}"' in unescape(order.text)
    refused = await browser.post(
        challenge, data={"csrf_token": csrf_of(bank.text), "outcome": "fail"}
    )
    assert refused.status_code == 303
    after = await browser.get(str(refused.headers["location"]))
    assert "The payment was not confirmed" in after.text
    assert "Cancelled" in after.text
