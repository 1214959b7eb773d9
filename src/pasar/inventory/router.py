"""inventory's HTTP layer: warehouses, stock levels, sync, low stock, ledger, availability.

Seller paths (`/sellers/{seller_id}/…`) are for that seller's staff and API keys, and
operators; a warehouse addressed by id that is another seller's answers 404. Marketplace
warehouses (`/inventory/warehouses`) are for operators. Availability is public.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query, status

from pasar import catalog
from pasar.identity import (
    OperatorPrincipal,
    OptionalPrincipal,
    Principal,
    SellerScoped,
)
from pasar.inventory import queries, service, warehouses
from pasar.inventory.errors import OfferNotFound
from pasar.inventory.schemas import (
    AdjustmentCreate,
    AvailabilityRead,
    LevelReportRead,
    LowStockRead,
    MarketplaceWarehouseCreate,
    MovementRead,
    StockRead,
    SyncRequest,
    SyncResult,
    WarehouseCreate,
    WarehouseRead,
    WarehouseUpdate,
)
from pasar.platform.db import Session
from pasar.platform.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from pasar.platform.routing import GuardedRouter
from pasar.platform.types import Id

router = GuardedRouter(prefix="/api/v1", tags=["inventory"])

IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)
]


def actor_of(principal: Principal) -> str:
    """Who, for the ledger: a user or an API key (never a secret)."""
    if principal.api_key_id is not None:
        return f"api_key:{principal.api_key_id}"
    return f"user:{principal.user_id}"


def _after(cursor: str | None) -> int | None:
    values = decode_cursor(cursor, arity=1)
    if values is None:
        return None
    if not isinstance(values[0], int):
        decode_cursor("!", arity=1)  # raises the "not one this API issued" problem
    return int(values[0])


def _next(ids: list[int], limit: int) -> str | None:
    return encode_cursor([ids[-1]]) if len(ids) == limit else None


# --- seller warehouses -------------------------------------------------------------------


@router.post(
    "/sellers/{seller_id}/warehouses",
    status_code=status.HTTP_201_CREATED,
    response_model=WarehouseRead,
)
async def create_seller_warehouse(
    seller_id: Id, body: WarehouseCreate, principal: SellerScoped, session: Session
) -> object:
    """Add a warehouse (own, or run by a 3PL). The seller's staff and keys, or operators."""
    return await warehouses.create_warehouse(session, seller_id=seller_id, data=body)


