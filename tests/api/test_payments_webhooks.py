"""Bank transfers over HTTP: the signed sandbox webhook and the sandbox's "pay" button."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from pasar.payments import cancel_allocation, expire, payment_views
from pasar.payments.models import PaymentWebhookEvent
from pasar.payments.signing import sandbox_webhook_key, sign
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from tests.api.test_payments_support import books_balance, entries, events, place, signed

WEBHOOK = "/api/v1/payments/webhooks/sandbox"
SIMULATE = "/api/v1/payments/sandbox/bank-transfers"


def transfer(
    account: str, amount: int, *, event_id: str = "evt_1", currency: str = "USD"
) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "transfer.received",
        "virtual_account": account,
        "amount": amount,
        "currency": currency,
    }


async def status_of(database: Database, order_id: int) -> tuple[str, int, list[str]]:
    async with database.sessionmaker() as session:
        view = (await payment_views(session, [order_id]))[order_id]
    return view.status, view.captured, [a.status for a in view.allocations]


async def test_a_signed_transfer_of_the_exact_amount_pays_the_order(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """The money arrived: received, every share paid, and orders hear payment.validated."""
    auth, view = await place(database, settings, "bank_transfer", shares=(3000, 2000))
    assert auth.instructions is not None
    account = auth.instructions["virtual_account"]
    body, headers = signed(settings, transfer(account, 5000))
    response = await client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"event_id": "evt_1", "result": "received"}
    assert await status_of(database, view.order_id) == ("received", 5000, ["paid", "paid"])
    assert await entries(database, view.order_id) == [("received", 5000, None)]
    assert await events(database, "payment.validated") == [
        {
            "payment_id": view.id,
            "order_id": view.order_id,
            "method": "bank_transfer",
            "amount": 5000,
            "currency": "USD",
        }
    ]
    assert await books_balance(database) == []


async def test_a_replayed_event_id_changes_nothing(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """The provider redelivers: 200, `duplicate`, no second ledger entry or event."""
    auth, view = await place(database, settings, "bank_transfer", shares=(700,))
    assert auth.instructions is not None
    body, headers = signed(settings, transfer(auth.instructions["virtual_account"], 700))
    first = await client.post(WEBHOOK, content=body, headers=headers)
    again = await client.post(WEBHOOK, content=body, headers=headers)
    assert (first.json()["result"], again.status_code, again.json()["result"]) == (
        "received",
        200,
        "duplicate",
    )
    assert await entries(database, view.order_id) == [("received", 700, None)]
    assert len(await events(database, "payment.validated")) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Pasar-Signature": "t=1,v1=00"},
        {"Pasar-Signature": "garbage"},
        {"Pasar-Signature": f"t={int(time.time())},v1={'0' * 64}"},
    ],
)
async def test_a_missing_or_bad_signature_is_401(
    client: httpx.AsyncClient, database: Database, settings: Settings, headers: dict[str, str]
) -> None:
    """Unsigned or forged events are refused as problem+json before anything is read."""
    auth, view = await place(database, settings, "bank_transfer", shares=(700,))
    assert auth.instructions is not None
    body, _ = signed(settings, transfer(auth.instructions["virtual_account"], 700))
    response = await client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/invalid-webhook"
    assert (await status_of(database, view.order_id))[0] == "pending"


async def test_a_body_changed_after_signing_is_401(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """The MAC covers the raw body: a raised amount breaks it."""
    auth, _ = await place(database, settings, "bank_transfer", shares=(700,))
    assert auth.instructions is not None
    body, headers = signed(settings, transfer(auth.instructions["virtual_account"], 700))
    forged = body.replace(b"700", b"999")
    assert (await client.post(WEBHOOK, content=forged, headers=headers)).status_code == 401


async def test_a_stale_timestamp_is_401_even_when_correctly_signed(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """A captured request replayed ten minutes later is refused."""
    auth, view = await place(database, settings, "bank_transfer", shares=(700,))
    assert auth.instructions is not None
    body, headers = signed(
        settings, transfer(auth.instructions["virtual_account"], 700), at=time.time() - 600
    )
    response = await client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 401
    assert "old" in response.json()["detail"]
    assert (await status_of(database, view.order_id))[0] == "pending"


async def test_a_wrong_amount_is_recorded_and_refused(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """Too little (or another currency) does not pay the order: 422, recorded as rejected."""
    auth, view = await place(database, settings, "bank_transfer", shares=(700,))
    assert auth.instructions is not None
    account = auth.instructions["virtual_account"]
    for event_id, amount, currency in (("evt_a", 699, "USD"), ("evt_b", 700, "EUR")):
        body, headers = signed(
            settings, transfer(account, amount, event_id=event_id, currency=currency)
        )
        response = await client.post(WEBHOOK, content=body, headers=headers)
        assert response.status_code == 422
        assert response.json()["type"] == "/problems/transfer-amount-mismatch"
        assert response.json()["expected"] == 700
    assert await status_of(database, view.order_id) == ("pending", 0, ["pending"])
    assert await entries(database, view.order_id) == [
        ("rejected", 699, None),
        ("rejected", 700, None),
    ]
    assert await events(database, "payment.validated") == []
    async with database.sessionmaker() as session:
        recorded = await session.scalar(select(func.count()).select_from(PaymentWebhookEvent))
    assert recorded == 2


async def test_money_for_an_expired_payment_is_recorded_and_returned(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """Paid after the deadline: the order stays cancelled and the buyer gets the money back."""
    auth, view = await place(database, settings, "bank_transfer", shares=(700,))
    assert auth.instructions is not None
    async with database.sessionmaker() as session:
        await expire(session, order_id=view.order_id, actor="system")
        await session.commit()
    body, headers = signed(settings, transfer(auth.instructions["virtual_account"], 700))
    response = await client.post(WEBHOOK, content=body, headers=headers)
    assert response.json()["result"] == "returned"
    assert await status_of(database, view.order_id) == ("expired", 0, ["cancelled"])
    assert await entries(database, view.order_id) == [
        ("expired", 0, None),
        ("unapplied", 700, None),
        ("returned", 700, None),
    ]
    assert await events(database, "payment.validated") == []
    assert await books_balance(database) == []


async def test_a_share_cancelled_before_the_money_came_is_refunded_on_arrival(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """The buyer paid the whole order after one seller order was cancelled: that part
    goes straight back, the rest pays the remaining seller order."""
    auth, view = await place(database, settings, "bank_transfer", shares=(3000, 2000))
    assert auth.instructions is not None
    gone = view.allocations[1].seller_order_id
    async with database.sessionmaker() as session:
        await cancel_allocation(session, seller_order_id=gone, actor="x", reason="seller out")
        await session.commit()
    body, headers = signed(settings, transfer(auth.instructions["virtual_account"], 5000))
    assert (await client.post(WEBHOOK, content=body, headers=headers)).json()["result"] == (
        "received"
    )
    assert await status_of(database, view.order_id) == ("received", 5000, ["paid", "cancelled"])
    assert await entries(database, view.order_id) == [
        ("received", 5000, None),
        ("refunded", 2000, gone),
    ]
    assert [e["seller_order_id"] for e in await events(database, "payment.refunded")] == [gone]
    assert await books_balance(database) == []


async def test_unknown_event_types_are_acknowledged_once(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Providers send more than we act on; those are 200 `ignored` (then `duplicate`)."""
    body, headers = signed(settings, {"id": "evt_x", "type": "balance.updated"})
    first = await client.post(WEBHOOK, content=body, headers=headers)
    again = await client.post(WEBHOOK, content=body, headers=headers)
    assert (first.json()["result"], again.json()["result"]) == ("ignored", "duplicate")


