"""The product page and its offer list as prebuilt Core statements with bound parameters.

These are the hottest public reads. Built once at import, a statement costs per request
only its cache key (no ORM entity loading, no per-request construction of clauses), and
rows come back as plain tuples. The HTTP layer sends the pydantic serializer's JSON bytes
itself (`to_json`), the same bytes FastAPI would write after validating the model again.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.catalog import reads
from pasar.catalog.domain import OfferStatus, ProductStatus
from pasar.catalog.errors import ProductNotFound
from pasar.catalog.models import CatalogSeller, Category, Offer, Product, Variant
from pasar.catalog.schemas import CategoryRead, ProductRead, PublicOffer, SellerRef, VariantRead
from pasar.platform.pagination import Page, encode_cursor

_product = Product.__table__.c
_category = Category.__table__.c
_variant = Variant.__table__.c
_offer = Offer.__table__.c
_seller = CatalogSeller.__table__.c
_best_offer = Offer.__table__.alias("best_offer")
_best_seller = CatalogSeller.__table__.alias("best_seller")

#: Plain table columns, not ORM attributes: executed on the session's connection they take
#: Core's path (no ORM compile state or row loading).
PRODUCT = (
    select(
        _product.id,
        _product.owner_seller_id,
        _product.title,
        _product.slug,
        _product.description,
        _product.brand,
        _product.images,
        _product.attributes,
        _product.status,
        _product.in_stock,
        _product.offer_count,
        _product.created_at,
        _product.updated_at,
        _category.id.label("category_pk"),
        _category.parent_id.label("category_parent_id"),
        _category.name.label("category_name"),
        _category.slug.label("category_slug"),
        _category.path.label("category_path"),
        _category.depth.label("category_depth"),
        _best_offer.c.id.label("offer_id"),
        _best_offer.c.seller_id.label("offer_seller_id"),
        _best_offer.c.variant_id.label("offer_variant_id"),
        _best_offer.c.price_amount.label("offer_price_amount"),
        _best_offer.c.currency.label("offer_currency"),
        _best_offer.c.condition.label("offer_condition"),
        _best_offer.c.fulfilled_by.label("offer_fulfilled_by"),
        _best_offer.c.available.label("offer_available"),
        _best_seller.c.name.label("offer_seller_name"),
    )
    .select_from(
        Product.__table__.outerjoin(_best_offer, _best_offer.c.id == _product.best_offer_id)
        .outerjoin(_best_seller, _best_seller.c.id == _best_offer.c.seller_id)
        .outerjoin(Category.__table__, _category.id == _product.category_id)
    )
    .where(_product.id == bindparam("product_id"))
)

VARIANTS = (
    select(
        _variant.id,
        _variant.product_id,
        _variant.sku,
        _variant.gtin,
        _variant.option_values,
        _variant.weight_g,
        _variant.length_mm,
        _variant.width_mm,
        _variant.height_mm,
    )
    .where(_variant.product_id == bindparam("product_id"))
    .order_by(_variant.id)
)

PRODUCT_STATUS = select(_product.status).where(_product.id == bindparam("product_id"))

_OFFERS = (
    select(
        _offer.id,
        _offer.seller_id,
        _seller.name,
        _offer.fulfilled_by,
        _offer.product_id,
        _offer.variant_id,
        _variant.sku,
        _offer.price_amount,
        _offer.currency,
        _offer.condition,
        _offer.available,
    )
    .select_from(
        Offer.__table__.join(Variant.__table__, _variant.id == _offer.variant_id).join(
            CatalogSeller.__table__, _seller.id == _offer.seller_id
        )
    )
    .where(
        _offer.product_id == bindparam("product_id"),
        _offer.status == OfferStatus.ACTIVE.value,
        _seller.sellable.is_(True),
    )
    .order_by(_offer.price_amount, _offer.id)
    .limit(bindparam("limit"))
)
#: Visible offers cheapest first, from the start or after (price, id) of a cursor.
OFFERS_FIRST = _OFFERS
OFFERS_AFTER = _OFFERS.where(
    or_(
        _offer.price_amount > bindparam("after_price"),
        and_(
            _offer.price_amount == bindparam("after_price"),
            _offer.id > bindparam("after_id"),
        ),
    )
)


async def _rows(session: AsyncSession, statement: Any, params: dict[str, Any]) -> list[Any]:
    """Run a Core statement on the session's connection (its transaction)."""
    connection = await session.connection()
    return list((await connection.execute(statement, params)).all())


def to_json(model: BaseModel) -> bytes:
    """The model as FastAPI's response_model serialisation writes it (same serializer)."""
    return type(model).__pydantic_serializer__.to_json(model)


async def read_product(session: AsyncSession, product_id: int) -> ProductRead:
    """The product with its category, best offer and variants, in two statements."""
    found = await _rows(session, PRODUCT, {"product_id": product_id})
    if not found:
        raise ProductNotFound(f"Product {product_id} does not exist.")
    row = found[0]
    variants = await _rows(session, VARIANTS, {"product_id": product_id})
    best = reads.offer_summary(row)
    category = None
    if row.category_pk is not None:
        category = CategoryRead(
            id=row.category_pk,
            parent_id=row.category_parent_id,
            name=row.category_name,
            slug=row.category_slug,
            path=row.category_path,
            depth=row.category_depth,
        )
    return ProductRead(
        id=row.id,
        owner_seller_id=row.owner_seller_id,
        title=row.title,
        slug=row.slug,
        description=row.description,
        brand=row.brand,
        category=category,
        images=row.images,
        attributes=row.attributes,
        status=ProductStatus(row.status),
        in_stock=row.in_stock,
        offer_count=row.offer_count,
        other_offers_count=reads.other_offers(row.offer_count, best is not None),
        best_offer=best,
        variants=[VariantRead(**v._mapping) for v in variants],
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _public(row: Any) -> PublicOffer:
    return PublicOffer(
        id=row.id,
        seller=SellerRef(id=row.seller_id, name=row.name),
        fulfilled_by=row.fulfilled_by,
        product_id=row.product_id,
        variant_id=row.variant_id,
        sku=row.sku,
        price_amount=row.price_amount,
        currency=row.currency,
        condition=row.condition,
        in_stock=row.available > 0,
    )


async def product_offers(
    session: AsyncSession, *, product_id: int, limit: int, after: list[int] | None
) -> Page[PublicOffer]:
    """A listed product's visible offers, cheapest first (index product_id, price, id)."""
    found = await _rows(session, PRODUCT_STATUS, {"product_id": product_id})
    if not found or found[0].status != ProductStatus.ACTIVE.value:
        raise ProductNotFound(f"Product {product_id} does not exist.")
    params: dict[str, Any] = {"product_id": product_id, "limit": limit + 1}
    statement = OFFERS_FIRST
    if after is not None:
        statement = OFFERS_AFTER
        params["after_price"], params["after_id"] = after
    rows = await _rows(session, statement, params)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.price_amount, last.id])
    return Page(items=[_public(r) for r in rows[:limit]], next_cursor=next_cursor)
