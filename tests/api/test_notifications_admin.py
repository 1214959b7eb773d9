"""The operator's notification log: list and filter, read, read the HTML safely, resend."""

from __future__ import annotations

import httpx

from pasar.platform.db import Database
from pasar.platform.settings import Settings
from tests.api import test_fulfillment_support as f
from tests.api import test_orders_support as s
from tests.api.test_notifications_support import deliver_events, send
from tests.support import Actors

BASE = "/api/v1/admin/notifications"


async def logged_journey(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> f.Placed:
    """A shipped order for a buyer who wants texts: confirmation and shipped emails plus a
    shipped SMS, all in the mail log."""
    placed, _ = await f.shipped(
        client, actors, carrier="sandbox", address={**s.ADDRESS, "sms_updates": True}
    )
    await deliver_events(database, settings)
    await send(database, settings)
    return placed


async def test_the_operator_lists_and_filters_the_log(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """Newest first, filtered by channel, template, recipient, status and order number,
    paginated with a cursor."""
    placed = await logged_journey(client, actors, database, settings)
    operator = await actors.operator()
    r = await client.get(BASE, headers=operator.headers)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [(i["template"], i["channel"]) for i in items] == [
        ("shipped", "sms"),
        ("shipped", "email"),
        ("order_confirmation", "email"),
    ]
    assert all(i["order_number"] == placed.number for i in items)
    assert "body_text" not in items[0]

    async def ids(**params: str | int) -> list[int]:
        found = await client.get(BASE, params=params, headers=operator.headers)
        assert found.status_code == 200, found.text
        return [i["id"] for i in found.json()["items"]]

    assert len(await ids(channel="sms")) == 1
    assert len(await ids(template="shipped")) == 2
    assert len(await ids(recipient=s.ADDRESS["email"])) == 2
    assert len(await ids(status="logged")) == 3
    assert await ids(status="failed") == []
    assert len(await ids(order_number=placed.number.lower())) == 3
    assert await ids(order_number="P-NOPE") == []

    first = await client.get(BASE, params={"limit": 2}, headers=operator.headers)
    cursor = first.json()["next_cursor"]
    assert cursor
    rest = await client.get(BASE, params={"limit": 2, "cursor": cursor}, headers=operator.headers)
    assert [i["template"] for i in rest.json()["items"]] == ["order_confirmation"]
    assert rest.json()["next_cursor"] is None
    forged = await client.get(BASE, params={"cursor": "nonsense"}, headers=operator.headers)
    assert forged.status_code == 422


async def test_the_operator_reads_a_message_and_its_html_under_a_strict_policy(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """The detail has both bodies; the HTML is served as a page that may run nothing."""
    placed = await logged_journey(client, actors, database, settings)
    operator = await actors.operator()
    listed = await client.get(BASE, params={"template": "shipped"}, headers=operator.headers)
    sms_id, email_id = (i["id"] for i in listed.json()["items"])
    detail = await client.get(f"{BASE}/{email_id}", headers=operator.headers)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["subject"] == f"Your order {placed.number}-1 is on its way"
    assert "/track/" in body["body_text"]
    assert body["body_html"].startswith("<!doctype html>")
    assert body["dedupe_key"].startswith("event:")

    page = await client.get(f"{BASE}/{email_id}/html", headers=operator.headers)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "script-src" not in policy
    assert page.text == body["body_html"]

    no_html = await client.get(f"{BASE}/{sms_id}/html", headers=operator.headers)
    assert no_html.status_code == 404
    assert no_html.headers["content-type"].startswith("application/problem+json")
    missing = await client.get(f"{BASE}/999999", headers=operator.headers)
    assert missing.status_code == 404
    assert missing.json()["type"] == "/problems/notification-not-found"


async def test_only_failed_or_unknown_messages_can_be_resent(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """Resending one already sent (or logged) would mail the buyer twice: 409."""
    await logged_journey(client, actors, database, settings)
    operator = await actors.operator()
    listed = await client.get(BASE, headers=operator.headers)
    some_id = listed.json()["items"][0]["id"]
    r = await client.post(f"{BASE}/{some_id}/resend", headers=operator.headers)
    assert r.status_code == 409
    assert r.json()["type"] == "/problems/notification-not-resendable"
    missing = await client.post(f"{BASE}/999999/resend", headers=operator.headers)
    assert missing.status_code == 404


async def test_the_log_is_for_operators_only(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """Buyers and sellers get 403, strangers 401, on every notification route."""
    await logged_journey(client, actors, database, settings)
    buyer = await actors.buyer()
    seller = await actors.seller("Nosy")
    operator = await actors.operator()
    some_id = (await client.get(BASE, headers=operator.headers)).json()["items"][0]["id"]
    routes = [
        ("GET", BASE),
        ("GET", f"{BASE}/{some_id}"),
        ("GET", f"{BASE}/{some_id}/html"),
        ("POST", f"{BASE}/{some_id}/resend"),
    ]
    for method, path in routes:
        for actor in (buyer, seller):
            r = await client.request(method, path, headers=actor.headers)
            assert r.status_code == 403, (method, path, r.text)
        anonymous = await client.request(method, path)
        assert anonymous.status_code == 401, (method, path)
