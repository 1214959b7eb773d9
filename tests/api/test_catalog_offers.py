"""catalog: offers, who sells and fulfils them, the best offer, visibility and tenancy."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from pasar import catalog
from pasar.platform.db import Database
from pasar.platform.outbox import OutboxEvent
from tests.api.test_catalog_support import (
    api_key_headers,
    listing,
    offer,
    product,
    set_available,
)
from tests.support import Actors


async def test_offer_says_who_sells_and_who_fulfils(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """An offer names its seller ("sold by") and fulfiller; the card shows the best one."""
    seller = await actors.seller("Toko Budi")
    created = await product(client, seller, title="Batik Shirt", skus=["BS-M"])
    made = await offer(client, seller, "BS-M", 125_000, fulfilled_by="marketplace")
    assert made["seller"] == {"id": seller.seller_id, "name": "Toko Budi"}
    assert made["fulfilled_by"] == "marketplace"
    assert made["currency"] == "USD"
    assert made["visible"] is True
    card = (await listing(client))["items"][0]
    assert card["id"] == created["id"]
    assert card["best_offer"]["seller"]["name"] == "Toko Budi"
    assert card["other_offers_count"] == 0


async def test_best_offer_is_cheapest_in_stock_else_cheapest(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """In-stock offers win over cheaper out-of-stock ones; without stock, the cheapest wins."""
    a, b, c = await actors.seller(), await actors.seller(), await actors.seller()
    created = await product(client, a, title="Lamp", skus=["L-1"])
    cheap = await offer(client, a, "L-1", 900)
    middle = await offer(client, b, "L-1", 1000)
    await offer(client, c, "L-1", 1100)
    page = f"/api/v1/products/{created['id']}"
    first = (await client.get(page)).json()
    assert first["best_offer"]["id"] == cheap["id"]
    assert first["in_stock"] is False
    await set_available(database, middle["id"], 4)
    second = (await client.get(page)).json()
    assert second["best_offer"]["id"] == middle["id"]
    assert second["best_offer"]["in_stock"] is True
    assert second["other_offers_count"] == 2
    offers = (await client.get(f"{page}/offers")).json()["items"]
    assert [o["price_amount"] for o in offers] == [900, 1000, 1100]


async def test_suspension_hides_every_offer_of_the_seller_at_once(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Suspending a seller removes its offers from listings; reinstating brings them back."""
    operator = await actors.operator()
    shop = await actors.seller()
    for i in range(5):
        await product(client, shop, title=f"Thing {i}", skus=[f"TH-{i}"])
        await offer(client, shop, f"TH-{i}", 100 + i)
    assert len((await listing(client))["items"]) == 5
    status_url = f"/api/v1/sellers/{shop.seller_id}/status"
    suspended = await client.post(
        status_url, json={"action": "suspend", "reason": "audit"}, headers=operator.headers
    )
    assert suspended.status_code == 200, suspended.text
    assert (await listing(client))["items"] == []
    own = await client.get(f"/api/v1/sellers/{shop.seller_id}/offers", headers=operator.headers)
    assert [o["visible"] for o in own.json()["items"]] == [False] * 5
    await client.post(status_url, json={"action": "reinstate"}, headers=operator.headers)
    assert len((await listing(client))["items"]) == 5


