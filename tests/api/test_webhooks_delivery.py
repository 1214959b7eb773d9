"""Webhook deliveries to a real HTTP receiver on 127.0.0.1: planned from real events,
signed, retried, timed out, rotated, disabled, redelivered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from pasar.inventory.events import StockLow
from pasar.platform.db import Database
from pasar.platform.jobs import StoredEvent
from pasar.platform.outbox import OutboxEvent
from pasar.platform.settings import Settings
from pasar.platform.signing import HEADER
from pasar.platform.time import utcnow
from pasar.webhooks import plan_deliveries, send_due
from pasar.webhooks.domain import SendPolicy
from pasar.webhooks.models import WebhookDelivery
from tests.api.test_checkout_queries import counting
from tests.api.test_fulfillment_support import create_shipment, hand_over, placed_order
from tests.api.test_webhooks_support import Receiver, emit_events, register, relay
from tests.support import Actors


def later(**delta: float) -> Any:
    """A clock `delta` ahead of the real one (for the sender: retries become due)."""
    return lambda: utcnow() + timedelta(**delta)


async def deliveries(client: httpx.AsyncClient, headers: dict[str, str], base: str) -> list[Any]:
    answer = await client.get(f"{base}/deliveries", headers=headers)
    assert answer.status_code == 200, answer.text
    items: list[Any] = answer.json()["items"]
    return items


async def test_a_placed_and_shipped_order_reaches_each_endpoint_signed(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """Each seller's endpoint gets its own events, signed with its secret; the operator's
    endpoint gets every seller's; nothing unsubscribed is sent."""
    placed = await placed_order(client, actors, sellers=2)
    one, two = placed.shops
    operator = await actors.operator()
    with Receiver() as receiver:
        types = ["order.placed", "seller_order.shipped", "shipment.created", "payment.captured"]
        first = await register(
            client, one.seller.headers, receiver.url, types, seller_id=one.seller.seller_id
        )
        second = await register(
            client,
            two.seller.headers,
            receiver.url,
            ["order.placed"],
            seller_id=two.seller.seller_id,
        )
        market = await register(client, operator.headers, receiver.url, ["order.placed"])
        receiver.secrets = [first["secret"], second["secret"], market["secret"]]
        shipment = await create_shipment(client, one, placed.seller_order_of(one))
        await hand_over(client, one, [shipment["id"]])
        await relay(database, settings)
        assert await send_due(database, settings) > 0
        assert await send_due(database, settings) == 0

        by_secret: dict[int, list[str]] = {0: [], 1: [], 2: []}
        for request in receiver.requests:
            assert request.answered == 200
            assert len(request.verified_by) == 1, request
            by_secret[request.verified_by[0]].append(request.event_type)
            assert request.headers["User-Agent"].startswith("Pasar-Webhooks/")
            assert request.body["id"] == request.delivery_id
            assert request.body["type"] == request.event_type
        assert sorted(by_secret[0]) == sorted(types)
        assert by_secret[1] == ["order.placed"]
        assert by_secret[2] == ["order.placed"]

        own = next(r for r in receiver.of_type("order.placed") if r.verified_by == [0]).body
        assert own["data"]["seller_id"] == one.seller.seller_id
        assert own["data"]["seller_order_id"] == placed.seller_order_of(one)
        assert "email" not in own["data"]
        assert "seller_ids" not in own["data"]
        whole = next(r for r in receiver.of_type("order.placed") if r.verified_by == [2]).body
        assert sorted(whole["data"]["seller_ids"]) == sorted(
            [one.seller.seller_id, two.seller.seller_id]
        )
        captured = receiver.of_type("payment.captured")[0].body["data"]
        assert captured["seller_id"] == one.seller.seller_id
        shipped = receiver.of_type("shipment.created")[0].body["data"]
        assert shipped["shipment_id"] == shipment["id"]

    base = f"/api/v1/sellers/{one.seller.seller_id}/webhook-endpoints/{first['id']}"
    log = await deliveries(client, one.seller.headers, base)
    assert {d["status"] for d in log} == {"delivered"}
    assert {d["last_status_code"] for d in log} == {200}
    assert all(d["next_attempt_at"] is None for d in log)


