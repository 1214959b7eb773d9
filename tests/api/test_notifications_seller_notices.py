"""Seller notices: a seller's webhook endpoint switched off after failing too long emails
the seller's contact address, once; a marketplace-wide endpoint emails nobody.

The real flow: endpoints registered through the API point at a real HTTP receiver that
always answers 500, the webhooks sender fails until it disables them (a tiny
`webhook_disable_after_hours`), the relay hands `webhook_endpoint.disabled` to the
consumers, the notifications drain sends (mail log, or SMTP to an aiosmtpd server) and
the operator reads the mail log through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from pasar.app import consumers
from pasar.inventory.events import StockLow
from pasar.platform.db import Database
from pasar.platform.relay import drain
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from pasar.webhooks import send_due as send_webhooks
from tests.api.test_notifications_support import (
    Inbox,
    log_rows,
    parts,
    send,
    smtp,  # noqa: F401  (fixture)
    with_smtp,
)
from tests.api.test_webhooks_support import Receiver, emit_events, register
from tests.support import Actor, Actors

NOTICES = "/api/v1/admin/notifications"


def later(**delta: float) -> Callable[[], datetime]:
    return lambda: utcnow() + timedelta(**delta)


async def disable_endpoints(
    client: httpx.AsyncClient,
    database: Database,
    settings: Settings,
    seller: Actor,
    operator: Actor,
    receiver: Receiver,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A seller's endpoint and a marketplace-wide one, both failing until disabled; the
    `webhook_endpoint.disabled` events are relayed. Returns both endpoints."""
    own = await register(
        client, seller.headers, receiver.url, ["inventory.stock_low"], seller_id=seller.seller_id
    )
    market = await register(client, operator.headers, receiver.url, ["inventory.stock_low"])
    receiver.secrets = [own["secret"], market["secret"]]
    await emit_events(
        database, StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5)
    )
    await drain(database, consumers(settings))
    assert await send_webhooks(database, settings) == 2
    assert await send_webhooks(database, settings, clock=later(seconds=15)) == 2
    base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{own['id']}"
    assert (await client.get(base, headers=seller.headers)).json()["enabled"] is False
    market_base = f"/api/v1/admin/webhook-endpoints/{market['id']}"
    assert (await client.get(market_base, headers=operator.headers)).json()["enabled"] is False
    assert await drain(database, consumers(settings)) == 2  # the two disabled events
    return own, market


async def notices(client: httpx.AsyncClient, operator: Actor) -> list[dict[str, Any]]:
    answer = await client.get(
        NOTICES, params={"template": "webhook_disabled"}, headers=operator.headers
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_a_disabled_seller_endpoint_emails_the_seller_once(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """One `webhook_disabled` email to the seller's contact address, in the mail log, with
    the URL, the reason and how to turn it back on; the marketplace endpoint's event emails
    nobody; replaying the event (operator) plans nothing new."""
    brief = settings.model_copy(update={"webhook_disable_after_hours": 0.001})  # 3.6 s
    seller = await actors.seller()
    operator = await actors.operator()
    with Receiver(default=500) as receiver:
        own, _ = await disable_endpoints(client, database, brief, seller, operator, receiver)
    assert await send(database, brief) == 1

    [item] = await notices(client, operator)
    assert item["channel"] == "email"
    assert item["recipient"] == seller.email.lower()
    assert item["status"] == "logged"
    assert item["provider"] == "mail_log"
    assert item["locale"] == "en"
    assert item["subject"] == "Your webhook endpoint was turned off"
    assert item["order_id"] is None
    assert item["order_number"] is None
    detail = (await client.get(f"{NOTICES}/{item['id']}", headers=operator.headers)).json()
    text = detail["body_text"]
    assert own["url"] in text
    assert "No successful delivery" in text
    assert "HTTP 500" in text
    path = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{own['id']}"
    assert f"PATCH {brief.public_address.rstrip('/')}{path}" in text
    assert '{"enabled": true}' in text
    assert own["url"] in detail["body_html"]
    by_recipient = await client.get(
        NOTICES, params={"recipient": seller.email}, headers=operator.headers
    )
    assert [n["id"] for n in by_recipient.json()["items"]] == [item["id"]]

    replayed = await client.post(
        f"/api/v1/admin/events/{item['event_id']}/replay", headers=operator.headers
    )
    assert replayed.status_code == 200, replayed.text
    assert await drain(database, consumers(brief)) == 1
    assert await send(database, brief) == 0
    assert [n["id"] for n in await notices(client, operator)] == [item["id"]]
    assert len(await log_rows(database, template="webhook_disabled")) == 1


async def test_the_notice_goes_over_smtp_to_the_contact_address(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
    smtp: Inbox,  # noqa: F811
) -> None:
    """With an SMTP server, the same drain sends it: to the contact address, text and HTML."""
    brief = with_smtp(settings, smtp).model_copy(update={"webhook_disable_after_hours": 0.001})
    seller = await actors.seller("Toko Webhook")
    operator = await actors.operator()
    with Receiver(default=500) as receiver:
        own, _ = await disable_endpoints(client, database, brief, seller, operator, receiver)
    assert await send(database, brief) == 1
    [message] = smtp.take()
    assert message["To"] == seller.email.lower()
    assert message["Subject"] == "Your webhook endpoint was turned off"
    text, html = parts(message)
    assert "Hello Toko Webhook," in text
    assert own["url"] in text
    assert own["url"] in html
    [row] = await log_rows(database, template="webhook_disabled")
    assert row.status == "sent"
    assert row.recipient == seller.email.lower()
