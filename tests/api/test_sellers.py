"""sellers: applying, operator review, governance, policies and documents."""

from __future__ import annotations

import httpx

from pasar.platform.db import Database
from tests.support import PASSWORD, Actors, application


async def test_application_creates_an_applied_seller_with_an_owner(
    client: httpx.AsyncClient,
) -> None:
    """Applying records the company, documents and policies; the owner can log in at once."""
    body = application("Toko Batik", owner_email="batik@example.com")
    response = await client.post("/api/v1/seller-applications", json=body)
    assert response.status_code == 201, response.text
    seller = response.json()
    assert seller["status"] == "applied"
    assert seller["documents"][0]["kind"] == "business_registration"
    assert seller["policies"]["ship_from_timezone"] == "Asia/Jakarta"
    login = await client.post(
        "/api/v1/auth/token", json={"email": "batik@example.com", "password": PASSWORD}
    )
    me = (
        await client.get(
            "/api/v1/auth/me",
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        )
    ).json()
    assert me["seller_id"] == seller["id"]
    assert me["is_owner"] is True


async def test_bad_application_names_each_field(client: httpx.AsyncClient) -> None:
    """An invalid time zone, country and email are all reported, and nothing is created."""
    body = application("X Shop", owner_email="x@example.com")
    body["contact_email"] = "not-an-email"
    body["address"]["country"] = "Indonesia"  # type: ignore[index]
    body["policies"]["ship_from_timezone"] = "Mars/Olympus"  # type: ignore[index]
    response = await client.post("/api/v1/seller-applications", json=body)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"contact_email", "address.country", "policies.ship_from_timezone"}
    assert (await client.get("/api/v1/sellers")).json()["items"] == []


async def test_duplicate_owner_email_creates_no_seller(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A failed application rolls back whole: no orphan seller without an owner."""
    first = application("One", owner_email="same@example.com")
    assert (await client.post("/api/v1/seller-applications", json=first)).status_code == 201
    second = application("Two", owner_email="same@example.com")
    response = await client.post("/api/v1/seller-applications", json=second)
    assert response.status_code == 409
    operator = await actors.operator()
    listed = await client.get(
        "/api/v1/sellers", params={"status": "applied"}, headers=operator.headers
    )
    assert [s["name"] for s in listed.json()["items"]] == ["One"]


async def test_only_approved_sellers_are_public(client: httpx.AsyncClient, actors: Actors) -> None:
    """Applied sellers are invisible to the public until approved."""
    pending = await actors.seller("Pending", approve=False)
    live = await actors.seller("Live")
    public = (await client.get("/api/v1/sellers")).json()["items"]
    assert [s["name"] for s in public] == ["Live"]
    assert "tax_id" not in public[0]
    assert (await client.get(f"/api/v1/sellers/{pending.seller_id}")).status_code == 404
    assert (await client.get(f"/api/v1/sellers/{live.seller_id}")).status_code == 200
    own = await client.get(f"/api/v1/sellers/{pending.seller_id}", headers=pending.headers)
    assert own.json()["status"] == "applied"


async def test_operator_rejects_with_a_reason(client: httpx.AsyncClient, actors: Actors) -> None:
    """Rejection needs a reason, which the seller can read in its history."""
    seller = await actors.seller("Dubious", approve=False)
    operator = await actors.operator()
    url = f"/api/v1/sellers/{seller.seller_id}/status"
    no_reason = await client.post(url, json={"action": "reject"}, headers=operator.headers)
    assert no_reason.status_code == 409
    assert no_reason.json()["type"] == "/problems/seller-transition-refused"
    rejected = await client.post(
        url, json={"action": "reject", "reason": "Tax id does not match"}, headers=operator.headers
    )
    assert rejected.json()["status"] == "rejected"
    history = (
        await client.get(f"/api/v1/sellers/{seller.seller_id}/history", headers=seller.headers)
    ).json()
    assert [(h["to_status"], h["reason"]) for h in history] == [
        ("applied", None),
        ("rejected", "Tax id does not match"),
    ]


async def test_governance_walks_the_lifecycle(client: httpx.AsyncClient, actors: Actors) -> None:
    """approved → warned → suspended → approved → removed; removed is final."""
    seller = await actors.seller("Walker")
    operator = await actors.operator()
    url = f"/api/v1/sellers/{seller.seller_id}/status"
    steps = [
        ({"action": "warn", "reason": "late shipments"}, "warned"),
        ({"action": "suspend", "reason": "counterfeit report"}, "suspended"),
        ({"action": "reinstate"}, "approved"),
        ({"action": "remove", "reason": "repeat offender"}, "removed"),
    ]
    for body, expected in steps:
        response = await client.post(url, json=body, headers=operator.headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == expected
    again = await client.post(url, json={"action": "reinstate"}, headers=operator.headers)
    assert again.status_code == 409


async def test_sellers_cannot_govern_themselves(client: httpx.AsyncClient, actors: Actors) -> None:
    """Only operators change a seller's status."""
    seller = await actors.seller("Self", approve=False)
    response = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/status",
        json={"action": "approve"},
        headers=seller.headers,
    )
    assert response.status_code == 403


