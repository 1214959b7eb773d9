"""The seller portal's product page: a product's details, editable by the seller who owns it.

Reached from an offer ("Product details"). Products are shared: another seller may offer
the same one. `catalog.update_product` decides who may change it (its owning seller, or
an operator); a product owned by the marketplace or another seller is shown read-only.
Every read and write goes through the catalog's public service, as the JSON API's
`PATCH /api/v1/products/{id}` does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from pasar import catalog
from pasar.identity import Principal
from pasar.platform.db import Session
from pasar.platform.errors import DomainError
from pasar.platform.types import Id
from pasar.web.auth import PortalRoute
from pasar.web.forms import field_errors, text
from pasar.web.i18n import N_
from pasar.web.seller import Staff, _portal, _redirect, _seller, _web
from pasar.web.templating import translate

#: Included by `seller_catalog` under its `/seller` prefix.
router = APIRouter(include_in_schema=False, route_class=PortalRoute)

PRODUCT_FIELDS = ("title", "description", "brand", "category_id", "images", "attributes", "status")
PRODUCT_STATUS_LABELS = {"active": N_("Listed"), "inactive": N_("Hidden from buyers")}
#: Categories offered in the form's list (the catalog's tree, depth first).
CATEGORY_CHOICES = 500
#: The form's field for each of the service's error locations.
PRODUCT_FIELD_NAMES = {f"images.{i}": "images" for i in range(20)}


def _attributes_text(attributes: dict[str, Any]) -> str:
    """One `name: value` line per attribute; lists are comma-separated."""
    lines = []
    for name, value in attributes.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"{name}: {shown}")
    return "\n".join(lines)


def _parse_attributes(value: str) -> dict[str, str]:
    """`name: value` lines back into attributes; a line without a colon is refused."""
    found: dict[str, str] = {}
    for line in value.splitlines():
        if not line.strip():
            continue
        name, colon, rest = line.partition(":")
        if not colon or not name.strip():
            raise ValueError(line)
        found[name.strip()] = rest.strip()
    return found


def _values_of(product: catalog.ProductRead) -> dict[str, str]:
    attributes = _attributes_text(product.attributes)
    return {
        "title": product.title,
        "description": product.description,
        "brand": product.brand or "",
        "category_id": str(product.category.id) if product.category else "",
        "images": "\n".join(product.images),
        "attributes": attributes,
        "attributes_before": attributes,
        "status": product.status.value,
    }


async def _product_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    product_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    product = await catalog.get_product(session, product_id=product_id, principal=principal)
    categories = await catalog.list_categories(
        session, parent_id=None, roots_only=False, limit=CATEGORY_CHOICES, cursor=None
    )
    return _portal(
        request,
        "seller/product.html",
        status_code=status_code,
        product=product,
        editable=product.owner_seller_id == _seller(principal),
        categories=categories.items,
        errors=errors or {},
        values=values or _values_of(product),
        product_status_labels=PRODUCT_STATUS_LABELS,
    )


@router.get("/products/{product_id}")
async def product(product_id: Id, request: Request, session: Session, principal: Staff) -> Response:
    return await _product_page(request, session, principal, product_id)


def _update_of(request: Request, values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The changes the form asks for, or an error per field."""
    changes: dict[str, Any] = {
        "title": values["title"],
        "description": values["description"],
        "brand": values["brand"] or None,
        "category_id": values["category_id"] or None,
        "images": [line.strip() for line in values["images"].splitlines() if line.strip()],
        "status": values["status"] or None,
    }
    errors: dict[str, str] = {}
    if values["attributes"] != values["attributes_before"]:  # untouched: kept as they are
        try:
            changes["attributes"] = _parse_attributes(values["attributes"])
        except ValueError:
            errors["attributes"] = translate(
                request, N_("Write one attribute per line, as name: value.")
            )
    return changes, errors


@router.post("/products/{product_id}")
async def update_product(
    product_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """Change the product through `catalog.update_product`, which refuses a product this
    seller does not own (the 404 page)."""
    form = await request.form()
    values = {name: text(form, name) for name in (*PRODUCT_FIELDS, "attributes_before")}
    changes, errors = _update_of(request, values)
    body = None
    try:
        body = catalog.ProductUpdate(**changes)
    except ValidationError as exc:
        for name, message in field_errors(exc, PRODUCT_FIELD_NAMES).items():
            errors.setdefault(name, message)
    if errors or body is None:
        return await _product_page(
            request, session, principal, product_id, errors=errors, values=values, status_code=422
        )
    try:
        await catalog.update_product(session, principal=principal, product_id=product_id, body=body)
    except catalog.ProductNotFound:  # not this seller's to change: the 404 page
        raise
    except DomainError as exc:
        await session.rollback()
        field = exc.field if exc.field in PRODUCT_FIELDS else "form"
        return await _product_page(
            request,
            session,
            principal,
            product_id,
            errors={field or "form": exc.detail},
            values=values,
            status_code=exc.status,
        )
    _web(request).flash(translate(request, N_("The product is saved.")))
    return _redirect(f"/seller/products/{product_id}")
