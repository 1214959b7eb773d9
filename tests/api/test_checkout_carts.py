"""checkout carts over HTTP: guests and accounts, lines, tokens, tenancy and merging."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from pasar.checkout import CartClosed, mark_ordered
from pasar.platform.db import Database
from tests.api.test_checkout_support import add, lines_of, listed, new_cart, read, shop
from tests.support import Actors


async def test_a_guest_builds_a_cart_line_by_line(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Create, add, add the same offer again, change a quantity, remove: totals follow."""
    toko = await shop(client, actors, "Toko Kopi")
    kopi = await listed(client, toko, price=2_500, title="Kopi Gayo 250 g")
    teh = await listed(client, toko, price=1_000, title="Teh Melati", options={})
    created = await client.post("/api/v1/carts")
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert created.json()["status"] == "open"
    assert created.json()["groups"] == []
    await add(client, token, kopi, 2)
    await add(client, token, teh, 1)
    cart = await add(client, token, kopi, 1)
    (group,) = cart["groups"]
    assert group["seller"]["name"] == "Toko Kopi"
    assert [(li["offer_id"], li["quantity"]) for li in group["lines"]] == [(kopi, 3), (teh, 1)]
    first = group["lines"][0]
    assert first["title"] == "Kopi Gayo 250 g — Whole bean"
    assert group["lines"][1]["title"] == "Teh Melati"
    assert first["image_url"] == "https://img.example.com/kopi.jpg"
    assert (first["unit_price"], first["seen_price"], first["line_total"]) == (2_500, 2_500, 7_500)
    assert first["fulfilled_by"] == "seller"
    assert cart["items_total"] == 8_500
    changed = await client.patch(f"/api/v1/carts/{token}/lines/{first['id']}", json={"quantity": 1})
    assert changed.status_code == 200, changed.text
    assert changed.json()["items_total"] == 3_500
    removed = await client.delete(f"/api/v1/carts/{token}/lines/{first['id']}")
    assert removed.status_code == 200, removed.text
    assert [li["offer_id"] for li in lines_of(removed.json())] == [teh]
    assert (await read(client, token))["items_total"] == 1_000


async def test_tokens_are_long_random_and_the_only_key(client: httpx.AsyncClient) -> None:
    """Each guest cart gets its own token of at least 128 random bits; others are 404."""
    tokens = {await new_cart(client) for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(t) >= 43 for t in tokens)  # 32 bytes, base64url
    missing = await client.get("/api/v1/carts/" + "A" * 43)
    assert missing.status_code == 404
    assert missing.json()["type"] == "/problems/cart-not-found"


async def test_a_buyer_has_one_open_cart(client: httpx.AsyncClient, actors: Actors) -> None:
    """Creating again returns the same cart (200); /carts/mine finds it."""
    buyer = await actors.buyer()
    first = await client.post("/api/v1/carts", headers=buyer.headers)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/carts", headers=buyer.headers)
    assert again.status_code == 200, again.text
    assert again.json()["token"] == first.json()["token"]
    mine = await client.get("/api/v1/carts/mine", headers=buyer.headers)
    assert mine.status_code == 200, mine.text
    assert mine.json()["id"] == first.json()["id"]
    anonymous = await client.get("/api/v1/carts/mine")
    assert anonymous.status_code == 401


