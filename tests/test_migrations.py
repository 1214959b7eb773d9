"""Migrations are the schema: they build every table the models declare, and undo cleanly."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import pasar.migrations  # noqa: F401
from pasar.platform.db import Base
from pasar.platform.migrate import downgrade, upgrade


def _import_all_models() -> None:
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
    import pasar.webhooks.models  # noqa: F401


def _only_declared(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Hand-written search structures (FTS tables, GIN indexes) are not in the models."""
    return not (reflected and compare_to is None)


def _diff(sync_url: str) -> list[Any]:
    engine = create_engine(sync_url)
    with engine.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "autogenerate skipping", UserWarning)
        context = MigrationContext.configure(
            conn, opts={"include_object": _only_declared, "compare_type": False}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_sqlite_migrations_match_the_models(tmp_path: Path) -> None:
    """After `upgrade head` the database has exactly what the models declare."""
    _import_all_models()
    path = tmp_path / "m.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    assert _diff(f"sqlite:///{path}") == []


def test_migrations_downgrade_to_nothing_and_back(tmp_path: Path) -> None:
    """Every migration's downgrade undoes its upgrade."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"
    upgrade(url)
    downgrade(url, "base")
    engine = create_engine(f"sqlite:///{tmp_path / 'd.db'}")
    leftover = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    engine.dispose()
    assert leftover == []
    upgrade(url)


def test_upgrade_is_callable_from_a_running_loop(tmp_path: Path) -> None:
    """Tests and `pasar serve` call upgrade from threads; it must not need the caller's loop."""

    async def run() -> None:
        await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{tmp_path / 'l.db'}")

    asyncio.run(run())
