"""The operator console: who may open it, its numbers, and its forms as a browser posts them.

Data comes through the real API (orders placed by card, applications as a would-be seller
sends them); the operator then works in the console, forms and all.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import httpx
from sqlalchemy import select

from pasar.identity import Role
from pasar.notifications.models import Notification
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from tests.api import test_fulfillment_support as f
from tests.api.test_notifications_support import deliver_events, send
from tests.support import Actors, application
from tests.web.support import post_form, token
from tests.web.test_signin import sign_in

TILE = re.compile(r'data-tile="([a-z-]+)">([^<]+)</span>')


async def operator_in(
    browser: httpx.AsyncClient, actors: Actors, role: Role = Role.OPERATOR
) -> None:
    who = await actors.user(role)
    signed = await sign_in(browser, who.email)
    assert signed.status_code == 303, signed.text


async def applied(client: httpx.AsyncClient, name: str) -> int:
    """A seller application, as a would-be seller sends it to the API."""
    email = f"{name.lower().replace(' ', '.')}@example.com"
    sent = await client.post(
        "/api/v1/seller-applications", json=application(name, owner_email=email)
    )
    assert sent.status_code == 201, sent.text
    return int(sent.json()["id"])


async def seller_status(client: httpx.AsyncClient, actors: Actors, seller_id: int) -> str:
    operator = await actors.operator()
    found = await client.get(f"/api/v1/sellers/{seller_id}", headers=operator.headers)
    return str(found.json()["status"])


async def dead_event(database: Database, name: str = "test.dead") -> int:
    now = utcnow()
    async with database.sessionmaker() as session:
        row = OutboxEvent(
            name=name,
            version=1,
            payload={"hello": "world"},
            occurred_at=now - timedelta(hours=1),
            attempts=8,
            last_error="consumer exploded",
            dead_at=now,
        )
        session.add(row)
        await session.commit()
        return row.id


def tiles(html: str) -> dict[str, str]:
    return {name: unescape(value).strip() for name, value in TILE.findall(html)}


async def test_only_operators_and_support_open_the_console(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    stranger = await browser.get("/console/orders")
    assert stranger.status_code == 303
    assert stranger.headers["location"] == "/signin?next=/console/orders"

    owner = await actors.seller("Toko Kopi")
    assert (await sign_in(browser, owner.email)).status_code == 303
    for path in ("/console", "/console/applications", "/console/mail", "/console/events"):
        refused = await browser.get(path)
        assert refused.status_code == 403, path
        assert "This is not allowed" in refused.text
    await post_form(browser, "/signout", {}, csrf=await token(browser, "/seller"))

    await operator_in(browser, actors, Role.SUPPORT)  # support reads, never acts
    home = await browser.get("/console")
    assert home.status_code == 200
    assert "only operators can act" in home.text
    seller_id = await applied(client, "Toko Baca")
    apps = await browser.get("/console/applications")
    assert "Toko Baca" in apps.text
    assert 'value="approve"' not in apps.text
    tried = await post_form(
        browser,
        f"/console/sellers/{seller_id}/status",
        {"action": "approve"},
        csrf=await token(browser, "/console"),
    )
    assert tried.status_code == 403


async def test_the_home_page_counts_todays_orders_and_what_needs_attention(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    placed = await f.placed_order(client, actors)
    await applied(client, "Toko Menunggu")
    await dead_event(database)
    await operator_in(browser, actors)

    home = await browser.get("/console")
    assert home.status_code == 200, home.text
    found = tiles(home.text)
    assert found["orders-today"] == "1"
    total = placed.body["total_amount"]
    assert found["gmv-today"] == f"${total / 100:,.2f}"  # USD, the marketplace currency
    assert found["late"] == "0"
    assert found["applications"] == "1"
    assert found["dead"] == "1"
    assert found["mail"] == "0"
    for link in ("/console/applications", "/console/events?status=dead", "/console/orders"):
        assert f'href="{link}"' in home.text
    assert "<svg" in home.text
    assert home.text.count("<rect ") == 14  # one bar per day
    assert "1 order in 14 days" in home.text

    orders = await browser.get("/console/orders", params={"q": placed.number})
    assert placed.number in orders.text
    detail = await browser.get(f"/console/orders/{placed.number}")
    assert detail.status_code == 200
    assert "Fulfil 1" in detail.text  # the seller's part
    assert "Commission" in detail.text
    assert (
        await browser.get("/console/orders", params={"q": "siti@example.com"})
    ).status_code == 200
    nothing = await browser.get("/console/orders", params={"late": "true"})
    assert "No orders here." in nothing.text
    by_status = await browser.get("/console/orders", params={"status": "verified"})
    assert placed.number in by_status.text
    assert (await browser.get("/console/orders/P000000-NOPE")).status_code == 404


async def test_an_operator_approves_an_application_and_the_seller_is_approved(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    seller_id = await applied(client, "Toko Baru")
    await operator_in(browser, actors)
    page = await browser.get("/console/applications")
    assert "Toko Baru" in page.text
    assert 'href="https://docs.example.com/nib.pdf"' in page.text
    assert "Business registration" in page.text

    no_reason = await post_form(
        browser,
        f"/console/sellers/{seller_id}/status",
        {"action": "reject", "back": "/console/applications"},
        csrf=await token(browser, "/console/applications"),
    )
    assert no_reason.status_code == 303
    assert "Give a reason" in (await browser.get("/console/applications")).text
    assert await seller_status(client, actors, seller_id) == "applied"

    approved = await post_form(
        browser,
        f"/console/sellers/{seller_id}/status",
        {"action": "approve", "back": "/console/applications"},
        csrf=await token(browser, "/console/applications"),
    )
    assert approved.status_code == 303
    assert approved.headers["location"] == "/console/applications"
    after = await browser.get("/console/applications")
    assert "Toko Baru: Approve done." in after.text
    assert "No application is waiting." in after.text
    assert await seller_status(client, actors, seller_id) == "approved"

    listed = await browser.get("/console/sellers", params={"status": "approved"})
    assert "Toko Baru" in listed.text
    assert 'value="suspend"' in listed.text
    suspended = await post_form(
        browser,
        f"/console/sellers/{seller_id}/status",
        {"action": "suspend", "reason": "Counterfeit goods", "back": "/console/sellers"},
        csrf=await token(browser, "/console/sellers"),
    )
    assert suspended.status_code == 303
    assert await seller_status(client, actors, seller_id) == "suspended"
    again = await browser.get("/console/sellers?status=suspended")
    assert "Counterfeit goods" in again.text
    assert 'value="reinstate"' in again.text


async def test_a_dead_event_is_replayed(
    browser: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    event_id = await dead_event(database)
    await operator_in(browser, actors)
    dead = await browser.get("/console/events", params={"status": "dead"})
    assert "test.dead" in dead.text
    assert "consumer exploded" in dead.text
    replayed = await post_form(
        browser,
        f"/console/events/{event_id}/replay",
        {"back": "/console/events?status=dead"},
        csrf=await token(browser, "/console/events?status=dead"),
    )
    assert replayed.status_code == 303
    after = await browser.get(replayed.headers["location"])
    assert f"Event {event_id} is back in the queue." in after.text
    assert "No events here." in after.text
    async with database.sessionmaker() as session:
        row = await session.get(OutboxEvent, event_id)
        assert row is not None
        assert row.dead_at is None
        assert row.attempts == 0

    await dead_event(database, "test.other")
    all_back = await post_form(
        browser, "/console/events/replay-dead", {}, csrf=await token(browser, "/console/events")
    )
    assert all_back.status_code == 303
    assert "Dead letters back in the queue: 1." in (await browser.get("/console/events")).text
    assert (await browser.get("/console/jobs")).status_code == 200


async def test_the_mail_log_lists_a_sent_email_and_serves_its_html_sandboxed(
    browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    settings: Settings,
) -> None:
    placed = await f.placed_order(client, actors)
    await deliver_events(database, settings)
    await send(database, settings)
    async with database.sessionmaker() as session:
        rows = list(await session.scalars(select(Notification).order_by(Notification.id)))
    email = next(r for r in rows if r.channel == "email" and r.order_number == placed.number)

    await operator_in(browser, actors)
    log = await browser.get("/console/mail", params={"order": placed.number})
    assert log.status_code == 200
    assert f'href="/console/mail/{email.id}"' in log.text
    assert email.recipient in log.text
    message = await browser.get(f"/console/mail/{email.id}")
    assert message.status_code == 200
    assert (email.subject or "") in unescape(message.text)
    assert f'href="/console/mail/{email.id}/html"' in message.text
    assert "Resend" not in message.text  # it went out

    html = await browser.get(f"/console/mail/{email.id}/html")
    assert html.status_code == 200
    policy = html.headers["content-security-policy"]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy

    async with database.sessionmaker() as session:  # the provider failed it
        row = await session.get(Notification, email.id)
        assert row is not None
        row.status = "failed"
        await session.commit()
    home = await browser.get("/console")
    assert tiles(home.text)["mail"] == "1"
    failed = await browser.get(f"/console/mail/{email.id}")
    assert "Resend" in failed.text
    resent = await post_form(
        browser,
        f"/console/mail/{email.id}/resend",
        {},
        csrf=await token(browser, f"/console/mail/{email.id}"),
    )
    assert resent.status_code == 303
    assert "queued to be sent again" in (await browser.get(resent.headers["location"])).text
    async with database.sessionmaker() as session:
        row = await session.get(Notification, email.id)
        assert row is not None
        assert row.status == "pending"


async def test_a_form_without_its_csrf_token_is_refused(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    seller_id = await applied(client, "Toko Tanpa Token")
    await operator_in(browser, actors)
    refused = await browser.post(
        f"/console/sellers/{seller_id}/status", data={"action": "approve", "csrf_token": "forged"}
    )
    assert refused.status_code == 403
    assert "csrf-failed" in refused.text
    assert await seller_status(client, actors, seller_id) == "applied"


async def test_the_console_speaks_indonesian(browser: httpx.AsyncClient, actors: Actors) -> None:
    await operator_in(browser, actors)
    chosen = await post_form(
        browser,
        "/language",
        {"locale": "id", "next": "/console"},
        csrf=await token(browser, "/console"),
    )
    assert chosen.headers["location"] == "/console"
    home = await browser.get("/console")
    assert home.status_code == 200
    assert '<html lang="id">' in home.text
    assert "Konsol operator" in home.text
    assert "Pesanan hari ini" in home.text
    assert "Orders today" not in home.text
    mail = await browser.get("/console/mail")
    assert "Email dan SMS" in mail.text
