"""Abuse: what a hostile or careless client sends must be a 4xx problem+json, never a 5xx,
a hang, or stored data that comes back changed.

Oversized bodies (the app-wide `PASAR_MAX_BODY_BYTES` ceiling), JSON nested 10,000 deep,
negative and huge quantities and prices, emoji / right-to-left / NUL text, SQL and HTML
injection strings, and the rate limits on login and guest order look-ups.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from pasar.app import create_app
from pasar.platform.db import Database
from pasar.platform.settings import Settings
from pasar.platform.types import MAX_INT32
from tests.api import test_orders_support as orders
from tests.support import PASSWORD, Actors

HOSTILE_TEXT = [
    "Kopi ☕🇮🇩 👩🏽‍🍳 ZWJ",
    "קפה שחור عربي مختص",  # right-to-left scripts
    "'; DROP TABLE products; --",
    "1' OR '1'='1",
    '<script>alert("x")</script><img src=x onerror=alert(1)>',
    '{{7*7}} ${7*7} %s %n \\ " `',
    "\u202e\u200b\ufeff combining é",
]


def assert_problem(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status"} <= set(body)
    assert body["status"] == response.status_code
    return body


async def _product(client: httpx.AsyncClient, seller_id: int, headers: dict[str, str]) -> int:
    made = await client.post(
        f"/api/v1/sellers/{seller_id}/products",
        json={"title": "Kopi", "variants": [{"sku": "ABUSE-1"}]},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


# -- Oversized bodies -------------------------------------------------------------------


@pytest.fixture
async def small_app(app: FastAPI, settings: Settings, database: Database) -> FastAPI:
    """The app with a 64 KiB body ceiling, so the tests need not send megabytes (`app`
    empties the tables afterwards)."""
    return create_app(settings.model_copy(update={"max_body_bytes": 64 * 1024}), database=database)


@pytest.fixture
async def small_client(small_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=small_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_a_body_over_the_ceiling_is_413_before_the_route_reads_it(
    small_client: httpx.AsyncClient,
) -> None:
    big = b'{"email": "a@example.com", "password": "' + b"x" * 70_000 + b'"}'
    response = await small_client.post(
        "/api/v1/auth/token", content=big, headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 413)
    assert body["type"] == "/problems/payload-too-large"
    # Under the ceiling, the same route answers as usual (here: the password is too long).
    fits = await small_client.post(
        "/api/v1/auth/token", json={"email": "a@example.com", "password": "x" * 300}
    )
    assert_problem(fits, 422)


async def test_a_streamed_body_without_length_is_cut_off_at_the_ceiling(
    small_client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "a@example.com", "password": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = await small_client.post(
        "/api/v1/auth/token", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


async def test_the_default_ceiling_still_admits_an_eight_megabyte_import(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    assert settings.max_body_bytes > 8 * 1024 * 1024


# -- Deeply nested JSON ---------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["list", "object"])
async def test_json_nested_ten_thousand_deep_is_a_client_error(
    client: httpx.AsyncClient, actors: Actors, shape: str
) -> None:
    seller = await actors.seller("Deep")
    depth = 10_000
    deep = "[" * depth + "]" * depth if shape == "list" else '{"a":' * depth + "1" + "}" * depth
    token = (await client.post("/api/v1/carts")).json()["token"]
    targets = [
        ("/api/v1/auth/token", {}),
        (f"/api/v1/carts/{token}/lines", {}),
        (f"/api/v1/sellers/{seller.seller_id}/products", seller.headers),
        (f"/api/v1/sellers/{seller.seller_id}/offers/import", seller.headers),
    ]
    for path, headers in targets:
        response = await asyncio.wait_for(
            client.post(
                path, content=deep, headers={**headers, "Content-Type": "application/json"}
            ),
            timeout=10,
        )
        assert_problem(response, 400, 422)
    body = f'{{"title": "Kopi", "variants": [{{"sku": "D-1"}}], "attributes": {{"x": {deep}}}}}'
    nested_field = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/products",
        content=body,
        headers={**seller.headers, "Content-Type": "application/json"},
    )
    assert_problem(nested_field, 400, 422)


# -- Negative and huge numbers --------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -1, -(2**31), 2**31, 2**63, 2**70, 1.5, "1e9"])
async def test_cart_quantities_out_of_range_are_422(
    client: httpx.AsyncClient, actors: Actors, quantity: object
) -> None:
    shop = await orders.shop(client, actors, "Qty Shop")
    cart = await client.post("/api/v1/carts")
    token = cart.json()["token"]
    added = await client.post(
        f"/api/v1/carts/{token}/lines", json={"offer_id": shop.offers[0], "quantity": quantity}
    )
    assert_problem(added, 422)
    line = await client.post(
        f"/api/v1/carts/{token}/lines", json={"offer_id": shop.offers[0], "quantity": 1}
    )
    assert line.status_code in (200, 201), line.text
    line_id = line.json()["groups"][0]["lines"][0]["id"]
    changed = await client.patch(
        f"/api/v1/carts/{token}/lines/{line_id}", json={"quantity": quantity}
    )
    assert changed.status_code == 422 or (quantity == 0 and changed.status_code < 300), changed.text


async def test_the_largest_allowed_quantity_never_crashes_checkout(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """MAX_INT32 units of a 10-unit offer: accepted into the cart or refused, never a 5xx,
    and never an order (the totals would overflow nothing: placing it is refused)."""
    shop = await orders.shop(client, actors, "Huge Shop", price=10**9)
    token = (await client.post("/api/v1/carts")).json()["token"]
    added = await client.post(
        f"/api/v1/carts/{token}/lines", json={"offer_id": shop.offers[0], "quantity": MAX_INT32}
    )
    assert added.status_code < 500, added.text
    if added.status_code >= 400:
        assert_problem(added, 409, 422)
        return
    put = await client.put(f"/api/v1/carts/{token}/address", json=orders.ADDRESS)
    assert put.status_code < 500, put.text
    placed = await orders.place(client, token, orders.card())
    assert_problem(placed, 409, 422)


@pytest.mark.parametrize("delta", [0, 2**31, -(2**31), 2**63, 2**70])
async def test_stock_adjustments_out_of_range_are_422(
    client: httpx.AsyncClient, actors: Actors, delta: int
) -> None:
    shop = await orders.shop(client, actors, "Stock Shop")
    response = await client.post(
        f"/api/v1/sellers/{shop.seller.seller_id}/stock/adjustments",
        json={
            "offer_id": shop.offers[0],
            "warehouse_id": shop.warehouse_id,
            "delta": delta,
            "reason": "abuse",
        },
        headers=shop.seller.headers,
    )
    assert_problem(response, 422)


async def test_stock_pushed_past_the_column_range_is_refused_not_crashed(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Two maximal receipts overflow PostgreSQL's 32-bit on-hand count: the second is a 4xx
    there (SQLite's integers are 64-bit and take it); the stock still reads back."""
    shop = await orders.shop(client, actors, "Overflow Shop")
    statuses = []
    for _ in range(2):
        response = await client.post(
            f"/api/v1/sellers/{shop.seller.seller_id}/stock/adjustments",
            json={
                "offer_id": shop.offers[0],
                "warehouse_id": shop.warehouse_id,
                "delta": MAX_INT32,
                "kind": "receipt",
                "reason": "abuse",
            },
            headers=shop.seller.headers,
        )
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert_problem(response, 409, 422)
        statuses.append(response.status_code)
    if not database.is_sqlite:
        assert statuses[-1] == 422, statuses  # the shop's 10 units + MAX_INT32 already overflow
    levels = await client.get(
        f"/api/v1/sellers/{shop.seller.seller_id}/stock", headers=shop.seller.headers
    )
    assert levels.status_code == 200, levels.text


