"""Product listing and search: full text, filters, sort and keyset pagination.

Every shape of the query is a range scan on an index whose order is the listing's order
(`ix_products_price`, `ix_products_category_price`, the primary key for "newest"), cut at
`limit + 1` rows; the page after a cursor starts where the last one stopped, so page 1,000
costs what page 1 does. Full text is SQLite FTS5 (`products_fts`, rowid = product id, kept
in sync by triggers) or PostgreSQL's generated `products.search_vector` with a GIN index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    func,
    literal_column,
    select,
    table,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.catalog import reads
from pasar.catalog.domain import (
    OfferStatus,
    ProductStatus,
    Sort,
    cursor_is_valid,
    fts5_query,
    search_terms,
    sort_arity,
    sort_key,
    subtree_range,
    tsquery,
)
from pasar.catalog.errors import CategoryNotFound
from pasar.catalog.models import CatalogSeller, Category, Offer, Product
from pasar.catalog.reads import AnySelect
from pasar.catalog.schemas import ProductCard
from pasar.platform.errors import InvalidInput
from pasar.platform.pagination import Page, decode_cursor, encode_cursor

FTS_TABLE = table("products_fts")


def _text_match(session: AsyncSession, terms: list[str]) -> tuple[Any, ColumnElement[Any]]:
    """(a FROM-able match of product ids, their rank: lower is more relevant)."""
    assert session.bind is not None
    if session.bind.dialect.name == "postgresql":
        query = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery(terms))
        vector: ColumnElement[Any] = literal_column("products.search_vector")
        return vector.op("@@")(query), -func.ts_rank(vector, query)
    matches = (
        select(
            literal_column("rowid").label("product_id"),
            literal_column("bm25(products_fts, 10.0, 5.0, 1.0)").label("rank"),
        )
        .select_from(FTS_TABLE)
        .where(literal_column("products_fts").op("MATCH")(fts5_query(terms)))
        .subquery("matches")
    )
    return matches, matches.c.rank


def _order(statement: AnySelect, sort: Sort, rank: ColumnElement[Any] | None) -> AnySelect:
    if sort is Sort.NEWEST:
        return statement.order_by(Product.id.desc())
    if sort is Sort.PRICE_DESC:
        return statement.order_by(Product.best_price.desc(), Product.id.desc())
    if sort is Sort.RELEVANCE:
        assert rank is not None
        return statement.order_by(rank, Product.id)
    return statement.order_by(Product.best_price, Product.id)


def _after(sort: Sort, values: list[Any], rank: ColumnElement[Any] | None) -> ColumnElement[bool]:
    if sort is Sort.NEWEST:
        return Product.id < int(values[0])
    if sort is Sort.PRICE_DESC:
        return tuple_(Product.best_price, Product.id) < tuple_(*values)
    if sort is Sort.RELEVANCE:
        assert rank is not None
        return tuple_(rank, Product.id) > tuple_(*values)
    return tuple_(Product.best_price, Product.id) > tuple_(*values)


async def list_products(
    session: AsyncSession,
    *,
    q: str | None = None,
    category_id: int | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    seller_id: int | None = None,
    in_stock: bool = False,
    sort: Sort | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page[ProductCard]:
    """Listed products (active, with a visible offer) matching every filter given.

    Prices filter and sort on the best offer's price, the one the card shows.
    """
    sort = sort or (Sort.RELEVANCE if q else Sort.NEWEST)
    if sort is Sort.RELEVANCE and not q:
        raise InvalidInput("Sorting by relevance needs a search query `q`.", field="sort")
    after = decode_cursor(cursor, arity=sort_arity(sort))
    if after is not None and not cursor_is_valid(sort, after):
        raise InvalidInput("The cursor does not match this listing.", field="cursor")
    statement = reads.card_select().where(
        Product.status == ProductStatus.ACTIVE.value, Product.best_price.is_not(None)
    )
    rank: ColumnElement[Any] | None = None
    if q is not None:
        terms = search_terms(q)
        if not terms:
            raise InvalidInput("The search query has no words to look for.", field="q")
        match, rank = _text_match(session, terms)
        if isinstance(match, ColumnElement):
            statement = statement.where(match)
        else:
            statement = statement.join(match, match.c.product_id == Product.id)
        statement = statement.add_columns(rank.label("rank"))
    if category_id is not None:
        path = await session.scalar(select(Category.path).where(Category.id == category_id))
        if path is None:
            raise CategoryNotFound(f"Category {category_id} does not exist.", field="category")
        low, high = subtree_range(path)
        subtree = select(Category.id).where(Category.path >= low, Category.path < high)
        statement = statement.where(Product.category_id.in_(subtree))
    if min_price is not None:
        statement = statement.where(Product.best_price >= min_price)
    if max_price is not None:
        statement = statement.where(Product.best_price <= max_price)
    if in_stock:
        statement = statement.where(Product.in_stock.is_(True))
    if seller_id is not None:
        statement = statement.where(
            exists().where(
                Offer.seller_id == seller_id,
                Offer.product_id == Product.id,
                Offer.status == OfferStatus.ACTIVE.value,
                exists().where(
                    and_(CatalogSeller.id == seller_id, CatalogSeller.sellable.is_(True))
                ),
            )
        )
    if after is not None:
        statement = statement.where(_after(sort, after, rank))
    rows = (await session.execute(_order(statement, sort, rank).limit(limit + 1))).all()
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(
            sort_key(
                sort,
                id=last.id,
                best_price=last.best_price,
                rank=float(last.rank) if rank is not None else None,
            )
        )
    return Page(items=[reads.to_card(r) for r in rows[:limit]], next_cursor=next_cursor)
