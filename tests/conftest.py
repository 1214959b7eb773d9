"""Test harness: every API test runs on SQLite, and on PostgreSQL when it is configured.

`PASAR_TEST_DATABASE_URL` (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test) turns
the PostgreSQL half on; without it those tests are reported as skipped, with the reason.
Each backend is migrated once per session with the real Alembic migrations; every test
starts from empty tables.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from pasar.app import create_app
from pasar.platform.db import Base, Database
from pasar.platform.migrate import upgrade
from pasar.platform.settings import Settings
from tests.support import Actors

PG_URL = os.environ.get("PASAR_TEST_DATABASE_URL")
PG_SKIP = "PostgreSQL tests skipped: set PASAR_TEST_DATABASE_URL to run them"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip(PG_SKIP)
        return _worker_database(PG_URL)
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'pasar.db'}"


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Tests marked `postgres_only` skip on SQLite (they prove PostgreSQL behaviour)."""
    if request.node.get_closest_marker("postgres_only") is None:
        return
    if "database_url" in request.fixturenames:
        url = request.getfixturevalue("database_url")
        if url.startswith("sqlite"):
            pytest.skip("PostgreSQL-only behaviour; this is the SQLite run")
    elif not PG_URL:
        pytest.skip(PG_SKIP)


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[Database]:
    if not database_url.startswith("sqlite"):
        await _reset_postgres(database_url)
    await asyncio.to_thread(upgrade, database_url)
    db = Database(database_url, pool_size=20)
    yield db
    await db.dispose()


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own database beside the configured one
    (`test` -> `test_gw0`, `test_gw1`), created on first use, so workers never share
    tables; a plain run uses the configured database itself."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    asyncio.run(_create_database(parsed.render_as_string(hide_password=False), name))
    return parsed.set(database=name).render_as_string(hide_password=False)


async def _create_database(url: str, name: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not found:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def _reset_postgres(url: str) -> None:
    db = Database(url, pool_size=1)
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await db.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-not-for-production",  # type: ignore[arg-type]
        log_json=True,
        log_level="WARNING",
        login_rate_limit="5/minute",
        jobs_interval_seconds=0,
        embedded_worker=False,
    )


@pytest.fixture
async def app(settings: Settings, database: Database) -> AsyncIterator[FastAPI]:
    application = create_app(settings, database=database)
    yield application
    await _truncate(database)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def actors(client: httpx.AsyncClient, database: Database) -> Actors:
    return Actors(client, database)


async def _truncate(database: Database) -> None:
    async with database.engine.begin() as conn:
        if database.is_sqlite:
            rows = await conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type='table'")
            )
            tables = {name: sql or "" for name, sql in rows}
            virtual = [n for n, sql in tables.items() if sql.upper().startswith("CREATE VIRTUAL")]
            # children before parents, so foreign keys hold while emptying
            order = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}
            for name in sorted(tables, key=lambda n: -order.get(n, -1)):
                shadow = any(name.startswith(v + "_") for v in virtual)
                if name == "alembic_version" or name.startswith("sqlite_") or shadow:
                    continue
                await conn.execute(text(f'DELETE FROM "{name}"'))
            if "sqlite_sequence" in tables:
                await conn.execute(text("DELETE FROM sqlite_sequence"))
        else:
            await _empty_postgres(conn)


async def _empty_postgres(conn: AsyncConnection) -> None:
    """Empty the tables a test wrote to and restart every id sequence.

    One query finds the non-empty tables; DELETE (children first) empties them. TRUNCATE of
    every table cost 0.2-0.3 s a test (it swaps each table's files), about a minute and a
    half of the suite.
    """
    rows = await conn.execute(
        text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' "
            "AND tablename <> 'alembic_version'"
        )
    )
    names = [r[0] for r in rows]
    if not names:
        return
    probe = " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
    filled = {r[0] for r in await conn.execute(text(probe))}
    order = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}
    for name in sorted(filled, key=lambda n: -order.get(n, -1)):
        await conn.execute(text(f'DELETE FROM "{name}"'))
    await conn.execute(
        text(
            "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = 'public'"
        )
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"PostgreSQL: {'on' if PG_URL else 'off (' + PG_SKIP + ')'}"


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
