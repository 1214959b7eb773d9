"""inventory's public surface is exactly what other modules are meant to use."""

from __future__ import annotations

import pasar.inventory


def test_public_exports_are_deliberate() -> None:
    """Adding or removing an export is a visible, reviewed change."""
    assert set(pasar.inventory.__all__) == {
        "SUBSCRIPTIONS", "AvailabilityChanged", "InsufficientStock", "InvalidQuantity",
        "BulkStock", "bulk_loading", "load_stock",
        "BatchOutcome", "BatchReservation", "reserve_many",
        "LevelReport", "MovementKind", "OfferNotFound", "OwnerKind", "Reservation",
        "ReservationLine", "ShipOrigin", "StockItem", "StockView", "StockLow", "StockNotFound",
        "StockSyncRejected", "SyncMode", "WarehouseCodeTaken", "WarehouseCreate",
        "WarehouseNotFound", "WarehouseUpdate",
        "add_warehouse", "adjust_stock", "availability_of", "commit_sale", "create_warehouse",
        "get_warehouse", "list_stock", "list_warehouses", "low_stock", "offer_availability",
        "receive_return", "receive_stock",
        "release", "reserve", "router", "set_levels", "ship_origins", "update_warehouse",
        "warehouses_by_id",
    }  # fmt: skip
    assert all(hasattr(pasar.inventory, name) for name in pasar.inventory.__all__)
