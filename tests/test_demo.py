"""The demo marketplace is real data: seeded through the services, visible through the API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from pasar.app import build_database, create_app
from pasar.demo.seed import seed
from pasar.platform.migrate import upgrade
from pasar.platform.settings import Settings


async def test_small_demo_is_browsable_and_deterministic(tmp_path: Path) -> None:
    """Seeded products list with best offers; suspended sellers' offers never show."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    await asyncio.to_thread(upgrade, url)
    database = build_database(url)
    summary = await seed(database, seed=7, products=60, approved_sellers=4)
    assert summary.products == 60
    assert summary.offers > 60
    settings = Settings(database_url=url, secret_key="x" * 32)  # type: ignore[arg-type]
    app = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as http:
        listed = (await http.get("/api/v1/products", params={"limit": 100})).json()["items"]
        sellers = (await http.get("/api/v1/sellers", params={"limit": 100})).json()["items"]
    assert len(listed) >= 50
    assert all(p["best_offer"] is not None for p in listed)
    public_ids = {s["id"] for s in sellers}
    assert len(public_ids) == summary.sellers_approved
    assert {p["best_offer"]["seller"]["id"] for p in listed} <= public_ids
    await database.dispose()