async def test_racing_first_carts_of_one_buyer_end_as_one(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Concurrent creates for one account all answer with the same open cart."""
    buyer = await actors.buyer()
    responses = await asyncio.gather(
        *(client.post("/api/v1/carts", headers=buyer.headers) for _ in range(6))
    )
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert len({r.json()["token"] for r in responses}) == 1


async def test_a_buyers_cart_is_unreachable_with_its_token_alone(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Another buyer, or a guest holding the token, gets 404 and changes nothing."""
    toko = await shop(client, actors)
    offer = await listed(client, toko)
    owner, other = await actors.buyer(), await actors.buyer()
    token = await new_cart(client, owner.headers)
    await add(client, token, offer, 1, headers=owner.headers)
    for headers in ({}, other.headers):
        assert (await client.get(f"/api/v1/carts/{token}", headers=headers)).status_code == 404
        tried = await client.post(
            f"/api/v1/carts/{token}/lines", json={"offer_id": offer, "quantity": 1}, headers=headers
        )
        assert tried.status_code == 404
        claimed = await client.post(f"/api/v1/carts/{token}/claim", headers=other.headers)
        assert claimed.status_code == 404
    assert lines_of(await read(client, token, owner.headers))[0]["quantity"] == 1


async def test_creating_a_cart_is_idempotent(client: httpx.AsyncClient) -> None:
    """The same Idempotency-Key returns the same guest cart."""
    headers = {"Idempotency-Key": "cart-1"}
    first = await client.post("/api/v1/carts", headers=headers)
    again = await client.post("/api/v1/carts", headers=headers)
    assert first.json()["token"] == again.json()["token"]
    assert (await client.post("/api/v1/carts")).json()["token"] != first.json()["token"]


async def test_adding_a_line_with_a_key_counts_once(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A retried add (same key) does not add the quantity twice."""
    toko = await shop(client, actors)
    offer = await listed(client, toko)
    token = await new_cart(client)
    for _ in range(2):
        response = await client.post(
            f"/api/v1/carts/{token}/lines",
            json={"offer_id": offer, "quantity": 2},
            headers={"Idempotency-Key": "add-1"},
        )
        assert response.status_code == 200, response.text
    assert lines_of(await read(client, token))[0]["quantity"] == 2


async def test_claiming_merges_the_guest_cart_into_the_account(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Quantities add (capped at the maximum), new offers join, the guest cart closes."""
    toko = await shop(client, actors)
    kopi, teh, gula = [await listed(client, toko, stock=50) for _ in range(3)]
    buyer = await actors.buyer()
    account = await new_cart(client, buyer.headers)
    await add(client, account, kopi, 2, headers=buyer.headers)
    await add(client, account, teh, 15, headers=buyer.headers)
    guest = await new_cart(client)
    await add(client, guest, kopi, 3)
    await add(client, guest, teh, 10)
    await add(client, guest, gula, 1)
    claimed = await client.post(f"/api/v1/carts/{guest}/claim", headers=buyer.headers)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["token"] == account
    merged = {li["offer_id"]: li["quantity"] for li in lines_of(claimed.json())}
    assert merged == {kopi: 5, teh: 20, gula: 1}
    closed = await read(client, guest)
    assert closed["status"] == "merged"
    assert closed["ready"] is False
    refused = await client.post(f"/api/v1/carts/{guest}/lines", json={"offer_id": kopi})
    assert refused.status_code == 409
    assert refused.json()["type"] == "/problems/cart-closed"
    retried = await client.post(f"/api/v1/carts/{guest}/claim", headers=buyer.headers)
    assert retried.status_code == 200
    assert retried.json()["token"] == account


async def test_claiming_without_an_account_cart_adopts_the_guest_cart(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """With no open cart yet, the guest cart becomes the account's (token alone: 404)."""
    toko = await shop(client, actors)
    offer = await listed(client, toko)
    buyer = await actors.buyer()
    guest = await new_cart(client)
    await add(client, guest, offer, 2)
    claimed = await client.post(f"/api/v1/carts/{guest}/claim", headers=buyer.headers)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["token"] == guest
    assert (await client.get(f"/api/v1/carts/{guest}")).status_code == 404
    mine = await client.get("/api/v1/carts/mine", headers=buyer.headers)
    assert lines_of(mine.json())[0]["quantity"] == 2
    assert (await client.post(f"/api/v1/carts/{guest}/claim")).status_code == 401


async def test_an_ordered_cart_refuses_changes(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """mark_ordered closes the cart (remembering the order); edits are then 409 cart-closed."""
    toko = await shop(client, actors)
    offer = await listed(client, toko)
    token = await new_cart(client)
    cart = await add(client, token, offer, 1)
    now = datetime.now(UTC)
    async with database.sessionmaker() as session:
        await mark_ordered(session, cart["id"], order_id=77, now=now)
        await session.commit()
    async with database.sessionmaker() as session:
        with pytest.raises(CartClosed):
            await mark_ordered(session, cart["id"], order_id=78, now=now)
    ordered = await read(client, token)
    assert (ordered["status"], ordered["order_id"], ordered["ready"]) == ("ordered", 77, False)
    line_id = lines_of(ordered)[0]["id"]
    for response in (
        await client.post(f"/api/v1/carts/{token}/lines", json={"offer_id": offer}),
        await client.patch(f"/api/v1/carts/{token}/lines/{line_id}", json={"quantity": 2}),
        await client.delete(f"/api/v1/carts/{token}/lines/{line_id}"),
    ):
        assert response.status_code == 409, response.text
        assert response.json()["type"] == "/problems/cart-closed"
    assert lines_of(await read(client, token))[0]["quantity"] == 1


async def test_lines_of_another_cart_are_not_found(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A line id from another cart is 404 in this one."""
    toko = await shop(client, actors)
    offer = await listed(client, toko)
    mine, theirs = await new_cart(client), await new_cart(client)
    line_id = lines_of(await add(client, theirs, offer))[0]["id"]
    response = await client.patch(f"/api/v1/carts/{mine}/lines/{line_id}", json={"quantity": 2})
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/cart-line-not-found"
    assert response.json()["field"] == "line_id"