async def test_a_replayed_event_is_planned_once(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """The relay may hand the same event again after a crash: one delivery per endpoint."""
    seller = await actors.seller()
    endpoint = await register(
        client,
        seller.headers,
        "https://erp.example.com/hook",
        ["inventory.stock_low"],
        seller_id=seller.seller_id,
    )
    await emit_events(
        database, StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5)
    )
    async with database.sessionmaker() as session:
        row = (
            await session.scalars(
                select(OutboxEvent).where(OutboxEvent.name == "inventory.stock_low")
            )
        ).one()
        event = StoredEvent(row.id, row.name, row.version, row.payload, row.occurred_at)
        for _ in range(2):
            await plan_deliveries(session, [event, event])
            await session.commit()
        count = await session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint["id"])
        )
    assert count == 1


async def test_planning_costs_two_statements_whatever_the_batch(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """One read of the matching endpoints and one insert, for 3 events or 60."""
    sellers = [await actors.seller() for _ in range(3)]
    for seller in sellers:
        await register(
            client,
            seller.headers,
            "https://erp.example.com/hook",
            ["inventory.stock_low", "offer.updated"],
            seller_id=seller.seller_id,
        )
    counts = []
    for size in (1, 20):
        events = [
            StoredEvent(
                size * 1000 + s * 100 + n,
                "inventory.stock_low",
                1,
                {"offer_id": n, "seller_id": seller.seller_id, "available": 0, "threshold": 1},
                utcnow(),
            )
            for s, seller in enumerate(sellers)
            for n in range(size)
        ]
        async with database.sessionmaker() as session:
            with counting(database) as seen:
                await plan_deliveries(session, events)
            await session.commit()
        counts.append(len([sql for sql in seen if not sql.startswith("BEGIN")]))
    assert counts == [2, 2]
    async with database.sessionmaker() as session:
        planned = await session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert planned == 3 * 21


async def test_other_sellers_events_and_disabled_endpoints_are_not_planned(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    seller = await actors.seller()
    other = await actors.seller()
    url = "https://erp.example.com/hook"
    live = await register(
        client, seller.headers, url, ["inventory.stock_low"], seller_id=seller.seller_id
    )
    off = await register(
        client, seller.headers, url, ["inventory.stock_low"], seller_id=seller.seller_id
    )
    base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints"
    await client.patch(f"{base}/{off['id']}", json={"enabled": False}, headers=seller.headers)
    await emit_events(
        database,
        StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5),
        StockLow(offer_id=2, seller_id=other.seller_id, available=1, threshold=5),
    )
    await relay(database, settings)
    live_log = await deliveries(client, seller.headers, f"{base}/{live['id']}")
    assert len(live_log) == 1
    assert await deliveries(client, seller.headers, f"{base}/{off['id']}") == []


async def test_a_500_is_retried_with_backoff_then_delivered_under_the_same_id(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """A failure leaves the delivery pending for later; the retry carries the same id."""
    seller = await actors.seller()
    with Receiver(script=[500]) as receiver:
        endpoint = await register(
            client,
            seller.headers,
            receiver.url,
            ["inventory.stock_low"],
            seller_id=seller.seller_id,
        )
        receiver.secrets = [endpoint["secret"]]
        await emit_events(
            database, StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5)
        )
        await relay(database, settings)
        base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{endpoint['id']}"
        assert await send_due(database, settings) == 1
        [failed] = await deliveries(client, seller.headers, base)
        assert failed["status"] == "pending"
        assert failed["last_status_code"] == 500
        assert failed["attempts"] == 1
        wait = datetime.fromisoformat(failed["next_attempt_at"]) - utcnow()
        assert timedelta(seconds=3) < wait <= timedelta(seconds=10)
        assert await send_due(database, settings) == 0  # not due yet
        assert await send_due(database, settings, clock=later(seconds=11)) == 1
        [done] = await deliveries(client, seller.headers, base)
        assert done["status"] == "delivered"
        assert done["attempts"] == 2
        assert [r.answered for r in receiver.requests] == [500, 200]
        assert len(set(receiver.ids())) == 1
        detail = await client.get(f"{base}/deliveries/{done['id']}", headers=seller.headers)
        attempts = detail.json()["attempt_log"]
        assert [a["status_code"] for a in attempts] == [500, 200]
        assert attempts[0]["response_body"] == "receiver says no"
        assert detail.json()["data"]["offer_id"] == 1
        endpoint_now = (await client.get(base, headers=seller.headers)).json()
        assert endpoint_now["failing_since"] is None
        assert endpoint_now["last_success_at"] is not None


async def test_a_receiver_that_hangs_times_out_and_is_retried(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """No answer within the timeout is a failed attempt, logged with its duration."""
    seller = await actors.seller()
    quick = settings.model_copy(update={"webhook_timeout_seconds": 0.3})
    with Receiver(script=["hang"], hang_seconds=2.0) as receiver:
        endpoint = await register(
            client,
            seller.headers,
            receiver.url,
            ["inventory.stock_low"],
            seller_id=seller.seller_id,
        )
        receiver.secrets = [endpoint["secret"]]
        await emit_events(
            database, StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5)
        )
        await relay(database, settings)
        assert await send_due(database, quick) == 1
        base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{endpoint['id']}"
        [pending] = await deliveries(client, seller.headers, base)
        assert pending["status"] == "pending"
        assert "no answer within 0.3 s" in pending["last_error"]
        detail = await client.get(f"{base}/deliveries/{pending['id']}", headers=seller.headers)
        [attempt] = detail.json()["attempt_log"]
        assert attempt["status_code"] is None
        assert 250 <= attempt["duration_ms"] < 1500
        assert await send_due(database, quick, clock=later(seconds=11)) == 1
        [done] = await deliveries(client, seller.headers, base)
        assert done["status"] == "delivered"


async def test_attempts_run_out_and_the_delivery_fails(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    seller = await actors.seller()
    with Receiver(default=503) as receiver:
        endpoint = await register(
            client,
            seller.headers,
            receiver.url,
            ["inventory.stock_low"],
            seller_id=seller.seller_id,
        )
        receiver.secrets = [endpoint["secret"]]
        await emit_events(
            database, StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5)
        )
        await relay(database, settings)
        policy = SendPolicy(max_attempts=3)
        for minutes in (0, 2, 4):
            assert await send_due(database, settings, policy=policy, clock=later(minutes=minutes))
        assert await send_due(database, settings, policy=policy, clock=later(hours=2)) == 0
        base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{endpoint['id']}"
        [failed] = await deliveries(client, seller.headers, base)
        assert failed["status"] == "failed"
        assert failed["attempts"] == 3
        assert failed["next_attempt_at"] is None
        assert failed["last_error"].startswith("attempt 3: HTTP 503")
        assert len(receiver.requests) == 3


async def test_during_a_rotation_both_secrets_verify_and_afterwards_only_the_new(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """Calls carry a v1 by the new secret and one by the old for 24 hours."""
    seller = await actors.seller()
    with Receiver() as receiver:
        endpoint = await register(
            client,
            seller.headers,
            receiver.url,
            ["inventory.stock_low"],
            seller_id=seller.seller_id,
        )
        base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{endpoint['id']}"
        rotated = await client.post(f"{base}/rotate-secret", headers=seller.headers)
        assert rotated.status_code == 200
        new = rotated.json()["secret"]
        assert new.startswith("whsec_")
        assert new != endpoint["secret"]
        assert rotated.json()["previous_secret_expires_at"] is not None
        assert (await client.get(base, headers=seller.headers)).json()["secret"] is None
        receiver.secrets = [endpoint["secret"], new]
        await emit_events(
            database,
            StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5),
        )
        await relay(database, settings)
        await send_due(database, settings)
        [during] = receiver.requests
        assert during.verified_by == [0, 1]
        assert during.signature.count("v1=") == 2
        await emit_events(
            database,
            StockLow(offer_id=2, seller_id=seller.seller_id, available=1, threshold=5),
        )
        await relay(database, settings)
        await send_due(database, settings, clock=later(hours=25))
        after = receiver.requests[1]
        assert after.verified_by == [1]
        assert after.signature.count("v1=") == 1


async def test_an_endpoint_failing_too_long_is_disabled_with_a_notice_and_resumes(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """After `webhook_disable_after_hours` of failures with no success the endpoint is
    disabled (reason shown, `webhook_endpoint.disabled` emitted, nothing more sent);
    re-enabling it sends what waited."""
    seller = await actors.seller()
    brief = settings.model_copy(update={"webhook_disable_after_hours": 0.001})  # 3.6 s
    with Receiver(default=500) as receiver, Receiver() as notices:
        endpoint = await register(
            client,
            seller.headers,
            receiver.url,
            ["inventory.stock_low"],
            seller_id=seller.seller_id,
        )
        watcher = await register(
            client,
            seller.headers,
            notices.url,
            ["webhook_endpoint.disabled"],
            seller_id=seller.seller_id,
        )
        receiver.secrets = [endpoint["secret"]]
        notices.secrets = [watcher["secret"]]
        await emit_events(
            database, StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5)
        )
        await relay(database, brief)
        base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{endpoint['id']}"
        assert await send_due(database, brief) == 1
        failing = (await client.get(base, headers=seller.headers)).json()
        assert failing["enabled"] is True
        assert failing["failing_since"] is not None
        assert await send_due(database, brief, clock=later(seconds=15)) == 1
        disabled = (await client.get(base, headers=seller.headers)).json()
        assert disabled["enabled"] is False
        assert disabled["disabled_at"] is not None
        assert "No successful delivery" in disabled["disabled_reason"]
        assert "HTTP 500" in disabled["disabled_reason"]

        # the notice: an event, delivered to the seller's other endpoint
        await relay(database, brief)
        assert await send_due(database, brief, clock=later(seconds=16)) == 1
        [notice] = notices.requests
        assert notice.event_type == "webhook_endpoint.disabled"
        assert notice.body["data"]["endpoint_id"] == endpoint["id"]
        assert notice.verified_by == [0]

        # disabled: nothing more goes out, even when due
        assert await send_due(database, brief, clock=later(hours=3)) == 0
        assert len(receiver.requests) == 2

        receiver.default = 200
        enabled = await client.patch(base, json={"enabled": True}, headers=seller.headers)
        assert enabled.json()["disabled_reason"] is None
        assert await send_due(database, brief) == 1
        [done] = await deliveries(client, seller.headers, base)
        assert done["status"] == "delivered"


async def test_redelivery_sends_again_under_the_same_delivery_id(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    seller = await actors.seller()
    with Receiver() as receiver:
        endpoint = await register(
            client,
            seller.headers,
            receiver.url,
            ["inventory.stock_low"],
            seller_id=seller.seller_id,
        )
        receiver.secrets = [endpoint["secret"]]
        await emit_events(
            database, StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5)
        )
        await relay(database, settings)
        await send_due(database, settings)
        base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{endpoint['id']}"
        [delivered] = await deliveries(client, seller.headers, base)
        again = await client.post(
            f"{base}/deliveries/{delivered['id']}/redeliver", headers=seller.headers
        )
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "pending"
        assert await send_due(database, settings) == 1
        first, second = receiver.requests
        assert first.delivery_id == second.delivery_id == delivered["delivery_id"]
        assert first.body == second.body
        detail = await client.get(f"{base}/deliveries/{delivered['id']}", headers=seller.headers)
        assert detail.json()["status"] == "delivered"
        assert len(detail.json()["attempt_log"]) == 2
        assert receiver.processed == [delivered["delivery_id"]]


async def test_a_seller_cannot_read_or_redeliver_another_sellers_deliveries(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    owner = await actors.seller()
    intruder = await actors.seller()
    mine = await register(
        client,
        intruder.headers,
        "https://erp.example.com/intruder",
        ["inventory.stock_low"],
        seller_id=intruder.seller_id,
    )
    theirs = await register(
        client,
        owner.headers,
        "https://erp.example.com/owner",
        ["inventory.stock_low"],
        seller_id=owner.seller_id,
    )
    await emit_events(
        database, StockLow(offer_id=1, seller_id=owner.seller_id, available=1, threshold=5)
    )
    await relay(database, settings)
    owner_base = f"/api/v1/sellers/{owner.seller_id}/webhook-endpoints/{theirs['id']}"
    [delivery] = await deliveries(client, owner.headers, owner_base)
    h = intruder.headers
    via_mine = f"/api/v1/sellers/{intruder.seller_id}/webhook-endpoints/{mine['id']}"
    assert (
        await client.get(f"{via_mine}/deliveries/{delivery['id']}", headers=h)
    ).status_code == 404
    redo = await client.post(f"{via_mine}/deliveries/{delivery['id']}/redeliver", headers=h)
    assert redo.status_code == 404
    assert (await client.get(f"{owner_base}/deliveries", headers=h)).status_code == 403
    admin = f"/api/v1/admin/webhook-endpoints/{theirs['id']}/deliveries"
    assert (await client.get(admin, headers=h)).status_code == 403


async def test_an_unsigned_or_wrongly_signed_call_is_refused_by_the_receiver(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """The receiver's check is real: a secret other than the endpoint's does not verify."""
    seller = await actors.seller()
    with Receiver() as receiver:
        endpoint = await register(
            client,
            seller.headers,
            receiver.url,
            ["inventory.stock_low"],
            seller_id=seller.seller_id,
        )
        receiver.secrets = ["whsec_not-the-one"]
        await emit_events(
            database, StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5)
        )
        await relay(database, settings)
        await send_due(database, settings)
        [request] = receiver.requests
        assert request.verified_by == []
        assert request.answered == 401
        assert HEADER in request.headers
        base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{endpoint['id']}"
        [pending] = await deliveries(client, seller.headers, base)
        assert pending["status"] == "pending"
        assert pending["last_status_code"] == 401


async def test_the_log_keeps_the_first_kilobyte_of_any_answer(
    client: httpx.AsyncClient, actors: Actors, database: Database, settings: Settings
) -> None:
    """A long or binary answer (NUL bytes, which PostgreSQL text refuses) is kept as text,
    cut at 1 KB."""
    seller = await actors.seller()
    with Receiver(default=502, reply=b"\x00\xff" + b"x" * 5000) as receiver:
        endpoint = await register(
            client,
            seller.headers,
            receiver.url,
            ["inventory.stock_low"],
            seller_id=seller.seller_id,
        )
        receiver.secrets = [endpoint["secret"]]
        await emit_events(
            database, StockLow(offer_id=1, seller_id=seller.seller_id, available=1, threshold=5)
        )
        await relay(database, settings)
        assert await send_due(database, settings) == 1
        base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{endpoint['id']}"
        [pending] = await deliveries(client, seller.headers, base)
        detail = await client.get(f"{base}/deliveries/{pending['id']}", headers=seller.headers)
        [attempt] = detail.json()["attempt_log"]
        assert attempt["status_code"] == 502
        kept = attempt["response_body"]
        assert kept.startswith("\ufffd\ufffd")
        assert "\x00" not in kept
        assert kept.endswith("x")
        assert len(kept) <= 1024
