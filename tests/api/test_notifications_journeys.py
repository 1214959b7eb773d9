"""Bank transfers, reminders, cancellations and text messages, as buyers receive them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from pasar.notifications import JOBS
from pasar.notifications.reminders import remind_payments, remind_receipts
from pasar.orders import expire_unpaid
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from tests.api import test_checkout_support as c
from tests.api import test_fulfillment_support as f
from tests.api import test_orders_support as s
from tests.api.test_notifications_support import (
    Inbox,
    deliver_events,
    log_rows,
    parts,
    send,
    smtp,  # noqa: F401  (fixture)
    with_smtp,
)
from tests.support import Actors

SMS_BUYER = {**s.ADDRESS, "sms_updates": True}


async def bank_transfer_order(
    client: httpx.AsyncClient, actors: Actors, *, address: dict[str, Any] | None = None
) -> dict[str, Any]:
    shop = await s.shop(client, actors, "Transfer", stock=5)
    cart = await s.cart_with(client, [(shop.offers[0], 2)], address=address)
    placed = await s.place(client, cart["token"], {"method": "bank_transfer"})
    assert placed.status_code == 201, placed.text
    body: dict[str, Any] = placed.json()
    return body


async def test_a_bank_transfer_gets_instructions_a_reminder_and_a_receipt(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
    smtp: Inbox,  # noqa: F811
) -> None:
    """Instructions at once (account, amount, deadline), one reminder near the deadline
    however often the job runs, and a "payment received" when the money arrives."""
    mail = with_smtp(settings, smtp)
    order = await bank_transfer_order(client, actors)
    instructions = order["payment"]["instructions"]
    await deliver_events(database, settings)
    await send(database, mail)
    by_subject = {m["Subject"]: m for m in smtp.take()}
    assert set(by_subject) == {
        f"Order {order['number']} is confirmed",
        f"How to pay for order {order['number']}",
    }
    text, html = parts(by_subject[f"How to pay for order {order['number']}"])
    for body in (text, html):
        assert instructions["virtual_account"] in body
        assert instructions["bank"] in body
        assert "Pay before" in body
    confirmation = parts(by_subject[f"Order {order['number']} is confirmed"])[0]
    assert "payment instructions in a separate email" in confirmation

    now = utcnow()
    assert await remind_payments(database, settings, now) == 0  # a day left: too early
    later = now + timedelta(hours=20)
    assert await remind_payments(database, settings, later) == 1
    assert await remind_payments(database, settings, later + timedelta(minutes=30)) == 0
    await send(database, mail, now=later + timedelta(minutes=30))
    [reminder] = smtp.take()
    assert reminder["Subject"] == f"Reminder: order {order['number']} is waiting for your payment"
    assert instructions["virtual_account"] in parts(reminder)[0]

    paid = await client.post(
        "/api/v1/payments/sandbox/bank-transfers",
        json={"virtual_account": instructions["virtual_account"], "amount": order["total_amount"]},
    )
    assert paid.status_code == 200, paid.text
    await deliver_events(database, settings)
    await send(database, mail)
    [received] = smtp.take()
    assert received["Subject"] == f"Payment received for order {order['number']}"
    assert "preparing your items" in parts(received)[0]
    assert await remind_payments(database, settings, later + timedelta(hours=1)) == 0


async def test_an_unpaid_order_cancelled_at_its_deadline_tells_the_buyer(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
    smtp: Inbox,  # noqa: F811
) -> None:
    """The cancellation says why, and that nothing was charged."""
    order = await bank_transfer_order(client, actors)
    async with database.sessionmaker() as session:
        assert await expire_unpaid(session, now=utcnow() + timedelta(hours=25)) == 1
    await deliver_events(database, settings)
    await send(database, with_smtp(settings, smtp))
    [cancelled] = [m for m in smtp.take() if "cancelled" in m["Subject"]]
    assert cancelled["Subject"] == f"Your order {order['number']}-1 has been cancelled"
    text, _ = parts(cancelled)
    assert "The payment did not arrive before the deadline." in text
    assert "You have not been charged for it." in text


async def test_a_card_order_cancelled_by_the_buyer_releases_the_hold(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
    smtp: Inbox,  # noqa: F811
) -> None:
    """A card authorisation voided on cancellation: the email says the hold is released."""
    placed = await f.placed_order(client, actors, name="Hold")
    r = await client.post(
        f"/api/v1/orders/{placed.number}/seller-orders/{placed.seller_order_id}/cancel",
        params=placed.access,
        json={"reason": "changed my mind"},
    )
    assert r.status_code == 200, r.text
    await deliver_events(database, settings)
    await send(database, with_smtp(settings, smtp))
    [cancelled] = [m for m in smtp.take() if "cancelled" in m["Subject"]]
    text, _ = parts(cancelled)
    assert "It was cancelled at your request." in text
    assert "reserved on your card has been released" in text


async def test_text_messages_only_for_buyers_who_asked(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """With `sms_updates`, the key moments also go by SMS to the phone (the log provider
    keeps them with an id); without it, email only; confirmations are never texted."""
    texted, _ = await f.shipped(client, actors, carrier="sandbox", address=SMS_BUYER)
    quiet, _ = await f.shipped(client, actors, carrier="sandbox")
    await deliver_events(database, settings)
    await send(database, settings)
    sms = await log_rows(database, channel="sms")
    assert [(r.order_number, r.template) for r in sms] == [(texted.number, "shipped")]
    [row] = sms
    assert row.recipient == s.ADDRESS["phone"]
    assert (row.status, row.provider) == ("logged", "log")
    assert row.provider_message_id is not None
    assert row.provider_message_id.startswith("log-")
    assert row.body_text is not None
    assert row.body_text.startswith("Pasar: your order")
    assert f"/track/{row.context['shipment']['tracking_number']}" in row.body_text
    assert row.subject is None
    assert row.body_html is None
    emails = await log_rows(database, order_number=quiet.number)
    assert {r.channel for r in emails} == {"email"}


async def test_a_delivered_order_gets_one_confirm_receipt_reminder(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
    smtp: Inbox,  # noqa: F811
) -> None:
    """Two days before receipt is confirmed automatically, once."""
    _, parcel = await f.shipped(client, actors, carrier="sandbox")
    event = {
        "tracking_number": parcel["tracking_number"],
        "event_id": "dlv",
        "code": "DLV",
        "description": "Delivered",
        "location": "Jakarta",
        "occurred_at": utcnow().isoformat().replace("+00:00", "Z"),
        "proof": {"where_left": "front_door"},
    }
    r = await f.post_tracking(client, "sandbox", {"events": [event]})
    assert r.status_code == 200, r.text
    now = utcnow()
    assert await remind_receipts(database, settings, now + timedelta(days=4)) == 0
    assert await remind_receipts(database, settings, now + timedelta(days=5, hours=1)) == 1
    assert await remind_receipts(database, settings, now + timedelta(days=5, hours=2)) == 0
    await deliver_events(database, settings)
    await send(database, with_smtp(settings, smtp), now=now + timedelta(days=5, hours=3))
    [reminder] = [m for m in smtp.take() if m["Subject"].startswith("Did your order")]
    text, _ = parts(reminder)
    assert "we will confirm receipt for you on" in text
    assert await remind_receipts(database, settings, now + timedelta(days=8)) == 0


def test_the_reminders_are_scheduled_jobs() -> None:
    """Both reminders run from the scheduler, at the sweeps' interval."""
    names = {job.name for job in JOBS}
    assert names == {"notifications.payment_reminders", "notifications.receipt_reminders"}


async def test_the_buyer_chooses_language_and_texts_at_checkout(
    client: httpx.AsyncClient, app: FastAPI, actors: Actors
) -> None:
    """Stored on the cart and the order; no choice means the marketplace's default
    language and no texts; an unsupported language is refused."""
    shop = await s.shop(client, actors, "Choice", stock=5)
    token = await c.new_cart(client)
    refused = await client.put(
        f"/api/v1/carts/{token}/address", json={**s.ADDRESS, "language": "fr"}
    )
    assert refused.status_code == 422
    cart = await c.address(client, token, {**s.ADDRESS, "language": "id", "sms_updates": True})
    assert (cart["contact"]["language"], cart["contact"]["sms_updates"]) == ("id", True)

    c.configure(app, default_locale="id")
    cart = await s.cart_with(client, [(shop.offers[0], 1)])
    placed = await s.place(client, cart["token"], s.card())
    assert placed.status_code == 201, placed.text
    order = await s.order_of(client, placed.json())
    assert (order["language"], order["sms_updates"]) == ("id", False)
