"""Warehouse use cases.

Ownership: a warehouse with a `seller_id` belongs to that seller — run by the seller
(`owner_kind=seller`) or for them by a 3PL (`owner_kind=3pl`, `operator_name` says who) —
and holds only that seller's stock; its staff and API keys manage it. A warehouse without
a seller is run by the marketplace (`marketplace`) or its contracted 3PL (`3pl`), holds
many sellers' stock, and only operators manage it or change stock in it; sellers still
read their own stock there.

`add_warehouse` flushes only (for the demo and other modules' transactions); the other
writing functions commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.inventory.domain import OwnerKind
from pasar.inventory.errors import WarehouseCodeTaken, WarehouseNotFound
from pasar.inventory.models import StockLevel, Warehouse
from pasar.inventory.schemas import WarehouseCreate, WarehouseUpdate
from pasar.inventory.stock import announce, availability, lock_offers
from pasar.platform.time import utcnow


async def add_warehouse(
    session: AsyncSession, *, seller_id: int | None, data: WarehouseCreate
) -> Warehouse:
    """Add a warehouse for a seller, or for the marketplace when `seller_id` is None."""
    default = OwnerKind.SELLER if seller_id is not None else OwnerKind.MARKETPLACE
    kind = OwnerKind(data.owner_kind or default)
    if await _code_taken(session, seller_id, data.code):
        raise WarehouseCodeTaken(f"Warehouse code {data.code!r} is already used.", field="code")
    now = utcnow()
    warehouse = Warehouse(
        seller_id=seller_id,
        owner_key=seller_id or 0,
        owner_kind=kind.value,
        **data.model_dump(exclude={"owner_kind"}),
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(warehouse)
    try:
        await session.flush()
    except IntegrityError:
        raise WarehouseCodeTaken(
            f"Warehouse code {data.code!r} is already used.", field="code"
        ) from None
    return warehouse


async def create_warehouse(
    session: AsyncSession, *, seller_id: int | None, data: WarehouseCreate
) -> Warehouse:
    """`add_warehouse`, committed. A retry with the same code is refused (409), never doubled."""
    warehouse = await add_warehouse(session, seller_id=seller_id, data=data)
    await session.commit()
    return warehouse


async def _code_taken(session: AsyncSession, seller_id: int | None, code: str) -> bool:
    owned = Warehouse.owner_key == (seller_id or 0)
    found = await session.scalar(select(Warehouse.id).where(owned, Warehouse.code == code))
    return found is not None


async def get_warehouse(
    session: AsyncSession, *, seller_id: int | None, warehouse_id: int
) -> Warehouse:
    """The warehouse if it belongs to `seller_id` (None: the marketplace's), else 404."""
    warehouse = await session.get(Warehouse, warehouse_id)
    if warehouse is None or warehouse.seller_id != seller_id:
        raise WarehouseNotFound(f"No warehouse {warehouse_id} here.")
    return warehouse


async def list_warehouses(
    session: AsyncSession, *, seller_id: int | None, after_id: int | None, limit: int
) -> Sequence[Warehouse]:
    owner = (
        Warehouse.seller_id == seller_id if seller_id is not None else Warehouse.seller_id.is_(None)
    )
    query = select(Warehouse).where(owner).order_by(Warehouse.id).limit(limit)
    if after_id is not None:
        query = query.where(Warehouse.id > after_id)
    return (await session.scalars(query)).all()


async def update_warehouse(
    session: AsyncSession, *, seller_id: int | None, warehouse_id: int, data: WarehouseUpdate
) -> Warehouse:
    """Change details; (de)activating re-announces the availability of every offer stocked there."""
    warehouse = await get_warehouse(session, seller_id=seller_id, warehouse_id=warehouse_id)
    changes = data.model_dump(exclude_unset=True)
    toggled = "is_active" in changes and changes["is_active"] is not None
    toggled = toggled and changes["is_active"] != warehouse.is_active
    for name, value in changes.items():
        if value is not None or name in {"operator_name", "address_line2", "region"}:
            setattr(warehouse, name, value)
    warehouse.updated_at = utcnow()
    await session.flush()
    if toggled:
        await _reannounce(session, warehouse_id)
    await session.commit()
    return warehouse


async def _reannounce(session: AsyncSession, warehouse_id: int) -> None:
    offers = await session.scalars(
        select(func.distinct(StockLevel.offer_id)).where(StockLevel.warehouse_id == warehouse_id)
    )
    rows = await lock_offers(session, list(offers))
    after = availability(rows)
    flipped = [
        replace(r, active=not r.active) if r.warehouse_id == warehouse_id else r for r in rows
    ]
    await announce(session, rows, availability(flipped), after)


async def warehouses_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Warehouse]:
    """Any owner's warehouses by id, for labels and pick lists; callers have scoped the ids."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(Warehouse).where(Warehouse.id.in_(wanted)))
    return {w.id: w for w in rows}
