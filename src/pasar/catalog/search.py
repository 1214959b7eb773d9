"""Product listing and search: full text, filters, sort and keyset pagination.

Every shape of the query is a range scan on an index whose order is the listing's order
(`ix_products_price`, `ix_products_category_price`, the primary key for "newest"), cut at
`limit + 1` rows; the page after a cursor starts where the last one stopped, so page 1,000
costs what page 1 does. A category's subtree is first resolved to its ids: a listing of
several categories in price or id order is one such range per category, merged, because one
scan of `ix_products_price` filtered by category walks every cheaper product of the other
categories first (hundreds of thousands on a large catalog). Full text is SQLite FTS5
(`products_fts`, rowid = product id, kept in sync by triggers) or PostgreSQL's generated
`products.search_vector` with a GIN index.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    String,
    and_,
    any_,
    bindparam,
    exists,
    func,
    literal_column,
    select,
    table,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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
    tsquery,
)
from pasar.catalog.errors import CategoryNotFound
from pasar.catalog.models import CatalogSeller, Category, Offer, Product
from pasar.catalog.reads import AnySelect
from pasar.catalog.schemas import ProductCard
from pasar.platform.errors import InvalidInput
from pasar.platform.pagination import Page, decode_cursor, encode_cursor

FTS_TABLE = table("products_fts")

#: Subtrees up to this many categories are listed as one index range per category, merged.
MAX_MERGED_CATEGORIES = 64


def _text_match(postgresql: bool) -> tuple[Any, ColumnElement[Any]]:
    """(a FROM-able match of product ids, their rank: lower is more relevant); the query
    text is the bound parameter `text_query` (`domain.tsquery` / `domain.fts5_query`)."""
    if postgresql:
        query = func.to_tsquery(
            literal_column("'simple'::regconfig"), bindparam("text_query", type_=String)
        )
        vector: ColumnElement[Any] = literal_column("products.search_vector")
        return vector.op("@@")(query), -func.ts_rank(vector, query)
    matches = (
        select(
            literal_column("rowid").label("product_id"),
            literal_column("bm25(products_fts, 10.0, 5.0, 1.0)").label("rank"),
        )
        .select_from(FTS_TABLE)
        .where(literal_column("products_fts").op("MATCH")(bindparam("text_query", type_=String)))
        .subquery("matches")
    )
    return matches, matches.c.rank


#: A text search sorted by price or date orders by expressions no index provides, so the
#: database finds the matches first (GIN / FTS5) and sorts only them. Ordered by the bare
#: columns, PostgreSQL may walk `ix_products_price` or the primary key testing every row
#: against the query: 200,000 rows (half a second) for a word only dear products carry.
MATCHES_FIRST = SimpleNamespace(id=Product.id + 0, best_price=Product.best_price + 0)


def _is_postgresql(session: AsyncSession) -> bool:
    assert session.bind is not None
    return session.bind.dialect.name == "postgresql"


def _order(
    statement: AnySelect,
    sort: Sort,
    rank: ColumnElement[Any] | None,
    columns: Any = Product,
) -> AnySelect:
    """ORDER BY for `sort`, on the products table or on a merged listing's columns."""
    if sort is Sort.NEWEST:
        return statement.order_by(columns.id.desc())
    if sort is Sort.PRICE_DESC:
        return statement.order_by(columns.best_price.desc(), columns.id.desc())
    if sort is Sort.RELEVANCE:
        assert rank is not None
        return statement.order_by(rank, columns.id)
    return statement.order_by(columns.best_price, columns.id)


def _subtree_select() -> Any:
    root = aliased(Category, name="root")
    high = func.substr(root.path, 1, func.length(root.path) - 1).concat("0")
    return (
        select(Category.id, exists().where(Product.category_id == Category.id))
        .join(root, and_(Category.path >= root.path, Category.path < high))
        .where(root.id == bindparam("category_id"))
        .order_by(Category.id)
    )


#: Built once: constructing them costs more CPU than running them (selects are immutable;
#: each request derives its own with `.where`).
SUBTREE = _subtree_select()
LISTED = reads.card_select().where(
    Product.status == ProductStatus.ACTIVE.value, Product.best_price.is_not(None)
)


async def _subtree(session: AsyncSession, category_id: int) -> list[int]:
    """The ids of a category and those of its descendants that hold products, in one
    statement (none at all: no such category). The bounds are `domain.subtree_range`
    written in SQL. Empty categories (typically the inner nodes) are left out: PostgreSQL
    may look for "the newest product of category X" by walking the primary key, which
    for a category with no products means walking the whole table."""
    found = (await session.execute(SUBTREE, {"category_id": category_id})).all()
    if not found:
        raise CategoryNotFound(f"Category {category_id} does not exist.", field="category")
    return [cid for cid, filled in found if filled] or [category_id]