async def test_status_change_is_recorded_in_the_outbox(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """Suspension emits seller.status_changed with sellable=false, in the same transaction."""
    from sqlalchemy import select

    from pasar.platform.outbox import OutboxEvent

    seller = await actors.seller("Evented")
    operator = await actors.operator()
    await client.post(
        f"/api/v1/sellers/{seller.seller_id}/status",
        json={"action": "suspend", "reason": "fraud review"},
        headers=operator.headers,
    )
    async with database.sessionmaker() as session:
        payloads = (
            await session.scalars(
                select(OutboxEvent.payload)
                .where(OutboxEvent.name == "seller.status_changed")
                .order_by(OutboxEvent.id)
            )
        ).all()
    assert [(p["status"], p["sellable"]) for p in payloads] == [
        ("applied", False),
        ("approved", True),
        ("suspended", False),
    ]
    assert payloads[-1]["name"] == "Evented"


async def test_policies_are_public_and_editable_by_the_seller(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Buyers read the return window; the seller changes its cut-off."""
    seller = await actors.seller("Policy Co")
    url = f"/api/v1/sellers/{seller.seller_id}/policies"
    assert (await client.get(url)).json()["return_window_days"] == 14
    update = {
        "handling_days": 3,
        "ship_from_timezone": "Asia/Makassar",
        "cut_off_time": "12:30",
        "return_window_days": 30,
        "service_email": "help@example.com",
    }
    response = await client.put(url, json=update, headers=seller.headers)
    assert response.status_code == 200, response.text
    assert response.json()["cut_off_time"] == "12:30:00"
    assert (await client.get(url)).json()["handling_days"] == 3


async def test_operator_reviews_documents(client: httpx.AsyncClient, actors: Actors) -> None:
    """The seller uploads a document; the operator accepts it with a note."""
    seller = await actors.seller("Docs", approve=False)
    operator = await actors.operator()
    added = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/documents",
        json={"kind": "tax_certificate", "url": "https://docs.example.com/npwp.pdf"},
        headers=seller.headers,
    )
    assert added.status_code == 201
    reviewed = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/documents/{added.json()['id']}/review",
        json={"status": "accepted", "note": "matches registry"},
        headers=operator.headers,
    )
    assert reviewed.json()["status"] == "accepted"


async def test_first_party_seller_is_approved_and_flagged(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The operator can sell as the marketplace itself."""
    operator = await actors.operator()
    body = application("Pasar Official", owner_email="official@example.com")
    del body["owner"], body["documents"]
    created = await client.post("/api/v1/sellers", json=body, headers=operator.headers)
    assert created.status_code == 201, created.text
    assert created.json()["is_first_party"] is True
    assert created.json()["status"] == "approved"
