"""catalog's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from pasar.catalog.domain import (
    Condition,
    FulfilledBy,
    ImportMode,
    OfferStatus,
    ProductStatus,
    is_valid_gtin,
)
from pasar.platform.money import MinorUnits
from pasar.platform.types import Id


def _gtin(value: str) -> str:
    if not is_valid_gtin(value):
        raise ValueError("not a valid GTIN-8/12/13/14 (digits with a correct check digit)")
    return value


Gtin = Annotated[str, AfterValidator(_gtin)]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]
Dimension = Annotated[int, Field(ge=0, le=100_000_000)]
AttributeValue = str | int | float | bool | list[str]
Currency = Annotated[str, Field(min_length=3, max_length=3)]


class CategoryCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    slug: str | None = Field(default=None, max_length=140, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    parent_id: Id | None = None


class CategoryUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=120)


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    parent_id: Id | None
    name: str
    slug: str
    path: str
    depth: int


class VariantCreate(BaseModel):
    sku: Sku
    gtin: Gtin | None = None
    option_values: dict[str, Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict, max_length=10, examples=[{"size": "M", "colour": "red"}]
    )
    weight_g: Dimension | None = None
    length_mm: Dimension | None = None
    width_mm: Dimension | None = None
    height_mm: Dimension | None = None


class VariantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: Id
    sku: str
    gtin: str | None
    option_values: dict[str, str]
    weight_g: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None


class ProductCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    brand: str | None = Field(default=None, max_length=120)
    category_id: Id | None = None
    images: list[HttpUrl] = Field(default_factory=list, max_length=20)
    attributes: dict[str, AttributeValue] = Field(default_factory=dict, max_length=50)
    status: ProductStatus = ProductStatus.ACTIVE
    variants: list[VariantCreate] = Field(min_length=1, max_length=100)


class ProductUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    brand: str | None = Field(default=None, max_length=120)
    category_id: Id | None = None
    images: list[HttpUrl] | None = Field(default=None, max_length=20)
    attributes: dict[str, AttributeValue] | None = Field(default=None, max_length=50)
    status: ProductStatus | None = None


class SellerRef(BaseModel):
    """Who sells an offer ("sold by")."""

    id: int
    name: str | None


class OfferSummary(BaseModel):
    """The offer a product is shown with."""

    id: int
    seller: SellerRef
    variant_id: Id
    price_amount: int
    currency: str
    condition: Condition
    fulfilled_by: FulfilledBy
    in_stock: bool


class ProductCard(BaseModel):
    """A product in a listing: its best offer and how many other offers there are."""

    id: int
    title: str
    slug: str
    brand: str | None
    image: str | None
    category_id: Id | None
    in_stock: bool
    offer_count: int
    other_offers_count: int
    best_offer: OfferSummary | None


class ProductRead(BaseModel):
    id: int
    owner_seller_id: Id | None
    title: str
    slug: str
    description: str
    brand: str | None
    category: CategoryRead | None
    images: list[str]
    attributes: dict[str, Any]
    status: ProductStatus
    in_stock: bool
    offer_count: int
    other_offers_count: int
    best_offer: OfferSummary | None
    variants: list[VariantRead]
    created_at: datetime
    updated_at: datetime


class OfferCreate(BaseModel):
    """Name the variant by id, sku or gtin (exactly one)."""

    variant_id: Id | None = None
    sku: str | None = Field(default=None, max_length=64)
    gtin: Gtin | None = None
    price_amount: MinorUnits
    currency: Currency | None = None
    condition: Condition = Condition.NEW
    seller_sku: str | None = Field(default=None, max_length=64)
    fulfilled_by: FulfilledBy = FulfilledBy.SELLER
    status: OfferStatus = OfferStatus.ACTIVE
    low_stock_threshold: int = Field(default=5, ge=0, le=1_000_000)

    @model_validator(mode="after")
    def _one_variant_key(self) -> OfferCreate:
        given = [k for k in ("variant_id", "sku", "gtin") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of variant_id, sku or gtin")
        return self


class OfferUpdate(BaseModel):
    price_amount: MinorUnits | None = None
    currency: Currency | None = None
    seller_sku: str | None = Field(default=None, max_length=64)
    fulfilled_by: FulfilledBy | None = None
    status: OfferStatus | None = None
    low_stock_threshold: int | None = Field(default=None, ge=0, le=1_000_000)


class OfferRead(BaseModel):
    """An offer as its seller (or an operator) sees it."""

    id: int
    seller: SellerRef
    fulfilled_by: FulfilledBy
    product_id: Id
    variant_id: Id
    sku: str
    price_amount: int
    currency: str
    condition: Condition
    seller_sku: str | None
    status: OfferStatus
    low_stock_threshold: int
    available: int
    in_stock: bool
    visible: bool
    created_at: datetime
    updated_at: datetime


class PublicOffer(BaseModel):
    """An offer as a buyer sees it on the product page: sold by, fulfilled by, price."""

    id: int
    seller: SellerRef
    fulfilled_by: FulfilledBy
    product_id: Id
    variant_id: Id
    sku: str
    price_amount: int
    currency: str
    condition: Condition
    in_stock: bool


class RowErrorRead(BaseModel):
    field: str
    message: str


class ImportRowReport(BaseModel):
    row: int = Field(description="1-based position of the row in the file (CSV: data line).")
    status: Literal["created", "updated", "unchanged", "rejected"]
    offer_id: Id | None = None
    errors: list[RowErrorRead] = Field(default_factory=list)


class ImportReport(BaseModel):
    mode: ImportMode
    created: int
    updated: int
    unchanged: int
    rejected: int
    rows: list[ImportRowReport]
