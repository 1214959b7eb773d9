"""Past-tense facts the catalog emits (to the outbox, in the transaction that made them)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from pasar.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CatalogEvent(DomainEvent):
    """Flat payloads built without `dataclasses.asdict`'s deep copy: imports emit thousands."""

    def payload(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, kw_only=True)
class ProductCreated(CatalogEvent):
    name = "product.created"

    product_id: int
    owner_seller_id: int | None


@dataclass(frozen=True, kw_only=True)
class ProductUpdated(CatalogEvent):
    name = "product.updated"

    product_id: int
    fields: list[str]


@dataclass(frozen=True, kw_only=True)
class OfferCreated(CatalogEvent):
    name = "offer.created"

    offer_id: int
    seller_id: int
    variant_id: int
    product_id: int
    price_amount: int
    currency: str


@dataclass(frozen=True, kw_only=True)
class OfferUpdated(CatalogEvent):
    name = "offer.updated"

    offer_id: int
    seller_id: int
    fields: list[str]


@dataclass(frozen=True, kw_only=True)
class OfferPriceChanged(CatalogEvent):
    name = "offer.price_changed"

    offer_id: int
    seller_id: int
    product_id: int
    old_price_amount: int
    new_price_amount: int
    currency: str
