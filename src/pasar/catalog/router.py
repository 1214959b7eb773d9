"""catalog's HTTP layer: categories, products, search, offers and bulk offer import."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Query, Request, Response, status
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from pasar.catalog import importer, offers, search, service
from pasar.catalog.domain import (
    MAX_IMPORT_ROWS,
    ImportMode,
    MalformedFile,
    OfferStatus,
    Sort,
    parse_csv,
)
from pasar.catalog.errors import MalformedImport
from pasar.catalog.product_reads import to_json
from pasar.catalog.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ImportReport,
    OfferCreate,
    OfferRead,
    OfferUpdate,
    ProductCard,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    PublicOffer,
    VariantCreate,
    VariantRead,
)
from pasar.identity import (
    OperatorPrincipal,
    OptionalPrincipal,
    Principal,
    SellerPrincipal,
    ensure_acts_for,
)
from pasar.platform.db import Session
from pasar.platform.pagination import Cursor, Limit, Page
from pasar.platform.routing import GuardedRouter
from pasar.platform.types import Id

router = GuardedRouter(prefix="/api/v1", tags=["catalog"])


def _json(model: BaseModel) -> Response:
    """The hot public reads: the model serialised once, as `response_model` would write
    it, without FastAPI validating the freshly built model a second time."""
    return Response(to_json(model), media_type="application/json")


IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]
MAX_IMPORT_BYTES = 8 * 1024 * 1024


def _currency(request: Request) -> str:
    return str(request.app.state.settings.currency)


MarketCurrency = Annotated[str, Depends(_currency)]


async def _acting_seller(seller_id: Id, principal: SellerPrincipal) -> Principal:
    """Tenancy first: another seller's path is 403 before its body is even validated."""
    ensure_acts_for(principal, seller_id)
    return principal


ActingSeller = Annotated[Principal, Depends(_acting_seller)]


# --- categories -------------------------------------------------------------------------


@router.get("/categories", response_model=Page[CategoryRead])
async def list_categories(
    session: Session,
    _: OptionalPrincipal,
    limit: Limit = 100,
    cursor: Cursor = None,
    parent_id: Id | None = None,
    roots: Annotated[bool, Query(description="Only top-level categories.")] = False,
) -> Page[CategoryRead]:
    """The category tree in depth-first order, or one node's children. Public."""
    return await service.list_categories(
        session, parent_id=parent_id, roots_only=roots, limit=limit, cursor=cursor
    )


@router.get("/categories/{category_id}", response_model=CategoryRead)
async def get_category(category_id: Id, session: Session, _: OptionalPrincipal) -> CategoryRead:
    """One category. Public."""
    return await service.get_category(session, category_id)


@router.post("/categories", status_code=status.HTTP_201_CREATED, response_model=CategoryRead)
async def create_category(
    body: CategoryCreate, _: OperatorPrincipal, session: Session
) -> CategoryRead:
    """Add a category under `parent_id` (or at the top). Operators only."""
    return await service.create_category(
        session, name=body.name, slug=body.slug, parent_id=body.parent_id
    )


@router.patch("/categories/{category_id}", response_model=CategoryRead)
async def rename_category(
    category_id: Id, body: CategoryUpdate, _: OperatorPrincipal, session: Session
) -> CategoryRead:
    """Rename a category. Operators only."""
    return await service.rename_category(session, category_id=category_id, name=body.name)


# --- products ---------------------------------------------------------------------------


