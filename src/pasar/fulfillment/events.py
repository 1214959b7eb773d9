"""fulfillment's events: a shipment's life, as facts consumers can key on.

Every payload carries the shipment, its SellerOrder and seller, so notifications (the
buyer's "shipped" mail), webhooks and analytics need nothing else to route it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from pasar.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ShipmentEvent(DomainEvent):
    name: ClassVar[str] = "shipment.event"

    shipment_id: int
    seller_order_id: int
    order_id: int
    seller_id: int
    carrier: str
    tracking_number: str

    def payload(self) -> dict[str, Any]:
        """`dataclasses.asdict`'s result, read shallowly: every shipment event's fields are
        plain values, and a busy carrier webhook announces hundreds of moves per post."""
        return {name: getattr(self, name) for name in _field_names(type(self))}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type[ShipmentEvent]) -> tuple[str, ...]:
    found = _FIELD_NAMES.get(kind)
    if found is None:
        found = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return found


@dataclass(frozen=True, kw_only=True)
class ShipmentCreated(ShipmentEvent):
    """A label exists: the parcel is packed and waits for the carrier."""

    name: ClassVar[str] = "shipment.created"
    package_count: int


@dataclass(frozen=True, kw_only=True)
class ShipmentHandedOver(ShipmentEvent):
    name: ClassVar[str] = "shipment.handed_over"


@dataclass(frozen=True, kw_only=True)
class ShipmentCancelled(ShipmentEvent):
    name: ClassVar[str] = "shipment.cancelled"


@dataclass(frozen=True, kw_only=True)
class ShipmentStatusChanged(ShipmentEvent):
    """The normalised tracking status moved (in_transit, out_for_delivery, ...)."""

    name: ClassVar[str] = "shipment.status_changed"
    from_status: str
    to_status: str
    location: str | None
    description: str


@dataclass(frozen=True, kw_only=True)
class ShipmentDelivered(ShipmentEvent):
    name: ClassVar[str] = "shipment.delivered"
    where_left: str | None
    on_time: bool


@dataclass(frozen=True, kw_only=True)
class ShipmentDelayed(ShipmentEvent):
    """Flagged before the promise is missed: for the buyer, the seller and support."""

    name: ClassVar[str] = "shipment.delayed"
    reason: str
    detail: str
    promised_date: str
    expected_date: str
