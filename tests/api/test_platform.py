"""The platform's promises at the HTTP edge: health, problem+json, OpenAPI, metrics, logs."""

from __future__ import annotations

import json

import httpx
import pytest

from pasar.app import create_app
from pasar.platform.db import Database
from pasar.platform.settings import Settings


async def test_healthz_checks_the_database(client: httpx.AsyncClient) -> None:
    """/healthz answers ok only after asking the database."""
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_unknown_route_is_problem_json(client: httpx.AsyncClient) -> None:
    """A 404 from routing is still problem+json with a stable type."""
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/not-found"
    assert body["status"] == 404


async def test_validation_errors_list_each_field(client: httpx.AsyncClient) -> None:
    """Bad input names every offending field, never a 5xx."""
    response = await client.post("/api/v1/auth/register", json={"email": "nope", "password": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/validation-failed"
    assert {e["field"] for e in body["errors"]} == {"email", "password"}


async def test_malformed_json_is_a_client_error(client: httpx.AsyncClient) -> None:
    """A body that is not JSON is the caller's mistake, reported as problem+json."""
    response = await client.post(
        "/api/v1/auth/register",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_openapi_is_3_1_and_documents_every_module(client: httpx.AsyncClient) -> None:
    """The OpenAPI document is 3.1 and lists the API under /api/v1."""
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/auth/token" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_problem_types_resolve_to_a_page(client: httpx.AsyncClient) -> None:
    """A problem `type` is a link a developer can open."""
    assert (await client.get("/problems/invalid-credentials")).status_code == 200
    assert (await client.get("/problems/made-up")).status_code == 404


async def test_metrics_count_requests_by_route(client: httpx.AsyncClient) -> None:
    """Prometheus metrics label requests by route template, not raw path."""
    await client.get("/healthz")
    text = (await client.get("/metrics")).text
    assert 'pasar_http_requests_total{method="GET",route="/healthz",status="200"}' in text


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    """The request id comes back (and is echoed when the caller sends one)."""
    assert len((await client.get("/healthz")).headers["x-request-id"]) == 32
    echoed = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"


async def test_each_request_logs_one_json_line(
    capsys: pytest.CaptureFixture[str], settings: Settings, database: Database
) -> None:
    """The access log is one JSON object per request, carrying the request id."""
    app = create_app(settings.model_copy(update={"log_level": "INFO"}), database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get("/healthz", headers={"X-Request-ID": "req-42"})
    lines = [
        json.loads(line)
        for line in capsys.readouterr().err.splitlines()
        if line.startswith("{") and '"request"' in line
    ]
    assert len(lines) == 1
    assert lines[0]["request_id"] == response.headers["x-request-id"] == "req-42"
    assert lines[0]["status"] == 200
    assert lines[0]["route"] == "/healthz"
