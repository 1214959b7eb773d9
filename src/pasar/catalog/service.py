"""Categories and products: use cases. `add_*` functions only flush, so other modules
(the demo generator, later a product-feed importer) can compose them in one transaction;
`create_*` / `update_*` functions own their transaction and commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.catalog import product_reads
from pasar.catalog.domain import (
    MAX_CATEGORY_DEPTH,
    ProductStatus,
    child_path,
    slugify,
)
from pasar.catalog.errors import (
    CategoryNotFound,
    CategoryTooDeep,
    GtinTaken,
    ProductNotFound,
    SkuTaken,
    SlugTaken,
)
from pasar.catalog.events import ProductCreated, ProductUpdated
from pasar.catalog.models import Category, Product, Variant
from pasar.catalog.schemas import (
    CategoryRead,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    VariantCreate,
    VariantRead,
)
from pasar.identity import Principal
from pasar.platform.errors import InvalidInput
from pasar.platform.idempotency import run_idempotent
from pasar.platform.outbox import emit
from pasar.platform.pagination import Page, decode_cursor, encode_cursor
from pasar.platform.time import utcnow

CHUNK = 5_000

# --- categories -------------------------------------------------------------------------


async def add_category(
    session: AsyncSession, *, name: str, slug: str | None = None, parent_id: int | None = None
) -> Category:
    """Add a category inside the caller's transaction (flushes, does not commit)."""
    parent_path: str | None = None
    depth = 0
    if parent_id is not None:
        parent = await session.get(Category, parent_id)
        if parent is None:
            raise CategoryNotFound(f"Category {parent_id} does not exist.", field="parent_id")
        if parent.depth + 1 >= MAX_CATEGORY_DEPTH:
            raise CategoryTooDeep(
                f"Categories nest at most {MAX_CATEGORY_DEPTH} levels.", field="parent_id"
            )
        parent_path, depth = parent.path, parent.depth + 1
    slug = slug or slugify(name)
    if await session.scalar(select(Category.id).where(Category.slug == slug)) is not None:
        raise SlugTaken(f"A category already uses the slug {slug!r}.", field="slug")
    # The path holds the new id, which exists only after the insert: write a unique
    # placeholder, flush, then set the real path.
    category = Category(
        parent_id=parent_id,
        name=name,
        slug=slug,
        path=f"~{slug}",
        depth=depth,
        created_at=utcnow(),
    )
    session.add(category)
    await session.flush()
    category.path = child_path(parent_path, category.id)
    await session.flush()
    return category


async def create_category(
    session: AsyncSession, *, name: str, slug: str | None = None, parent_id: int | None = None
) -> CategoryRead:
    category = await add_category(session, name=name, slug=slug, parent_id=parent_id)
    await session.commit()
    return CategoryRead.model_validate(category)


async def rename_category(session: AsyncSession, *, category_id: int, name: str) -> CategoryRead:
    category = await session.get(Category, category_id)
    if category is None:
        raise CategoryNotFound(f"Category {category_id} does not exist.")
    category.name = name
    await session.commit()
    return CategoryRead.model_validate(category)


async def get_category(session: AsyncSession, category_id: int) -> CategoryRead:
    category = await session.get(Category, category_id)
    if category is None:
        raise CategoryNotFound(f"Category {category_id} does not exist.")
    return CategoryRead.model_validate(category)


async def list_categories(
    session: AsyncSession,
    *,
    parent_id: int | None,
    roots_only: bool,
    limit: int,
    cursor: str | None,
) -> Page[CategoryRead]:
    """Categories in tree (path) order, so a page is a depth-first slice of the tree."""
    after = decode_cursor(cursor, arity=1)
    statement = select(Category).order_by(Category.path).limit(limit + 1)
    if parent_id is not None:
        statement = statement.where(Category.parent_id == parent_id)
    elif roots_only:
        statement = statement.where(Category.parent_id.is_(None))
    if after is not None:
        if not isinstance(after[0], str):
            raise InvalidInput("The cursor is not one this API issued.", field="cursor")
        statement = statement.where(Category.path > after[0])
    rows = list((await session.scalars(statement)).all())
    next_cursor = encode_cursor([rows[limit - 1].path]) if len(rows) > limit else None
    return Page(
        items=[CategoryRead.model_validate(c) for c in rows[:limit]], next_cursor=next_cursor
    )


# --- products ---------------------------------------------------------------------------


async def _check_variant_keys(session: AsyncSession, variants: Sequence[VariantCreate]) -> None:
    """Refuse duplicate SKUs/GTINs (in the batch or already stored) with a named field."""
    skus = [v.sku for v in variants]
    gtins = [v.gtin for v in variants if v.gtin is not None]
    for label, values, error in (("sku", skus, SkuTaken), ("gtin", gtins, GtinTaken)):
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise error(f"The {label} {value!r} appears twice.", field=label)
            seen.add(value)
    column = {"sku": Variant.sku, "gtin": Variant.gtin}
    for label, values, error in (("sku", skus, SkuTaken), ("gtin", gtins, GtinTaken)):
        for start in range(0, len(values), CHUNK):
            taken = await session.scalar(
                select(column[label]).where(column[label].in_(values[start : start + CHUNK]))
            )
            if taken is not None:
                raise error(f"The {label} {taken!r} is already used.", field=label)


async def _check_categories(session: AsyncSession, ids: set[int]) -> None:
    if not ids:
        return
    found = set((await session.scalars(select(Category.id).where(Category.id.in_(ids)))).all())
    missing = ids - found
    if missing:
        raise CategoryNotFound(f"Category {min(missing)} does not exist.", field="category_id")