def _merged(statement: AnySelect, sort: Sort, limit: int) -> AnySelect:
    """PostgreSQL: the first `limit` product ids of each category in listing order (a
    LATERAL range of (category_id, best_price, id) or (category_id, id) per category),
    the first `limit` of those, then their cards. One statement shape whatever the number
    of categories, so it is compiled once."""
    assert statement.whereclause is not None
    subtree = (
        func.unnest(bindparam("subtree", type_=ARRAY(BigInteger)))
        .table_valued("id")
        .render_derived(name="subtree")
    )
    # `= ANY(ARRAY[id])` rather than `= id`, and the category leading the order: with a
    # plain equality PostgreSQL drops the (then constant) category from the order and may
    # walk the whole primary key or price index filtering by category (seconds when the
    # category is empty or its prices are far from the filter's). This way only the
    # category's own index range gives that order.
    lead = Product.category_id.desc() if sort is not Sort.PRICE_ASC else Product.category_id
    branch = select(Product.id, Product.best_price).where(
        statement.whereclause, Product.category_id == any_(array([subtree.c.id]))
    )
    head = _order(branch.order_by(lead), sort, None).limit(limit).lateral("head")
    ids = _order(select(head.c.id).select_from(subtree).join(head, true()), sort, None, head.c)
    return _order(statement.where(Product.id.in_(ids.limit(limit))), sort, None).limit(limit)


def _after(sort: Sort, rank: ColumnElement[Any] | None) -> ColumnElement[bool]:
    """Rows after the cursor's values, bound as `after_0` (and `after_1`)."""
    last_id = bindparam("after_id", type_=BigInteger)
    if sort is Sort.NEWEST:
        return Product.id < last_id
    if sort is Sort.PRICE_DESC:
        return tuple_(Product.best_price, Product.id) < tuple_(
            bindparam("after_0", type_=BigInteger), last_id
        )
    if sort is Sort.RELEVANCE:
        assert rank is not None
        return tuple_(rank, Product.id) > tuple_(bindparam("after_0", type_=Float), last_id)
    return tuple_(Product.best_price, Product.id) > tuple_(
        bindparam("after_0", type_=BigInteger), last_id
    )


@dataclass(frozen=True)
class _Shape:
    """What decides a listing's SQL; every value in it is a bound parameter."""

    postgresql: bool
    text: bool
    #: None, "one" (= :category_id), "merge" (:subtree, PostgreSQL) or "in" (:categories)
    categories: str | None
    min_price: bool
    max_price: bool
    in_stock: bool
    seller: bool
    after: bool
    sort: Sort
    limit: int


@functools.lru_cache(maxsize=512)
def _statement(shape: _Shape) -> AnySelect:
    """The listing's statement for a shape, built once: constructing it costs more CPU
    than running it. The cache holds SQL only (no rows), bounded by `maxsize`."""
    statement = LISTED
    rank: ColumnElement[Any] | None = None
    if shape.text:
        match, rank = _text_match(shape.postgresql)
        if isinstance(match, ColumnElement):
            statement = statement.where(match)
        else:
            statement = statement.join(match, match.c.product_id == Product.id)
        statement = statement.add_columns(rank.label("rank"))
    if shape.categories == "one":
        statement = statement.where(Product.category_id == bindparam("category_id"))
    elif shape.categories == "in":
        statement = statement.where(
            Product.category_id.in_(bindparam("categories", expanding=True))
        )
    if shape.min_price:
        statement = statement.where(Product.best_price >= bindparam("min_price"))
    if shape.max_price:
        statement = statement.where(Product.best_price <= bindparam("max_price"))
    if shape.in_stock:
        statement = statement.where(Product.in_stock.is_(True))
    if shape.seller:
        seller_id = bindparam("seller_id", type_=BigInteger)
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
    if shape.after:
        statement = statement.where(_after(shape.sort, rank))
    if shape.categories == "merge":
        return _merged(statement, shape.sort, shape.limit + 1)
    if rank is not None and shape.sort is not Sort.RELEVANCE:
        return _order(statement, shape.sort, rank, MATCHES_FIRST).limit(shape.limit + 1)
    return _order(statement, shape.sort, rank).limit(shape.limit + 1)


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
    postgresql = _is_postgresql(session)
    params: dict[str, Any] = {}
    if q is not None:
        terms = search_terms(q)
        if not terms:
            raise InvalidInput("The search query has no words to look for.", field="q")
        params["text_query"] = tsquery(terms) if postgresql else fts5_query(terms)
    categories: str | None = None
    if category_id is not None:
        subtree = await _subtree(session, category_id)
        if len(subtree) == 1:
            categories, params["category_id"] = "one", subtree[0]
        elif q is None and len(subtree) <= MAX_MERGED_CATEGORIES and postgresql:
            categories, params["subtree"] = "merge", subtree
        else:
            categories, params["categories"] = "in", subtree
    if min_price is not None:
        params["min_price"] = min_price
    if max_price is not None:
        params["max_price"] = max_price
    if seller_id is not None:
        params["seller_id"] = seller_id
    if after is not None:
        params["after_id"] = int(after[-1])
        if len(after) == 2:
            params["after_0"] = after[0]
    shape = _Shape(
        postgresql=postgresql,
        text=q is not None,
        categories=categories,
        min_price=min_price is not None,
        max_price=max_price is not None,
        in_stock=in_stock,
        seller=seller_id is not None,
        after=after is not None,
        sort=sort,
        limit=limit,
    )
    rows = (await session.execute(_statement(shape), params)).all()
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(
            sort_key(
                sort,
                id=last.id,
                best_price=last.best_price,
                rank=float(last.rank) if q is not None else None,
            )
        )
    return reads.card_page(rows[:limit], next_cursor)
