"""inventory's errors, each with a stable problem code.

InvalidInput
├── InvalidQuantity        invalid-quantity        zero/negative where a positive count is due
└── StockSyncRejected      stock-sync-rejected     a bulk sync had bad items; nothing applied
NotFound
├── WarehouseNotFound      warehouse-not-found     absent, or another seller's
├── OfferNotFound          offer-not-found         absent, or another seller's
└── StockNotFound          stock-not-found         no stock row for (offer, warehouse)
Conflict
├── InsufficientStock      insufficient-stock      not enough available (or reserved) units
└── WarehouseCodeTaken     warehouse-code-taken    code already used by this owner
"""

from __future__ import annotations

from typing import Any

from pasar.platform.errors import Conflict, InvalidInput, NotFound


class InvalidQuantity(InvalidInput):
    code = "invalid-quantity"
    title = "Invalid quantity"


class StockSyncRejected(InvalidInput):
    code = "stock-sync-rejected"
    title = "Stock sync rejected"


class WarehouseNotFound(NotFound):
    code = "warehouse-not-found"
    title = "Warehouse not found"


class OfferNotFound(NotFound):
    code = "offer-not-found"
    title = "Offer not found"


class StockNotFound(NotFound):
    code = "stock-not-found"
    title = "Stock not found"


class WarehouseCodeTaken(Conflict):
    code = "warehouse-code-taken"
    title = "Warehouse code taken"


class InsufficientStock(Conflict):
    """Raised before anything is written: the caller's transaction is untouched."""

    code = "insufficient-stock"
    title = "Insufficient stock"

    def __init__(
        self, detail: str, *, offer_id: int, requested: int, available: int, **extra: Any
    ) -> None:
        super().__init__(
            detail,
            field="quantity",
            offer_id=offer_id,
            requested=requested,
            available=available,
            **extra,
        )
        self.offer_id = offer_id
        self.requested = requested
        self.available = available
