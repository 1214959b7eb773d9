"""Buyer emails over real SMTP: the order journey produces the right messages, once each.

Orders are placed, shipped and delivered through the real API (checkout, seller
shipments, signed carrier webhooks); events go through the real relay; mail goes over
SMTP to an aiosmtpd server and is parsed back with the standard `email` package.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import update

from pasar.notifications.domain import LEASE
from pasar.notifications.sending import claim
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from tests.api import test_fulfillment_support as f
from tests.api import test_orders_support as s
from tests.api.test_notifications_support import (
    Inbox,
    deliver_events,
    free_port,
    log_rows,
    parts,
    send,
    smtp,  # noqa: F401  (fixture)
    with_smtp,
)
from tests.support import Actors

SANDBOX = "sandbox"
BUYER = s.ADDRESS["email"].lower()
PROOF = {"where_left": "parcel_locker", "recipient_name": "Guest Buyer"}


def scan(tracking_number: str, event_id: str, code: str, **extra: object) -> dict[str, object]:
    return {
        "tracking_number": tracking_number,
        "event_id": event_id,
        "code": code,
        "description": f"{code} scan",
        "location": "Jakarta",
        "occurred_at": utcnow().isoformat().replace("+00:00", "Z"),
        **extra,
    }


async def track(client: httpx.AsyncClient, *events: dict[str, object]) -> None:
    r = await f.post_tracking(client, SANDBOX, {"events": list(events)})
    assert r.status_code == 200, r.text


async def test_an_order_journey_emails_the_buyer_at_each_step(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
    smtp: Inbox,  # noqa: F811
) -> None:
    """Confirmation, shipped (with the tracking link), out for delivery, delivered (with
    where it was left): each once, to the buyer, with a text and an HTML part."""
    mail = with_smtp(settings, smtp)
    placed = await f.placed_order(client, actors, name="Journey")
    await deliver_events(database, settings)
    await send(database, mail)
    [confirmation] = smtp.take()
    assert confirmation["To"] == BUYER
    assert confirmation["Subject"] == f"Order {placed.number} is confirmed"
    assert confirmation["Message-ID"]
    text, html = parts(confirmation)
    assert "Sold by Journey 1" in text
    assert "Promised delivery" in text
    assert "Journey 1" in html

    parcel = await f.create_shipment(client, placed.shop, placed.seller_order_id, carrier=SANDBOX)
    await f.hand_over(client, placed.shop, [parcel["id"]])
    await deliver_events(database, settings)
    await send(database, mail)
    [shipped] = smtp.take()
    tn = parcel["tracking_number"]
    link = f"{settings.public_address}/track/{tn}"
    assert shipped["To"] == BUYER
    assert shipped["Subject"].endswith("is on its way")
    text, html = parts(shipped)
    for body in (text, html):
        assert link in body
        assert tn in body
    assert f'href="{link}"' in html

    await track(client, scan(tn, "ofd-1", "OFD"))
    await deliver_events(database, settings)
    await send(database, mail)
    [out] = smtp.take()
    assert out["Subject"].endswith("is out for delivery today")
    assert link in parts(out)[0]

    await track(client, scan(tn, "dlv-1", "DLV", proof=PROOF))
    await deliver_events(database, settings)
    await send(database, mail)
    [delivered] = smtp.take()
    assert delivered["Subject"].endswith("has been delivered")
    text, html = parts(delivered)
    assert "left in a parcel locker" in text
    assert "left in a parcel locker" in html

    rows = await log_rows(database, order_number=placed.number)
    assert [r.template for r in rows] == [
        "order_confirmation",
        "shipped",
        "out_for_delivery",
        "delivered",
    ]
    assert {(r.channel, r.status, r.provider) for r in rows} == {("email", "sent", "smtp")}
    by_id = {m["Message-ID"].strip() for m in (confirmation, shipped, out, delivered)}
    assert {r.provider_message_id for r in rows} == by_id


async def test_an_indonesian_buyer_reads_indonesian(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
    smtp: Inbox,  # noqa: F811
) -> None:
    """The language chosen at checkout decides the subject, the words and the formats."""
    placed = await f.placed_order(
        client, actors, name="Toko", address={**s.ADDRESS, "language": "id"}
    )
    await deliver_events(database, settings)
    await send(database, with_smtp(settings, smtp))
    [confirmation] = smtp.take()
    assert confirmation["Subject"] == f"Pesanan {placed.number} telah dikonfirmasi"
    assert confirmation["Content-Language"] == "id"
    text, html = parts(confirmation)
    assert "Terima kasih atas pesanan Anda" in text
    assert "Dijual oleh Toko 1" in text
    assert '<html lang="id">' in html
    order = await f.buyer_order(client, placed)
    assert order["language"] == "id"


async def test_a_duplicate_event_sends_nothing_twice(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
    smtp: Inbox,  # noqa: F811
) -> None:
    """Every event relayed again (a crash before the relay's commit, or a replay): no new
    row, no second email."""
    mail = with_smtp(settings, smtp)
    placed, _ = await f.shipped(client, actors, carrier=SANDBOX)
    await deliver_events(database, settings)
    await send(database, mail)
    first = smtp.take()
    assert sorted(m["Subject"].split(" ")[-1] for m in first) == ["confirmed", "way"]
    async with database.sessionmaker() as session:
        await session.execute(update(OutboxEvent).values(published_at=None))
        await session.commit()
    assert await deliver_events(database, settings) > 0
    await send(database, mail)
    assert smtp.take() == []
    assert len(await log_rows(database, order_number=placed.number)) == 2


async def test_a_down_smtp_server_is_retried_with_backoff_then_sent_once(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
) -> None:
    """Connection refused: back to pending with a later due time and the error; once the
    server is up and the time has come, it is sent, once."""
    inbox = Inbox("127.0.0.1", free_port())
    mail = with_smtp(settings, inbox)
    placed = await f.placed_order(client, actors, name="Down")
    await deliver_events(database, settings)
    now = utcnow()
    assert await send(database, mail, now=now) == 1
    [row] = await log_rows(database, order_number=placed.number)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.error is not None
    assert row.due_at is not None
    assert now + timedelta(seconds=14) <= row.due_at <= now + timedelta(seconds=31)
    assert await send(database, mail, now=now + timedelta(seconds=5)) == 0  # not due yet

    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        await send(database, mail, now=row.due_at)
        await send(database, mail, now=row.due_at + timedelta(hours=2))
    finally:
        controller.stop()
    [message] = inbox.take()
    assert message["Subject"] == f"Order {placed.number} is confirmed"
    [row] = await log_rows(database, order_number=placed.number)
    assert (row.status, row.attempts, row.error) == ("sent", 2, None)
    assert row.provider_message_id == message["Message-ID"].strip()


async def test_a_sender_killed_mid_send_leaves_unknown_never_resent_by_itself(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
    smtp: Inbox,  # noqa: F811
) -> None:
    """A claimed row whose worker died (lease expired) becomes unknown and is not sent;
    the operator's resend sends it."""
    mail = with_smtp(settings, smtp)
    placed = await f.placed_order(client, actors, name="Killed")
    await deliver_events(database, settings)
    now = utcnow()
    [claimed] = await claim(database, mail, now=now, batch=10)  # ... and the worker dies
    assert await send(database, mail, now=now + timedelta(seconds=1)) == 0
    later = now + LEASE + timedelta(seconds=1)
    assert await send(database, mail, now=later) == 1
    assert await send(database, mail, now=later + timedelta(days=1)) == 0
    [row] = await log_rows(database, order_number=placed.number)
    assert row.status == "unknown"
    assert row.body_text is not None  # what may have gone is on record
    assert smtp.take() == []

    operator = await actors.operator()
    r = await client.post(
        f"/api/v1/admin/notifications/{claimed.id}/resend", headers=operator.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending"
    await send(database, mail)
    [message] = smtp.take()
    assert message["Subject"] == f"Order {placed.number} is confirmed"
    [row] = await log_rows(database, order_number=placed.number)
    assert row.status == "sent"


async def test_without_smtp_emails_are_kept_in_the_mail_log(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """No SMTP host: rendered and marked logged, with a Message-ID, readable by the operator."""
    assert settings.smtp_host is None
    placed = await f.placed_order(client, actors, name="Logged")
    await deliver_events(database, settings)
    await send(database, settings)
    [row] = await log_rows(database, order_number=placed.number)
    assert (row.status, row.provider) == ("logged", "mail_log")
    assert row.subject == f"Order {placed.number} is confirmed"
    assert row.body_html is not None
    assert row.sent_at is not None
