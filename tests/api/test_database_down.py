"""While the database cannot be reached, the API says 503 with Retry-After, not 500."""

from __future__ import annotations

import socket

import httpx

from pasar.app import create_app
from pasar.platform.settings import Settings


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_an_unreachable_database_is_a_503_to_retry() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/nowhere"
    settings = Settings(
        database_url=url, secret_key="test-only", embedded_worker=False, jobs_interval_seconds=0
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        created = await client.post("/api/v1/carts")
        listed = await client.get("/api/v1/products")

    for response in (created, listed):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["retry-after"] == "2"
        assert response.json()["type"] == "/problems/service-unavailable"