@router.get("/sellers/{seller_id}/warehouses", response_model=Page[WarehouseRead])
async def list_seller_warehouses(
    seller_id: Id,
    principal: SellerScoped,
    session: Session,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[WarehouseRead]:
    """The seller's warehouses. The seller's staff and keys, or operators."""
    found = await warehouses.list_warehouses(
        session, seller_id=seller_id, after_id=_after(cursor), limit=limit
    )
    items = [WarehouseRead.model_validate(w) for w in found]
    return Page(items=items, next_cursor=_next([w.id for w in items], limit))


@router.get("/sellers/{seller_id}/warehouses/{warehouse_id}", response_model=WarehouseRead)
async def get_seller_warehouse(
    seller_id: Id, warehouse_id: Id, principal: SellerScoped, session: Session
) -> object:
    """One of the seller's warehouses. The seller's staff and keys, or operators."""
    return await warehouses.get_warehouse(session, seller_id=seller_id, warehouse_id=warehouse_id)


@router.patch("/sellers/{seller_id}/warehouses/{warehouse_id}", response_model=WarehouseRead)
async def update_seller_warehouse(
    seller_id: Id,
    warehouse_id: Id,
    body: WarehouseUpdate,
    principal: SellerScoped,
    session: Session,
) -> object:
    """Change or (de)activate a warehouse. The seller's staff and keys, or operators."""
    return await warehouses.update_warehouse(
        session, seller_id=seller_id, warehouse_id=warehouse_id, data=body
    )


# --- marketplace warehouses ----------------------------------------------------------------


@router.post(
    "/inventory/warehouses", status_code=status.HTTP_201_CREATED, response_model=WarehouseRead
)
async def create_marketplace_warehouse(
    body: MarketplaceWarehouseCreate, _: OperatorPrincipal, session: Session
) -> object:
    """Add a marketplace-run (or marketplace-contracted 3PL) warehouse. Operators only."""
    return await warehouses.create_warehouse(session, seller_id=None, data=body)


@router.get("/inventory/warehouses", response_model=Page[WarehouseRead])
async def list_marketplace_warehouses(
    _: OperatorPrincipal, session: Session, limit: Limit = 50, cursor: Cursor = None
) -> Page[WarehouseRead]:
    """Marketplace-run warehouses. Operators only."""
    found = await warehouses.list_warehouses(
        session, seller_id=None, after_id=_after(cursor), limit=limit
    )
    items = [WarehouseRead.model_validate(w) for w in found]
    return Page(items=items, next_cursor=_next([w.id for w in items], limit))


@router.patch("/inventory/warehouses/{warehouse_id}", response_model=WarehouseRead)
async def update_marketplace_warehouse(
    warehouse_id: Id, body: WarehouseUpdate, _: OperatorPrincipal, session: Session
) -> object:
    """Change or (de)activate a marketplace warehouse. Operators only."""
    return await warehouses.update_warehouse(
        session, seller_id=None, warehouse_id=warehouse_id, data=body
    )


# --- stock ----------------------------------------------------------------------------------


@router.get("/sellers/{seller_id}/stock", response_model=Page[StockRead])
async def list_stock(
    seller_id: Id,
    principal: SellerScoped,
    session: Session,
    offer_id: Annotated[Id | None, Query(gt=0)] = None,
    warehouse_id: Annotated[Id | None, Query(gt=0)] = None,
    low_only: bool = False,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[StockRead]:
    """The seller's stock per offer and warehouse. The seller's staff and keys, or operators."""
    rows = await queries.list_stock(
        session,
        seller_id=seller_id,
        offer_id=offer_id,
        warehouse_id=warehouse_id,
        low_only=low_only,
        after_id=_after(cursor),
        limit=limit,
    )
    items = [StockRead.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, next_cursor=_next([r.id for r in rows], limit))


@router.post(
    "/sellers/{seller_id}/stock/adjustments",
    status_code=status.HTTP_201_CREATED,
    response_model=LevelReportRead,
)
async def adjust_stock(
    seller_id: Id,
    body: AdjustmentCreate,
    principal: SellerScoped,
    session: Session,
    idempotency_key: IdempotencyKey = None,
) -> object:
    """Change one offer's on-hand units in one warehouse, with a reason (kept in the ledger).

    The seller's staff and keys (their own warehouses), or operators (also marketplace ones).
    """
    return await service.adjust_stock(
        session,
        seller_id=seller_id,
        offer_id=body.offer_id,
        warehouse_id=body.warehouse_id,
        delta=body.delta,
        kind=body.kind,
        reason=body.reason,
        reference=body.reference,
        actor=actor_of(principal),
        marketplace_warehouses=principal.is_operator,
        idempotency_key=idempotency_key,
    )


@router.post("/sellers/{seller_id}/stock/sync", response_model=SyncResult)
async def sync_stock(
    seller_id: Id,
    body: SyncRequest,
    principal: SellerScoped,
    session: Session,
    idempotency_key: IdempotencyKey = None,
) -> object:
    """Bulk stock sync from a seller's system: absolute levels or deltas, all or nothing.

    `Idempotency-Key` makes a retry return the first result (required for deltas). Any bad
    item rejects the batch with a 422 listing each one. The seller's staff and keys, or
    operators.
    """
    items = [
        service.StockItem(
            offer_id=i.offer_id,
            quantity=i.quantity,
            warehouse_id=i.warehouse_id,
            warehouse_code=i.warehouse_code,
        )
        for i in body.items
    ]
    return await service.sync_stock(
        session,
        seller_id=seller_id,
        items=items,
        mode=body.mode,
        reason=body.reason,
        actor=actor_of(principal),
        marketplace_warehouses=principal.is_operator,
        idempotency_key=idempotency_key,
    )


@router.get("/sellers/{seller_id}/stock/low", response_model=Page[LowStockRead])
async def low_stock(
    seller_id: Id,
    principal: SellerScoped,
    session: Session,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[LowStockRead]:
    """Offers at or below their low-stock threshold. The seller's staff and keys, or operators."""
    rows = await queries.low_stock(
        session, seller_id=seller_id, after_offer_id=_after(cursor), limit=limit
    )
    items = [LowStockRead.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, next_cursor=_next([r.offer_id for r in rows], limit))


@router.get("/sellers/{seller_id}/stock/movements", response_model=Page[MovementRead])
async def list_movements(
    seller_id: Id,
    principal: SellerScoped,
    session: Session,
    offer_id: Annotated[Id | None, Query(gt=0)] = None,
    warehouse_id: Annotated[Id | None, Query(gt=0)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MovementRead]:
    """The stock ledger, newest first. The seller's staff and keys, or operators."""
    rows = await queries.list_movements(
        session,
        seller_id=seller_id,
        offer_id=offer_id,
        warehouse_id=warehouse_id,
        before_id=_after(cursor),
        limit=limit,
    )
    items = [MovementRead.model_validate(m) for m in rows]
    return Page(items=items, next_cursor=_next([m.id for m in rows], limit))


@router.get("/offers/{offer_id}/availability", response_model=AvailabilityRead)
async def offer_availability(
    offer_id: Id, _: OptionalPrincipal, session: Session
) -> AvailabilityRead:
    """How many units of an offer can be bought now (no per-warehouse detail). Public."""
    if offer_id not in await catalog.offer_refs(session, [offer_id]):
        raise OfferNotFound(f"No offer {offer_id}.")
    available = await queries.offer_availability(session, offer_id)
    return AvailabilityRead(offer_id=offer_id, available=available, in_stock=available > 0)
