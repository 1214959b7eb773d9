"""Facts from other modules, and the product summary they feed.

`seller.status_changed` and `inventory.availability_changed` arrive inside the emitter's
transaction. Each handler changes the catalog's own rows and then refreshes the summary
of every affected product in ONE set-based UPDATE, so suspending a seller with 10,000
offers hides them all in two statements, and listings never compute a best offer at
read time. The ordering below is `domain.best_offer`, written in SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.catalog.domain import OfferStatus
from pasar.catalog.models import CatalogSeller, Offer, Product
from pasar.platform.time import utcnow

CHUNK = 5_000


def visible_offer(offer: type[Offer] = Offer) -> ColumnElement[bool]:
    """SQL for domain.is_visible: active, and the seller is sellable right now."""
    return and_(
        offer.status == OfferStatus.ACTIVE.value,
        exists().where(CatalogSeller.id == offer.seller_id, CatalogSeller.sellable.is_(True)),
    )


def _summary_values() -> dict[str, Any]:
    mine = and_(Offer.product_id == Product.id, visible_offer())
    ranked = (
        select(Offer.id)
        .where(mine)
        .order_by(case((Offer.available > 0, 0), else_=1), Offer.price_amount, Offer.id)
        .limit(1)
        .correlate(Product)
        .scalar_subquery()
    )
    best_price = (
        select(Offer.price_amount)
        .where(mine)
        .order_by(case((Offer.available > 0, 0), else_=1), Offer.price_amount, Offer.id)
        .limit(1)
        .correlate(Product)
        .scalar_subquery()
    )
    count = select(func.count()).where(mine).correlate(Product).scalar_subquery()
    in_stock = exists().where(mine, Offer.available > 0).correlate(Product)
    return {
        "best_offer_id": ranked,
        "best_price": best_price,
        "offer_count": count,
        "in_stock": in_stock,
    }


async def refresh_products(
    session: AsyncSession, product_ids: Collection[int] | Select[int]
) -> None:
    """Recompute best offer, best price, offer count and stock flag for these products."""
    if isinstance(product_ids, Select):
        await session.execute(
            update(Product)
            .where(Product.id.in_(product_ids))
            .values(_summary_values())
            .execution_options(synchronize_session=False)
        )
        return
    ids = sorted(set(product_ids))
    for start in range(0, len(ids), CHUNK):
        await session.execute(
            update(Product)
            .where(Product.id.in_(ids[start : start + CHUNK]))
            .values(_summary_values())
            .execution_options(synchronize_session=False)
        )


async def on_seller_status_changed(
    session: AsyncSession, payloads: Sequence[Mapping[str, Any]]
) -> None:
    """Upsert each seller's projection, then re-rank every product the seller offers."""
    for payload in payloads:
        await _seller_changed(session, payload)


async def _seller_changed(session: AsyncSession, payload: Mapping[str, Any]) -> None:
    seller_id = int(payload["seller_id"])
    values = {
        "id": seller_id,
        "name": str(payload["name"]),
        "sellable": bool(payload["sellable"]),
        "is_first_party": bool(payload.get("is_first_party", False)),
        "updated_at": utcnow(),
    }
    assert session.bind is not None
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(CatalogSeller).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[CatalogSeller.id],
        set_={k: statement.excluded[k] for k in values if k != "id"},
    )
    await session.execute(statement)
    affected = select(Offer.product_id).where(Offer.seller_id == seller_id).distinct()
    await refresh_products(session, affected)


#: One UPDATE for any number of offers (arrays, so the statement text never changes).
SET_AVAILABLE = text(
    "UPDATE offers SET available = v.qty FROM unnest("
    "CAST(:ids AS bigint[]), CAST(:qty AS integer[])) AS v(id, qty) WHERE offers.id = v.id"
)


async def on_availability_changed(
    session: AsyncSession, payloads: Sequence[Mapping[str, Any]]
) -> None:
    """Record offers' sellable stock (one statement) and re-rank their products (one per
    5,000 offers): a batch of 1,000 orders moves about as many offers."""
    latest = {int(p["offer_id"]): max(0, int(p["available"])) for p in payloads}
    if not latest:
        return
    ids = sorted(latest)
    assert session.bind is not None
    if session.bind.dialect.name == "postgresql":
        await session.execute(SET_AVAILABLE, {"ids": ids, "qty": [latest[i] for i in ids]})
        listed = bindparam("offer_ids", ids, type_=postgresql.ARRAY(BigInteger))
        affected = select(Offer.product_id).where(Offer.id == any_(listed)).distinct()
        await refresh_products(session, affected)
        return
    offers = cast(Table, Offer.__table__)
    connection = await session.connection()
    await connection.execute(
        update(offers).where(offers.c.id == bindparam("oid")).values(available=bindparam("qty")),
        [{"oid": offer_id, "qty": latest[offer_id]} for offer_id in ids],
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        await refresh_products(
            session, select(Offer.product_id).where(Offer.id.in_(chunk)).distinct()
        )


SUBSCRIPTIONS = {
    "seller.status_changed": on_seller_status_changed,
    "inventory.availability_changed": on_availability_changed,
}
