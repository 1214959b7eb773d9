"""Read shapes shared by listings and the product page: one row per product, joined once.

The product row already names its best offer (`best_offer_id`), so a card is the product,
that offer and its seller's name in a single indexed join — no per-product queries.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from pasar.catalog.models import CatalogSeller, Offer, Product
from pasar.catalog.schemas import OfferSummary, ProductCard, SellerRef
from pasar.platform.pagination import Page

#: Any SELECT, whatever its columns (SQLAlchemy 2.1 types selects by their row shape).
AnySelect: TypeAlias = Select[*tuple[Any, ...]]

BestOffer = aliased(Offer, name="best_offer")
BestSeller = aliased(CatalogSeller, name="best_seller")

OFFER_COLUMNS = (
    BestOffer.id.label("offer_id"),
    BestOffer.seller_id.label("offer_seller_id"),
    BestOffer.variant_id.label("offer_variant_id"),
    BestOffer.price_amount.label("offer_price_amount"),
    BestOffer.currency.label("offer_currency"),
    BestOffer.condition.label("offer_condition"),
    BestOffer.fulfilled_by.label("offer_fulfilled_by"),
    BestOffer.available.label("offer_available"),
    BestSeller.name.label("offer_seller_name"),
)

CARD_COLUMNS = (
    Product.id,
    Product.title,
    Product.slug,
    Product.brand,
    Product.images,
    Product.category_id,
    Product.in_stock,
    Product.offer_count,
    Product.best_price,
    *OFFER_COLUMNS,
)


def with_best_offer(statement: AnySelect) -> AnySelect:
    return statement.outerjoin(BestOffer, BestOffer.id == Product.best_offer_id).outerjoin(
        BestSeller, BestSeller.id == BestOffer.seller_id
    )


def card_select() -> AnySelect:
    return with_best_offer(select(*CARD_COLUMNS))


def offer_summary(row: Any) -> OfferSummary | None:
    if row.offer_id is None:
        return None
    return OfferSummary(
        id=row.offer_id,
        seller=SellerRef(id=row.offer_seller_id, name=row.offer_seller_name),
        variant_id=row.offer_variant_id,
        price_amount=row.offer_price_amount,
        currency=row.offer_currency,
        condition=row.offer_condition,
        fulfilled_by=row.offer_fulfilled_by,
        in_stock=row.offer_available > 0,
    )


def other_offers(offer_count: int, has_best: bool) -> int:
    return max(0, offer_count - 1) if has_best else 0


CARD_PAGE = Page[ProductCard]


def _card(row: Any) -> dict[str, Any]:
    (
        id_,
        title,
        slug,
        brand,
        images,
        category_id,
        in_stock,
        offer_count,
        _best_price,
        offer_id,
        seller_id,
        variant_id,
        price_amount,
        currency,
        condition,
        fulfilled_by,
        available,
        seller_name,
    ) = row[: len(CARD_COLUMNS)]
    best = None
    if offer_id is not None:
        best = {
            "id": offer_id,
            "seller": {"id": seller_id, "name": seller_name},
            "variant_id": variant_id,
            "price_amount": price_amount,
            "currency": currency,
            "condition": condition,
            "fulfilled_by": fulfilled_by,
            "in_stock": available > 0,
        }
    return {
        "id": id_,
        "title": title,
        "slug": slug,
        "brand": brand,
        "image": images[0] if images else None,
        "category_id": category_id,
        "in_stock": in_stock,
        "offer_count": offer_count,
        "other_offers_count": other_offers(offer_count, best is not None),
        "best_offer": best,
    }


def card_page(rows: Any, next_cursor: str | None) -> Page[ProductCard]:
    """Rows of `card_select` as a page of cards, validated in one pass (not one model
    constructor per card and per offer)."""
    return CARD_PAGE.model_validate({"items": [_card(r) for r in rows], "next_cursor": next_cursor})
