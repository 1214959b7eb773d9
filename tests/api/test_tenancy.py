"""Tenancy: a seller's staff and API keys never reach another seller's data.

These tests read the live OpenAPI document, so every seller-scoped endpoint a module adds
is covered without anyone remembering to list it.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.support import Actors

#: Operations anyone may call without a token (everything else must declare a caller).
ANONYMOUS = {
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/seller-applications"),
    ("POST", "/api/v1/payments/webhooks/sandbox"),
    ("POST", "/api/v1/payments/sandbox/bank-transfers"),
    ("GET", "/api/v1/payments/challenges/{token}"),
    ("POST", "/api/v1/payments/challenges/{token}"),
    ("POST", "/api/v1/carriers/delivery-reports"),
    ("POST", "/api/v1/carriers/{carrier_code}/tracking-events"),
    ("GET", "/api/v1/tracking/{tracking_number}"),
    ("GET", "/api/v1/carriers"),
    ("POST", "/api/v1/3pl/{connection_id}/reports"),
    ("GET", "/api/v1/webhook-event-types"),
}

#: Seller-path reads that are public by design (a sellable seller's storefront profile,
#: its policies, its public offers). They show the same to everyone but the seller itself.
PUBLIC_SELLER_READS = {
    ("GET", "/api/v1/sellers/{seller_id}"),
    ("GET", "/api/v1/sellers/{seller_id}/policies"),
}

METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method, op in item.items()
        if method in METHODS
    ]


async def test_every_endpoint_declares_its_caller(client: httpx.AsyncClient) -> None:
    """An /api/v1 operation either takes credentials or is on the reviewed public list."""
    spec = (await client.get("/openapi.json")).json()
    undeclared = [
        (method, path)
        for method, path, op in _operations(spec)
        if not op.get("security") and (method, path) not in ANONYMOUS
    ]
    assert undeclared == []


@pytest.mark.parametrize("credential", ["staff", "owner", "api_key"])
async def test_no_seller_scoped_endpoint_serves_another_seller(
    client: httpx.AsyncClient, actors: Actors, credential: str
) -> None:
    """For every /sellers/{seller_id}/... operation, seller A's credentials on B get 403."""
    seller_a = await actors.seller("Seller A")
    seller_b = await actors.seller("Seller B")
    if credential == "owner":
        headers = seller_a.headers
    elif credential == "staff":
        headers = (await actors.seller_staff(seller_a.seller_id, is_owner=False)).headers
    else:
        created = await client.post(
            f"/api/v1/sellers/{seller_a.seller_id}/api-keys",
            json={"name": "erp"},
            headers=seller_a.headers,
        )
        headers = {"Authorization": f"Bearer {created.json()['key']}"}
    spec = (await client.get("/openapi.json")).json()
    scoped = [
        (method, path)
        for method, path, _ in _operations(spec)
        if "{seller_id}" in path and (method, path) not in PUBLIC_SELLER_READS
    ]
    assert len(scoped) >= 8, scoped  # the check is only as good as its coverage
    leaks = []
    for method, path in scoped:
        url = path.replace("{seller_id}", str(seller_b.seller_id))
        url = re.sub(r"\{[^}]+\}", "1", url)
        body = None if method in {"GET", "DELETE"} else {}
        response = await client.request(method, url, json=body, headers=headers)
        if response.status_code != 403:
            leaks.append((method, path, response.status_code))
    assert leaks == []


async def test_seller_b_private_record_is_hidden_from_seller_a(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Seller A sees only B's public profile: no tax id, contact or documents."""
    seller_a = await actors.seller("Seller A")
    seller_b = await actors.seller("Seller B")
    response = await client.get(f"/api/v1/sellers/{seller_b.seller_id}", headers=seller_a.headers)
    assert response.status_code == 200
    assert "tax_id" not in response.json()
    assert "documents" not in response.json()


async def test_operators_cross_every_line(client: httpx.AsyncClient, actors: Actors) -> None:
    """Operators read any seller's staff and private record."""
    seller = await actors.seller("Anyone")
    operator = await actors.operator()
    staff = await client.get(f"/api/v1/sellers/{seller.seller_id}/staff", headers=operator.headers)
    assert staff.status_code == 200
    record = await client.get(f"/api/v1/sellers/{seller.seller_id}", headers=operator.headers)
    assert "tax_id" in record.json()
