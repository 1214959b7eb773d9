"""Bad input never becomes a 5xx: every route, fed hostile values, answers 4xx problem+json.

Driven by the live OpenAPI document, so new routes are covered as they are added.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
import pytest

from tests.support import Actors

HOSTILE_PATH_VALUES = [str(2**70), "-1", "0", "abc", "1e3", "%00"]
HOSTILE_BODIES: list[Any] = [
    None,
    [],
    "text",
    {"offer_id": 2**70, "warehouse_id": 2**70, "quantity": 2**70, "delta": 2**70},
    {"price_amount": -1, "currency": "XXXX", "variant_id": 2**63},
    {"name": "\u0000" * 3, "email": "a@b", "title": "x" * 100_000},
]


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


HOSTILE_QUERIES = [
    {"limit": "0"},
    {"limit": str(2**70)},
    {"cursor": "!!!"},
    {"cursor": _cursor(["x"])},
    {"cursor": _cursor([2**70])},
    {"cursor": _cursor([None, None])},
    {"min_price": str(2**70), "category": str(2**70), "seller_id": str(2**70)},
    {"parent_id": str(2**70), "offer_id": str(2**70), "warehouse_id": str(2**70)},
]


async def _operations(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    spec = (await client.get("/openapi.json")).json()
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _no_server_error(response: httpx.Response, what: str) -> str | None:
    if response.status_code >= 500:
        return f"{what} -> {response.status_code} {response.text[:160]}"
    if response.status_code >= 400 and not response.headers.get("content-type", "").startswith(
        "application/problem+json"
    ):
        return f"{what} -> {response.status_code} without problem+json"
    return None


@pytest.mark.parametrize("who", ["anonymous", "operator"])
async def test_hostile_path_and_query_values_are_client_errors(
    client: httpx.AsyncClient, actors: Actors, who: str
) -> None:
    """Oversized, negative and non-numeric ids, and forged cursors, are 4xx on every route."""
    seller = await actors.seller("Real")
    headers = (await actors.operator()).headers if who == "operator" else {}
    failures = []
    for method, path in await _operations(client):
        for value in HOSTILE_PATH_VALUES:
            url = re.sub(r"\{[^}]+\}", value, path)
            if url == path:
                continue
            response = await client.request(method, url, headers=headers)
            failures.append(_no_server_error(response, f"{method} {url}"))
        if method == "GET":
            url = path.replace("{seller_id}", str(seller.seller_id))
            url = re.sub(r"\{[^}]+\}", "1", url)
            for query in HOSTILE_QUERIES:
                response = await client.get(url, params=query, headers=headers)
                failures.append(_no_server_error(response, f"GET {url} {query}"))
    assert [f for f in failures if f] == []


async def test_hostile_bodies_are_client_errors(client: httpx.AsyncClient, actors: Actors) -> None:
    """Wrong shapes, huge numbers and junk strings in bodies are 4xx on every write route."""
    seller = await actors.seller("Target")
    operator = await actors.operator()
    failures = []
    for method, path in await _operations(client):
        if method not in {"POST", "PUT", "PATCH"}:
            continue
        url = path.replace("{seller_id}", str(seller.seller_id))
        url = re.sub(r"\{[^}]+\}", "1", url)
        for body in HOSTILE_BODIES:
            for headers in (operator.headers, seller.headers):
                response = await client.request(method, url, json=body, headers=headers)
                failures.append(_no_server_error(response, f"{method} {url} {str(body)[:60]}"))
    assert [f for f in failures if f] == []


async def test_nul_characters_in_text_are_refused_not_crashed(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A NUL character (which PostgreSQL cannot store) in a title is a 4xx on both backends."""
    seller = await actors.seller("Nul Shop")
    created = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/products",
        json={"title": "Kopi", "variants": [{"sku": "NUL-1"}]},
        headers=seller.headers,
    )
    assert created.status_code == 201, created.text
    response = await client.patch(
        f"/api/v1/products/{created.json()['id']}",
        json={"title": "bad\u0000title"},
        headers=seller.headers,
    )
    assert response.status_code < 500, response.text
