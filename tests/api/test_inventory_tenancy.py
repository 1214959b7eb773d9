"""Tenancy: seller A's staff and API keys can neither see nor change seller B's stock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_inventory_support import WAREHOUSE, offer, stock, sync, warehouse
from tests.support import Actor, Actors


async def _api_key(client: httpx.AsyncClient, owner: Actor) -> dict[str, str]:
    created = await client.post(
        f"/api/v1/sellers/{owner.seller_id}/api-keys", json={"name": "erp"}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['key']}"}


async def _snapshot(client: httpx.AsyncClient, seller: Actor) -> dict[str, Any]:
    base = f"/api/v1/sellers/{seller.seller_id}"
    return {
        "stock": await stock(client, seller),
        "movements": (await client.get(f"{base}/stock/movements", headers=seller.headers)).json(),
        "warehouses": (await client.get(f"{base}/warehouses", headers=seller.headers)).json(),
    }


@pytest.mark.parametrize("credential", ["staff", "api_key"])
async def test_another_sellers_inventory_is_out_of_reach(
    client: httpx.AsyncClient, actors: Actors, credential: str
) -> None:
    """403 on B's paths, 404 for B's warehouse or offer via A's paths; B's data unchanged."""
    a, b = await actors.seller("Toko A"), await actors.seller("Toko B")
    headers = a.headers if credential == "staff" else await _api_key(client, a)
    a_wh, b_wh = await warehouse(client, a, "MAIN"), await warehouse(client, b, "MAIN")
    a_offer, b_offer = await offer(client, a), await offer(client, b)
    await sync(client, b, [{"offer_id": b_offer, "warehouse_id": b_wh, "quantity": 3}])
    await sync(client, a, [{"offer_id": a_offer, "warehouse_id": a_wh, "quantity": 1}])
    before = await _snapshot(client, b)

    b_base = f"/api/v1/sellers/{b.seller_id}"
    item = [{"offer_id": b_offer, "warehouse_id": b_wh, "quantity": 99}]
    adjustment = {"offer_id": b_offer, "warehouse_id": b_wh, "delta": 5, "reason": "x"}
    forbidden = [
        client.get(f"{b_base}/warehouses", headers=headers),
        client.get(f"{b_base}/warehouses/{b_wh}", headers=headers),
        client.patch(f"{b_base}/warehouses/{b_wh}", json={"name": "mine"}, headers=headers),
        client.post(f"{b_base}/warehouses", json={**WAREHOUSE, "code": "Z"}, headers=headers),
        client.get(f"{b_base}/stock", headers=headers),
        client.get(f"{b_base}/stock/low", headers=headers),
        client.get(f"{b_base}/stock/movements", headers=headers),
        client.post(f"{b_base}/stock/adjustments", json=adjustment, headers=headers),
        client.post(
            f"{b_base}/stock/sync",
            json={"mode": "absolute", "items": item},
            headers=headers,
        ),
    ]
    for request in forbidden:
        response = await request
        assert response.status_code == 403, (response.request.url, response.text)

    a_base = f"/api/v1/sellers/{a.seller_id}"
    hidden = [
        await client.get(f"{a_base}/warehouses/{b_wh}", headers=headers),
        await client.patch(f"{a_base}/warehouses/{b_wh}", json={"name": "x"}, headers=headers),
        await client.post(f"{a_base}/stock/adjustments", json=adjustment, headers=headers),
        await client.post(
            f"{a_base}/stock/adjustments",
            json={**adjustment, "warehouse_id": a_wh},
            headers=headers,
        ),
        await client.post(
            f"{a_base}/stock/adjustments",
            json={**adjustment, "offer_id": a_offer},
            headers=headers,
        ),
    ]
    assert [r.status_code for r in hidden] == [404] * 5, [r.text for r in hidden]

    smuggled = await client.post(
        f"{a_base}/stock/sync",
        json={"mode": "absolute", "items": [
            {"offer_id": b_offer, "warehouse_id": a_wh, "quantity": 50},
            {"offer_id": a_offer, "warehouse_id": b_wh, "quantity": 50},
        ]},
        headers=headers,
    )  # fmt: skip
    assert smuggled.status_code == 422
    assert {e["index"] for e in smuggled.json()["errors"]} == {0, 1}

    a_view = await client.get(f"{a_base}/stock", params={"offer_id": b_offer}, headers=headers)
    assert a_view.json()["items"] == []
    a_moves = await client.get(f"{a_base}/stock/movements", headers=headers)
    assert {m["offer_id"] for m in a_moves.json()["items"]} == {a_offer}
    assert await _snapshot(client, b) == before


async def test_operators_see_every_sellers_stock(client: httpx.AsyncClient, actors: Actors) -> None:
    """Operators read and adjust any seller's stock."""
    seller, operator = await actors.seller(), await actors.operator()
    wid, oid = await warehouse(client, seller, "A"), await offer(client, seller)
    response = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/stock/adjustments",
        json={"offer_id": oid, "warehouse_id": wid, "delta": 2, "reason": "audit"},
        headers=operator.headers,
    )
    assert response.status_code == 201, response.text
    listed = await client.get(f"/api/v1/sellers/{seller.seller_id}/stock", headers=operator.headers)
    assert [s["on_hand"] for s in listed.json()["items"]] == [2]
