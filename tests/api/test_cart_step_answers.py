"""Each cart step answers with the cart as a fresh read shows it.

Creating a cart, giving the address, changing a line and choosing delivery price their
answer from the state they have just written (no re-read), so each answer must equal
what `GET /api/v1/carts/{token}` says right after.
"""

from __future__ import annotations

import httpx

from tests.api.test_checkout_support import add, address, listed, read, shop
from tests.support import Actors


async def test_every_step_answers_what_a_fresh_read_shows(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    toko, warung = await shop(client, actors, "Toko A"), await shop(client, actors, "Toko B")
    kopi = await listed(client, toko, price=2_500)
    teh = await listed(client, warung, price=1_000, title="Teh Melati", options={})
    created = await client.post("/api/v1/carts")
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert created.json() == await read(client, token)
    assert await add(client, token, kopi, 2) == await read(client, token)
    cart = await add(client, token, teh, 1)
    assert cart == await read(client, token)
    assert await address(client, token) == await read(client, token)
    line = cart["groups"][0]["lines"][0]
    changed = await client.patch(f"/api/v1/carts/{token}/lines/{line['id']}", json={"quantity": 3})
    assert changed.status_code == 200, changed.text
    assert changed.json() == await read(client, token)
    priced = await read(client, token)
    choices = [{"seller_id": g["seller"]["id"], "service": "standard"} for g in priced["groups"]]
    chosen = await client.put(f"/api/v1/carts/{token}/delivery", json={"choices": choices})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json() == await read(client, token)
    assert chosen.json()["ready"] is True
