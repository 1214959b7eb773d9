"""Schemathesis fuzzes every operation of `/openapi.json` in-process (no server).

For each generated request: no 5xx, the status code is documented, the body matches the
documented schema and media type, and every 4xx is problem+json with type, title and
status. Calls carry a seller owner's token on seller-scoped routes and an operator's
elsewhere; a little seeded data (a seller with stocked offers, a placed order) lets ids
resolve sometimes, so the fuzzer reaches past the 404s.

Bounded for `make test`: a few derandomized examples per operation, on SQLite only (the
PostgreSQL half of the bad-input story is tests/api/test_bad_input.py and test_abuse.py).
`PASAR_FUZZ_EXAMPLES=200` raises the count and turns on schemathesis's coverage phase
(every boundary value of every schema) for `make stress`.
"""

from __future__ import annotations

import asyncio
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pasar.app import create_app
from pasar.platform.db import Database
from pasar.platform.migrate import upgrade
from pasar.platform.settings import Settings
from tests.api import test_orders_support as orders
from tests.support import Actors

EXAMPLES = int(os.environ.get("PASAR_FUZZ_EXAMPLES", "4"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        secret_key="test-secret-not-for-production",  # type: ignore[arg-type]
        log_json=True,
        log_level="WARNING",
        login_rate_limit="1000/minute",
        lookup_rate_limit="1000/minute",
        jobs_interval_seconds=0,
        embedded_worker=False,
    )


def _document() -> dict[str, Any]:
    """The OpenAPI document, from an app that never opens its database."""
    app = create_app(_settings("sqlite+aiosqlite:///./never-opened.db"))
    return app.openapi()


# The coverage phase derives every boundary case of every schema (hundreds per operation,
# whatever max_examples says): only the stress run can afford it.
STRESS = "PASAR_FUZZ_EXAMPLES" in os.environ
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": STRESS}}})
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


@dataclass(frozen=True)
class Fuzzed:
    app: FastAPI
    operator: dict[str, str]
    seller: dict[str, str]
    seller_id: int


def _in_thread(coroutine: Any) -> Any:
    """Run a coroutine on its own loop in its own thread, leaving pytest-asyncio's alone."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


async def _seed(url: str) -> tuple[dict[str, str], dict[str, str], int]:
    """A seller with stocked offers and one paid order, an operator, through the real API."""
    database = Database(url, pool_size=2)
    app = create_app(_settings(url), database=database)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            actors = Actors(client, database)
            shop = await orders.shop(client, actors, "Fuzz Shop", offers=2, stock=50)
            cart = await orders.cart_with(client, [(shop.offers[0], 1)])
            placed = await orders.place(client, cart["token"], orders.card())
            assert placed.status_code in (200, 201), placed.text
            operator = await actors.operator()
            return operator.headers, shop.seller.headers, shop.seller.seller_id or 0
    finally:
        await database.dispose()


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Fuzzed:
    path: Path = tmp_path_factory.mktemp("fuzz") / "pasar.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    operator, seller, seller_id = _in_thread(_seed(url))
    # Its own database, opened on schemathesis's event loop (the one that serves the calls).
    return Fuzzed(create_app(_settings(url)), operator, seller, seller_id)


def _problem_json(response: httpx.Response | Any, case: schemathesis.Case) -> None:
    """Every 4xx is RFC 9457 problem+json with the members clients rely on."""
    if not 400 <= response.status_code < 500:
        return
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    kind = response.headers.get("content-type", "")
    kind = kind[0] if isinstance(kind, list) else kind
    assert kind.startswith("application/problem+json"), f"{where}: {kind}"
    body = response.json()
    assert {"type", "title", "status"} <= set(body), f"{where}: {body}"
    assert body["status"] == response.status_code, f"{where}: {body}"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_honours_its_contract(case: schemathesis.Case, fuzzed: Fuzzed) -> None:
    seller_scoped = "seller_id" in (case.path_parameters or {})
    if seller_scoped:
        assert case.path_parameters is not None
        case.path_parameters["seller_id"] = fuzzed.seller_id
    headers = fuzzed.seller if seller_scoped else fuzzed.operator
    response = case.call(app=fuzzed.app, headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    _problem_json(response, case)


def test_every_api_operation_documents_its_errors_as_problems() -> None:
    """The contract the fuzzer checks against: 4xx bodies are Problems, not FastAPI's
    `HTTPValidationError` (which Pasar never sends)."""
    document = _document()
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path, item in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            errors = {k: v for k, v in operation["responses"].items() if k.startswith("4")}
            assert "4XX" in errors, f"{method} {path}"
            for code, response in errors.items():
                assert response["content"] == {"application/problem+json": problem}, code
    assert "HTTPValidationError" not in str(document)
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]
