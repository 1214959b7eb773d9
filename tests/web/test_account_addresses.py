"""A signed-in buyer's address book on the web: kept, changed, made default and deleted
through the account pages' forms; checkout starts from the default address, offers the
others as plain links, and keeps a new address when asked. Guests see nothing new."""

from __future__ import annotations

import re
from typing import Any

import httpx

from pasar.checkout import MAX_ADDRESSES
from tests.support import Actor, Actors
from tests.web.support import CARD, CONTACT, add_to_cart, listed, post_form, submit_checkout, token
from tests.web.test_signin import sign_in

BOOK = "/account/addresses"
API = "/api/v1/me/addresses"
HOME = {
    "label": "Home",
    "name": "Siti Rahma",
    "phone": "+62 812-3456-7890",
    "line1": "Jl. Kemang Raya 5",
    "city": "Jakarta",
    "region": "DKI Jakarta",
    "postal_code": "12730",
    "country": "ID",
}
OFFICE = {**HOME, "label": "Office", "line1": "Jl. Sudirman 1", "postal_code": "10220"}


async def _saved(client: httpx.AsyncClient, buyer: Actor) -> list[dict[str, Any]]:
    answer = await client.get(API, headers=buyer.headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _keep(client: httpx.AsyncClient, buyer: Actor, body: dict[str, str]) -> int:
    made = await client.post(API, json=body, headers=buyer.headers)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def test_a_buyer_keeps_addresses_through_the_forms(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    buyer = await actors.buyer()
    await sign_in(browser, buyer.email)
    empty = await browser.get(BOOK)
    assert empty.status_code == 200, empty.text
    assert empty.headers["cache-control"] == "no-store"
    assert "No saved address yet." in empty.text
    assert 'href="/account/addresses" class="current" aria-current="page"' in empty.text

    added = await post_form(browser, BOOK, HOME, csrf=await token(browser, BOOK))
    assert added.status_code == 303, added.text
    assert added.headers["location"] == BOOK
    shown = await browser.get(BOOK)
    assert "The address is saved." in shown.text
    assert "Jl. Kemang Raya 5" in shown.text
    (home,) = await _saved(client, buyer)
    assert (home["label"], home["phone"], home["is_default"]) == ("Home", "+6281234567890", True)

    refused = await post_form(
        browser, BOOK, {**OFFICE, "name": "", "phone": "call me"}, csrf=await token(browser, BOOK)
    )
    assert refused.status_code == 422
    assert 'id="a-name" name="name"' in refused.text
    assert 'aria-invalid="true" aria-describedby="e-name"' in refused.text
    assert "Enter the name of the person receiving the parcel." in refused.text
    assert "Enter a mobile number with 7 to 15 digits" in refused.text
    assert 'value="Jl. Sudirman 1"' in refused.text  # what was typed is kept
    assert len(await _saved(client, buyer)) == 1

    made = await post_form(
        browser, BOOK, {**OFFICE, "is_default": "1"}, csrf=await token(browser, BOOK)
    )
    assert made.status_code == 303
    office = next(a for a in await _saved(client, buyer) if a["label"] == "Office")
    assert office["is_default"] is True

    back = await post_form(
        browser, f"{BOOK}/{home['id']}/default", {}, csrf=await token(browser, BOOK)
    )
    assert back.status_code == 303
    assert [(a["label"], a["is_default"]) for a in await _saved(client, buyer)] == [
        ("Home", True),
        ("Office", False),
    ]

    edit = await browser.get(f"{BOOK}/{office['id']}")
    assert edit.status_code == 200
    assert 'value="Jl. Sudirman 1"' in edit.text
    changed = await post_form(
        browser,
        f"{BOOK}/{office['id']}",
        {**OFFICE, "label": "Kantor", "line2": "Lantai 12"},
        csrf=await token(browser, f"{BOOK}/{office['id']}"),
    )
    assert changed.status_code == 303, changed.text
    bad = await post_form(
        browser,
        f"{BOOK}/{office['id']}",
        {**OFFICE, "city": ""},
        csrf=await token(browser, f"{BOOK}/{office['id']}"),
    )
    assert bad.status_code == 422
    assert "Enter the city." in bad.text
    office = next(a for a in await _saved(client, buyer) if a["id"] == office["id"])
    assert (office["label"], office["line2"], office["city"]) == ("Kantor", "Lantai 12", "Jakarta")

    gone = await post_form(
        browser, f"{BOOK}/{home['id']}/delete", {}, csrf=await token(browser, BOOK)
    )
    assert gone.status_code == 303
    assert "The address is deleted." in (await browser.get(BOOK)).text
    (left,) = await _saved(client, buyer)
    assert (left["id"], left["is_default"]) == (office["id"], True)  # the default moved on


async def test_another_buyers_address_is_not_found(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    owner = await actors.buyer()
    theirs = await _keep(client, owner, HOME)
    other = await actors.buyer()
    await sign_in(browser, other.email)
    csrf = await token(browser, BOOK)
    assert (await browser.get(f"{BOOK}/{theirs}")).status_code == 404
    for path in (f"{BOOK}/{theirs}", f"{BOOK}/{theirs}/default", f"{BOOK}/{theirs}/delete"):
        answer = await post_form(browser, path, {**OFFICE, "city": "Bandung"}, csrf=csrf)
        assert answer.status_code == 404, path
    (kept,) = await _saved(client, owner)
    assert kept["city"] == "Jakarta"
    assert "Jl. Kemang Raya 5" not in (await browser.get(BOOK)).text


async def test_strangers_sign_in_first_and_a_full_book_says_so(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    answer = await browser.get(BOOK)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/signin?next={BOOK}"
    buyer = await actors.buyer()
    for n in range(MAX_ADDRESSES):
        await _keep(client, buyer, {**HOME, "line1": f"Jl. Kemang {n}"})
    await sign_in(browser, buyer.email)
    full = await browser.get(BOOK)
    assert f"You can keep at most {MAX_ADDRESSES} addresses." in full.text
    assert 'action="/account/addresses" novalidate' not in full.text
    refused = await post_form(browser, BOOK, OFFICE, csrf=await token(browser, BOOK))
    assert refused.status_code == 409
    assert f"You can keep at most {MAX_ADDRESSES} addresses." in refused.text


async def test_checkout_starts_from_the_default_address(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    """The default fills the form; another saved address is one link away; someone else's
    address id is ignored."""
    kopi = await listed(client, actors)
    buyer = await actors.buyer()
    await _keep(client, buyer, HOME)
    office = await _keep(client, buyer, OFFICE)
    stranger = await actors.buyer()
    theirs = await _keep(client, stranger, {**HOME, "line1": "Jl. Rahasia 9"})
    await sign_in(browser, buyer.email)
    await add_to_cart(browser, kopi.offer_id)

    form = await browser.get("/checkout")
    assert form.status_code == 200, form.text
    assert 'value="Jl. Kemang Raya 5"' in form.text
    assert 'value="+6281234567890"' in form.text
    assert f'value="{buyer.email}"' in form.text  # the account's email beside it
    assert f'href="/checkout?address={office}"' in form.text
    assert 'name="save_address"' in form.text

    picked = await browser.get("/checkout", params={"address": office})
    assert 'value="Jl. Sudirman 1"' in picked.text
    assert 'value="Jl. Kemang Raya 5"' not in picked.text
    assert f'href="/checkout?address={office}"' not in picked.text  # it is the one selected
    hidden = await browser.get("/checkout", params={"address": theirs})
    assert hidden.status_code == 200
    assert "Jl. Rahasia 9" not in hidden.text
    assert 'value="Jl. Kemang Raya 5"' in hidden.text

    fields = {k: v for k, v in HOME.items() if k != "label"}
    shown = await submit_checkout(browser, {**fields, "email": buyer.email}, action="update")
    assert shown.status_code == 200, shown.text
    placed = await submit_checkout(
        browser, {**fields, "email": buyer.email, f"delivery_{kopi.seller_id}": "standard", **CARD}
    )
    assert placed.status_code == 303, placed.text
    assert len(await _saved(client, buyer)) == 2  # not ticked: nothing new kept


async def test_a_buyer_saves_the_address_they_check_out_with(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    kopi = await listed(client, actors, stock=10)
    buyer = await actors.buyer()
    await sign_in(browser, buyer.email)

    async def order(save: bool) -> None:
        await add_to_cart(browser, kopi.offer_id)
        ticked = {"save_address": "1"} if save else {}
        shown = await submit_checkout(browser, {**CONTACT, **ticked}, action="update")
        assert shown.status_code == 200, shown.text
        assert 'name="save_address" value="1" checked' in shown.text
        placed = await submit_checkout(
            browser, {**CONTACT, **ticked, f"delivery_{kopi.seller_id}": "standard", **CARD}
        )
        assert placed.status_code == 303, placed.text
        assert re.match(r"^/orders/[A-Z0-9-]+\?placed=1$", placed.headers["location"])
        assert (
            "Thank you! Your order is placed."
            in (await browser.get(placed.headers["location"])).text
        )

    await order(save=True)
    (kept,) = await _saved(client, buyer)
    assert (kept["line1"], kept["phone"], kept["is_default"]) == (
        CONTACT["line1"],
        "+6281234567890",
        True,
    )
    assert kept["label"] is None
    await order(save=True)  # the same address again: kept once
    assert len(await _saved(client, buyer)) == 1
    assert "Jl. Kemang Raya 5" in (await browser.get(BOOK)).text


async def test_a_full_book_does_not_stop_the_order(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    kopi = await listed(client, actors)
    buyer = await actors.buyer()
    for n in range(MAX_ADDRESSES):
        await _keep(client, buyer, {**HOME, "line1": f"Jl. Kemang {n}"})
    await sign_in(browser, buyer.email)
    await add_to_cart(browser, kopi.offer_id)
    fields = {**CONTACT, "line1": "Jl. Baru 1", "save_address": "1"}
    await submit_checkout(browser, fields, action="update")
    placed = await submit_checkout(
        browser, {**fields, f"delivery_{kopi.seller_id}": "standard", **CARD}
    )
    assert placed.status_code == 303, placed.text
    opened = await browser.get(placed.headers["location"])
    assert "Thank you! Your order is placed." in opened.text
    assert "Your address book is full" in opened.text
    assert len(await _saved(client, buyer)) == MAX_ADDRESSES


async def test_guests_see_nothing_new_at_checkout(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    kopi = await listed(client, actors)
    await add_to_cart(browser, kopi.offer_id)
    form = await browser.get("/checkout")
    assert form.status_code == 200
    assert "save_address" not in form.text
    assert "Your saved addresses" not in form.text
    ignored = await browser.get("/checkout", params={"address": 1})
    assert ignored.status_code == 200
    shown = await submit_checkout(browser, {**CONTACT, "save_address": "1"}, action="update")
    assert "save_address" not in shown.text


async def test_the_address_book_speaks_indonesian(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    buyer = await actors.buyer()
    await _keep(client, buyer, HOME)
    await sign_in(browser, buyer.email)
    chosen = await post_form(
        browser, "/language", {"locale": "id", "next": BOOK}, csrf=await token(browser, BOOK)
    )
    assert chosen.status_code == 303
    page = await browser.get(BOOK)
    assert '<html lang="id">' in page.text
    assert "Alamat saya" in page.text
    assert "My addresses" not in page.text
