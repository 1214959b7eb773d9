"""3-D Secure over HTTP, and the operator's view of an order's payment and ledger."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from pasar.payments import Allocation, authorise, cancel_allocation, payment_views, record_payment
from pasar.payments.models import Payment
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from tests.api.test_payments_support import (
    THREE_DS,
    books_balance,
    config_of,
    details,
    entries,
    events,
    place,
)
from tests.support import Actors


async def challenge_url(
    database: Database, settings: Settings, shares: tuple[int, ...]
) -> tuple[str, int, list[int]]:
    auth, view = await place(database, settings, shares=shares, number=THREE_DS)
    assert auth.next_action is not None
    return auth.next_action["url"], view.order_id, [a.seller_order_id for a in view.allocations]


async def test_passing_the_challenge_authorises_and_validates_later(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """Pass: authorised, shares authorised, ledger `authorised`, payment.validated emitted."""
    url, order_id, _ = await challenge_url(database, settings, (600, 400))
    shown = await client.get(url)
    assert shown.status_code == 200
    assert (shown.json()["amount"], shown.json()["status"]) == (1000, "requires_action")
    assert shown.json()["card_last4"] == "3220"
    response = await client.post(url, json={"outcome": "pass"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "authorised"
    async with database.sessionmaker() as session:
        view = (await payment_views(session, [order_id]))[order_id]
    assert (view.status, view.next_action) == ("authorised", None)
    assert [a.status for a in view.allocations] == ["authorised", "authorised"]
    assert await entries(database, order_id) == [("authorised", 1000, None)]
    validated = await events(database, "payment.validated")
    assert [(e["order_id"], e["method"], e["amount"]) for e in validated] == [
        (order_id, "card", 1000)
    ]


async def test_failing_the_challenge_fails_the_payment(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """Fail: the payment fails, its shares close, and orders hear payment.failed."""
    url, order_id, _ = await challenge_url(database, settings, (500,))
    response = await client.post(url, json={"outcome": "fail"})
    assert response.json()["status"] == "failed"
    async with database.sessionmaker() as session:
        view = (await payment_views(session, [order_id]))[order_id]
    assert (view.status, [a.status for a in view.allocations]) == ("failed", ["cancelled"])
    assert await entries(database, order_id) == [("failed", 0, None)]
    failed = await events(database, "payment.failed")
    assert [(e["order_id"], e["reason"]) for e in failed] == [(order_id, "three_ds_failed")]
    assert await events(database, "payment.validated") == []


async def test_a_challenge_is_answered_once(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """The second answer, whatever it says, is 409 and changes nothing."""
    url, order_id, _ = await challenge_url(database, settings, (500,))
    assert (await client.post(url, json={"outcome": "pass"})).status_code == 200
    for outcome in ("pass", "fail"):
        again = await client.post(url, json={"outcome": outcome})
        assert again.status_code == 409
        assert again.json()["type"] == "/problems/challenge-completed"
    assert len(await events(database, "payment.validated")) == 1
    assert await entries(database, order_id) == [("authorised", 500, None)]


async def test_unknown_tokens_and_bad_answers_are_client_errors(client: httpx.AsyncClient) -> None:
    """A guessed token is 404; an answer other than pass/fail is 422."""
    guessed = "/api/v1/payments/challenges/" + "A" * 32
    assert (await client.post(guessed, json={"outcome": "pass"})).status_code == 404
    assert (await client.get(guessed)).json()["type"] == "/problems/challenge-not-found"
    assert (await client.post(guessed, json={"outcome": "maybe"})).status_code == 422


async def test_only_the_token_digest_is_stored(database: Database, settings: Settings) -> None:
    """Reading the database does not reveal a usable challenge token."""
    url, order_id, _ = await challenge_url(database, settings, (500,))
    token = url.rsplit("/", 1)[1]
    async with database.sessionmaker() as session:
        stored = await session.scalar(
            select(Payment.challenge_hash).where(Payment.order_id == order_id)
        )
    assert stored is not None
    assert token not in stored


async def test_passing_after_a_share_was_cancelled_voids_that_share(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """A seller order cancelled while the buyer was at the challenge: its share is released."""
    url, order_id, (kept, gone) = await challenge_url(database, settings, (600, 400))
    async with database.sessionmaker() as session:
        await cancel_allocation(session, seller_order_id=gone, actor="x", reason="seller out")
        await session.commit()
    assert (await client.post(url, json={"outcome": "pass"})).status_code == 200
    assert await entries(database, order_id) == [("authorised", 1000, None), ("voided", 400, gone)]
    assert [e["seller_order_id"] for e in await events(database, "payment.voided")] == [gone]
    assert kept != gone
    assert await books_balance(database) == []


async def test_operators_read_the_payment_with_its_full_ledger(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """Operators only: the view, its shares with commission and net, and every movement."""
    _, view = await place(database, settings, shares=(3000, 7000))
    url = f"/api/v1/payments/orders/{view.order_id}"
    assert (await client.get(url)).status_code == 401
    buyer = await actors.buyer()
    assert (await client.get(url, headers=buyer.headers)).status_code == 403
    operator = await actors.operator()
    response = await client.get(url, headers=operator.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["order_number"], body["amount"], body["status"]) == (
        f"PSR-{view.order_id}",
        10_000,
        "authorised",
    )
    assert [(a["amount"], a["commission"], a["net"]) for a in body["allocations"]] == [
        (3000, 300, 2700),
        (7000, 700, 6300),
    ]
    assert [(e["kind"], e["amount"], e["actor"]) for e in body["ledger"]] == [
        ("authorised", 10_000, "user:1")
    ]
    missing = await client.get("/api/v1/payments/orders/999999", headers=operator.headers)
    assert missing.status_code == 404


async def test_an_answer_after_the_deadline_is_refused(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """The challenge window closed: 409, and the payment waits for the deadline sweep."""
    config = config_of(settings)
    long_ago = utcnow() - timedelta(minutes=config.action_minutes + 1)
    auth = await authorise(
        details("card", THREE_DS),
        amount=500,
        currency="USD",
        reference="PSR-LATE",
        config=config,
        now=long_ago,
    )
    async with database.sessionmaker() as session:
        await record_payment(
            session,
            auth,
            order_id=777_001,
            order_number="PSR-LATE",
            allocations=[
                Allocation(seller_order_id=777_0011, seller_id=1, amount=500, commission=50)
            ],
            actor="checkout",
        )
        await session.commit()
    assert auth.next_action is not None
    response = await client.post(auth.next_action["url"], json={"outcome": "pass"})
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/payment-state-conflict"
    assert await events(database, "payment.validated") == []