@pytest.mark.parametrize("price", [-1, -(10**6), 10**13 + 1, 2**63, 2**70, 12.5])
async def test_prices_out_of_range_are_422(
    client: httpx.AsyncClient, actors: Actors, price: object
) -> None:
    shop = await orders.shop(client, actors, "Price Shop")
    patched = await client.patch(
        f"/api/v1/offers/{shop.offers[0]}",
        json={"price_amount": price},
        headers=shop.seller.headers,
    )
    assert_problem(patched, 422)
    offer = await client.get(f"/api/v1/offers/{shop.offers[0]}", headers=shop.seller.headers)
    assert offer.status_code == 200, offer.text
    assert offer.json()["price_amount"] == 25_000


# -- Unicode and injection strings ---------------------------------------------------------


async def test_hostile_text_is_stored_verbatim_and_returned_as_json(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    seller = await actors.seller("Text Shop")
    ids = []
    for n, text in enumerate(HOSTILE_TEXT):
        made = await client.post(
            f"/api/v1/sellers/{seller.seller_id}/products",
            json={
                "title": text,
                "description": text * 3,
                "brand": text[:120],
                "attributes": {text[:40]: text},
                "variants": [{"sku": f"TXT-{n}", "option_values": {"name": text[:60]}}],
            },
            headers=seller.headers,
        )
        assert made.status_code == 201, (text, made.text)
        assert made.headers["content-type"].startswith("application/json")
        ids.append(made.json()["id"])
        product = await client.get(f"/api/v1/products/{made.json()['id']}")
        assert product.status_code == 200, product.text
        body = product.json()
        assert body["title"] == text
        assert body["description"] == text * 3
        assert body["brand"] == text[:120]
        searched = await client.get("/api/v1/products", params={"q": text[:200]})
        assert searched.status_code < 500, searched.text
    # The injections changed nothing: every product is still there, with its own title.
    for product_id, text in zip(ids, HOSTILE_TEXT, strict=True):
        again = await client.get(f"/api/v1/products/{product_id}")
        assert again.status_code == 200, again.text
        assert again.json()["title"] == text


async def test_hostile_text_in_a_guest_address_round_trips(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    shop = await orders.shop(client, actors, "Address Shop")
    token = (await client.post("/api/v1/carts")).json()["token"]
    added = await client.post(
        f"/api/v1/carts/{token}/lines", json={"offer_id": shop.offers[0], "quantity": 1}
    )
    assert added.status_code in (200, 201), added.text
    for text in HOSTILE_TEXT:
        address = {**orders.ADDRESS, "name": text[:100], "line1": text[:200]}
        put = await client.put(f"/api/v1/carts/{token}/address", json=address)
        assert put.status_code == 200, (text, put.text)
        cart = await client.get(f"/api/v1/carts/{token}")
        assert cart.json()["contact"]["name"] == text[:100]
        assert cart.json()["contact"]["line1"] == text[:200]


async def test_nul_characters_are_422_on_postgresql_and_never_a_5xx(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    seller = await actors.seller("Nul Shop")
    made = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/products",
        json={"title": "bad\u0000title", "variants": [{"sku": "NUL-1"}]},
        headers=seller.headers,
    )
    token = (await client.post("/api/v1/carts")).json()["token"]
    address = await client.put(
        f"/api/v1/carts/{token}/address", json={**orders.ADDRESS, "name": "Siti\u0000"}
    )
    login = await client.post(
        "/api/v1/auth/token", json={"email": "nul@example.com", "password": "pass\u0000word"}
    )
    for response in (made, address, login):
        assert response.status_code < 500, response.text
    if not database.is_sqlite:
        assert_problem(made, 422)
    else:  # SQLite stores NUL; then it must come back as sent.
        assert made.status_code == 201, made.text
        product = await client.get(f"/api/v1/products/{made.json()['id']}")
        assert product.json()["title"] == "bad\u0000title"


# -- Rate limits ------------------------------------------------------------------------------


async def test_login_is_rate_limited_with_retry_after(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The test settings allow 5 attempts a minute per email and address."""
    buyer = await actors.buyer()
    for _ in range(5):
        wrong = await client.post(
            "/api/v1/auth/token", json={"email": buyer.email, "password": "wrong-password"}
        )
        assert_problem(wrong, 401)
    limited = await client.post(
        "/api/v1/auth/token", json={"email": buyer.email, "password": PASSWORD}
    )
    body = assert_problem(limited, 429)
    assert body["type"] == "/problems/rate-limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # Another account is not locked out by this one's attempts.
    other = await actors.buyer()
    ok = await client.post("/api/v1/auth/token", json={"email": other.email, "password": PASSWORD})
    assert ok.status_code == 200, ok.text


async def test_guest_order_lookup_is_rate_limited_with_retry_after(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    allowed = int(app.state.settings.lookup_rate_limit.split("/")[0])
    for n in range(allowed):
        guess = await client.post(
            "/api/v1/orders/lookup", json={"number": f"PSR-{n:06d}", "email": "x@example.com"}
        )
        assert_problem(guess, 404, 422)
    limited = await client.post(
        "/api/v1/orders/lookup", json={"number": "PSR-999999", "email": "x@example.com"}
    )
    body = assert_problem(limited, 429)
    assert body["type"] == "/problems/rate-limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
