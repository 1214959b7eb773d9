"""3PL connections end to end: connect, route verified orders, push to a real HTTP receiver,
the sandbox 3PL shipping by itself, and 3PLs reporting back under their signature.

Pushes go to a real HTTP server on 127.0.0.1 (`Receiver`, asyncio streams), which checks
what a 3PL would: the signature over the raw body, the idempotency key, the payload.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from pasar.fulfillment import threepl
from pasar.fulfillment.models import Shipment, ThreePLRequest
from pasar.fulfillment.threepl_push import PushPolicy, push_threepl_requests
from pasar.platform.db import Database
from pasar.platform.signing import HEADER, sign, verify
from pasar.platform.time import utcnow
from tests.api import test_fulfillment_support as f
from tests.api import test_inventory_support as inv
from tests.api import test_orders_support as s
from tests.support import Actor, Actors

_codes = itertools.count(1)


# --- a real HTTP receiver ------------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(self.body)
        return parsed


@dataclass
class Receiver:
    """A 3PL's endpoint: answers the queued statuses in turn (200 once they run out)."""

    statuses: deque[int] = field(default_factory=deque)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/pasar/requests"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, path, _ = head[0].split(" ", 2)
            headers = {
                k.strip().lower(): v.strip()
                for k, v in (line.split(":", 1) for line in head[1:] if ":" in line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.received.append(Received(method, path, headers, body))
            status = self.statuses.popleft() if self.statuses else 200
            if self.delay:
                await asyncio.sleep(self.delay)
            answer = b'{"received": true}' if status < 300 else b'{"error": "try later"}'
            writer.write(
                f"HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(answer)}\r\nConnection: close\r\n\r\n".encode()
                + answer
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.port = server.sockets[0].getsockname()[1]
    yield found
    server.close()
    await server.wait_closed()


# --- helpers -------------------------------------------------------------------------------


@dataclass
class ThreePLShop:
    seller: Actor
    warehouse_id: int
    offer_id: int

    @property
    def shop(self) -> s.Shop:
        return s.Shop(self.seller, self.warehouse_id, [self.offer_id])

    @property
    def base(self) -> str:
        return f"/api/v1/sellers/{self.seller.seller_id}/warehouses/{self.warehouse_id}/3pl"


async def threepl_shop(
    client: httpx.AsyncClient, actors: Actors, name: str, *, stock: int = 10
) -> ThreePLShop:
    """A seller whose stock sits in a warehouse run by a 3PL."""
    seller = await actors.seller(name)
    created = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/warehouses",
        json={
            **inv.WAREHOUSE,
            "code": f"3PL{next(_codes)}",
            "owner_kind": "3pl",
            "operator_name": "Gudang Cepat Logistik",
        },
        headers=seller.headers,
    )
    assert created.status_code == 201, created.text
    warehouse_id = int(created.json()["id"])
    offer_id = await inv.offer(client, seller)
    synced = await inv.sync(
        client, seller, [{"offer_id": offer_id, "warehouse_id": warehouse_id, "quantity": stock}]
    )
    assert synced.status_code == 200, synced.text
    return ThreePLShop(seller, warehouse_id, offer_id)


async def connect(
    client: httpx.AsyncClient, shop: ThreePLShop, body: dict[str, Any], *, expect: int = 201
) -> dict[str, Any]:
    r = await client.put(shop.base, json=body, headers=shop.seller.headers)
    assert r.status_code == expect, r.text
    connected: dict[str, Any] = r.json()
    return connected


async def buy(
    client: httpx.AsyncClient, shop: ThreePLShop, quantity: int = 2, *, key: str | None = None
) -> dict[str, Any]:
    """A guest buys by card (so the SellerOrder is verified at once); the seller's part."""
    cart = await s.cart_with(client, [(shop.offer_id, quantity)])
    assert cart["ready"], cart
    placed = await s.place(client, cart["token"], s.card(), key=key)
    assert placed.status_code == 201, placed.text
    part: dict[str, Any] = placed.json()["seller_orders"][0]
    return part


async def requests_of(database: Database) -> list[ThreePLRequest]:
    async with database.sessionmaker() as session:
        return list(await session.scalars(select(ThreePLRequest).order_by(ThreePLRequest.id)))


async def request_row(database: Database, request_id: int) -> ThreePLRequest:
    async with database.sessionmaker() as session:
        row = await session.get(ThreePLRequest, request_id)
        assert row is not None
        return row


async def push(database: Database, app: FastAPI, now: datetime, **policy: Any) -> int:
    from pasar.fulfillment.config import FulfillmentConfig

    config = FulfillmentConfig.from_settings(app.state.settings)
    return await push_threepl_requests(
        database.sessionmaker, now=now, config=config, policy=PushPolicy(**policy)
    )


def signed_report(secret: str, report: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = orjson.dumps(report)
    return raw, {HEADER: sign(secret.encode(), raw), "Content-Type": "application/json"}


async def post_report(
    client: httpx.AsyncClient, connection: dict[str, Any], secret: str, report: dict[str, Any]
) -> httpx.Response:
    raw, headers = signed_report(secret, report)
    return await client.post(
        f"/api/v1/3pl/{connection['id']}/reports", content=raw, headers=headers
    )


async def seller_order(client: httpx.AsyncClient, shop: ThreePLShop, so_id: int) -> dict[str, Any]:
    return await f.seller_order(client, shop.shop, so_id)


def shipped_report(number: str, tracking: str, report_id: str = "r-1") -> dict[str, Any]:
    return {
        "report_id": report_id,
        "kind": "shipped",
        "seller_order_number": number,
        "carrier": "pasar-post",
        "tracking_number": tracking,
        "packages": [{"weight_grams": 1200}],
    }


# --- connecting ----------------------------------------------------------------------------


async def test_connecting_shows_the_secret_once_and_rotation_replaces_it(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The secret is in the connecting and rotating answers only; the old one stops working."""
    shop = await threepl_shop(client, actors, "Rotating")
    created = await connect(
        client, shop, {"kind": "webhook", "endpoint_url": "https://3pl.example/in"}
    )
    secret = created["secret"]
    assert len(secret) >= 40
    assert created["name"] == "Gudang Cepat Logistik"
    assert created["report_url"].endswith(f"/api/v1/3pl/{created['id']}/reports")

    shown = await client.get(shop.base, headers=shop.seller.headers)
    assert shown.status_code == 200, shown.text
    assert shown.json()["secret"] is None
    changed = await connect(
        client,
        shop,
        {"kind": "webhook", "endpoint_url": "https://other.example/in", "name": "GCL"},
        expect=200,
    )
    assert changed["secret"] is None
    assert (changed["endpoint_url"], changed["name"]) == ("https://other.example/in", "GCL")

    rotated = await client.post(f"{shop.base}/rotate-secret", headers=shop.seller.headers)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret not in (None, secret)
    report = shipped_report("P000000-NOTHING0", "X1")
    assert (await post_report(client, created, secret, report)).status_code == 401
    # The new secret authenticates; the SellerOrder is simply not this 3PL's.
    assert (await post_report(client, created, new_secret, report)).status_code == 404


async def test_another_sellers_warehouse_is_not_found(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Through its own path a seller cannot connect, read or rotate another seller's warehouse."""
    mine = await threepl_shop(client, actors, "Mine")
    theirs = await threepl_shop(client, actors, "Theirs")
    await connect(client, theirs, {"kind": "sandbox"})
    path = f"/api/v1/sellers/{mine.seller.seller_id}/warehouses/{theirs.warehouse_id}/3pl"
    body = {"kind": "sandbox"}
    assert (await client.put(path, json=body, headers=mine.seller.headers)).status_code == 404
    assert (await client.get(path, headers=mine.seller.headers)).status_code == 404
    rotated = await client.post(f"{path}/rotate-secret", headers=mine.seller.headers)
    assert rotated.status_code == 404
    assert (await client.delete(path, headers=mine.seller.headers)).status_code == 404
    direct = await client.get(theirs.base, headers=mine.seller.headers)
    assert direct.status_code == 403


async def test_only_3pl_warehouses_with_safe_endpoints_connect(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A seller-run warehouse is refused (409); plain http is refused unless on localhost."""
    shop = await threepl_shop(client, actors, "Picky")
    own = await inv.warehouse(client, shop.seller, f"OWN{next(_codes)}")
    r = await client.put(
        f"/api/v1/sellers/{shop.seller.seller_id}/warehouses/{own}/3pl",
        json={"kind": "sandbox"},
        headers=shop.seller.headers,
    )
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/warehouse-not-3pl")
    for url in ("http://3pl.example/in", "ftp://3pl.example/in", "https://user:pw@3pl.example/"):
        bad = await client.put(
            shop.base, json={"kind": "webhook", "endpoint_url": url}, headers=shop.seller.headers
        )
        assert bad.status_code == 422, (url, bad.text)
    missing = await client.put(shop.base, json={"kind": "webhook"}, headers=shop.seller.headers)
    assert missing.status_code == 422
    await connect(client, shop, {"kind": "webhook", "endpoint_url": "http://localhost:9/in"})


async def test_operator_connects_a_marketplace_warehouse(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Marketplace warehouses are the operator's to connect; sellers get 403 there."""
    operator = await actors.operator()
    seller = await actors.seller("Bystander")
    created = await client.post(
        "/api/v1/inventory/warehouses",
        json={**inv.WAREHOUSE, "code": "MP3PL", "owner_kind": "3pl", "operator_name": "Mega 3PL"},
        headers=operator.headers,
    )
    assert created.status_code == 201, created.text
    path = f"/api/v1/admin/warehouses/{created.json()['id']}/3pl"
    refused = await client.put(path, json={"kind": "sandbox"}, headers=seller.headers)
    assert refused.status_code == 403
    connected = await client.put(path, json={"kind": "sandbox"}, headers=operator.headers)
    assert connected.status_code == 201, connected.text
    assert connected.json()["seller_id"] is None
    assert connected.json()["secret"]
    read = await client.get(path, headers=operator.headers)
    assert read.json()["secret"] is None


# --- routing -------------------------------------------------------------------------------


async def test_a_verified_order_in_a_connected_warehouse_gets_exactly_one_request(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Placing twice with one key, or the verified event arriving again, still makes one."""
    shop = await threepl_shop(client, actors, "Routed")
    elsewhere = await threepl_shop(client, actors, "Unconnected")
    connection = await connect(client, shop, {"kind": "sandbox"})
    cart = await s.cart_with(client, [(shop.offer_id, 3), (elsewhere.offer_id, 1)])
    first = await s.place(client, cart["token"], s.card(), key="once")
    again = await s.place(client, cart["token"], s.card(), key="once")
    assert first.status_code == again.status_code == 201, again.text
    part = next(p for p in first.json()["seller_orders"] if p["seller_id"] == shop.seller.seller_id)

    rows = await requests_of(database)
    assert [(r.connection_id, r.seller_order_id, r.status) for r in rows] == [
        (connection["id"], part["id"], "pending")
    ]
    payload = rows[0].payload
    assert payload["seller_order_number"] == part["number"]
    assert [(line["quantity"], line["sku"].startswith("INV-")) for line in payload["lines"]] == [
        (3, True)
    ]
    assert payload["ship_to"]["city"] == "Jakarta"
    assert payload["ship_to"]["phone"] == s.ADDRESS["phone"]
    assert "email" not in payload["ship_to"]
    assert payload["delivery_service"] == "standard"
    assert payload["ship_by"] <= payload["promised_date"]

    redelivered = [
        {"seller_order_id": part["id"], "seller_id": shop.seller.seller_id, "order_id": 0}
    ]
    async with database.sessionmaker() as session:
        await threepl.on_seller_orders_verified(session, redelivered)
        await threepl.on_seller_orders_verified(session, redelivered)
        await session.commit()
    assert len(await requests_of(database)) == 1


# --- pushing to a webhook 3PL ----------------------------------------------------------------


async def test_push_is_signed_retried_with_backoff_and_sent_once_acknowledged(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    app: FastAPI,
    receiver: Receiver,
) -> None:
    """A 500 is retried after a backoff; the 200 marks it sent; both posts verify and match."""
    shop = await threepl_shop(client, actors, "Pushed")
    connection = await connect(client, shop, {"kind": "webhook", "endpoint_url": receiver.url})
    part = await buy(client, shop, 2)
    receiver.statuses.extend([500, 200])
    now = utcnow()

    assert await push(database, app, now) == 1
    (row,) = await requests_of(database)
    assert (row.status, row.attempts) == ("pending", 1)
    # The status only: the body of an endpoint a seller chose is never stored nor shown.
    assert (row.last_error or "").startswith("attempt 1: HTTP 500")
    assert "try later" not in (row.last_error or "")
    wait = row.next_attempt_at - now
    assert timedelta(seconds=15) <= wait <= timedelta(seconds=30)
    assert await push(database, app, now + wait - timedelta(seconds=1)) == 0
    assert len(receiver.received) == 1

    assert await push(database, app, now + wait) == 1
    (row,) = await requests_of(database)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert await push(database, app, now + timedelta(days=1)) == 0
    assert len(receiver.received) == 2

    keys = set()
    for got in receiver.received:
        assert (got.method, got.path) == ("POST", "/pasar/requests")
        verify(connection["secret"].encode(), got.body, got.headers[HEADER.lower()])
        keys.add(got.headers["idempotency-key"])
        body = got.json()
        assert body["type"] == "fulfilment.requested"
        assert body["report_url"].endswith(f"/api/v1/3pl/{connection['id']}/reports")
        assert body["request"]["seller_order_number"] == part["number"]
        assert [line["quantity"] for line in body["request"]["lines"]] == [2]
    assert keys == {f"3plreq_{row.id}"}
    with pytest.raises(Exception, match="does not match"):
        verify(b"someone else's secret", got.body, got.headers[HEADER.lower()])


async def test_a_3pl_that_keeps_failing_fails_the_request_until_retried(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    app: FastAPI,
    receiver: Receiver,
) -> None:
    """After the last attempt the request is failed with its error; retry queues it again."""
    shop = await threepl_shop(client, actors, "Flaky")
    await connect(client, shop, {"kind": "webhook", "endpoint_url": receiver.url})
    await buy(client, shop)
    receiver.statuses.extend([503, 503, 503])
    now = utcnow()
    for _ in range(3):
        await push(database, app, now, max_attempts=3)
        now += timedelta(hours=2)
    (row,) = await requests_of(database)
    assert (row.status, row.attempts) == ("failed", 3)
    assert (row.last_error or "").startswith("attempt 3: HTTP 503")
    assert await push(database, app, now + timedelta(days=1), max_attempts=3) == 0
    assert len(receiver.received) == 3

    listed = await client.get(
        f"/api/v1/sellers/{shop.seller.seller_id}/3pl-requests",
        params={"status": "failed"},
        headers=shop.seller.headers,
    )
    assert [r["id"] for r in listed.json()["items"]] == [row.id]
    retried = await client.post(
        f"/api/v1/sellers/{shop.seller.seller_id}/3pl-requests/{row.id}/retry",
        headers=shop.seller.headers,
    )
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    again = await client.post(
        f"/api/v1/sellers/{shop.seller.seller_id}/3pl-requests/{row.id}/retry",
        headers=shop.seller.headers,
    )
    assert again.status_code == 409
    assert await push(database, app, utcnow() + timedelta(seconds=1), max_attempts=3) == 1
    assert (await request_row(database, row.id)).status == "sent"


async def test_a_3pl_that_does_not_answer_in_time_is_retried(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    app: FastAPI,
    receiver: Receiver,
) -> None:
    """A timeout counts as a failed attempt, with the reason, and the request stays queued."""
    shop = await threepl_shop(client, actors, "Slow")
    await connect(client, shop, {"kind": "webhook", "endpoint_url": receiver.url})
    await buy(client, shop)
    receiver.delay = 1.0
    await push(database, app, utcnow(), timeout_seconds=0.2)
    (row,) = await requests_of(database)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "attempt 1: no answer within 0.2 s"


async def test_requests_of_a_cancelled_order_are_not_sent(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    app: FastAPI,
    receiver: Receiver,
) -> None:
    """A SellerOrder cancelled before the push fails its request instead of reaching the 3PL."""
    shop = await threepl_shop(client, actors, "Cancelled")
    await connect(client, shop, {"kind": "webhook", "endpoint_url": receiver.url})
    part = await buy(client, shop)
    cancelled = await client.post(
        f"/api/v1/sellers/{shop.seller.seller_id}/orders/{part['id']}/cancel",
        json={"reason": "out of stock after all"},
        headers=shop.seller.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    await push(database, app, utcnow())
    (row,) = await requests_of(database)
    assert row.status == "failed"
    assert "cancelled" in (row.last_error or "")
    assert receiver.received == []


async def test_disconnecting_fails_open_requests_and_refuses_reports(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """After DELETE, pending requests are failed with the reason and the secret is dead."""
    shop = await threepl_shop(client, actors, "Leaving")
    connection = await connect(
        client, shop, {"kind": "webhook", "endpoint_url": "https://x.example/"}
    )
    part = await buy(client, shop)
    gone = await client.delete(shop.base, headers=shop.seller.headers)
    assert gone.status_code == 200, gone.text
    assert gone.json()["failed_requests"] == 1
    (row,) = await requests_of(database)
    assert row.status == "failed"
    assert "disconnected" in (row.last_error or "")
    assert (await client.get(shop.base, headers=shop.seller.headers)).status_code == 404
    report = shipped_report(part["number"], "GONE1")
    assert (await post_report(client, connection, connection["secret"], report)).status_code == 401
    retried = await client.post(
        f"/api/v1/sellers/{shop.seller.seller_id}/3pl-requests/{row.id}/retry",
        headers=shop.seller.headers,
    )
    assert retried.status_code == 409
    back = await connect(client, shop, {"kind": "sandbox"}, expect=201)
    assert back["id"] == connection["id"]
    assert back["secret"] != connection["secret"]


# --- the sandbox 3PL -----------------------------------------------------------------------


async def test_the_sandbox_3pl_ships_by_itself_after_its_delay(
    client: httpx.AsyncClient, actors: Actors, database: Database, app: FastAPI
) -> None:
    """Acknowledged at once; nothing until fulfil_after_minutes; then shipped on the sandbox."""
    shop = await threepl_shop(client, actors, "Sandboxed")
    await connect(client, shop, {"kind": "sandbox", "fulfil_after_minutes": 30})
    part = await buy(client, shop, 2)
    now = utcnow()
    assert await push(database, app, now) == 1
    (row,) = await requests_of(database)
    assert row.status == "sent"

    assert await push(database, app, now + timedelta(minutes=29)) == 0
    assert (await seller_order(client, shop, part["id"]))["status"] == "verified"

    assert await push(database, app, now + timedelta(minutes=30)) == 1
    assert (await request_row(database, row.id)).status == "shipped"
    shipped = await seller_order(client, shop, part["id"])
    assert shipped["status"] == "shipped"
    assert shipped["carrier"] == "sandbox"
    listed = await client.get(
        f"/api/v1/sellers/{shop.seller.seller_id}/shipments", headers=shop.seller.headers
    )
    (shipment,) = listed.json()["items"]
    assert (shipment["carrier"], shipment["warehouse_id"]) == ("sandbox", shop.warehouse_id)
    assert shipment["tracking_number"] == shipped["tracking_number"]
    assert [line["quantity"] for line in shipment["lines"]] == [2]
    assert [p["weight_grams"] > 0 for p in shipment["packages"]] == [True]
    assert shipment["handed_over_at"] is not None
    assert await push(database, app, now + timedelta(days=1)) == 0


# --- reports from a 3PL --------------------------------------------------------------------


async def test_a_signed_shipped_report_ships_with_the_3pls_tracking_number(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """One shipment under the 3PL's number, the SellerOrder shipped; the same report twice
    changes nothing; tracking and delivery reports follow the parcel to delivered."""
    shop = await threepl_shop(client, actors, "Reported")
    connection = await connect(
        client, shop, {"kind": "webhook", "endpoint_url": "https://x.example/"}
    )
    secret = connection["secret"]
    part = await buy(client, shop, 2)
    report = shipped_report(part["number"].lower(), "GCL-000123")

    first = await post_report(client, connection, secret, report)
    assert first.status_code == 200, first.text
    again = await post_report(client, connection, secret, report)
    assert again.json() == first.json()
    renamed = await post_report(client, connection, secret, {**report, "report_id": "r-1b"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["shipment_id"] == first.json()["shipment_id"]
    result = first.json()
    assert (result["request_status"], result["seller_order_status"]) == ("shipped", "shipped")
    assert result["tracking_number"] == "GCL-000123"
    async with database.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).where(Shipment.seller_order_id == part["id"])
        )
    assert count == 1
    shown = await seller_order(client, shop, part["id"])
    assert (shown["carrier"], shown["tracking_number"]) == ("pasar-post", "GCL-000123")
    shipment = await f.shipment(client, shop.shop, result["shipment_id"])
    assert (shipment["label_cost"], shipment["packages"][0]["weight_grams"]) == (0, 1200)

    at = utcnow().replace(microsecond=0)
    tracking = {
        "report_id": "r-2",
        "kind": "tracking",
        "seller_order_number": part["number"],
        "tracking_number": "GCL-000123",
        "events": [
            {
                "event_id": "e1",
                "status": "in_transit",
                "code": "HUB",
                "description": "At the Bekasi hub",
                "location": "Bekasi",
                "occurred_at": at.isoformat(),
            }
        ],
    }
    tracked = await post_report(client, connection, secret, tracking)
    assert tracked.status_code == 200, tracked.text
    assert tracked.json()["events_recorded"] == 1
    delivered = await post_report(
        client,
        connection,
        secret,
        {
            "report_id": "r-3",
            "kind": "delivered",
            "seller_order_number": part["number"],
            "tracking_number": "GCL-000123",
            "delivered_at": (at + timedelta(minutes=5)).isoformat(),
            "proof": {"where_left": "reception", "recipient_name": "Budi"},
        },
    )
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["request_status"] == "delivered"
    assert delivered.json()["seller_order_status"] == "delivered"
    final = await seller_order(client, shop, part["id"])
    assert final["delivery_proof"]["where_left"] == "reception"


async def test_reports_without_a_valid_signature_are_refused(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Unsigned, wrongly keyed, tampered, stale or unknown-connection reports are 401."""
    shop = await threepl_shop(client, actors, "Guarded")
    connection = await connect(client, shop, {"kind": "sandbox"})
    part = await buy(client, shop)
    url = f"/api/v1/3pl/{connection['id']}/reports"
    raw, headers = signed_report(connection["secret"], shipped_report(part["number"], "T1"))
    tampered = raw.replace(b"T1", b"T2")
    stale = sign(connection["secret"].encode(), raw, timestamp=int(utcnow().timestamp()) - 3600)
    attempts = [
        (url, raw, {"Content-Type": "application/json"}),
        (url, raw, {**headers, HEADER: sign(b"not the secret", raw)}),
        (url, tampered, headers),
        (url, raw, {**headers, HEADER: stale}),
        ("/api/v1/3pl/999999/reports", raw, headers),
    ]
    for target, body, sent in attempts:
        r = await client.post(target, content=body, headers=sent)
        assert r.status_code == 401, (sent, r.text)
    assert (await seller_order(client, shop, part["id"]))["status"] == "verified"
    garbage = b"not json"
    r = await client.post(url, content=garbage, headers=signed_report_headers(connection, garbage))
    assert r.status_code == 422


def signed_report_headers(connection: dict[str, Any], raw: bytes) -> dict[str, str]:
    return {HEADER: sign(connection["secret"].encode(), raw), "Content-Type": "application/json"}


async def test_a_3pl_cannot_report_on_another_3pls_seller_order(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A SellerOrder not routed to the reporting connection, or unknown, is 404."""
    ours = await threepl_shop(client, actors, "Ours")
    other = await threepl_shop(client, actors, "Other")
    mine = await connect(client, ours, {"kind": "sandbox"})
    await connect(client, other, {"kind": "sandbox"})
    theirs = await buy(client, other)
    foreign = await post_report(
        client, mine, mine["secret"], shipped_report(theirs["number"], "STEAL1")
    )
    assert foreign.status_code == 404, foreign.text
    unknown = await post_report(
        client, mine, mine["secret"], shipped_report("P000000-AAAAAAAA", "NOPE1", "r-9")
    )
    assert unknown.status_code == 404
    assert (await seller_order(client, other, theirs["id"]))["status"] == "verified"


async def test_request_lists_are_scoped_and_paginated(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A seller lists only its 3PL requests, a page at a time; the operator lists all."""
    shop = await threepl_shop(client, actors, "Listed")
    other = await threepl_shop(client, actors, "Unlisted")
    operator = await actors.operator()
    await connect(client, shop, {"kind": "sandbox"})
    await connect(client, other, {"kind": "sandbox"})
    parts = [await buy(client, shop, 1) for _ in range(3)]
    await buy(client, other, 1)
    url = f"/api/v1/sellers/{shop.seller.seller_id}/3pl-requests"
    first = (await client.get(url, params={"limit": 2}, headers=shop.seller.headers)).json()
    second = (
        await client.get(
            url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=shop.seller.headers
        )
    ).json()
    seen = [r["seller_order_id"] for r in first["items"] + second["items"]]
    assert seen == [p["id"] for p in reversed(parts)]
    assert second["next_cursor"] is None
    assert {r["warehouse_id"] for r in first["items"]} == {shop.warehouse_id}
    admin = await client.get("/api/v1/admin/3pl-requests", headers=operator.headers)
    assert len(admin.json()["items"]) == 4
    sent = await client.get(
        "/api/v1/admin/3pl-requests", params={"status": "sent"}, headers=operator.headers
    )
    assert sent.json()["items"] == []
    cross = await client.get(url, headers=other.seller.headers)
    assert cross.status_code == 403


async def test_workers_pushing_at_once_send_each_request_once(
    client: httpx.AsyncClient,
    actors: Actors,
    database: Database,
    app: FastAPI,
    receiver: Receiver,
) -> None:
    """Two sweeps racing (SKIP LOCKED and the lease) never post one request twice."""
    shop = await threepl_shop(client, actors, "Raced", stock=20)
    await connect(client, shop, {"kind": "webhook", "endpoint_url": receiver.url})
    for _ in range(5):
        await buy(client, shop, 1)
    receiver.delay = 0.2
    now = utcnow()
    moved = await asyncio.gather(
        push(database, app, now, batch=3), push(database, app, now, batch=3)
    )
    assert sum(moved) == 5
    keys = [got.headers["idempotency-key"] for got in receiver.received]
    assert sorted(keys) == sorted(set(keys))
    assert len(keys) == 5
    assert {r.status for r in await requests_of(database)} == {"sent"}