@pytest.mark.parametrize(
    "payload", [b"not json", b"[]", b'{"id": "e", "type": "transfer.received"}']
)
async def test_a_signed_but_unreadable_event_is_400(
    client: httpx.AsyncClient, settings: Settings, payload: bytes
) -> None:
    """Correctly signed nonsense is the sender's bug: 400 problem+json, never a 500."""
    signature = sign(sandbox_webhook_key(settings.secret), payload, utcnow())
    response = await client.post(WEBHOOK, content=payload, headers={"Pasar-Signature": signature})
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/malformed-webhook"


async def test_the_sandbox_pay_button_goes_through_the_webhook_path(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """The demo's "simulate payment" signs a real event: same result, same ledger."""
    auth, view = await place(database, settings, "bank_transfer", shares=(1500,))
    assert auth.instructions is not None
    account = auth.instructions["virtual_account"]
    response = await client.post(SIMULATE, json={"virtual_account": account, "amount": 1500})
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "received"
    assert response.json()["event_id"].startswith("evt_")
    assert await status_of(database, view.order_id) == ("received", 1500, ["paid"])
    unknown = await client.post(SIMULATE, json={"virtual_account": "12345678", "amount": 1})
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "/problems/payment-not-found"


async def test_the_sandbox_pay_button_is_404_when_the_sandbox_is_off(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings
) -> None:
    """Production marketplaces switch the sandbox off: the endpoint disappears."""
    app.state.settings = settings.model_copy(update={"payments_sandbox": False})
    response = await client.post(SIMULATE, json={"virtual_account": "12345678", "amount": 1})
    assert response.status_code == 404


async def test_concurrent_deliveries_pay_once_and_return_the_rest(
    client: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    """The same event five times and two other transfers at once: one payment, the other
    transfers returned, duplicates ignored; the books still balance."""
    auth, view = await place(database, settings, "bank_transfer", shares=(800, 200))
    assert auth.instructions is not None
    account = auth.instructions["virtual_account"]
    same = signed(settings, transfer(account, 1000, event_id="evt_same"))
    others = [signed(settings, transfer(account, 1000, event_id=f"evt_{i}")) for i in range(2)]
    deliveries = [same] * 5 + others
    responses = await asyncio.gather(
        *(client.post(WEBHOOK, content=body, headers=headers) for body, headers in deliveries)
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    results = sorted(r.json()["result"] for r in responses)
    assert results.count("received") == 1
    assert results.count("duplicate") == 4
    assert results.count("returned") == 2
    assert await status_of(database, view.order_id) == ("received", 1000, ["paid", "paid"])
    assert len(await events(database, "payment.validated")) == 1
    assert await books_balance(database) == []
