"""The NATS JetStream fan-out against a real NATS server (127.0.0.1:4222, or
`PASAR_TEST_NATS_URL`). Skipped when none answers, unless `CI` is set: there it fails,
because CI is meant to provide one.

Each test publishes into a stream and subjects of its own, removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
import nats.js.errors
import orjson
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy import delete, insert, select, update

from pasar.platform.broker import NatsFanout
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from pasar.platform.relay import drain

NATS_URL = os.environ.get("PASAR_TEST_NATS_URL", "nats://127.0.0.1:4222")


@dataclass
class Broker:
    client: Client
    js: JetStreamContext
    stream: str
    prefix: str

    def fanout(self, url: str = NATS_URL) -> NatsFanout:
        return NatsFanout(url, stream=self.stream, subject_prefix=self.prefix, cooldown_seconds=30)

    async def messages(self) -> list[Any]:
        """Every message in the stream, through a JetStream consumer of our own."""
        info = await self.js.stream_info(self.stream)
        count = info.state.messages
        if count == 0:
            return []
        sub = await self.js.pull_subscribe(f"{self.prefix}.>", stream=self.stream)
        try:
            found: list[Any] = []
            while len(found) < count:
                batch = await sub.fetch(count - len(found), timeout=5)
                for msg in batch:
                    await msg.ack()
                found.extend(batch)
            return found
        finally:
            await sub.unsubscribe()


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
async def broker() -> AsyncIterator[Broker]:
    try:
        client = await nats.connect(
            NATS_URL,
            connect_timeout=2,
            allow_reconnect=False,
            max_reconnect_attempts=1,
            reconnect_time_wait=0,
            error_cb=_quiet,
        )
        js = client.jetstream(timeout=5)
        await js.account_info()  # fails unless JetStream is enabled
    except Exception as exc:
        reason = f"no NATS server with JetStream at {NATS_URL} ({type(exc).__name__}: {exc})"
        if _ci():
            pytest.fail(f"{reason}; CI is set, so the NATS server is required")
        pytest.skip(f"{reason}; start `nats-server -js` to run these tests")
    run = uuid.uuid4().hex[:10]
    found = Broker(client, js, stream=f"PASAR_TEST_{run}", prefix=f"pasar_test_{run}.events")
    yield found
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await js.delete_stream(found.stream)
    await client.close()


@pytest.fixture
async def outbox(database: Database) -> AsyncIterator[Database]:
    """The shared test database with an empty outbox before and after."""
    async with database.sessionmaker.begin() as session:
        await session.execute(delete(OutboxEvent))
    yield database
    async with database.sessionmaker.begin() as session:
        await session.execute(delete(OutboxEvent))


async def _add_events(database: Database) -> list[int]:
    occurred = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {
            "name": "seller_order.shipped",
            "version": 1,
            "occurred_at": occurred,
            "payload": {"seller_order_id": 41, "to_status": "shipped", "number": "PS-41"},
        },
        {
            "name": "seller_order.delivered",
            "version": 2,
            "occurred_at": occurred,
            "payload": {"seller_order_id": 42, "to_status": "delivered", "note": "teras"},
        },
        {
            "name": "order.placed",
            "version": 1,
            "occurred_at": occurred,
            "payload": {"order_id": 7, "total_amount": 125_000, "currency": "IDR"},
        },
    ]
    async with database.sessionmaker.begin() as session:
        ids = await session.scalars(insert(OutboxEvent).returning(OutboxEvent.id), rows)
        return list(ids)


async def test_relay_publishes_each_event_to_its_subject_with_its_id(
    outbox: Database, broker: Broker
) -> None:
    """Each event lands on `<prefix>.<name>`, JSON body, `Nats-Msg-Id: pasar-<id>`."""
    ids = await _add_events(outbox)
    fanout = broker.fanout()
    try:
        assert await drain(outbox, [fanout]) == 3
    finally:
        await fanout.close()

    messages = await broker.messages()
    by_id = {orjson.loads(m.data)["id"]: m for m in messages}
    assert sorted(by_id) == sorted(ids)
    shipped = by_id[ids[0]]
    assert shipped.subject == f"{broker.prefix}.seller_order.shipped"
    assert shipped.headers["Nats-Msg-Id"] == f"pasar-{ids[0]}"
    assert orjson.loads(shipped.data) == {
        "id": ids[0],
        "name": "seller_order.shipped",
        "version": 1,
        "occurred_at": "2025-03-01T09:30:00+00:00",
        "payload": {"seller_order_id": 41, "to_status": "shipped", "number": "PS-41"},
    }
    assert by_id[ids[1]].subject == f"{broker.prefix}.seller_order.delivered"
    assert orjson.loads(by_id[ids[1]].data)["version"] == 2
    assert by_id[ids[2]].subject == f"{broker.prefix}.order.placed"
    async with outbox.sessionmaker() as session:
        pending = await session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(ids)))
        assert all(e.published_at is not None and e.attempts == 0 for e in pending)


async def test_relaying_the_same_events_again_stores_no_duplicate(
    outbox: Database, broker: Broker
) -> None:
    """A re-publish after a crash (published_at lost) is absorbed by the duplicate window."""
    ids = await _add_events(outbox)
    fanout = broker.fanout()
    try:
        await drain(outbox, [fanout])
        async with outbox.sessionmaker.begin() as session:
            await session.execute(update(OutboxEvent).values(published_at=None))
        assert await drain(outbox, [fanout]) == 3  # published again: JetStream drops the copies
    finally:
        await fanout.close()

    info = await broker.js.stream_info(broker.stream)
    assert info.state.messages == 3
    messages = await broker.messages()
    assert sorted(orjson.loads(m.data)["id"] for m in messages) == sorted(ids)


async def test_unreachable_broker_leaves_the_events_for_a_retry(
    outbox: Database, broker: Broker
) -> None:
    """Nothing answers on the broker's port: every event is due again later, none published."""
    ids = await _add_events(outbox)
    fanout = broker.fanout(url=f"nats://127.0.0.1:{_closed_port()}")
    now = datetime.now(UTC)  # one clock for the whole drain: the retries are not due within it
    try:
        assert await drain(outbox, [fanout], now=now) == 3  # claimed once, not due again yet
    finally:
        await fanout.close()

    async with outbox.sessionmaker() as session:
        events = list(await session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(ids))))
    assert [e.published_at for e in events] == [None, None, None]
    assert [e.attempts for e in events] == [1, 1, 1]
    assert all(e.next_attempt_at is not None and e.next_attempt_at > now for e in events)
    assert all((e.last_error or "").startswith("BrokerError: ") for e in events)
    with pytest.raises(nats.js.errors.NotFoundError):
        await broker.js.stream_info(broker.stream)  # never even created: nothing published


