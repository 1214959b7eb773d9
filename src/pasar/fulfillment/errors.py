"""fulfillment's errors (problem types under /problems/<code>)."""

from __future__ import annotations

from pasar.platform.errors import Conflict, InvalidInput, NotFound


class ShipmentNotFound(NotFound):
    code = "shipment-not-found"
    title = "Shipment not found"


class CarrierNotFound(NotFound):
    code = "carrier-not-found"
    title = "Carrier not found"


class NothingToShip(Conflict):
    code = "nothing-to-ship"
    title = "Nothing left to ship"


class TooManyUnits(InvalidInput):
    code = "shipment-exceeds-order"
    title = "More units than the order has left to ship"


class WarehouseAmbiguous(InvalidInput):
    code = "warehouse-required"
    title = "Choose the warehouse this shipment leaves from"


class ShipmentLocked(Conflict):
    code = "shipment-locked"
    title = "The shipment can no longer change"


class NotShippable(Conflict):
    code = "not-shippable"
    title = "This seller order cannot ship now"
