"""Facts the inventory module publishes. Consumers select them by `name`."""

from __future__ import annotations

from dataclasses import dataclass

from pasar.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class AvailabilityChanged(DomainEvent):
    """An offer's sellable units (on hand minus reserved, over active warehouses) changed."""

    name = "inventory.availability_changed"
    offer_id: int
    available: int


@dataclass(frozen=True, kw_only=True)
class StockLow(DomainEvent):
    """Availability fell to or below the offer's low-stock threshold (emitted on the crossing)."""

    name = "inventory.stock_low"
    offer_id: int
    seller_id: int
    available: int
    threshold: int
