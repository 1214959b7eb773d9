"""Webhook endpoints over HTTP: registering, changing, rotating, removing, and who may."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from pasar.platform.db import Database
from pasar.platform.settings import Settings
from tests.api.test_webhooks_support import register
from tests.support import Actors

HOOK = "https://erp.example.com/pasar"


async def test_the_event_catalogue_is_public_with_examples(client: httpx.AsyncClient) -> None:
    """Anyone can read which event types exist, what they mean and what `data` looks like."""
    answer = await client.get("/api/v1/webhook-event-types")
    assert answer.status_code == 200
    types = {t["type"]: t for t in answer.json()}
    assert {"order.placed", "seller_order.shipped", "shipment.delivered"} <= set(types)
    assert types["shipment.created"]["example"]["tracking_number"]
    assert all(t["description"] for t in types.values())


async def test_a_seller_registers_an_endpoint_and_sees_the_secret_once(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Creating answers 201 with a `whsec_` secret; no later read shows it."""
    seller = await actors.seller()
    created = await register(
        client,
        seller.headers,
        HOOK,
        ["seller_order.shipped", "order.placed", "order.placed"],
        seller_id=seller.seller_id,
        description="ERP",
    )
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["order.placed", "seller_order.shipped"]
    assert created["enabled"] is True
    base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints"
    one = await client.get(f"{base}/{created['id']}", headers=seller.headers)
    listed = await client.get(base, headers=seller.headers)
    assert one.status_code == 200
    assert one.json()["secret"] is None
    assert [e["id"] for e in listed.json()["items"]] == [created["id"]]
    assert all(e["secret"] is None for e in listed.json()["items"])