@router.get("/products", response_model=Page[ProductCard])
async def list_products(
    session: Session,
    _: OptionalPrincipal,
    limit: Limit = 20,
    cursor: Cursor = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    category: Annotated[Id | None, Query(description="Category id; its subtree.")] = None,
    min_price: Annotated[int | None, Query(ge=0, le=10**13)] = None,
    max_price: Annotated[int | None, Query(ge=0, le=10**13)] = None,
    seller_id: Id | None = None,
    in_stock: bool = False,
    sort: Annotated[
        Sort | None, Query(description="Default: relevance with q, else newest.")
    ] = None,
) -> Response:
    """Search and browse listed products, each with its best offer. Public."""
    page = await search.list_products(
        session,
        q=q,
        category_id=category,
        min_price=min_price,
        max_price=max_price,
        seller_id=seller_id,
        in_stock=in_stock,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return _json(page)


@router.get("/products/{product_id}", response_model=ProductRead)
async def get_product(product_id: Id, session: Session, principal: OptionalPrincipal) -> Response:
    """The product page: details, variants, best offer and how many others. Public."""
    return _json(await service.get_product(session, product_id=product_id, principal=principal))


@router.get("/products/{product_id}/offers", response_model=Page[PublicOffer])
async def list_product_offers(
    product_id: Id,
    session: Session,
    _: OptionalPrincipal,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Every visible offer for the product, cheapest first. Public."""
    page = await offers.list_product_offers(
        session, product_id=product_id, limit=limit, cursor=cursor
    )
    return _json(page)


@router.post("/products", status_code=status.HTTP_201_CREATED, response_model=ProductRead)
async def create_marketplace_product(
    body: ProductCreate, _: OperatorPrincipal, session: Session, key: IdempotencyKey = None
) -> Any:
    """Create a product the marketplace owns (no owning seller). Operators only."""
    return await service.create_product(session, seller_id=None, body=body, idempotency_key=key)


@router.post(
    "/sellers/{seller_id}/products",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductRead,
)
async def create_seller_product(
    seller_id: Id,
    body: ProductCreate,
    _: ActingSeller,
    session: Session,
    key: IdempotencyKey = None,
) -> Any:
    """Create a product owned by the seller. The seller's staff and keys, or operators."""
    return await service.create_product(
        session, seller_id=seller_id, body=body, idempotency_key=key
    )


@router.patch("/products/{product_id}", response_model=ProductRead)
async def update_product(
    product_id: Id, body: ProductUpdate, principal: SellerPrincipal, session: Session
) -> ProductRead:
    """Edit a product. Its owning seller, or operators; others get 404."""
    return await service.update_product(
        session, principal=principal, product_id=product_id, body=body
    )


@router.post(
    "/products/{product_id}/variants",
    status_code=status.HTTP_201_CREATED,
    response_model=VariantRead,
)
async def add_variant(
    product_id: Id, body: VariantCreate, principal: SellerPrincipal, session: Session
) -> VariantRead:
    """Add a variant to a product. Its owning seller, or operators; others get 404."""
    return await service.add_variant(session, principal=principal, product_id=product_id, body=body)


# --- offers -----------------------------------------------------------------------------


@router.get("/offers/{offer_id}", response_model=OfferRead | PublicOffer)
async def get_offer(offer_id: Id, session: Session, principal: OptionalPrincipal) -> Any:
    """A visible offer (public); its seller and operators also see hidden ones in full."""
    return await offers.get_offer(session, offer_id=offer_id, principal=principal)


@router.patch("/offers/{offer_id}", response_model=OfferRead)
async def update_offer(
    offer_id: Id,
    body: OfferUpdate,
    principal: SellerPrincipal,
    session: Session,
    currency: MarketCurrency,
) -> OfferRead:
    """Change an offer's price, status or terms. Its seller, or operators; others get 404."""
    return await offers.update_offer(
        session, principal=principal, offer_id=offer_id, body=body, currency=currency
    )


@router.get("/sellers/{seller_id}/offers", response_model=Page[OfferRead])
async def list_seller_offers(
    seller_id: Id,
    _: ActingSeller,
    session: Session,
    limit: Limit = 50,
    cursor: Cursor = None,
    offer_status: Annotated[OfferStatus | None, Query(alias="status")] = None,
) -> Page[OfferRead]:
    """The seller's offers, hidden ones included. The seller's staff and keys, or operators."""
    return await offers.list_seller_offers(
        session, seller_id=seller_id, status=offer_status, limit=limit, cursor=cursor
    )


@router.post(
    "/sellers/{seller_id}/offers", status_code=status.HTTP_201_CREATED, response_model=OfferRead
)
async def create_offer(
    seller_id: Id,
    body: OfferCreate,
    _: ActingSeller,
    session: Session,
    currency: MarketCurrency,
    key: IdempotencyKey = None,
) -> Any:
    """Offer a variant (by variant_id, sku or gtin). The seller's staff and keys, or operators."""
    return await offers.create_offer(
        session, seller_id=seller_id, body=body, currency=currency, idempotency_key=key
    )


IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


async def _import_rows(request: Request) -> list[Any]:
    """The rows of a JSON list, a CSV body, or a CSV uploaded as form field `file`."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media == "multipart/form-data":
            async with request.form(max_files=1, max_fields=5) as form:
                upload = form.get("file")
                if not isinstance(upload, UploadFile):
                    raise MalformedImport("Upload the CSV as form field `file`.", field="file")
                return parse_csv(await upload.read(MAX_IMPORT_BYTES + 1))
        body = await request.body()
        if len(body) > MAX_IMPORT_BYTES:
            raise MalformedImport(f"Import files are at most {MAX_IMPORT_BYTES} bytes.")
        if media in ("text/csv", "application/csv"):
            return parse_csv(body)
        if media not in ("application/json", ""):
            raise MalformedImport("Send application/json, text/csv or multipart/form-data.")
        try:
            rows = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise MalformedImport("The body is not valid JSON.") from None
    except MalformedFile as exc:
        raise MalformedImport(str(exc)) from None
    if not isinstance(rows, list):
        raise MalformedImport("The JSON body must be a list of rows.")
    if len(rows) > MAX_IMPORT_ROWS:
        raise MalformedImport(f"At most {MAX_IMPORT_ROWS} rows per import.")
    return rows


@router.post(
    "/sellers/{seller_id}/offers/import", response_model=ImportReport, openapi_extra=IMPORT_BODY
)
async def import_offers(
    seller_id: Id,
    request: Request,
    _: ActingSeller,
    session: Session,
    currency: MarketCurrency,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    key: IdempotencyKey = None,
) -> Any:
    """Create or update many offers from JSON or CSV, with a report per row.

    `all_or_nothing` (default) writes nothing if any row is invalid; `partial` writes the
    valid rows. The seller's staff and keys, or operators.
    """
    rows = await _import_rows(request)
    return await importer.run_offer_import(
        session, seller_id=seller_id, rows=rows, mode=mode, currency=currency, idempotency_key=key
    )
