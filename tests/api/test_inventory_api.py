"""inventory over HTTP: warehouses, stock sync and adjustments, low stock, ledger, availability."""

from __future__ import annotations

import httpx

from tests.api.test_inventory_support import WAREHOUSE, offer, stock, sync, warehouse
from tests.support import Actors


async def test_seller_manages_its_warehouses(client: httpx.AsyncClient, actors: Actors) -> None:
    """Create, list, read and change a warehouse; codes are unique per seller."""
    seller = await actors.seller()
    base = f"/api/v1/sellers/{seller.seller_id}/warehouses"
    wid = await warehouse(client, seller, "JKT-1")
    again = await client.post(base, json={**WAREHOUSE, "code": "JKT-1"}, headers=seller.headers)
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/warehouse-code-taken"
    listed = (await client.get(base, headers=seller.headers)).json()
    assert [w["code"] for w in listed["items"]] == ["JKT-1"]
    assert listed["items"][0]["owner_kind"] == "seller"
    changed = await client.patch(
        f"{base}/{wid}", json={"cut_off_time": "11:30"}, headers=seller.headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["cut_off_time"] == "11:30"
    assert changed.json()["time_zone"] == "Asia/Jakarta"


async def test_warehouse_input_is_validated(client: httpx.AsyncClient, actors: Actors) -> None:
    """Unknown time zones, bad cut-offs and non-ISO countries are 422 naming the field."""
    seller = await actors.seller()
    base = f"/api/v1/sellers/{seller.seller_id}/warehouses"
    for field, value in (("time_zone", "Mars/Base"), ("cut_off_time", "25:00"), ("country", "id")):
        body = {**WAREHOUSE, "code": "X", field: value}
        response = await client.post(base, json=body, headers=seller.headers)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field


async def test_a_3pl_warehouse_names_its_operator(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A seller's stock may sit at a 3PL; the warehouse records who runs it."""
    seller = await actors.seller()
    response = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/warehouses",
        json={**WAREHOUSE, "code": "3PL", "owner_kind": "3pl", "operator_name": "Gudang Co"},
        headers=seller.headers,
    )
    assert response.status_code == 201, response.text
    assert (response.json()["owner_kind"], response.json()["operator_name"]) == ("3pl", "Gudang Co")


async def test_absolute_sync_sets_levels_and_reports_each_item(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """An absolute sync sets counts by warehouse id or code and reports every item."""
    seller = await actors.seller()
    w1, w2 = await warehouse(client, seller, "A"), await warehouse(client, seller, "B")
    o1, o2 = await offer(client, seller), await offer(client, seller)
    response = await sync(
        client,
        seller,
        [
            {"offer_id": o1, "warehouse_id": w1, "quantity": 12},
            {"offer_id": o1, "warehouse_code": "B", "quantity": 3},
            {"offer_id": o2, "warehouse_id": w2, "quantity": 7},
        ],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied"] == 3
    assert [(i["index"], i["on_hand_before"], i["on_hand"]) for i in body["items"]] == [
        (0, 0, 12),
        (1, 0, 3),
        (2, 0, 7),
    ]
    levels = {(s["offer_id"], s["warehouse_id"]): s["on_hand"] for s in await stock(client, seller)}
    assert levels == {(o1, w1): 12, (o1, w2): 3, (o2, w2): 7}
    public = await client.get(f"/api/v1/offers/{o1}/availability")
    assert public.json() == {"offer_id": o1, "available": 15, "in_stock": True}
    seen_by_catalog = await client.get(f"/api/v1/offers/{o1}", headers=seller.headers)
    assert seen_by_catalog.json()["available"] == 15


async def test_delta_sync_is_idempotent_by_key(client: httpx.AsyncClient, actors: Actors) -> None:
    """A retried delta sync with the same key applies once; without a key it is refused."""
    seller = await actors.seller()
    wid, oid = await warehouse(client, seller, "A"), await offer(client, seller)
    items = [{"offer_id": oid, "warehouse_id": wid, "quantity": 4}]
    first = await sync(client, seller, items, mode="delta", key="erp-1")
    replay = await sync(client, seller, items, mode="delta", key="erp-1")
    assert first.status_code == replay.status_code == 200
    assert first.json() == replay.json()
    assert (await stock(client, seller))[0]["on_hand"] == 4
    keyless = await sync(client, seller, items, mode="delta")
    assert keyless.status_code == 422
    assert keyless.json()["field"] == "Idempotency-Key"


async def test_a_bad_item_rejects_the_whole_batch(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Invalid items are all listed, and none of the valid ones is applied."""
    seller = await actors.seller()
    wid, oid = await warehouse(client, seller, "A"), await offer(client, seller)
    response = await sync(
        client,
        seller,
        [
            {"offer_id": oid, "warehouse_id": wid, "quantity": 5},
            {"offer_id": 999_999, "warehouse_id": wid, "quantity": 1},
            {"offer_id": oid, "warehouse_code": "NOPE", "quantity": 1},
            {"offer_id": oid, "warehouse_id": wid, "quantity": -1},
        ],
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["type"] == "/problems/stock-sync-rejected"
    assert sorted({e["index"] for e in body["errors"]}) == [1, 2, 3]
    assert await stock(client, seller) == []


async def test_adjustments_keep_a_ledger_of_who_and_why(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Every change is a movement with kind, deltas, actor and reason, newest first."""
    seller = await actors.seller()
    wid, oid = await warehouse(client, seller, "A"), await offer(client, seller)
    base = f"/api/v1/sellers/{seller.seller_id}/stock"
    received = await client.post(
        f"{base}/adjustments",
        json={"offer_id": oid, "warehouse_id": wid, "delta": 20, "kind": "receipt",
              "reason": "PO-77 arrived", "reference": "PO-77"},
        headers=seller.headers,
    )  # fmt: skip
    assert received.status_code == 201, received.text
    damaged = await client.post(
        f"{base}/adjustments",
        json={"offer_id": oid, "warehouse_id": wid, "delta": -2, "reason": "damaged"},
        headers=seller.headers,
    )
    assert damaged.json()["on_hand"] == 18
    too_many = await client.post(
        f"{base}/adjustments",
        json={"offer_id": oid, "warehouse_id": wid, "delta": -19, "reason": "oops"},
        headers=seller.headers,
    )
    assert too_many.status_code == 409
    movements = (await client.get(f"{base}/movements", headers=seller.headers)).json()["items"]
    assert [(m["kind"], m["on_hand_delta"], m["reason"]) for m in movements] == [
        ("adjustment", -2, "damaged"),
        ("receipt", 20, "PO-77 arrived"),
    ]
    assert movements[0]["actor"] == f"user:{seller.user_id}"
    page = (await client.get(f"{base}/movements?limit=1", headers=seller.headers)).json()
    rest = await client.get(
        f"{base}/movements", params={"cursor": page["next_cursor"]}, headers=seller.headers
    )
    assert [m["id"] for m in rest.json()["items"]] == [movements[1]["id"]]


async def test_low_stock_lists_offers_at_or_below_threshold(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Offers whose total available is at or below their threshold are listed and flagged."""
    seller = await actors.seller()
    wid = await warehouse(client, seller, "A")
    plenty, scarce = (
        await offer(client, seller, threshold=5),
        await offer(client, seller, threshold=5),
    )
    await sync(
        client,
        seller,
        [
            {"offer_id": plenty, "warehouse_id": wid, "quantity": 50},
            {"offer_id": scarce, "warehouse_id": wid, "quantity": 5},
        ],
    )
    base = f"/api/v1/sellers/{seller.seller_id}/stock"
    low = (await client.get(f"{base}/low", headers=seller.headers)).json()["items"]
    assert low == [{"offer_id": scarce, "available": 5, "low_stock_threshold": 5}]
    assert [s["offer_id"] for s in await stock(client, seller, low_only=True)] == [scarce]
    await sync(client, seller, [{"offer_id": scarce, "warehouse_id": wid, "quantity": 6}])
    assert (await client.get(f"{base}/low", headers=seller.headers)).json()["items"] == []


async def test_deactivating_a_warehouse_removes_its_stock_from_sale(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A closed warehouse's units stop counting as available."""
    seller = await actors.seller()
    w1, w2 = await warehouse(client, seller, "A"), await warehouse(client, seller, "B")
    oid = await offer(client, seller)
    await sync(
        client,
        seller,
        [
            {"offer_id": oid, "warehouse_id": w1, "quantity": 4},
            {"offer_id": oid, "warehouse_id": w2, "quantity": 6},
        ],
    )
    closed = await client.patch(
        f"/api/v1/sellers/{seller.seller_id}/warehouses/{w2}",
        json={"is_active": False},
        headers=seller.headers,
    )
    assert closed.status_code == 200
    assert (await client.get(f"/api/v1/offers/{oid}/availability")).json()["available"] == 4
    catalog_view = await client.get(f"/api/v1/offers/{oid}", headers=seller.headers)
    assert catalog_view.json()["available"] == 4


async def test_unknown_offer_availability_is_404(client: httpx.AsyncClient) -> None:
    """Availability of an offer that does not exist is not found, not zero."""
    response = await client.get("/api/v1/offers/424242/availability")
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/offer-not-found"


async def test_marketplace_warehouses_are_run_by_operators(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Operators run marketplace warehouses and stock sellers' offers there; sellers cannot."""
    seller, operator = await actors.seller(), await actors.operator()
    body = {**WAREHOUSE, "code": "FC-1"}
    denied = await client.post("/api/v1/inventory/warehouses", json=body, headers=seller.headers)
    assert denied.status_code == 403
    created = await client.post("/api/v1/inventory/warehouses", json=body, headers=operator.headers)
    assert created.status_code == 201, created.text
    assert (created.json()["owner_kind"], created.json()["seller_id"]) == ("marketplace", None)
    fc, oid = created.json()["id"], await offer(client, seller)
    item = [{"offer_id": oid, "warehouse_id": fc, "quantity": 9}]
    assert (await sync(client, seller, item)).status_code == 422
    by_operator = await sync(client, seller, item, headers=operator.headers)
    assert by_operator.status_code == 200, by_operator.text
    assert [(s["warehouse_code"], s["on_hand"]) for s in await stock(client, seller)] == [
        ("FC-1", 9)
    ]


async def test_a_changed_threshold_reaches_the_low_stock_list(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Raising an offer's threshold in the catalog flags it low without a new sync."""
    seller = await actors.seller()
    wid, oid = await warehouse(client, seller, "A"), await offer(client, seller, threshold=2)
    await sync(client, seller, [{"offer_id": oid, "warehouse_id": wid, "quantity": 8}])
    low_url = f"/api/v1/sellers/{seller.seller_id}/stock/low"
    assert (await client.get(low_url, headers=seller.headers)).json()["items"] == []
    raised = await client.patch(
        f"/api/v1/offers/{oid}", json={"low_stock_threshold": 10}, headers=seller.headers
    )
    assert raised.status_code == 200, raised.text
    low = (await client.get(low_url, headers=seller.headers)).json()["items"]
    assert low == [{"offer_id": oid, "available": 8, "low_stock_threshold": 10}]
