"""fulfillment's request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pasar.platform.types import Id

SHIPMENT_IDS = Field(min_length=1, max_length=200, description="Up to 200 shipment ids.")


class ShipmentLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_line_id: Id
    quantity: int = Field(ge=1, le=10_000)


class PackageIn(BaseModel):
    """One box. Dimensions are optional; given, the carrier bills dimensional weight."""

    model_config = ConfigDict(extra="forbid")

    weight_grams: int = Field(ge=1, le=1_000_000)
    length_mm: int | None = Field(default=None, ge=1, le=5_000)
    width_mm: int | None = Field(default=None, ge=1, le=5_000)
    height_mm: int | None = Field(default=None, ge=1, le=5_000)


class ShipmentCreate(BaseModel):
    """Lines omitted: everything not yet shipped. Carrier and service omitted: the buyer's
    choice at checkout. Warehouse omitted: the one holding the lines' stock."""

    model_config = ConfigDict(extra="forbid")

    packages: list[PackageIn] = Field(min_length=1, max_length=20)
    lines: list[ShipmentLineIn] | None = Field(default=None, min_length=1, max_length=200)
    carrier: str | None = Field(default=None, min_length=1, max_length=40)
    service: str | None = Field(default=None, min_length=1, max_length=40)
    warehouse_id: Id | None = None


class ShipmentIds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shipment_ids: list[Id] = SHIPMENT_IDS


class ShipmentLineRead(BaseModel):
    order_line_id: int
    sku: str
    title: str
    quantity: int


class PackageRead(BaseModel):
    seq: int
    weight_grams: int
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None


class TrackingEventRead(BaseModel):
    status: str
    code: str
    description: str
    location: str | None
    occurred_at: datetime


class DelayRead(BaseModel):
    reason: str
    detail: str | None
    flagged_at: datetime


class ShipmentRead(BaseModel):
    id: int
    seller_order_id: int
    seller_order_number: str
    order_id: int
    seller_id: int
    warehouse_id: int
    carrier: str
    carrier_name: str
    service: str
    service_name: str
    tracking_number: str
    tracking_url: str
    status: str
    label_cost: int
    currency: str
    ship_by: date
    promised_date: date
    expected_date: date
    #: Delivered on or before the promise; None while under way.
    on_time: bool | None
    delay: DelayRead | None
    proof: dict[str, Any] | None
    handed_over_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    lines: list[ShipmentLineRead]
    packages: list[PackageRead]
    events: list[TrackingEventRead]


class PickOrderRead(BaseModel):
    seller_order_number: str
    quantity: int


class PickRowRead(BaseModel):
    location: str | None
    sku: str
    title: str
    quantity: int
    orders: list[PickOrderRead]


class PickListRead(BaseModel):
    warehouse_id: int
    warehouse_name: str
    due_by: date
    order_count: int
    unit_count: int
    rows: list[PickRowRead]


class CarrierPerformance(BaseModel):
    carrier: str
    delivered: int
    on_time: int
    on_time_rate: float | None
    late: int


class DeliveryPerformance(BaseModel):
    """Promises against what happened, for parcels delivered in the window."""

    since: date
    delivered: int
    on_time: int
    on_time_rate: float | None
    in_transit: int
    flagged_late: int
    by_carrier: list[CarrierPerformance]


class CarrierRead(BaseModel):
    code: str
    name: str
