"""Offers: one seller's price for one variant in one condition, and who fulfils it.

An offer is visible to buyers while it is active and its seller is sellable; every change
here re-ranks the product's summary in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.catalog import product_reads
from pasar.catalog.domain import OfferStatus
from pasar.catalog.errors import (
    CurrencyMismatch,
    OfferExists,
    OfferNotFound,
    UnknownVariant,
)
from pasar.catalog.events import OfferCreated, OfferPriceChanged, OfferUpdated
from pasar.catalog.models import CatalogSeller, Offer, Product, Variant
from pasar.catalog.projection import refresh_products
from pasar.catalog.reads import AnySelect
from pasar.catalog.schemas import OfferCreate, OfferRead, OfferUpdate, PublicOffer, SellerRef
from pasar.identity import Principal
from pasar.platform.errors import InvalidInput
from pasar.platform.idempotency import run_idempotent
from pasar.platform.outbox import emit
from pasar.platform.pagination import Page, decode_cursor, encode_cursor
from pasar.platform.time import utcnow

CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class OfferRef:
    """The facts inventory needs about an offer: whose it is and how it ships."""

    offer_id: int
    seller_id: int
    variant_id: int
    product_id: int
    low_stock_threshold: int
    fulfilled_by: str


def _offer_select() -> AnySelect:
    return (
        select(Offer, Variant.sku, CatalogSeller.name, CatalogSeller.sellable)
        .join(Variant, Variant.id == Offer.variant_id)
        .outerjoin(CatalogSeller, CatalogSeller.id == Offer.seller_id)
    )


def _visible(row: Any) -> bool:
    return bool(row.Offer.status == OfferStatus.ACTIVE.value and row.sellable)


def _offer_read(row: Any) -> OfferRead:
    offer: Offer = row.Offer
    visible = _visible(row)
    return OfferRead(
        id=offer.id,
        seller=SellerRef(id=offer.seller_id, name=row.name),
        fulfilled_by=offer.fulfilled_by,
        product_id=offer.product_id,
        variant_id=offer.variant_id,
        sku=row.sku,
        price_amount=offer.price_amount,
        currency=offer.currency,
        condition=offer.condition,
        seller_sku=offer.seller_sku,
        status=offer.status,
        low_stock_threshold=offer.low_stock_threshold,
        available=offer.available,
        in_stock=visible and offer.available > 0,
        visible=visible,
        created_at=offer.created_at,
        updated_at=offer.updated_at,
    )


def check_currency(given: str | None, currency: str) -> None:
    if given is not None and given.strip().upper() != currency:
        raise CurrencyMismatch(
            f"Offers on this marketplace are priced in {currency}, not {given}.", field="currency"
        )


async def _resolve_variant(session: AsyncSession, body: OfferCreate) -> tuple[int, int]:
    if body.variant_id is not None:
        where, field, value = Variant.id == body.variant_id, "variant_id", str(body.variant_id)
    elif body.sku is not None:
        where, field, value = Variant.sku == body.sku, "sku", body.sku
    else:
        where, field, value = Variant.gtin == body.gtin, "gtin", str(body.gtin)
    row = (await session.execute(select(Variant.id, Variant.product_id).where(where))).first()
    if row is None:
        raise UnknownVariant(f"No variant has {field} {value}.", field=field)
    return row.id, row.product_id


async def read_offer(session: AsyncSession, offer_id: int) -> OfferRead:
    row = (await session.execute(_offer_select().where(Offer.id == offer_id))).first()
    if row is None:
        raise OfferNotFound(f"Offer {offer_id} does not exist.")
    return _offer_read(row)


async def create_offer(
    session: AsyncSession,
    *,
    seller_id: int,
    body: OfferCreate,
    currency: str,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """Offer a variant; one offer per seller, variant and condition (else offer-exists)."""
    check_currency(body.currency, currency)

    async def work() -> dict[str, Any]:
        variant_id, product_id = await _resolve_variant(session, body)
        clash = await session.scalar(
            select(Offer.id).where(
                Offer.seller_id == seller_id,
                Offer.variant_id == variant_id,
                Offer.condition == body.condition.value,
            )
        )
        if clash is not None:
            raise OfferExists(
                f"Offer {clash} already sells this variant in condition {body.condition.value}; "
                "update it instead.",
                field="condition",
                offer_id=clash,
            )
        now = utcnow()
        offer_id = await session.scalar(
            insert(Offer)
            .values(
                seller_id=seller_id,
                variant_id=variant_id,
                product_id=product_id,
                price_amount=body.price_amount,
                currency=currency,
                condition=body.condition.value,
                seller_sku=body.seller_sku,
                fulfilled_by=body.fulfilled_by.value,
                status=body.status.value,
                low_stock_threshold=body.low_stock_threshold,
                available=0,
                created_at=now,
                updated_at=now,
            )
            .returning(Offer.id)
        )
        assert offer_id is not None
        await refresh_products(session, [product_id])
        await emit(
            session,
            OfferCreated(
                offer_id=offer_id,
                seller_id=seller_id,
                variant_id=variant_id,
                product_id=product_id,
                price_amount=body.price_amount,
                currency=currency,
            ),
        )
        return (await read_offer(session, offer_id)).model_dump(mode="json")

    return await run_idempotent(
        session,
        scope=f"catalog.offer:{seller_id}",
        key=idempotency_key,
        request=body.model_dump(mode="json"),
        work=work,
    )


async def update_offer(
    session: AsyncSession,
    *,
    principal: Principal,
    offer_id: int,
    body: OfferUpdate,
    currency: str,
) -> OfferRead:
    """Change price, status or terms; another seller's offer is 'not found'."""
    offer = await session.get(Offer, offer_id)
    if offer is None or not principal.acts_for(offer.seller_id):
        raise OfferNotFound(f"Offer {offer_id} does not exist.")
    check_currency(body.currency, currency)
    given = body.model_dump(exclude_unset=True, exclude={"currency"}, mode="json")
    changes = {k: v for k, v in given.items() if v is not None and getattr(offer, k) != v}
    if changes:
        old_price = offer.price_amount
        await session.execute(
            update(Offer)
            .where(Offer.id == offer_id)
            .values(**changes, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        await refresh_products(session, [offer.product_id])
        events: list[Any] = [
            OfferUpdated(offer_id=offer_id, seller_id=offer.seller_id, fields=sorted(changes))
        ]
        if "price_amount" in changes:
            events.append(
                OfferPriceChanged(
                    offer_id=offer_id,
                    seller_id=offer.seller_id,
                    product_id=offer.product_id,
                    old_price_amount=old_price,
                    new_price_amount=changes["price_amount"],
                    currency=offer.currency,
                )
            )
        await emit(session, *events)
    await session.commit()
    session.expire_all()
    return await read_offer(session, offer_id)


async def get_offer(
    session: AsyncSession, *, offer_id: int, principal: Principal | None
) -> OfferRead | PublicOffer:
    """Buyers see a visible offer; its seller and operators see it whatever its state."""
    row = (await session.execute(_offer_select().where(Offer.id == offer_id))).first()
    if row is None:
        raise OfferNotFound(f"Offer {offer_id} does not exist.")
    if principal is not None and principal.acts_for(row.Offer.seller_id):
        return _offer_read(row)
    if not _visible(row):
        raise OfferNotFound(f"Offer {offer_id} does not exist.")
    return _public(row)


def _public(row: Any) -> PublicOffer:
    full = _offer_read(row)
    return PublicOffer.model_validate(full.model_dump(include=set(PublicOffer.model_fields)))


async def list_seller_offers(
    session: AsyncSession,
    *,
    seller_id: int,
    status: OfferStatus | None,
    limit: int,
    cursor: str | None,
    q: str | None = None,
) -> Page[OfferRead]:
    """All of a seller's offers, hidden ones included, oldest first (index seller_id, id).

    `q` keeps offers whose SKU or seller SKU starts with it, or whose product title has it.
    """
    after = decode_cursor(cursor, arity=1)
    statement = _offer_select().where(Offer.seller_id == seller_id)
    if status is not None:
        statement = statement.where(Offer.status == status.value)
    if q:
        like = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        titled = select(Product.id).where(Product.title.ilike(f"%{like}%", escape="\\"))
        statement = statement.where(
            Variant.sku.ilike(f"{like}%", escape="\\")
            | Offer.seller_sku.ilike(f"{like}%", escape="\\")
            | Offer.product_id.in_(titled)
        )
    if after is not None:
        if not isinstance(after[0], int):
            raise InvalidInput("The cursor does not match this listing.", field="cursor")
        statement = statement.where(Offer.id > after[0])
    rows = (await session.execute(statement.order_by(Offer.id).limit(limit + 1))).all()
    next_cursor = encode_cursor([rows[limit - 1].Offer.id]) if len(rows) > limit else None
    return Page(items=[_offer_read(r) for r in rows[:limit]], next_cursor=next_cursor)


async def list_product_offers(
    session: AsyncSession, *, product_id: int, limit: int, cursor: str | None
) -> Page[PublicOffer]:
    """A listed product's visible offers, cheapest first (index product_id, price, id)."""
    after = decode_cursor(cursor, arity=2)
    if after is not None and not all(isinstance(v, int) and not isinstance(v, bool) for v in after):
        raise InvalidInput("The cursor does not match this listing.", field="cursor")
    return await product_reads.product_offers(
        session, product_id=product_id, limit=limit, after=after
    )


@dataclass(frozen=True, slots=True)
class OfferLabel:
    """How a seller's page names an offer: its variant's SKU and its product's title."""

    offer_id: int
    sku: str
    seller_sku: str | None
    title: str


async def offer_labels(session: AsyncSession, offer_ids: Sequence[int]) -> dict[int, OfferLabel]:
    """Each offer's SKU and product title; unknown ids are simply absent."""
    found: dict[int, OfferLabel] = {}
    ids = sorted(set(offer_ids))
    for start in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(Offer.id, Offer.seller_sku, Variant.sku, Product.title)
            .join(Variant, Variant.id == Offer.variant_id)
            .join(Product, Product.id == Offer.product_id)
            .where(Offer.id.in_(ids[start : start + CHUNK]))
        )
        for r in rows:
            found[r.id] = OfferLabel(
                offer_id=r.id, sku=r.sku, seller_sku=r.seller_sku, title=r.title
            )
    return found


async def offer_refs(session: AsyncSession, offer_ids: Sequence[int]) -> dict[int, OfferRef]:
    """Who owns each offer, for inventory's tenancy checks; unknown ids are simply absent."""
    found: dict[int, OfferRef] = {}
    ids = sorted(set(offer_ids))
    for start in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(
                Offer.id,
                Offer.seller_id,
                Offer.variant_id,
                Offer.product_id,
                Offer.low_stock_threshold,
                Offer.fulfilled_by,
            ).where(Offer.id.in_(ids[start : start + CHUNK]))
        )
        for r in rows:
            found[r.id] = OfferRef(
                offer_id=r.id,
                seller_id=r.seller_id,
                variant_id=r.variant_id,
                product_id=r.product_id,
                low_stock_threshold=r.low_stock_threshold,
                fulfilled_by=r.fulfilled_by,
            )
    return found
