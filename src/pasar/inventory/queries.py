"""The read side: stock lists, low-stock offers, the ledger, public availability.

"Available" everywhere is on hand minus reserved over the offer's *active* warehouses.
The low-stock list groups a seller's stock per offer against inventory's copy of the
catalog's thresholds; offers without a threshold are never low.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Executable, bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.inventory.models import StockLevel, StockMovement, StockThreshold, Warehouse


@dataclass(frozen=True, slots=True)
class StockView:
    id: int
    offer_id: int
    warehouse_id: int
    warehouse_code: str
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LowStock:
    offer_id: int
    available: int
    low_stock_threshold: int


def _sellable() -> ColumnElement[int]:
    s = StockLevel
    total = func.sum(case((Warehouse.is_active, s.on_hand - s.reserved), else_=0))
    result: ColumnElement[int] = func.coalesce(total, 0)
    return result


def _low_offers(seller_id: int):  # type: ignore[no-untyped-def]
    t = StockThreshold
    available = _sellable().label("available")
    return (
        select(t.offer_id, available, t.threshold)
        .select_from(t)
        .outerjoin(StockLevel, StockLevel.offer_id == t.offer_id)
        .outerjoin(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(t.seller_id == seller_id)
        .group_by(t.offer_id, t.threshold)
        .having(_sellable() <= t.threshold)
    )


async def low_stock(
    session: AsyncSession, *, seller_id: int, after_offer_id: int | None = None, limit: int = 100
) -> list[LowStock]:
    """The seller's offers at or below their low-stock threshold, by offer id."""
    query = _low_offers(seller_id).order_by(StockThreshold.offer_id).limit(limit)
    if after_offer_id is not None:
        query = query.where(StockThreshold.offer_id > after_offer_id)
    rows = (await session.execute(query)).all()
    return [LowStock(offer_id=r[0], available=int(r[1]), low_stock_threshold=r[2]) for r in rows]


async def list_stock(
    session: AsyncSession,
    *,
    seller_id: int,
    offer_id: int | None = None,
    warehouse_id: int | None = None,
    low_only: bool = False,
    after_id: int | None = None,
    limit: int = 100,
) -> list[StockView]:
    s = StockLevel
    query = (
        select(s, Warehouse.code, StockThreshold.threshold)
        .join(Warehouse, Warehouse.id == s.warehouse_id)
        .outerjoin(StockThreshold, StockThreshold.offer_id == s.offer_id)
        .where(s.seller_id == seller_id)
        .order_by(s.id)
        .limit(limit)
    )
    if offer_id is not None:
        query = query.where(s.offer_id == offer_id)
    if warehouse_id is not None:
        query = query.where(s.warehouse_id == warehouse_id)
    if after_id is not None:
        query = query.where(s.id > after_id)
    if low_only:
        low = _low_offers(seller_id).subquery()
        query = query.where(s.offer_id.in_(select(low.c.offer_id)))
    rows = (await session.execute(query)).all()
    return [
        StockView(
            id=row.id,
            offer_id=row.offer_id,
            warehouse_id=row.warehouse_id,
            warehouse_code=code,
            on_hand=row.on_hand,
            reserved=row.reserved,
            available=row.on_hand - row.reserved,
            low_stock_threshold=threshold,
            updated_at=row.updated_at,
        )
        for row, code, threshold in rows
    ]


async def list_movements(
    session: AsyncSession,
    *,
    seller_id: int,
    offer_id: int | None = None,
    warehouse_id: int | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[StockMovement]:
    """The seller's ledger, newest first."""
    m = StockMovement
    query = select(m).where(m.seller_id == seller_id).order_by(m.id.desc()).limit(limit)
    if offer_id is not None:
        query = query.where(m.offer_id == offer_id)
    if warehouse_id is not None:
        query = query.where(m.warehouse_id == warehouse_id)
    if before_id is not None:
        query = query.where(m.id < before_id)
    return list((await session.scalars(query)).all())


async def offer_availability(session: AsyncSession, offer_id: int) -> int:
    """Sellable units of one offer across its active warehouses (0 when never stocked)."""
    query = (
        select(_sellable())
        .select_from(StockLevel)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.offer_id == offer_id)
    )
    return int(await session.scalar(query) or 0)


async def availability_of(session: AsyncSession, offer_ids: list[int]) -> dict[int, int]:
    """Sellable units per offer, for many offers in one query (absent offers: 0)."""
    query = (
        select(StockLevel.offer_id, _sellable())
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.offer_id.in_(offer_ids))
        .group_by(StockLevel.offer_id)
    )
    found = {r[0]: int(r[1]) for r in (await session.execute(query)).all()}
    return {offer_id: found.get(offer_id, 0) for offer_id in offer_ids}


@dataclass(frozen=True, slots=True)
class ShipOrigin:
    """Where an offer would ship from now: the warehouse `reserve` would take it from."""

    offer_id: int
    warehouse_id: int
    country: str
    region: str | None
    postal_code: str
    time_zone: str
    cut_off_time: str
    #: Units available in this warehouse.
    available: int
    #: Units available over all the offer's active warehouses.
    total_available: int


def _ship_origins_query() -> Executable:
    s, w = StockLevel, Warehouse
    available = s.on_hand - s.reserved
    ranked = (
        select(
            s.offer_id,
            s.warehouse_id,
            w.country,
            w.region,
            w.postal_code,
            w.time_zone,
            w.cut_off_time,
            available.label("available"),
            func.sum(available).over(partition_by=s.offer_id).label("total_available"),
            func.row_number()
            .over(partition_by=s.offer_id, order_by=(available.desc(), s.id))
            .label("rank"),
        )
        .join(w, w.id == s.warehouse_id)
        .where(s.offer_id.in_(bindparam("ids", expanding=True)), w.is_active.is_(True))
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1)


#: Built once: every cart read runs it, and building it costs more than running it.
SHIP_ORIGINS = _ship_origins_query()


async def ship_origins(session: AsyncSession, offer_ids: Sequence[int]) -> dict[int, ShipOrigin]:
    """Per offer, the active warehouse with the most available units, ties to the lowest
    stock id (the policy of `domain.allocate`). One windowed query for any number of offers;
    offers never stocked in an active warehouse are absent.
    """
    ids = sorted(set(offer_ids))
    if not ids:
        return {}
    rows = (await session.execute(SHIP_ORIGINS, {"ids": ids})).all()
    return {
        r.offer_id: ShipOrigin(
            offer_id=r.offer_id,
            warehouse_id=r.warehouse_id,
            country=r.country,
            region=r.region,
            postal_code=r.postal_code,
            time_zone=r.time_zone,
            cut_off_time=r.cut_off_time,
            available=int(r.available),
            total_available=int(r.total_available),
        )
        for r in rows
    }
