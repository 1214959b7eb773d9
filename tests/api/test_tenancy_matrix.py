"""Tenancy matrix: seller A's credentials never reach, or change, seller B's resources.

Generated from the app's route table, not from a list: every route whose path names a
seller-owned resource (`{seller_id}`, or a warehouse, offer, product, SellerOrder,
shipment, webhook endpoint, staff member, API key, document, order...) is called with
seller A's owner token and then A's API key, on B's real ids — both as `/sellers/{B}/...`
and, where the path also names a resource, as `/sellers/{A}/<B's resource>`. Each call
must answer 403 or 404 as problem+json, and afterwards every table reads exactly as
before. A route added later without its tenancy check fails this test; so does a new
placeholder nobody taught it (add B's id for it to `_ids_of_b`).

Bodies are a minimal valid instance of the route's OpenAPI request schema (with a few
per-route overrides), so a 422 means tenancy was never reached: that fails too, unless
the route is in `BODY_UNREACHABLE` with a reason.

The web pages naming the same ids (the seller portal, the console, the buyer's order
page) are opened and submitted by A signed in with a browser's session and CSRF token:
each must answer 403 or 404 too (a page shown read-only by design is in `WEB_PUBLIC`).
Bearer tokens' and API keys' rows are compared by id only: using one stamps it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import text

from pasar.platform.db import Base, Database
from tests.api import test_fulfillment_support as f
from tests.support import Actor, Actors
from tests.web.support import token
from tests.web.test_signin import sign_in

PROBLEM = "application/problem+json"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

#: Placeholders that name something a seller owns (or an order sellers take part in).
SELLER_OWNED = {
    "seller_id",
    "warehouse_id",
    "offer_id",
    "product_id",
    "seller_order_id",
    "shipment_id",
    "endpoint_id",
    "delivery_id",
    "key_id",
    "user_id",
    "document_id",
    "request_id",
    "number",
    "order_id",
}

#: Public by design: the same answer for everyone (a storefront's profile and policies, a
#: product page, its offers and their availability). Private fields are tested elsewhere.
PUBLIC = {
    ("GET", "/api/v1/sellers/{seller_id}"),
    ("GET", "/api/v1/sellers/{seller_id}/policies"),
    ("GET", "/api/v1/products/{product_id}"),
    ("GET", "/api/v1/products/{product_id}/offers"),
    ("GET", "/api/v1/offers/{offer_id}"),
    ("GET", "/api/v1/offers/{offer_id}/availability"),
}

#: Routes whose ids are not seller-owned although their names are, and signed callbacks
#: that take no bearer credentials at all (tests/api/test_tenancy.py lists the latter).
NOT_SELLER_SCOPED = {
    ("POST", "/api/v1/3pl/{connection_id}/reports"),
}

#: Bodies the schema alone cannot make valid (the schema allows them; a validator refuses).
BODY_OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/sellers/{seller_id}/webhook-endpoints"): {
        "url": "https://erp.example.com/pasar",
        "event_types": ["order.placed"],
    },
    ("PATCH", "/api/v1/sellers/{seller_id}/webhook-endpoints/{endpoint_id}"): {
        "description": "taken over"
    },
    ("POST", "/api/v1/sellers/{seller_id}/orders/{seller_order_id}/shipments"): {
        "packages": [f.BOX]
    },
    ("PUT", "/api/v1/sellers/{seller_id}/warehouses/{warehouse_id}/3pl"): {"kind": "sandbox"},
}

#: Web pages public by design: the storefront's product page, and the seller portal's
#: product page, which shows a product another seller owns read-only (products are shared:
#: any seller may offer one; only its owner may change it).
WEB_PUBLIC = {
    ("GET", "/products/{product_id}"),
    ("GET", "/seller/products/{product_id}"),
}

#: Web forms an empty submission would not get past (re-rendered with errors, 422).
WEB_FORMS: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/seller/products/{product_id}"): {
        "title": "Taken over",
        "status": "active",
        **dict.fromkeys(("description", "brand", "category_id", "images", "attributes"), ""),
        "attributes_before": "",
    },
}

#: Routes where a 422 is accepted, with the reason. Keep empty unless there is one.
BODY_UNREACHABLE: dict[tuple[str, str], str] = {}


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, walking included routers of any depth."""

    def walk(routes: Iterable[Any]) -> Iterator[tuple[str, str]]:
        for route in routes:
            methods, path = getattr(route, "methods", None), getattr(route, "path", None)
            nested = getattr(route, "effective_candidates", None)
            if methods and path:
                yield from ((m, path) for m in methods if m in METHODS)
            elif callable(nested):
                yield from walk(nested())
            elif getattr(route, "routes", None):
                yield from walk(route.routes)

    return sorted(set(walk(app.router.routes)))


def placeholders(path: str) -> list[str]:
    return re.findall(r"\{([^}:]+)(?::[^}]*)?\}", path)


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


