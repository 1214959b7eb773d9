"""inventory: warehouses, stock levels, reservations, the movement ledger, low stock.

Other modules import only this. Checkout composes `reserve` / `release` / `commit_sale`
into its own transaction (they never commit); see `service` for which functions commit.
"""

from pasar.inventory.batch import BatchOutcome, BatchReservation, reserve_many
from pasar.inventory.bulk import BulkStock, bulk_loading, load_stock
from pasar.inventory.domain import MovementKind, OwnerKind, SyncMode
from pasar.inventory.errors import (
    InsufficientStock,
    InvalidQuantity,
    OfferNotFound,
    StockNotFound,
    StockSyncRejected,
    WarehouseCodeTaken,
    WarehouseNotFound,
)
from pasar.inventory.events import AvailabilityChanged, StockLow
from pasar.inventory.queries import (
    ShipOrigin,
    StockView,
    availability_of,
    list_stock,
    low_stock,
    offer_availability,
    ship_origins,
)
from pasar.inventory.router import router
from pasar.inventory.schemas import WarehouseCreate, WarehouseUpdate
from pasar.inventory.service import (
    LevelReport,
    Reservation,
    ReservationLine,
    StockItem,
    adjust_stock,
    commit_sale,
    receive_return,
    receive_stock,
    release,
    reserve,
    set_levels,
)
from pasar.inventory.subscriptions import SUBSCRIPTIONS
from pasar.inventory.warehouses import (
    add_warehouse,
    create_warehouse,
    get_warehouse,
    list_warehouses,
    update_warehouse,
    warehouses_by_id,
)

__all__ = [
    "SUBSCRIPTIONS",
    "AvailabilityChanged",
    "BatchOutcome",
    "BatchReservation",
    "BulkStock",
    "InsufficientStock",
    "InvalidQuantity",
    "LevelReport",
    "MovementKind",
    "OfferNotFound",
    "OwnerKind",
    "Reservation",
    "ReservationLine",
    "ShipOrigin",
    "StockItem",
    "StockLow",
    "StockNotFound",
    "StockSyncRejected",
    "StockView",
    "SyncMode",
    "WarehouseCodeTaken",
    "WarehouseCreate",
    "WarehouseNotFound",
    "WarehouseUpdate",
    "add_warehouse",
    "adjust_stock",
    "availability_of",
    "bulk_loading",
    "commit_sale",
    "create_warehouse",
    "get_warehouse",
    "list_stock",
    "list_warehouses",
    "load_stock",
    "low_stock",
    "offer_availability",
    "receive_return",
    "receive_stock",
    "release",
    "reserve",
    "reserve_many",
    "router",
    "set_levels",
    "ship_origins",
    "update_warehouse",
    "warehouses_by_id",
]
