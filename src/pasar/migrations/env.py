"""Alembic environment: async engine, every module's tables in one metadata."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

import pasar.catalog.models
import pasar.checkout.models
import pasar.fulfillment.models
import pasar.identity.models
import pasar.inventory.models
import pasar.notifications.models
import pasar.orders.models
import pasar.payments.models
import pasar.platform.broker_backlog
import pasar.platform.idempotency
import pasar.platform.outbox
import pasar.platform.scheduler
import pasar.sellers.models
import pasar.webhooks.models  # noqa: F401  (register tables)
from pasar.platform.db import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not set"
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(url))


run()