async def _quiet(error: Exception) -> None:
    """nats-py logs every failed attempt with a traceback; the skip reason says it all."""


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_broker_outage_does_not_hold_back_the_other_consumers(
    outbox: Database, broker: Broker
) -> None:
    """NATS down: the batch still reaches Pasar's own consumers and is marked published;
    the events wait in the backlog and reach the stream once the broker answers."""
    from pasar.platform.broker_backlog import BrokerBacklog, BrokerConsumer, republish

    ids = await _add_events(outbox)
    seen: list[int] = []

    async def own_consumer(_session: Any, events: Any) -> None:
        seen.extend(e.id for e in events)

    down = broker.fanout(url=f"nats://127.0.0.1:{_closed_port()}")
    try:
        assert await drain(outbox, [BrokerConsumer(down), own_consumer]) == 3
    finally:
        await down.close()
    assert seen == ids
    async with outbox.sessionmaker() as session:
        published = list(
            await session.scalars(select(OutboxEvent.published_at).where(OutboxEvent.id.in_(ids)))
        )
        parked = list(await session.scalars(select(BrokerBacklog.event_id)))
    assert all(p is not None for p in published)
    assert sorted(parked) == ids

    up = broker.fanout()
    try:
        later = datetime.now(UTC) + timedelta(minutes=10)
        assert await republish(outbox, up, now=later) == 3
        assert await republish(outbox, up, now=later) == 0
    finally:
        await up.close()
    messages = await broker.messages()
    assert sorted(orjson.loads(m.data)["id"] for m in messages) == ids
    async with outbox.sessionmaker() as session:
        assert list(await session.scalars(select(BrokerBacklog.event_id))) == []