STRINGS = {
    "email": "someone@example.com",
    "uri": "https://example.com/x",
    "date": "2026-11-23",
    "date-time": "2026-11-23T10:00:00Z",
}


def minimal(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A small instance of a JSON schema: required fields only, smallest legal values."""
    schema = _resolve(spec, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(spec, s).get("type") != "null"]
            return minimal(spec, options[0])
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema.get("type") != "object":
        return schema["default"]
    kind = schema.get("type", "object")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: minimal(spec, props[k]) for k in schema.get("required", []) if k in props}
    if kind == "array":
        return [minimal(spec, schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(schema.get("minimum", 1)), 1.0)
    if kind == "boolean":
        return False
    value = STRINGS.get(schema.get("format", ""), "x" * max(int(schema.get("minLength", 1)), 3))
    return value[: schema.get("maxLength", len(value))]


def body_for(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    if (method, path) in BODY_OVERRIDES:
        return BODY_OVERRIDES[(method, path)]
    operation = spec["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    value = minimal(spec, content["application/json"]["schema"])
    return value if isinstance(value, dict) else None


async def _ids_of_b(
    client: httpx.AsyncClient, actors: Actors, database: Database
) -> tuple[Actor, dict[str, str]]:
    """Seller B with one of everything: warehouse, product, stocked offer, a placed order
    and its shipment, a webhook endpoint, an API key, staff and documents. Deliveries and
    3PL requests are not made here: their routes get an id B does not have either."""
    placed = await f.placed_order(client, actors, name="Tenant B")
    shop = placed.shop
    b = shop.seller
    so_id = placed.seller_order_id
    shipment = await f.create_shipment(client, shop, so_id)
    offer = (await client.get(f"/api/v1/offers/{shop.offers[0]}", headers=b.headers)).json()
    endpoint = await client.post(
        f"/api/v1/sellers/{b.seller_id}/webhook-endpoints",
        json={"url": "https://erp.example.com/b", "event_types": ["order.placed"]},
        headers=b.headers,
    )
    assert endpoint.status_code == 201, endpoint.text
    key = await client.post(
        f"/api/v1/sellers/{b.seller_id}/api-keys", json={"name": "b-erp"}, headers=b.headers
    )
    assert key.status_code == 201, key.text
    documents = await client.get(f"/api/v1/sellers/{b.seller_id}/documents", headers=b.headers)
    assert documents.status_code == 200, documents.text
    async with database.sessionmaker() as session:
        order_id = await session.scalar(
            text("SELECT id FROM orders WHERE number = :n"), {"n": placed.number}
        )
    ids = {
        "seller_id": b.seller_id,
        "warehouse_id": shop.warehouse_id,
        "offer_id": shop.offers[0],
        "product_id": offer["product_id"],
        "seller_order_id": so_id,
        "shipment_id": shipment["id"],
        "endpoint_id": endpoint.json()["id"],
        "delivery_id": 999_999,
        "key_id": key.json()["id"],
        "user_id": b.user_id,
        "document_id": _first_id(documents.json()),
        "request_id": 999_999,
        "number": placed.number,
        "order_id": order_id,
    }
    return b, {k: str(v) for k, v in ids.items()}


def _first_id(listing: Any) -> int:
    items = listing["items"] if isinstance(listing, dict) else listing
    return int(items[0]["id"])


async def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the API tokens' last-used stamps aside)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with database.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in {"api_tokens", "api_keys"}:
                rows = await session.execute(text(f'SELECT id FROM "{table.name}" ORDER BY id'))
            else:
                rows = await session.execute(table.select())
            tables[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return tables


def cases(
    routes: list[tuple[str, str]], a_id: str, ids: dict[str, str], *, web: bool = False
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(method, route, url) to call, and the routes naming a placeholder nobody taught.
    The API's routes, or (`web`) the web pages'."""
    calls, unknown = [], []
    for method, path in routes:
        names = placeholders(path)
        if path.startswith("/api/") == web or not SELLER_OWNED.intersection(names):
            continue
        if (method, path) in PUBLIC or (method, path) in NOT_SELLER_SCOPED:
            continue
        if not set(names) <= SELLER_OWNED:
            unknown.append((method, path))
            continue

        def fill(seller: str, template: str = path) -> str:
            values = {**ids, "seller_id": seller}
            return re.sub(r"\{([^}:]+)(?::[^}]*)?\}", lambda m: values[m.group(1)], template)

        calls.append((method, path, fill(ids["seller_id"])))
        if "seller_id" in names and len(names) > 1:
            calls.append((method, path, fill(a_id)))
    return calls, unknown


async def probe(
    client: httpx.AsyncClient,
    spec: dict[str, Any],
    calls: list[tuple[str, str, str]],
    headers: dict[str, str],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Call each; return the answers that were not a 403/404 problem (leaks) and the 422s
    (the body was refused before tenancy was checked)."""
    leaks, unreached = [], []
    for method, path, url in calls:
        r = await client.request(method, url, json=body_for(spec, method, path), headers=headers)
        problem = r.headers.get("content-type", "").startswith(PROBLEM)
        if r.status_code == 422 and (method, path) not in BODY_UNREACHABLE:
            unreached.append((method, url, r.text[:200]))
        elif r.status_code not in (403, 404) or not problem:
            leaks.append((method, url, r.status_code, r.text[:200]))
    return leaks, unreached


async def probe_web(
    browser: httpx.AsyncClient, found: tuple[list[tuple[str, str, str]], list[tuple[str, str]]]
) -> list[tuple[Any, ...]]:
    """The web pages: seller A, signed in, opens (GET) or submits (POST, with a valid CSRF
    token) every page naming B's ids; anything but 403/404 is a leak."""
    calls, unknown = found
    assert unknown == [], "web pages with ids this test cannot fill: teach _ids_of_b"
    assert len(calls) >= 10, calls
    csrf = await token(browser, "/seller")
    leaks: list[tuple[Any, ...]] = []
    for method, path, url in calls:
        if (method, path) in WEB_PUBLIC:
            continue
        if method == "GET":
            r = await browser.get(url)
        else:
            form = {**WEB_FORMS.get((method, path), {}), "csrf_token": csrf}
            r = await browser.request(method, url, data=form)
        if r.status_code not in (403, 404):
            leaks.append((method, url, r.status_code, r.headers.get("location")))
    return leaks


async def test_seller_a_reaches_none_of_seller_b_routes(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors, database: Database
) -> None:
    a = await actors.seller("Tenant A")
    key = await client.post(
        f"/api/v1/sellers/{a.seller_id}/api-keys", json={"name": "a-erp"}, headers=a.headers
    )
    assert key.status_code == 201, key.text
    credentials = {"owner": a.headers, "api_key": {"Authorization": f"Bearer {key.json()['key']}"}}
    _, ids = await _ids_of_b(client, actors, database)
    spec = (await client.get("/openapi.json")).json()
    calls, unknown = cases(route_table(app), str(a.seller_id), ids)
    assert unknown == [], "seller routes with ids this test cannot fill: teach _ids_of_b"
    assert len({(m, p) for m, p, _ in calls}) >= 60, calls  # only as good as its coverage

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as browser:
        signed = await sign_in(browser, a.email)
        assert signed.status_code == 303, signed.text
        before = await snapshot(database)
        for name, headers in credentials.items():
            leaks, unreached = await probe(client, spec, calls, headers)
            assert leaks == [], (name, "\n".join(map(str, leaks)))
            assert unreached == [], (name, "\n".join(map(str, unreached)))
        pages = cases(route_table(app), str(a.seller_id), ids, web=True)
        web_leaks = await probe_web(browser, pages)
        assert web_leaks == [], "\n".join(map(str, web_leaks))
    after = await snapshot(database)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [], {n: (before[n], after[n]) for n in changed}


class Note(BaseModel):
    """The body of a made-up route: the minimal body ("xxx") does not match its pattern."""

    text: str = Field(pattern=r"^[0-9]+$")


async def test_a_seller_route_added_without_a_check_fails_the_matrix(
    app: FastAPI, client: httpx.AsyncClient, actors: Actors
) -> None:
    """The matrix finds routes by itself: an unguarded one is reported as a leak, one whose
    body is refused first as unreached, and a new kind of id as untaught."""
    router = APIRouter()

    @router.get("/api/v1/sellers/{seller_id}/gossip")
    async def gossip(seller_id: int) -> dict[str, int]:
        return {"seller_id": seller_id}

    @router.patch("/api/v1/sellers/{seller_id}/warehouses/{warehouse_id}/note")
    async def note(seller_id: int, warehouse_id: int, body: Note) -> dict[str, str]:
        raise HTTPException(status_code=403)

    @router.get("/api/v1/sellers/{seller_id}/coupons/{coupon_id}")
    async def coupon(seller_id: int, coupon_id: int) -> dict[str, int]:
        return {}

    app.include_router(router)
    app.openapi_schema = None
    a = await actors.seller_staff(424_242)  # a seller of its own; no other row needed
    ids = dict.fromkeys(SELLER_OWNED, "999")
    calls, unknown = cases(route_table(app), str(a.seller_id), ids)
    assert ("GET", "/api/v1/sellers/{seller_id}/coupons/{coupon_id}") in unknown
    added = [c for c in calls if c[1].endswith(("/gossip", "/note"))]
    served = await client.get("/openapi.json")
    assert served.status_code == 200, served.text
    spec = served.json()
    leaks, unreached = await probe(client, spec, added, a.headers)
    assert [(m, u, s) for m, u, s, _ in leaks] == [("GET", "/api/v1/sellers/999/gossip", 200)]
    assert {(m, u) for m, u, _ in unreached} == {
        ("PATCH", "/api/v1/sellers/999/warehouses/999/note"),
        ("PATCH", f"/api/v1/sellers/{a.seller_id}/warehouses/999/note"),
    }