async def test_unapproved_sellers_are_not_sellable(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A seller still applying may prepare offers, but buyers do not see them."""
    applicant = await actors.seller(approve=False)
    created = await product(client, applicant, title="Early", skus=["E-1"])
    made = await offer(client, applicant, "E-1", 100)
    assert made["visible"] is False
    assert (await listing(client))["items"] == []
    assert (await client.get(f"/api/v1/offers/{made['id']}")).status_code == 404
    page = (await client.get(f"/api/v1/products/{created['id']}")).json()
    assert page["best_offer"] is None


async def test_wrong_currency_and_duplicate_offers_are_refused(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Offers are in the marketplace currency; one offer per seller, variant and condition."""
    seller = await actors.seller()
    await product(client, seller, title="Cap", skus=["C-1"])
    url = f"/api/v1/sellers/{seller.seller_id}/offers"
    wrong = await client.post(
        url, json={"sku": "C-1", "price_amount": 5, "currency": "EUR"}, headers=seller.headers
    )
    assert wrong.status_code == 422
    assert wrong.json()["type"] == "/problems/currency-mismatch"
    await offer(client, seller, "C-1", 500)
    again = await client.post(url, json={"sku": "C-1", "price_amount": 6}, headers=seller.headers)
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/offer-exists"
    used = await offer(client, seller, "C-1", 300, condition="used_good")
    assert used["condition"] == "used_good"
    unknown = await client.post(
        url, json={"sku": "NOPE", "price_amount": 6}, headers=seller.headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["type"] == "/problems/unknown-variant"


async def test_sellers_cannot_touch_each_others_offers(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """By staff token or API key, seller A can neither list nor change seller B's offers."""
    a = await actors.seller()
    b = await actors.seller()
    await product(client, b, title="B's", skus=["B-1"])
    b_offer = await offer(client, b, "B-1", 1000, status="inactive")
    for headers in (a.headers, await api_key_headers(client, a)):
        listed = await client.get(f"/api/v1/sellers/{b.seller_id}/offers", headers=headers)
        assert listed.status_code == 403
        changed = await client.patch(
            f"/api/v1/offers/{b_offer['id']}", json={"price_amount": 1}, headers=headers
        )
        assert changed.status_code == 404
        assert changed.json()["type"] == "/problems/offer-not-found"
        hidden = await client.get(f"/api/v1/offers/{b_offer['id']}", headers=headers)
        assert hidden.status_code == 404
        created = await client.post(
            f"/api/v1/sellers/{b.seller_id}/offers",
            json={"sku": "B-1", "price_amount": 1, "condition": "used_good"},
            headers=headers,
        )
        assert created.status_code == 403
        imported = await client.post(
            f"/api/v1/sellers/{b.seller_id}/offers/import",
            json=[{"sku": "B-1", "price_amount": 1}],
            headers=headers,
        )
        assert imported.status_code == 403
    own = await client.get(f"/api/v1/sellers/{b.seller_id}/offers", headers=b.headers)
    assert [(o["price_amount"], o["status"]) for o in own.json()["items"]] == [(1000, "inactive")]


async def test_price_change_is_recorded_as_an_event(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Changing a price emits offer.price_changed with old and new amounts."""
    seller = await actors.seller()
    await product(client, seller, title="Desk", skus=["D-1"])
    made = await offer(client, seller, "D-1", 5000)
    changed = await client.patch(
        f"/api/v1/offers/{made['id']}", json={"price_amount": 4500}, headers=seller.headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["price_amount"] == 4500
    async with database.sessionmaker() as session:
        payloads = (
            await session.scalars(
                select(OutboxEvent.payload).where(OutboxEvent.name == "offer.price_changed")
            )
        ).all()
    assert [(p["old_price_amount"], p["new_price_amount"]) for p in payloads] == [(5000, 4500)]
    card = (await listing(client))["items"][0]
    assert card["best_offer"]["price_amount"] == 4500


async def test_idempotency_key_creates_one_offer(client: httpx.AsyncClient, actors: Actors) -> None:
    """Retrying a create with the same Idempotency-Key returns the first offer."""
    seller = await actors.seller()
    await product(client, seller, title="Pen", skus=["PEN-1"])
    url = f"/api/v1/sellers/{seller.seller_id}/offers"
    headers = {**seller.headers, "Idempotency-Key": "abc-1"}
    first = await client.post(url, json={"sku": "PEN-1", "price_amount": 10}, headers=headers)
    second = await client.post(url, json={"sku": "PEN-1", "price_amount": 10}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]


async def test_offer_refs_tell_inventory_who_owns_an_offer(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """offer_refs maps known offer ids to their seller, variant and threshold."""
    seller = await actors.seller()
    await product(client, seller, title="Bag", skus=["BAG-1"])
    made = await offer(client, seller, "BAG-1", 10, low_stock_threshold=7)
    async with database.sessionmaker() as session:
        refs = await catalog.offer_refs(session, [made["id"], 424242])
    assert list(refs) == [made["id"]]
    ref = refs[made["id"]]
    assert (ref.seller_id, ref.low_stock_threshold, ref.fulfilled_by) == (
        seller.seller_id,
        7,
        "seller",
    )
