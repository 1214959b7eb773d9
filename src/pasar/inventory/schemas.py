"""inventory's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pasar.inventory.domain import MovementKind, OwnerKind, SyncMode, validate_cut_off
from pasar.platform.time import validate_timezone
from pasar.platform.types import MAX_INT32, Id

#: Most items one sync call may carry; bigger catalogues sync in several calls.
MAX_SYNC_ITEMS = 5000


class Address(BaseModel):
    address_line1: str = Field(min_length=1, max_length=200)
    address_line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. ID.")


class WarehouseCreate(Address):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    owner_kind: Literal[OwnerKind.SELLER, OwnerKind.THIRD_PARTY] | None = Field(
        default=None,
        description="For seller paths: `seller` (default) or `3pl` (run by `operator_name`).",
    )
    operator_name: str | None = Field(default=None, max_length=200)
    time_zone: str = Field(description="IANA zone, e.g. Asia/Jakarta.")
    cut_off_time: str = Field(default="14:00", description="Local HH:MM order cut-off.")

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return validate_timezone(v)

    @field_validator("cut_off_time")
    @classmethod
    def _cut(cls, v: str) -> str:
        return validate_cut_off(v)


class MarketplaceWarehouseCreate(WarehouseCreate):
    owner_kind: Literal[OwnerKind.MARKETPLACE, OwnerKind.THIRD_PARTY] | None = Field(  # type: ignore[assignment]
        default=None, description="`marketplace` (default) or `3pl`."
    )


class WarehouseUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    operator_name: str | None = Field(default=None, max_length=200)
    address_line1: str | None = Field(default=None, min_length=1, max_length=200)
    address_line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, min_length=1, max_length=20)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    time_zone: str | None = None
    cut_off_time: str | None = None
    is_active: bool | None = None

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        return None if v is None else validate_timezone(v)

    @field_validator("cut_off_time")
    @classmethod
    def _cut(cls, v: str | None) -> str | None:
        return None if v is None else validate_cut_off(v)


class WarehouseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seller_id: Id | None
    owner_kind: OwnerKind
    operator_name: str | None
    code: str
    name: str
    address_line1: str
    address_line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str
    time_zone: str
    cut_off_time: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class StockRead(BaseModel):
    id: int
    offer_id: Id
    warehouse_id: Id
    warehouse_code: str
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int | None
    updated_at: datetime


class AdjustmentCreate(BaseModel):
    offer_id: Id = Field(gt=0)
    warehouse_id: Id = Field(gt=0)
    delta: int = Field(
        ge=-MAX_INT32, le=MAX_INT32, description="Signed change of on-hand units; non-zero."
    )
    kind: Literal[MovementKind.ADJUSTMENT, MovementKind.RECEIPT] = MovementKind.ADJUSTMENT
    reason: str = Field(min_length=1, max_length=200)
    reference: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _sign(self) -> AdjustmentCreate:
        if self.delta == 0:
            raise ValueError("delta must be non-zero")
        if self.kind is MovementKind.RECEIPT and self.delta < 0:
            raise ValueError("a receipt adds stock: delta must be positive")
        return self


class SyncItem(BaseModel):
    offer_id: Id = Field(gt=0)
    warehouse_id: Id | None = Field(default=None, gt=0)
    warehouse_code: str | None = Field(default=None, min_length=1, max_length=40)
    quantity: int = Field(
        ge=-MAX_INT32, le=MAX_INT32, description="Absolute on-hand count, or a signed delta."
    )

    @model_validator(mode="after")
    def _one_warehouse(self) -> SyncItem:
        if (self.warehouse_id is None) == (self.warehouse_code is None):
            raise ValueError("give exactly one of warehouse_id and warehouse_code")
        return self


class SyncRequest(BaseModel):
    mode: SyncMode
    reason: str = Field(default="sync", min_length=1, max_length=200)
    items: list[SyncItem] = Field(min_length=1, max_length=MAX_SYNC_ITEMS)


class LevelReportRead(BaseModel):
    index: int
    offer_id: Id
    warehouse_id: Id
    on_hand_before: int
    on_hand: int
    reserved: int
    available: int


class SyncResult(BaseModel):
    mode: SyncMode
    applied: int
    items: list[LevelReportRead]


class LowStockRead(BaseModel):
    offer_id: Id
    available: int
    low_stock_threshold: int


class MovementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    offer_id: Id
    warehouse_id: Id
    kind: MovementKind
    on_hand_delta: int
    reserved_delta: int
    actor: str
    reason: str | None
    reference: str | None
    created_at: datetime


class AvailabilityRead(BaseModel):
    offer_id: Id
    available: int
    in_stock: bool