def _variant_row(product_id: int, variant: VariantCreate, now: Any) -> dict[str, Any]:
    return {"product_id": product_id, "created_at": now, **variant.model_dump()}


async def _reserve_product_ids(session: AsyncSession, count: int) -> list[int]:
    """Ids for `count` new products, so one executemany INSERT needs no RETURNING.

    (A multi-row INSERT … RETURNING in parameter order falls back to one round trip per
    row on SQLite.) PostgreSQL draws them from the column's sequence; on SQLite the
    transaction began IMMEDIATE and holds the write lock, so max(id) + 1… is ours alone.
    """
    assert session.bind is not None
    if session.bind.dialect.name == "postgresql":
        rows = await session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('products', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return [int(r[0]) for r in rows]
    start = int(await session.scalar(select(func.coalesce(func.max(Product.id), 0))) or 0)
    return list(range(start + 1, start + count + 1))


async def add_products(
    session: AsyncSession, *, seller_id: int | None, products: Sequence[ProductCreate]
) -> list[int]:
    """Insert products and their variants in bulk (flushes, does not commit); returns ids.

    `seller_id` None means the marketplace owns the product. Built for thousands per call:
    one multi-row INSERT for products, one for variants, one for their events.
    """
    if not products:
        return []
    await _check_categories(session, {p.category_id for p in products if p.category_id})
    await _check_variant_keys(session, [v for p in products for v in p.variants])
    now = utcnow()
    product_rows = [
        {
            "owner_seller_id": seller_id,
            "title": p.title,
            "slug": slugify(p.title),
            "description": p.description,
            "brand": p.brand,
            "category_id": p.category_id,
            "images": [str(url) for url in p.images],
            "attributes": p.attributes,
            "status": p.status.value,
            "offer_count": 0,
            "in_stock": False,
            "created_at": now,
            "updated_at": now,
        }
        for p in products
    ]
    ids = await _reserve_product_ids(session, len(product_rows))
    rows_with_ids = [{"id": i, **row} for i, row in zip(ids, product_rows, strict=True)]
    await session.execute(insert(Product), rows_with_ids)
    variant_rows = [
        _variant_row(pid, v, now) for pid, p in zip(ids, products, strict=True) for v in p.variants
    ]
    await session.execute(insert(Variant), variant_rows)
    await emit(session, *(ProductCreated(product_id=i, owner_seller_id=seller_id) for i in ids))
    return ids


async def create_product(
    session: AsyncSession,
    *,
    seller_id: int | None,
    body: ProductCreate,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """Create one product with its variants; a retried key returns the first result."""

    async def work() -> dict[str, Any]:
        [product_id] = await add_products(session, seller_id=seller_id, products=[body])
        return (await _read_product(session, product_id)).model_dump(mode="json")

    return await run_idempotent(
        session,
        scope=f"catalog.product:{seller_id}",
        key=idempotency_key,
        request=body.model_dump(mode="json"),
        work=work,
    )


async def _owned_product(session: AsyncSession, principal: Principal, product_id: int) -> Product:
    """The product if the caller may change it; another seller's product is 'not found'."""
    product = await session.get(Product, product_id)
    if product is None or not (
        principal.is_operator
        or (product.owner_seller_id is not None and principal.acts_for(product.owner_seller_id))
    ):
        raise ProductNotFound(f"Product {product_id} does not exist.")
    return product


async def update_product(
    session: AsyncSession, *, principal: Principal, product_id: int, body: ProductUpdate
) -> ProductRead:
    product = await _owned_product(session, principal, product_id)
    changes = body.model_dump(exclude_unset=True, mode="json")
    if "category_id" in changes and changes["category_id"] is not None:
        await _check_categories(session, {changes["category_id"]})
    for name in ("title", "status"):
        if name in changes and changes[name] is None:
            del changes[name]
    if "title" in changes:
        changes["slug"] = slugify(changes["title"])
    if "description" in changes and changes["description"] is None:
        changes["description"] = ""
    for name in ("images", "attributes"):
        if name in changes and changes[name] is None:
            changes[name] = [] if name == "images" else {}
    if changes:
        await session.execute(
            update(Product)
            .where(Product.id == product.id)
            .values(**changes, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        await emit(session, ProductUpdated(product_id=product.id, fields=sorted(changes)))
    await session.commit()
    session.expire_all()
    return await _read_product(session, product_id)


async def add_variant(
    session: AsyncSession, *, principal: Principal, product_id: int, body: VariantCreate
) -> VariantRead:
    product = await _owned_product(session, principal, product_id)
    await _check_variant_keys(session, [body])
    variant = Variant(**_variant_row(product.id, body, utcnow()))
    session.add(variant)
    await session.flush()
    await emit(session, ProductUpdated(product_id=product.id, fields=["variants"]))
    await session.commit()
    return VariantRead.model_validate(variant)


async def _read_product(session: AsyncSession, product_id: int) -> ProductRead:
    return await product_reads.read_product(session, product_id)


async def get_product(
    session: AsyncSession, *, product_id: int, principal: Principal | None
) -> ProductRead:
    """The product page in two statements whatever the number of offers: the product with
    its category and best offer, then its variants. Inactive products are visible only to
    their owner and operators.
    """
    product = await _read_product(session, product_id)
    if product.status is not ProductStatus.ACTIVE and not _may_see_hidden(principal, product):
        raise ProductNotFound(f"Product {product_id} does not exist.")
    return product


def _may_see_hidden(principal: Principal | None, product: ProductRead) -> bool:
    if principal is None:
        return False
    owner = product.owner_seller_id
    return principal.is_operator or (owner is not None and principal.acts_for(owner))
