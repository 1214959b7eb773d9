"""The database: one declarative base, the engine, sessions, and column types both backends share.

SQLite (the embedded default) and PostgreSQL run the same code. On SQLite every transaction
begins IMMEDIATE, so two writers queue on the file lock instead of failing when a reader
upgrades; WAL keeps readers of other processes unblocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import BigInteger, DateTime, Integer, MetaData, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import JSON, TypeDecorator

from pasar.platform.events import Dispatcher

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: 64-bit ids on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and hands them back aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Pasar stores timezone-aware UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


def id_column() -> Mapped[int]:
    return mapped_column(BigId, primary_key=True, autoincrement=True)


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=60)
        _configure_sqlite(engine)
        return engine
    # No pre-ping: on asyncpg it costs three round trips (BEGIN, ";", ROLLBACK) on every
    # checkout. A connection the server dropped fails its first statement instead; the
    # dialect then invalidates the whole pool and the request answers 503 with Retry-After
    # (platform.problems), so a database restart costs each worker one refused request.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        pool_timeout=30,
        connect_args=_asyncpg_args(url),
    )


def _asyncpg_args(url: str) -> dict[str, Any]:
    """Room for every statement the app prepares (the default 100 churns across endpoints,
    and each re-prepare is a round trip and a plan), and no JIT: it pays off for analytics,
    but on OLTP statements over a large catalog it adds tens of milliseconds of compiling."""
    if "+asyncpg" not in url:
        return {}
    return {"prepared_statement_cache_size": 500, "server_settings": {"jit": "off"}}


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "cache_size=-65536",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Engine plus session factory; built by the app (or a CLI command), never at import."""

    def __init__(self, url: str, *, dispatcher: Dispatcher | None = None, pool_size: int = 10):
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.dispatcher = dispatcher or Dispatcher()
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, info={"dispatcher": self.dispatcher}
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    async def dispose(self) -> None:
        await self.engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; services commit, anything left uncommitted rolls back."""
    database: Database = request.app.state.database
    async with database.sessionmaker() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]
