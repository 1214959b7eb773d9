"""The seller portal's integrations: API keys (shown once, revoked) and webhook endpoints
(registered with a secret shown once, rotated, disabled, their delivery log, redelivery).

Deliveries go to a real HTTP receiver on 127.0.0.1 (`tests/api/test_webhooks_support.py`):
the order's `order.placed` event is relayed to the webhooks planner, then sent.
"""

from __future__ import annotations

import re
from html import unescape

import httpx

from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.webhooks import send_due
from tests.api import test_fulfillment_support as f
from tests.api.test_webhooks_support import Receiver, relay
from tests.support import Actors
from tests.web.support import post_form, token
from tests.web.test_signin import sign_in

KEY = re.compile(r'<code class="secret" translate="no" id="new-key">([^<]+)</code>')
SECRET = re.compile(r'<code class="secret" translate="no" id="secret">([^<]+)</code>')


async def signed_in_owner(
    browser: httpx.AsyncClient, actors: Actors, name: str = "Toko Kopi"
) -> int:
    owner = await actors.seller(name)
    signed = await sign_in(browser, owner.email)
    assert signed.status_code == 303, signed.text
    assert owner.seller_id is not None
    return owner.seller_id


async def register(
    browser: httpx.AsyncClient, url: str, events: list[str], **extra: str
) -> httpx.Response:
    csrf = await token(browser, "/seller/webhooks")
    return await post_form(
        browser, "/seller/webhooks", {"url": url, "event_types": events, **extra}, csrf=csrf
    )


def endpoint_id_of(html: str) -> int:
    found = re.search(r'action="/seller/webhooks/(\d+)/rotate-secret"', html)
    assert found, "not an endpoint page"
    return int(found.group(1))


