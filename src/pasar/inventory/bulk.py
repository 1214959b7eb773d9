"""Stock a big catalog at once: levels, their ledger entries and low-stock thresholds.

`set_levels` locks and checks each row and reports availability to the catalog by
event, one offer at a time: right for a seller's sync, far too slow for 1.5 million
offers just created. `load_stock` writes fresh rows by COPY for offers the catalog has
just loaded with the same availability (`catalog.load_catalog`), with one `receipt`
movement per row so the ledger still sums to every level.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.inventory.domain import MovementKind
from pasar.inventory.errors import WarehouseNotFound
from pasar.inventory.models import StockLevel, StockMovement, StockThreshold, Warehouse
from pasar.platform.bulk import indexes_deferred, is_postgres, load_rows, reserve_ids
from pasar.platform.time import utcnow


@dataclass(frozen=True, slots=True)
class BulkStock:
    """Units of a new offer on hand in one of its seller's warehouses."""

    offer_id: int
    seller_id: int
    warehouse_id: int
    quantity: int
    low_stock_threshold: int


async def load_stock(
    session: AsyncSession, items: Sequence[BulkStock], *, actor: str, reason: str
) -> int:
    """Write levels for offers that have none yet (no commit); returns rows written.

    Each warehouse must be the offer's seller's (checked: one query per call); offer and
    warehouse pairs must be new and unique, which the table's constraint enforces.
    """
    if not items:
        return 0
    await _check_warehouses(session, items)
    now = utcnow()
    level_ids = await reserve_ids(session, _table(StockLevel), len(items))
    receipt = MovementKind.RECEIPT.value
    levels, movements, thresholds = [], [], {}
    for level_id, item in zip(level_ids, items, strict=True):
        levels.append(
            (level_id, item.offer_id, item.warehouse_id, item.seller_id, item.quantity, 0, 1, now)
        )
        movements.append(
            (
                level_id,
                item.seller_id,
                item.offer_id,
                item.warehouse_id,
                receipt,
                item.quantity,
                0,
                actor,
                reason,
                None,
                now,
            )
        )
        thresholds[item.offer_id] = (
            item.offer_id,
            item.seller_id,
            item.low_stock_threshold,
            now,
        )
    await load_rows(session, _table(StockLevel), LEVEL_COLUMNS, levels)
    await load_rows(session, _table(StockMovement), MOVEMENT_COLUMNS, movements)
    await load_rows(session, _table(StockThreshold), THRESHOLD_COLUMNS, list(thresholds.values()))
    return len(levels)


@asynccontextmanager
async def bulk_loading(session: AsyncSession) -> AsyncIterator[None]:
    """Wrap many `load_stock` calls in ONE transaction: indexes and keys are rebuilt once
    at the end (PostgreSQL) and the planner's statistics refreshed. The caller commits."""
    tables = ("stock_levels", "stock_movements", "stock_thresholds")
    async with indexes_deferred(session, tables):
        yield
    statement = f"ANALYZE {', '.join(tables)}" if is_postgres(session) else "ANALYZE"
    await session.execute(text(statement))


LEVEL_COLUMNS = (
    "id",
    "offer_id",
    "warehouse_id",
    "seller_id",
    "on_hand",
    "reserved",
    "version",
    "updated_at",
)
#: No id: the ledger's ids are drawn by the database as rows arrive, nothing refers to them.
MOVEMENT_COLUMNS = (
    "stock_id",
    "seller_id",
    "offer_id",
    "warehouse_id",
    "kind",
    "on_hand_delta",
    "reserved_delta",
    "actor",
    "reason",
    "reference",
    "created_at",
)
THRESHOLD_COLUMNS = ("offer_id", "seller_id", "threshold", "updated_at")


async def _check_warehouses(session: AsyncSession, items: Sequence[BulkStock]) -> None:
    wanted = {(i.warehouse_id, i.seller_id) for i in items}
    ids = sorted({w for w, _ in wanted})
    rows = await session.execute(
        select(Warehouse.id, Warehouse.seller_id).where(Warehouse.id.in_(ids))
    )
    found = {(r.id, r.seller_id) for r in rows}
    missing = sorted(wanted - found)
    if missing:
        warehouse_id, seller_id = missing[0]
        raise WarehouseNotFound(
            f"Warehouse {warehouse_id} does not exist or is not seller {seller_id}'s."
        )


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)
