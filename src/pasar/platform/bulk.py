"""Bulk loading for the modules that own big tables: ids up front, then COPY or executemany.

A module's bulk function (catalog's products, inventory's stock) knows its tables; this
only moves rows. On PostgreSQL rows go through asyncpg's binary COPY — about ten times
an executemany INSERT — and ids are drawn from the table's own sequence first, so no row
needs RETURNING. On SQLite the transaction already holds the write lock, so max(id) + 1…
is the caller's alone, and an executemany INSERT is as fast as SQLite gets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import JSON, Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession


def is_postgres(session: AsyncSession) -> bool:
    assert session.bind is not None
    return session.bind.dialect.name == "postgresql"


async def reserve_ids(session: AsyncSession, table: Table, count: int) -> list[int]:
    """`count` fresh ids for `table`, in increasing order, for rows about to be loaded."""
    if count <= 0:
        return []
    if is_postgres(session):
        ids = await session.scalar(
            text(
                "SELECT array_agg(nextval(pg_get_serial_sequence(:table, 'id'))) "
                "FROM generate_series(1, :n)"
            ),
            {"table": table.name, "n": count},
        )
        return sorted(int(i) for i in ids or ())
    start = int(await session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)
    return list(range(start + 1, start + count + 1))


async def load_rows(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows` (tuples in `columns` order) inside the session's transaction."""
    if not rows:
        return
    if not is_postgres(session):
        await session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    json_at = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, JSON)]
    if json_at:
        rows = [_json_encoded(row, json_at) for row in rows]
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(table.name, records=rows, columns=list(columns))


def _json_encoded(row: tuple[Any, ...], at: list[int]) -> tuple[Any, ...]:
    """asyncpg's COPY takes json columns as text (orjson: a tenth of `json.dumps`' time)."""
    values = list(row)
    for i in at:
        values[i] = orjson.dumps(values[i], option=orjson.OPT_NON_STR_KEYS).decode()
    return tuple(values)


@asynccontextmanager
async def indexes_deferred(session: AsyncSession, tables: Sequence[str]) -> AsyncIterator[None]:
    """Drop these tables' secondary indexes, unique and foreign keys; recreate them at exit.

    Building an index once over sorted rows is several times cheaper than growing it a
    row at a time, and a foreign key is checked by one join instead of once per row. On
    PostgreSQL DDL is transactional: the caller keeps the whole load in ONE transaction,
    so a failed load leaves the schema and the rows as they were (readers of these tables
    wait meanwhile — this is for loading a fresh database). A no-op on SQLite.
    """
    if not is_postgres(session):
        yield
        return
    names = list(tables)
    constraints = (
        await session.execute(
            text(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c WHERE c.conrelid = ANY(CAST(:t AS regclass[])) "
                "AND c.contype IN ('u', 'f') ORDER BY c.contype, c.conname"
            ),
            {"t": names},
        )
    ).all()
    indexes = (
        await session.execute(
            text(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(CAST(:t AS regclass[])) "
                "AND NOT i.indisprimary AND NOT EXISTS ("
                "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
                "AND c.contype = 'u') ORDER BY 1"
            ),
            {"t": names},
        )
    ).all()
    for table, name, _ in constraints:
        await session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        await session.execute(text(f"DROP INDEX {name}"))
    yield
    await session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _, definition in indexes:
        await session.execute(text(definition))
    for table, name, definition in reversed(constraints):
        await session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