async def test_unknown_event_types_and_unsafe_urls_are_refused(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Event types come from the catalogue; URLs are https (http only on this machine) and
    never inside a private network."""
    seller = await actors.seller()
    base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints"
    for body in (
        {"url": HOOK, "event_types": ["order.exploded"]},
        {"url": HOOK, "event_types": []},
        {"url": "http://erp.example.com/hook", "event_types": ["order.placed"]},
        {"url": "https://10.0.0.5/hook", "event_types": ["order.placed"]},
        {"url": "https://169.254.169.254/latest", "event_types": ["order.placed"]},
    ):
        answer = await client.post(base, json=body, headers=seller.headers)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_the_same_idempotency_key_registers_once_and_answers_the_same_secret(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """A retried create returns the first answer, secret included, and creates nothing."""
    seller = await actors.seller()
    base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints"
    body = {"url": HOOK, "event_types": ["order.placed"]}
    headers = {**seller.headers, "Idempotency-Key": "create-1"}
    first = await client.post(base, json=body, headers=headers)
    again = await client.post(base, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    listed = await client.get(base, headers=seller.headers)
    assert len(listed.json()["items"]) == 1
    other = await client.post(base, json={**body, "url": HOOK + "/2"}, headers=headers)
    assert other.status_code == 409


async def test_a_database_dump_holds_no_secret_in_clear(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    """The endpoint row and the idempotency record keep the secret sealed, not readable."""
    seller = await actors.seller()
    created = await register(
        client,
        {**seller.headers, "Idempotency-Key": "k"},
        HOOK,
        ["order.placed"],
        seller_id=seller.seller_id,
    )
    rotated = await client.post(
        f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{created['id']}/rotate-secret",
        headers=seller.headers,
    )
    secrets = [created["secret"], rotated.json()["secret"]]
    async with database.engine.connect() as conn:
        rows = [
            *(await conn.execute(text("SELECT * FROM webhook_endpoints"))).all(),
            *(await conn.execute(text("SELECT * FROM idempotency_keys"))).all(),
        ]
    dump = repr(rows)
    for secret in secrets:
        assert secret not in dump
        assert secret.removeprefix("whsec_") not in dump


async def test_patch_changes_url_types_description_and_state(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """PATCH changes what it is given; disabling by request shows a reason; enabling clears it."""
    seller = await actors.seller()
    created = await register(
        client, seller.headers, HOOK, ["order.placed"], seller_id=seller.seller_id
    )
    url = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{created['id']}"
    changed = await client.patch(
        url,
        json={
            "url": HOOK + "/v2",
            "event_types": ["shipment.created", "shipment.delivered"],
            "enabled": False,
        },
        headers=seller.headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["url"] == HOOK + "/v2"
    assert body["event_types"] == ["shipment.created", "shipment.delivered"]
    assert body["enabled"] is False
    assert body["disabled_at"] is not None
    assert body["description"] is None
    enabled = await client.patch(
        url, json={"enabled": True, "description": "ERP"}, headers=seller.headers
    )
    assert enabled.json()["enabled"] is True
    assert enabled.json()["disabled_at"] is None
    assert enabled.json()["description"] == "ERP"
    bad = await client.patch(url, json={"event_types": ["nope"]}, headers=seller.headers)
    assert bad.status_code == 422


async def test_delete_removes_the_endpoint(client: httpx.AsyncClient, actors: Actors) -> None:
    seller = await actors.seller()
    created = await register(
        client, seller.headers, HOOK, ["order.placed"], seller_id=seller.seller_id
    )
    url = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{created['id']}"
    assert (await client.delete(url, headers=seller.headers)).status_code == 204
    assert (await client.get(url, headers=seller.headers)).status_code == 404
    assert (await client.delete(url, headers=seller.headers)).status_code == 404


async def test_a_seller_cannot_see_or_change_another_sellers_endpoints(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Another seller's endpoint is 403 under its seller path and 404 under one's own."""
    owner = await actors.seller("Owner")
    intruder = await actors.seller("Intruder")
    created = await register(
        client, owner.headers, HOOK, ["order.placed"], seller_id=owner.seller_id
    )
    endpoint_id = created["id"]
    theirs = f"/api/v1/sellers/{owner.seller_id}/webhook-endpoints/{endpoint_id}"
    mine = f"/api/v1/sellers/{intruder.seller_id}/webhook-endpoints/{endpoint_id}"
    h = intruder.headers
    assert (await client.get(theirs, headers=h)).status_code == 403
    assert (await client.patch(theirs, json={"enabled": False}, headers=h)).status_code == 403
    assert (await client.get(f"{theirs}/deliveries", headers=h)).status_code == 403
    assert (await client.get(mine, headers=h)).status_code == 404
    assert (await client.patch(mine, json={"enabled": False}, headers=h)).status_code == 404
    assert (await client.delete(mine, headers=h)).status_code == 404
    assert (await client.post(f"{mine}/rotate-secret", headers=h)).status_code == 404
    assert (await client.get(f"{mine}/deliveries", headers=h)).status_code == 404
    assert (await client.get(f"{mine}/deliveries/1", headers=h)).status_code == 404
    assert (await client.post(f"{mine}/deliveries/1/redeliver", headers=h)).status_code == 404
    listed = await client.get(f"/api/v1/sellers/{intruder.seller_id}/webhook-endpoints", headers=h)
    assert listed.json()["items"] == []
    still = await client.get(theirs, headers=owner.headers)
    assert still.json()["enabled"] is True


async def test_marketplace_endpoints_are_for_operators(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Operators manage marketplace-wide endpoints; sellers reach none of them, and a
    seller's endpoint is not one of them."""
    operator = await actors.operator()
    seller = await actors.seller()
    ours = await register(client, operator.headers, HOOK, ["shipment.created"])
    assert ours["seller_id"] is None
    sellers = await register(
        client, seller.headers, HOOK, ["order.placed"], seller_id=seller.seller_id
    )
    admin = "/api/v1/admin/webhook-endpoints"
    assert (await client.get(admin, headers=seller.headers)).status_code == 403
    refused = await client.post(
        admin, json={"url": HOOK, "event_types": ["order.placed"]}, headers=seller.headers
    )
    assert refused.status_code == 403
    listed = await client.get(admin, headers=operator.headers)
    assert [e["id"] for e in listed.json()["items"]] == [ours["id"]]
    hidden = await client.get(f"{admin}/{sellers['id']}", headers=operator.headers)
    assert hidden.status_code == 404
    # operators act for any seller through the seller's own path
    seen = await client.get(
        f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints/{sellers['id']}",
        headers=operator.headers,
    )
    assert seen.status_code == 200


async def test_endpoint_lists_page_by_cursor(client: httpx.AsyncClient, actors: Actors) -> None:
    seller = await actors.seller()
    ids = [
        (
            await register(
                client, seller.headers, f"{HOOK}/{n}", ["order.placed"], seller_id=seller.seller_id
            )
        )["id"]
        for n in range(3)
    ]
    base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints"
    first = (await client.get(base, params={"limit": 2}, headers=seller.headers)).json()
    rest = (
        await client.get(
            base, params={"limit": 2, "cursor": first["next_cursor"]}, headers=seller.headers
        )
    ).json()
    assert [e["id"] for e in first["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None


async def test_a_seller_may_not_point_pasar_at_its_own_machine_in_production(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """With a public address set, a seller's endpoint on localhost is refused (it would let a
    seller read services beside Pasar through the delivery log); an operator's is allowed."""
    settings: Settings = app.state.settings
    app.state.settings = settings.model_copy(update={"public_url": "https://market.example.com"})
    try:
        seller = await actors.seller()
        base = f"/api/v1/sellers/{seller.seller_id}/webhook-endpoints"
        for url in ("http://127.0.0.1:9000/hook", "http://localhost/hook"):
            body = {"url": url, "event_types": ["order.placed"]}
            answer = await client.post(base, json=body, headers=seller.headers)
            assert answer.status_code == 422, answer.text
            assert answer.json()["field"] == "url"
        made = await register(
            client, seller.headers, HOOK, ["order.placed"], seller_id=seller.seller_id
        )
        moved = await client.patch(
            f"{base}/{made['id']}", json={"url": "http://127.0.0.1:9000/x"}, headers=seller.headers
        )
        assert moved.status_code == 422, moved.text
        operator = await actors.operator()
        await register(client, operator.headers, "http://127.0.0.1:9000/hook", ["order.placed"])
    finally:
        app.state.settings = settings
    # Locally (no public address) a developer may try webhooks against localhost.
    assert settings.loopback_endpoints_allowed