async def test_an_api_key_is_shown_once_works_and_is_revoked(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    seller_id = await signed_in_owner(browser, actors)
    empty = await browser.get("/seller/api-keys")
    assert empty.status_code == 200
    assert "No API keys yet." in empty.text
    assert 'href="/seller/api-keys" class="current"' in empty.text  # in the portal's menu

    blank = await post_form(
        browser, "/seller/api-keys", {"name": ""}, csrf=await token(browser, "/seller/api-keys")
    )
    assert blank.status_code == 422
    assert "Give the key a name." in blank.text

    made = await post_form(
        browser, "/seller/api-keys", {"name": "ERP"}, csrf=await token(browser, "/seller/api-keys")
    )
    assert made.status_code == 200, made.text
    assert made.headers["cache-control"] == "no-store"
    assert "shown only this once" in made.text
    found = KEY.search(made.text)
    assert found
    key = unescape(found.group(1))
    assert key.startswith("psk_")
    # the key works against the API, for this seller
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    assert me.json()["seller_id"] == seller_id

    again = await browser.get("/seller/api-keys")
    assert key not in again.text  # never shown again
    assert key[:12] in again.text  # its prefix tells it apart
    assert "ERP" in again.text
    assert "Active" in again.text
    revoke = re.search(r'action="(/seller/api-keys/\d+/revoke)"', again.text)
    assert revoke
    revoked = await post_form(browser, revoke.group(1), {}, csrf=await token(browser, "/seller"))
    assert revoked.status_code == 303
    after = await browser.get("/seller/api-keys")
    assert "The API key is revoked." in after.text
    assert "Revoked" in after.text
    assert 'action="/seller/api-keys/' not in after.text  # nothing left to revoke
    gone = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert gone.status_code == 401


async def test_staff_who_are_not_owners_see_keys_but_cannot_create_them(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    owner = await actors.seller("Toko Teh")
    assert owner.seller_id is not None
    added = await client.post(
        f"/api/v1/sellers/{owner.seller_id}/staff",
        json={"email": "packer@example.com", "password": "a-long-password-1", "name": "Packer"},
        headers=owner.headers,
    )
    assert added.status_code == 201, added.text
    signed = await sign_in(browser, "packer@example.com", "a-long-password-1")
    assert signed.status_code == 303
    listed = await browser.get("/seller/api-keys")
    assert listed.status_code == 200
    assert "Only the shop's owners create and revoke API keys." in listed.text
    refused = await post_form(
        browser, "/seller/api-keys", {"name": "Mine"}, csrf=await token(browser, "/seller")
    )
    assert refused.status_code == 403
    assert "Only the seller's owners and operators create API keys." in unescape(refused.text)
    assert 'role="alert"' in refused.text


async def test_a_webhook_endpoint_is_registered_rotated_disabled_and_its_log_redelivered(
    browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
) -> None:
    placed = await f.placed_order(client, actors)  # its order.placed waits in the outbox
    signed = await sign_in(browser, placed.shop.seller.email)
    assert signed.status_code == 303
    listing = await browser.get("/seller/webhooks")
    assert listing.status_code == 200
    assert "No endpoints yet." in listing.text
    assert 'value="order.placed"' in listing.text  # the catalogue's event types

    private = await register(browser, "https://10.0.0.7/hooks", ["order.placed"])
    assert private.status_code == 422
    assert 'id="e-url"' in private.text
    assert "private network" in private.text
    assert 'value="https://10.0.0.7/hooks"' in private.text  # the form keeps what was typed
    none_chosen = await register(browser, "https://erp.example.com/hooks", [])
    assert none_chosen.status_code == 422
    assert "Choose at least one event." in none_chosen.text

    with Receiver() as receiver:
        made = await register(
            browser, receiver.url, ["order.placed", "seller_order.shipped"], description="ERP"
        )
        assert made.status_code == 200, made.text
        assert made.headers["cache-control"] == "no-store"
        assert "The endpoint is registered" in made.text
        found = SECRET.search(made.text)
        assert found
        secret = unescape(found.group(1))
        assert secret.startswith("whsec_")
        endpoint_id = endpoint_id_of(made.text)
        path = f"/seller/webhooks/{endpoint_id}"
        page = await browser.get(path)
        assert secret not in page.text  # shown once
        assert "Nothing sent yet." in page.text
        listed = await browser.get("/seller/webhooks")
        assert receiver.url in listed.text
        assert "order.placed, seller_order.shipped" in listed.text

        receiver.secrets = [secret]
        await relay(database, settings)
        assert await send_due(database, settings) == 1
        log = await browser.get(path)
        assert "order.placed" in log.text
        assert "Delivered" in log.text
        assert "1 attempt" in log.text
        assert "last answer 200" in log.text
        redeliver = re.search(r'action="(/seller/webhooks/\d+/deliveries/\d+/redeliver)"', log.text)
        assert redeliver
        again = await post_form(browser, redeliver.group(1), {}, csrf=await token(browser, path))
        assert again.status_code == 303
        pending = await browser.get(path)
        assert "The delivery will be sent again shortly." in pending.text
        assert "Pending" in pending.text
        assert "next attempt" in pending.text
        assert await send_due(database, settings) == 1
        assert len(receiver.requests) == 2
        assert receiver.requests[0].delivery_id == receiver.requests[1].delivery_id

        rotated = await post_form(
            browser, f"{path}/rotate-secret", {}, csrf=await token(browser, path)
        )
        assert rotated.status_code == 200
        assert "A new signing secret" in rotated.text
        new = SECRET.search(rotated.text)
        assert new
        assert unescape(new.group(1)) not in (secret, "")

        off = await post_form(
            browser, f"{path}/state", {"enabled": "false"}, csrf=await token(browser, path)
        )
        assert off.status_code == 303
        disabled = await browser.get(path)
        assert "The endpoint is disabled." in disabled.text
        assert "Disabled on request." in disabled.text
        assert 'name="enabled" value="true"' in disabled.text
        on = await post_form(
            browser, f"{path}/state", {"enabled": "true"}, csrf=await token(browser, path)
        )
        assert on.status_code == 303
        enabled = await browser.get(path)
        assert "The endpoint is enabled." in enabled.text
        assert 'name="enabled" value="false"' in enabled.text

        removed = await post_form(browser, f"{path}/delete", {}, csrf=await token(browser, path))
        assert removed.status_code == 303
        assert removed.headers["location"] == "/seller/webhooks"
        after = await browser.get("/seller/webhooks")
        assert "The endpoint is removed." in after.text
        assert "No endpoints yet." in after.text
        assert (await browser.get(path)).status_code == 404


async def test_another_sellers_endpoint_is_not_found_and_forms_need_the_csrf_token(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    other = await actors.seller("Toko Lain")
    theirs = await client.post(
        f"/api/v1/sellers/{other.seller_id}/webhook-endpoints",
        json={"url": "https://their-erp.example.com/hooks", "event_types": ["order.placed"]},
        headers=other.headers,
    )
    assert theirs.status_code == 201, theirs.text
    their_id = theirs.json()["id"]
    await signed_in_owner(browser, actors)
    assert "their-erp.example.com" not in (await browser.get("/seller/webhooks")).text
    page = await browser.get(f"/seller/webhooks/{their_id}")
    assert page.status_code == 404
    csrf = await token(browser, "/seller/webhooks")
    for action in ("rotate-secret", "delete"):
        refused = await post_form(browser, f"/seller/webhooks/{their_id}/{action}", {}, csrf=csrf)
        assert refused.status_code == 404
    still = await client.get(
        f"/api/v1/sellers/{other.seller_id}/webhook-endpoints/{their_id}", headers=other.headers
    )
    assert still.status_code == 200

    forged = await browser.post(
        "/seller/webhooks",
        data={"url": "https://erp.example.com/x", "event_types": "order.placed"},
    )
    assert forged.status_code == 403
    assert "csrf-failed" in forged.text
    wrong = await post_form(browser, "/seller/api-keys", {"name": "x"}, csrf="not-the-token")
    assert wrong.status_code == 403
    assert "No API keys yet." in (await browser.get("/seller/api-keys")).text


async def test_strangers_and_buyers_do_not_get_in(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    for path in ("/seller/api-keys", "/seller/webhooks", "/seller/webhooks/1"):
        answer = await browser.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/signin?next=")
    buyer = await actors.buyer()
    await sign_in(browser, buyer.email)
    assert (await browser.get("/seller/webhooks")).status_code == 403


async def test_the_webhooks_page_speaks_indonesian(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    await signed_in_owner(browser, actors)
    chosen = await post_form(
        browser,
        "/language",
        {"locale": "id", "next": "/seller/webhooks"},
        csrf=await token(browser, "/seller"),
    )
    assert chosen.status_code == 303
    hooks = await browser.get("/seller/webhooks")
    assert '<html lang="id">' in hooks.text
    assert "Daftarkan endpoint" in hooks.text
    assert "Register an endpoint" not in hooks.text
    keys = await browser.get("/seller/api-keys")
    assert "Buat kunci" in keys.text
