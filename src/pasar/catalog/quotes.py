"""Offer quotes: what checkout needs to price and show a cart line, in one SELECT.

A quote is the catalog's word on an offer right now: its price, what it is, who sells it
and whether a buyer may still put it in a basket. Checkout re-reads quotes on every cart
read, so this is one indexed join however many lines the cart has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.catalog.domain import OfferStatus, ProductStatus
from pasar.catalog.models import CatalogSeller, Offer, Product, Variant

CHUNK = 5_000

#: Why an offer cannot be bought, in the order they are checked.
OFFER_INACTIVE = "offer_inactive"
PRODUCT_INACTIVE = "product_inactive"
SELLER_UNAVAILABLE = "seller_unavailable"


@dataclass(frozen=True, slots=True)
class OfferQuote:
    offer_id: int
    seller_id: int
    seller_name: str | None
    product_id: int
    variant_id: int
    title: str
    sku: str
    image_url: str | None
    price_amount: int
    currency: str
    condition: str
    fulfilled_by: str
    #: The catalog's copy of sellable units (inventory's events keep it current).
    available: int
    weight_grams: int | None
    purchasable: bool
    #: None when purchasable, else OFFER_INACTIVE, PRODUCT_INACTIVE or SELLER_UNAVAILABLE.
    reason: str | None


def line_title(title: str, options: Mapping[str, Any] | None) -> str:
    """'Kopi Gayo 250 g — Whole bean': the product's title and its variant's option values."""
    values = [str(v) for v in (options or {}).values() if str(v).strip()]
    return f"{title} — {', '.join(values)}" if values else title


def blocked_because(offer_status: str, product_status: str, sellable: bool | None) -> str | None:
    if offer_status != OfferStatus.ACTIVE.value:
        return OFFER_INACTIVE
    if product_status != ProductStatus.ACTIVE.value:
        return PRODUCT_INACTIVE
    if not sellable:
        return SELLER_UNAVAILABLE
    return None


async def quote_offers(session: AsyncSession, offer_ids: Sequence[int]) -> dict[int, OfferQuote]:
    """Quotes for these offers; unknown ids are simply absent."""
    ids = sorted(set(offer_ids))
    found: dict[int, OfferQuote] = {}
    for start in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(
                Offer.id,
                Offer.seller_id,
                Offer.product_id,
                Offer.variant_id,
                Offer.price_amount,
                Offer.currency,
                Offer.condition,
                Offer.fulfilled_by,
                Offer.status,
                Offer.available,
                Variant.sku,
                Variant.option_values,
                Variant.weight_g,
                Product.title,
                Product.images,
                Product.status.label("product_status"),
                CatalogSeller.name.label("seller_name"),
                CatalogSeller.sellable,
            )
            .join(Variant, Variant.id == Offer.variant_id)
            .join(Product, Product.id == Offer.product_id)
            .outerjoin(CatalogSeller, CatalogSeller.id == Offer.seller_id)
            .where(Offer.id.in_(ids[start : start + CHUNK]))
        )
        for r in rows:
            reason = blocked_because(r.status, r.product_status, r.sellable)
            found[r.id] = OfferQuote(
                offer_id=r.id,
                seller_id=r.seller_id,
                seller_name=r.seller_name,
                product_id=r.product_id,
                variant_id=r.variant_id,
                title=line_title(r.title, r.option_values),
                sku=r.sku,
                image_url=str(r.images[0]) if r.images else None,
                price_amount=r.price_amount,
                currency=r.currency,
                condition=r.condition,
                fulfilled_by=r.fulfilled_by,
                available=r.available,
                weight_grams=r.weight_g,
                purchasable=reason is None,
                reason=reason,
            )
    return found
