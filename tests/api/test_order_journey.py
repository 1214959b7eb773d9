"""The order journey end to end through the API: one guest, three sellers, every payment way."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from sqlalchemy import func, select

from pasar.checkout import checkout_clock
from pasar.orders import complete_delivered, expire_unpaid
from pasar.orders.models import Order
from pasar.platform.db import Database
from pasar.platform.signing import derive_key, sign
from pasar.platform.time import utcnow
from tests.api import test_orders_support as s
from tests.api.test_inventory_support import stock
from tests.support import Actors

SECRET = "test-secret-not-for-production"


async def _available(client: httpx.AsyncClient, shop: s.Shop, offer_id: int) -> tuple[int, int]:
    rows = [r for r in await stock(client, shop.seller) if r["offer_id"] == offer_id]
    return sum(r["on_hand"] for r in rows), sum(r["reserved"] for r in rows)


async def _ship(
    client: httpx.AsyncClient, shop: s.Shop, so_id: int, tracking: str
) -> dict[str, Any]:
    base = f"/api/v1/sellers/{shop.seller.seller_id}/orders/{so_id}"
    processed = await client.post(f"{base}/process", headers=shop.seller.headers)
    assert processed.status_code == 200, processed.text
    shipped = await client.post(
        f"{base}/ship",
        json={"carrier": "JNE", "tracking_number": tracking},
        headers=shop.seller.headers,
    )
    assert shipped.status_code == 200, shipped.text
    body: dict[str, Any] = shipped.json()
    return body


async def _carrier_report(client: httpx.AsyncClient, report: dict[str, Any]) -> httpx.Response:
    raw = orjson.dumps(report)
    signature = sign(derive_key(SECRET, "carrier-webhook"), raw)
    return await client.post(
        "/api/v1/carriers/delivery-reports",
        content=raw,
        headers={"Pasar-Signature": signature, "Content-Type": "application/json"},
    )


async def test_guest_buys_from_three_sellers_by_card_and_each_part_completes(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    shops = [await s.shop(client, actors, f"Seller {n}", stock=10) for n in "ABC"]
    operator = await actors.operator()
    cart = await s.cart_with(
        client, [(shops[0].offers[0], 2), (shops[1].offers[0], 1), (shops[2].offers[0], 3)]
    )
    assert cart["ready"], cart
    placed = await s.place(client, cart["token"], s.card(), expected_total=cart["grand_total"])
    assert placed.status_code == 201, placed.text
    result = placed.json()
    assert result["status"] == "verified"
    assert result["payment"]["status"] == "authorised"
    assert result["total_amount"] == cart["grand_total"]
    assert len(result["seller_orders"]) == 3
    assert await _available(client, shops[0], shops[0].offers[0]) == (10, 2)

    order = await s.order_of(client, result)
    assert [p["status"] for p in order["seller_orders"]] == ["verified"] * 3
    assert [h["to_status"] for h in order["seller_orders"][0]["history"]] == [
        "received",
        "verified",
    ]
    assert order["email"] == "guest.buyer@example.com"
    by_seller = {p["seller"]["id"]: p for p in order["seller_orders"]}

    for n, shop in enumerate(shops):
        part = by_seller[shop.seller.seller_id]
        shipped = await _ship(client, shop, part["id"], f"JNE{n}0001")
        assert shipped["status"] == "shipped"
        assert shipped["tracking_number"] == f"JNE{n}0001"
    assert await _available(client, shops[0], shops[0].offers[0]) == (8, 0)
    order = await s.order_of(client, result)
    assert order["payment"]["captured"] == order["total_amount"]

    # Delivery: by the operator with proof, and by a signed carrier report (twice: harmless).
    a, b, c = (by_seller[shop.seller.seller_id]["id"] for shop in shops)
    delivered = await client.post(
        f"/api/v1/admin/seller-orders/{a}/deliver",
        json={"proof": {"left_at": "locked mailbox", "recipient_name": "Budi"}},
        headers=operator.headers,
    )
    assert delivered.status_code == 200, delivered.text
    assert delivered.json()["delivery_proof"]["left_at"] == "locked mailbox"
    for _ in range(2):
        report = await _carrier_report(
            client, {"id": "evt-1", "tracking_number": "JNE10001", "outcome": "delivered"}
        )
        assert report.status_code == 200, report.text
    report = await _carrier_report(
        client, {"id": "evt-2", "tracking_number": "JNE20001", "outcome": "delivered"}
    )
    assert report.json()["applied"] is True

    # Completion: the buyer confirms one part; the sweep auto-confirms the rest later.
    access = {"access": result["access_token"]}
    confirmed = await client.post(
        f"/api/v1/orders/{result['number']}/seller-orders/{a}/confirm-receipt", params=access
    )
    assert confirmed.status_code == 200, confirmed.text
    async with database.sessionmaker() as session:
        assert await complete_delivered(session, now=utcnow(), after=timedelta(days=7)) == 0
        later = utcnow() + timedelta(days=8)
        assert await complete_delivered(session, now=later, after=timedelta(days=7)) == 2
    order = await s.order_of(client, result)
    assert order["status"] == "completed"
    assert {p["id"]: p["status"] for p in order["seller_orders"]} == {
        a: "completed",
        b: "completed",
        c: "completed",
    }


async def test_unsigned_or_stale_carrier_reports_are_refused(
    client: httpx.AsyncClient,
) -> None:
    raw = orjson.dumps({"id": "x", "tracking_number": "T1", "outcome": "delivered"})
    unsigned = await client.post("/api/v1/carriers/delivery-reports", content=raw)
    assert unsigned.status_code == 401
    assert unsigned.headers["content-type"].startswith("application/problem+json")
    stale = sign(derive_key(SECRET, "carrier-webhook"), raw, timestamp=1_000_000)
    old = await client.post(
        "/api/v1/carriers/delivery-reports", content=raw, headers={"Pasar-Signature": stale}
    )
    assert old.status_code == 401


async def test_declined_card_changes_nothing(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    shop = await s.shop(client, actors, "Declining", stock=5)
    cart = await s.cart_with(client, [(shop.offers[0], 2)])
    for number, reason in (
        (s.CARD_DECLINED, "card_declined"),
        (s.CARD_NO_FUNDS, "insufficient_funds"),
    ):
        refused = await s.place(client, cart["token"], s.card(number))
        assert refused.status_code == 402, refused.text
        assert refused.json()["reason"] == reason
    assert await _available(client, shop, shop.offers[0]) == (5, 0)
    async with database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 0
    again = await s.place(client, cart["token"], s.card())
    assert again.status_code == 201, again.text


async def test_bank_transfer_waits_for_the_money_then_verifies(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    shop = await s.shop(client, actors, "Transfer", stock=5)
    cart = await s.cart_with(client, [(shop.offers[0], 1)])
    placed = await s.place(client, cart["token"], {"method": "bank_transfer"})
    assert placed.status_code == 201, placed.text
    result = placed.json()
    assert result["status"] == "received"
    instructions = result["payment"]["instructions"]
    assert instructions["amount"] == result["total_amount"]
    assert result["payment"]["due_at"]
    paid = await client.post(
        "/api/v1/payments/sandbox/bank-transfers",
        json={"virtual_account": instructions["virtual_account"], "amount": result["total_amount"]},
    )
    assert paid.status_code == 200, paid.text
    order = await s.order_of(client, result)
    assert order["status"] == "verified"
    assert order["payment_due_at"] is None
    assert order["payment"]["status"] in {"paid", "received", "captured"}


async def test_unpaid_bank_transfer_is_cancelled_at_its_deadline_and_stock_returns(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    shop = await s.shop(client, actors, "Deadline", stock=3)
    cart = await s.cart_with(client, [(shop.offers[0], 3)])
    result = (await s.place(client, cart["token"], {"method": "bank_transfer"})).json()
    assert await _available(client, shop, shop.offers[0]) == (3, 3)
    async with database.sessionmaker() as session:
        assert await expire_unpaid(session, now=utcnow()) == 0
        assert await expire_unpaid(session, now=utcnow() + timedelta(hours=25)) == 1
    assert await _available(client, shop, shop.offers[0]) == (3, 0)
    order = await s.order_of(client, result)
    assert order["status"] == "cancelled"
    assert order["seller_orders"][0]["cancel_reason"] == "payment not received by its deadline"
    assert order["payment"]["status"] == "expired"


async def test_cash_on_delivery_is_collected_when_delivered(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    shop = await s.shop(client, actors, "Cash", stock=5)
    operator = await actors.operator()
    cart = await s.cart_with(client, [(shop.offers[0], 1)])
    result = (await s.place(client, cart["token"], {"method": "cod"})).json()
    assert result["status"] == "verified"
    so_id = result["seller_orders"][0]["id"]
    await _ship(client, shop, so_id, "COD0001")
    order = await s.order_of(client, result)
    assert order["payment"]["captured"] == 0
    delivered = await client.post(
        f"/api/v1/admin/seller-orders/{so_id}/deliver", json={}, headers=operator.headers
    )
    assert delivered.status_code == 200, delivered.text
    order = await s.order_of(client, result)
    assert order["payment"]["captured"] == order["total_amount"]


async def test_cash_on_delivery_has_a_limit(client: httpx.AsyncClient, actors: Actors) -> None:
    shop = await s.shop(client, actors, "Pricey", stock=50, price=150_000)
    cart = await s.cart_with(client, [(shop.offers[0], 2)])
    refused = await s.place(client, cart["token"], {"method": "cod"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "payment.method"


async def test_three_d_secure_challenge_pass_and_fail(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    shop = await s.shop(client, actors, "Secure", stock=4)
    outcomes = {}
    for outcome in ("pass", "fail"):
        cart = await s.cart_with(client, [(shop.offers[0], 2)])
        result = (await s.place(client, cart["token"], s.card(s.CARD_3DS))).json()
        assert result["status"] == "received"
        action = result["payment"]["next_action"]
        answered = await client.post(action["url"], json={"outcome": outcome})
        assert answered.status_code == 200, answered.text
        outcomes[outcome] = (await s.order_of(client, result))["status"]
    assert outcomes == {"pass": "verified", "fail": "cancelled"}
    assert await _available(client, shop, shop.offers[0]) == (4, 2)


async def test_cancelling_one_part_voids_exactly_its_amount(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    first = await s.shop(client, actors, "One", stock=5)
    second = await s.shop(client, actors, "Two", stock=5)
    cart = await s.cart_with(client, [(first.offers[0], 1), (second.offers[0], 2)])
    result = (await s.place(client, cart["token"], s.card())).json()
    parts = {p["seller_id"]: p for p in result["seller_orders"]}
    mine = parts[first.seller.seller_id]
    cancelled = await client.post(
        f"/api/v1/orders/{result['number']}/seller-orders/{mine['id']}/cancel",
        params={"access": result["access_token"]},
        json={"reason": "changed my mind"},
    )
    assert cancelled.status_code == 200, cancelled.text
    order = cancelled.json()
    statuses = {p["seller"]["id"]: p["status"] for p in order["seller_orders"]}
    assert statuses == {first.seller.seller_id: "cancelled", second.seller.seller_id: "verified"}
    assert await _available(client, first, first.offers[0]) == (5, 0)
    assert await _available(client, second, second.offers[0]) == (5, 2)


async def test_illegal_moves_are_clear_409s(client: httpx.AsyncClient, actors: Actors) -> None:
    shop = await s.shop(client, actors, "Strict", stock=5)
    cart = await s.cart_with(client, [(shop.offers[0], 1)])
    result = (await s.place(client, cart["token"], s.card())).json()
    so_id = result["seller_orders"][0]["id"]
    base = f"/api/v1/sellers/{shop.seller.seller_id}/orders/{so_id}"
    early = await client.post(
        f"{base}/ship",
        json={"carrier": "JNE", "tracking_number": "X1"},
        headers=shop.seller.headers,
    )
    assert early.status_code == 409
    assert early.json()["type"].endswith("/illegal-transition")
    no_reason = await client.post(f"{base}/cancel", json={}, headers=shop.seller.headers)
    assert no_reason.status_code == 422
    await client.post(f"{base}/process", headers=shop.seller.headers)
    buyer_late = await client.post(
        f"/api/v1/orders/{result['number']}/seller-orders/{so_id}/cancel",
        params={"access": result["access_token"]},
        json={},
    )
    assert buyer_late.status_code == 409
    assert "only the seller or the marketplace" in buyer_late.json()["detail"]
    order = await s.order_of(client, result)
    assert order["seller_orders"][0]["status"] == "processing"


async def test_sellers_see_and_move_only_their_own_parts(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    mine = await s.shop(client, actors, "Mine", stock=5)
    theirs = await s.shop(client, actors, "Theirs", stock=5)
    cart = await s.cart_with(client, [(mine.offers[0], 1), (theirs.offers[0], 1)])
    result = (await s.place(client, cart["token"], s.card())).json()
    parts = {p["seller_id"]: p["id"] for p in result["seller_orders"]}
    other = parts[theirs.seller.seller_id]
    me = mine.seller
    listed = await client.get(f"/api/v1/sellers/{me.seller_id}/orders", headers=me.headers)
    assert [p["id"] for p in listed.json()["items"]] == [parts[me.seller_id]]
    assert listed.json()["items"][0]["buyer"]["address"]["city"] == "Jakarta"
    peek = await client.get(f"/api/v1/sellers/{me.seller_id}/orders/{other}", headers=me.headers)
    assert peek.status_code == 404
    move = await client.post(
        f"/api/v1/sellers/{me.seller_id}/orders/{other}/process", headers=me.headers
    )
    assert move.status_code == 404
    cross = await client.get(
        f"/api/v1/sellers/{theirs.seller.seller_id}/orders", headers=me.headers
    )
    assert cross.status_code == 403


async def test_guests_reach_orders_only_by_link_or_number_and_email(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    shop = await s.shop(client, actors, "Private", stock=5)
    cart = await s.cart_with(client, [(shop.offers[0], 1)])
    result = (await s.place(client, cart["token"], s.card())).json()
    number = result["number"]
    assert (await client.get(f"/api/v1/orders/{number}")).status_code == 404
    forged = await client.get(f"/api/v1/orders/{number}", params={"access": "x" * 32})
    assert forged.status_code == 404
    wrong = await client.post(
        "/api/v1/orders/lookup", json={"number": number, "email": "no@example.com"}
    )
    assert wrong.status_code == 404
    found = await client.post(
        "/api/v1/orders/lookup", json={"number": number.lower(), "email": "GUEST.buyer@example.com"}
    )
    assert found.status_code == 200, found.text
    assert found.json()["access_token"] == result["access_token"]
    statuses = [
        (
            await client.post("/api/v1/orders/lookup", json={"number": number, "email": "a@b.co"})
        ).status_code
        for _ in range(12)
    ]
    assert statuses[-1] == 429


async def test_signed_in_buyer_sees_their_orders(client: httpx.AsyncClient, actors: Actors) -> None:
    shop = await s.shop(client, actors, "Accounts", stock=5)
    buyer = await actors.buyer()
    cart = await s.cart_with(client, [(shop.offers[0], 1)], headers=buyer.headers)
    placed = await s.place(client, cart["token"], s.card(), headers=buyer.headers)
    assert placed.status_code == 201, placed.text
    mine = await client.get("/api/v1/orders", headers=buyer.headers)
    assert [o["number"] for o in mine.json()["items"]] == [placed.json()["number"]]
    own = await client.get(f"/api/v1/orders/{placed.json()['number']}", headers=buyer.headers)
    assert own.status_code == 200
    stranger = await actors.buyer()
    other = await client.get(f"/api/v1/orders/{placed.json()['number']}", headers=stranger.headers)
    assert other.status_code == 404


async def test_sellers_see_overdue_parts_and_their_counts(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """Placed ten days ago and never shipped: overdue in the list, the filter and the counts."""
    shop = await s.shop(client, actors, "Slow", stock=5)
    app.dependency_overrides[checkout_clock] = lambda: utcnow() - timedelta(days=10)
    late_cart = await s.cart_with(client, [(shop.offers[0], 1)])
    late = (await s.place(client, late_cart["token"], s.card())).json()
    app.dependency_overrides.clear()
    fresh_cart = await s.cart_with(client, [(shop.offers[0], 1)])
    fresh = (await s.place(client, fresh_cart["token"], s.card())).json()
    me = shop.seller
    url = f"/api/v1/sellers/{me.seller_id}/orders"
    overdue = (await client.get(url, params={"overdue": "true"}, headers=me.headers)).json()
    assert [p["id"] for p in overdue["items"]] == [late["seller_orders"][0]["id"]]
    assert overdue["items"][0]["overdue"] is True
    on_time = (await client.get(url, params={"overdue": "false"}, headers=me.headers)).json()
    assert [p["id"] for p in on_time["items"]] == [fresh["seller_orders"][0]["id"]]
    verified = await client.get(
        url, params={"status": ["verified", "processing"]}, headers=me.headers
    )
    assert len(verified.json()["items"]) == 2
    counts = await client.get(f"/api/v1/sellers/{me.seller_id}/order-counts", headers=me.headers)
    assert counts.json()["by_status"] == {"verified": 2}
    assert counts.json()["overdue"] == 1
