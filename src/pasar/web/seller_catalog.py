"""The seller portal's catalog pages: offers, bulk import, stock and settings.

For a seller's staff, like the rest of the portal (`seller.py`). Every page reads and every
form acts through the modules' public services (`catalog`, `inventory`, `sellers`), the
functions the JSON API's seller routes call, always with the signed-in user's own
`seller_id`: another seller's offer or warehouse is simply not found (the 404 page). Forms
post and redirect (POST/redirect/GET), or re-render with the services' errors inline.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from pasar import catalog, inventory, sellers
from pasar.identity import Principal
from pasar.platform.db import Session
from pasar.platform.errors import DomainError
from pasar.platform.money import minor_units
from pasar.platform.types import Id
from pasar.web.auth import PortalRoute
from pasar.web.forms import field_errors, text
from pasar.web.i18n import N_
from pasar.web.seller import ERROR_KEY, Staff, _portal, _redirect, _seller, _web
from pasar.web.seller_products import router as products_router
from pasar.web.seller_threepl import router as threepl_router
from pasar.web.templating import translate

router = APIRouter(prefix="/seller", include_in_schema=False, route_class=PortalRoute)

PAGE_SIZE = 50
#: Offers the stock page's "add stock" form lets one choose from.
OFFER_CHOICES = 200
MAX_IMPORT_BYTES = 8 * 1024 * 1024
CONDITION_LABELS = {
    "new": N_("New"),
    "refurbished": N_("Refurbished"),
    "used_like_new": N_("Used, like new"),
    "used_good": N_("Used, good"),
    "used_acceptable": N_("Used, acceptable"),
}
OFFER_STATUS_LABELS = {"active": N_("On sale"), "inactive": N_("Paused")}
FULFILLED_BY_LABELS = {
    "seller": N_("You (from your warehouse)"),
    "marketplace": N_("The marketplace"),
}
#: The same, in the offers table's few words.
FULFILLED_BY_SHORT = {"seller": N_("You"), "marketplace": N_("Marketplace")}
IMPORT_STATUS_LABELS = {
    "created": N_("Created"),
    "updated": N_("Updated"),
    "unchanged": N_("Unchanged"),
    "rejected": N_("Rejected"),
}
OFFER_FIELDS = (
    "title",
    "sku",
    "price",
    "condition",
    "seller_sku",
    "status",
    "threshold",
    "fulfilled_by",
)
#: The offer form's field for each of the services' field names.
OFFER_FIELD_NAMES = {
    "price_amount": "price",
    "low_stock_threshold": "threshold",
    "variant_id": "sku",
    "gtin": "sku",
    "variants.0.sku": "sku",
    "variants": "sku",
}
WAREHOUSE_FIELDS = (
    "code",
    "name",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "time_zone",
    "cut_off_time",
    "operator_name",
)
#: Who runs a warehouse a seller adds (chosen once, when it is added).
WAREHOUSE_OWNER_LABELS = {"seller": N_("You"), "3pl": N_("A 3PL (logistics company)")}
POLICY_FIELDS = (
    "handling_days",
    "ship_from_timezone",
    "cut_off_time",
    "return_window_days",
    "service_email",
    "service_phone",
    "service_hours",
)


def _currency(request: Request) -> str:
    return str(request.app.state.settings.currency)


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    return _portal(
        request,
        name,
        status_code=status_code,
        condition_labels=CONDITION_LABELS,
        offer_status_labels=OFFER_STATUS_LABELS,
        fulfilled_by_labels=FULFILLED_BY_LABELS,
        fulfilled_by_short=FULFILLED_BY_SHORT,
        **context,
    )


def _price(value: str, places: int) -> int:
    """A price typed in major units ("12.50") in minor units (1250)."""
    amount = Decimal(value.replace(",", "."))
    if not amount.is_finite() or amount < 0 or amount > 10**11:
        raise InvalidOperation
    return int(amount.scaleb(places).to_integral_value())


def _major(amount: int, places: int) -> str:
    return str(Decimal(amount).scaleb(-places)) if places else str(amount)


def _whole(value: str) -> int:
    if not value.lstrip("-").isdigit() or len(value) > 10:
        raise ValueError
    return int(value)


def _domain_errors(exc: DomainError, names: dict[str, str] | None = None) -> dict[str, str]:
    field = (names or {}).get(exc.field or "", exc.field or "form")
    return {field: exc.detail}


# --- offers ---------------------------------------------------------------------------------


async def _own_offer(session: AsyncSession, principal: Principal, offer_id: int) -> Any:
    """The seller's own offer; another seller's is not found."""
    offer = await catalog.get_offer(session, offer_id=offer_id, principal=principal)
    if not isinstance(offer, catalog.OfferRead) or offer.seller.id != _seller(principal):
        raise catalog.OfferNotFound(f"Offer {offer_id} does not exist.")
    return offer


@router.get("/offers")
async def offers(
    request: Request,
    session: Session,
    principal: Staff,
    q: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    seller_id = _seller(principal)
    search = (q or "").strip()
    found = await catalog.list_seller_offers(
        session,
        seller_id=seller_id,
        status=None,
        limit=PAGE_SIZE,
        cursor=cursor or None,
        q=search or None,
    )
    labels = await catalog.offer_labels(session, [o.id for o in found.items])
    return _page(
        request,
        "seller/offers.html",
        q=search,
        rows=found.items,
        labels=labels,
        next_cursor=found.next_cursor,
    )


def _offer_form(
    request: Request,
    *,
    offer: Any = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    title: str = "",
) -> Response:
    places = minor_units(_currency(request))
    if values is None:
        values = {
            "status": "active",
            "condition": "new",
            "threshold": "5",
            "fulfilled_by": "seller",
        }
        if offer is not None:
            values = {
                "price": _major(offer.price_amount, places),
                "seller_sku": offer.seller_sku or "",
                "status": offer.status.value,
                "threshold": str(offer.low_stock_threshold),
                "fulfilled_by": offer.fulfilled_by.value,
            }
    return _page(
        request,
        "seller/offer_form.html",
        status_code=status_code,
        offer=offer,
        product_title=title,
        errors=errors or {},
        values=values,
        currency=_currency(request),
        idempotency_key=uuid.uuid4().hex,
    )


@router.get("/offers/new")
async def new_offer(request: Request, principal: Staff) -> Response:
    _seller(principal)
    return _offer_form(request)


def _offer_values(form: FormData) -> dict[str, str]:
    return {name: text(form, name) for name in OFFER_FIELDS}


def _parse_offer(request: Request, values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed fields of the offer form, or an error per field."""
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    try:
        parsed["price_amount"] = _price(values["price"], minor_units(_currency(request)))
    except (InvalidOperation, ValueError):
        errors["price"] = translate(request, N_("Type a price such as 25 or 12.50."))
    try:
        parsed["low_stock_threshold"] = _whole(values["threshold"] or "5")
    except ValueError:
        errors["threshold"] = translate(request, N_("Type a whole number."))
    parsed["seller_sku"] = values["seller_sku"] or None
    parsed["status"] = values["status"] or "active"
    if values["fulfilled_by"]:  # left out: the service's default, or unchanged
        parsed["fulfilled_by"] = values["fulfilled_by"]
    return parsed, errors


@router.post("/offers/new")
async def create_offer(request: Request, session: Session, principal: Staff) -> Response:
    """Offer a variant by its SKU; with a title, first create the product it belongs to."""
    seller_id = _seller(principal)
    form = await request.form()
    values = _offer_values(form)
    key = text(form, "idempotency_key")[:100] or None
    parsed, errors = _parse_offer(request, values)
    if not values["sku"]:
        errors["sku"] = translate(request, N_("Type the product's SKU."))
    try:
        body = catalog.OfferCreate(
            sku=values["sku"] or "-",
            condition=values["condition"] or "new",
            **{k: v for k, v in parsed.items() if k not in errors},
        )
        product = (
            catalog.ProductCreate(
                title=values["title"], variants=[catalog.VariantCreate(sku=values["sku"] or "-")]
            )
            if values["title"]
            else None
        )
    except ValidationError as exc:
        for name, message in field_errors(exc, OFFER_FIELD_NAMES).items():
            errors.setdefault(name, message)
        body, product = None, None
    if errors or body is None:
        return _offer_form(request, errors=errors, values=values, status_code=422)
    try:
        if product is not None:
            await catalog.create_product(
                session,
                seller_id=seller_id,
                body=product,
                idempotency_key=f"{key}:product" if key else None,
            )
        made = await catalog.create_offer(
            session,
            seller_id=seller_id,
            body=body,
            currency=_currency(request),
            idempotency_key=key,
        )
    except DomainError as exc:
        await session.rollback()
        return _offer_form(
            request,
            errors=_domain_errors(exc, OFFER_FIELD_NAMES),
            values=values,
            status_code=exc.status,
        )
    _web(request).flash(translate(request, N_("The offer is created.")))
    return _redirect(f"/seller/offers/{made['id']}")


@router.get("/offers/import")
async def import_form(request: Request, principal: Staff) -> Response:
    _seller(principal)
    return _page(request, "seller/import.html", report=None, problem=None, mode="partial")


@router.post("/offers/import")
async def import_offers(request: Request, session: Session, principal: Staff) -> Response:
    """A CSV of offers through the catalog's importer; the report shows each row's fate."""
    seller_id = _seller(principal)
    form = await request.form()
    upload = form.get("file")
    partial = text(form, "mode") != catalog.ImportMode.ALL_OR_NOTHING.value
    mode = catalog.ImportMode.PARTIAL if partial else catalog.ImportMode.ALL_OR_NOTHING

    def refused(message: str, status_code: int = 422) -> Response:
        return _page(
            request,
            "seller/import.html",
            status_code=status_code,
            report=None,
            problem=message,
            mode=mode.value,
        )

    if not isinstance(upload, UploadFile) or not upload.filename:
        return refused(translate(request, N_("Choose a CSV file to upload.")))
    try:
        data = await upload.read(MAX_IMPORT_BYTES + 1)
    finally:
        await upload.close()
    if len(data) > MAX_IMPORT_BYTES:
        return refused(translate(request, N_("The file is too big: at most 8 MB.")))
    try:
        rows = catalog.parse_csv(data)
        report = await catalog.import_offers(
            session, seller_id=seller_id, rows=rows, mode=mode, currency=_currency(request)
        )
        await session.commit()
    except catalog.MalformedFile as exc:
        return refused(str(exc))
    except catalog.ImportRejected as exc:
        await session.rollback()
        return _page(
            request,
            "seller/import.html",
            status_code=exc.status,
            report={"rows": exc.extra.get("rows", []), "rejected": exc.extra.get("rejected", 0)},
            problem=exc.detail,
            mode=mode.value,
            import_labels=IMPORT_STATUS_LABELS,
        )
    except DomainError as exc:
        await session.rollback()
        return refused(exc.detail, exc.status)
    return _page(
        request,
        "seller/import.html",
        report=report.model_dump(mode="json"),
        problem=None,
        mode=mode.value,
        import_labels=IMPORT_STATUS_LABELS,
    )


@router.get("/offers/{offer_id}")
async def edit_offer(
    offer_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    offer = await _own_offer(session, principal, offer_id)
    labels = await catalog.offer_labels(session, [offer_id])
    return _offer_form(request, offer=offer, title=labels[offer_id].title)


@router.post("/offers/{offer_id}")
async def update_offer(
    offer_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    offer = await _own_offer(session, principal, offer_id)
    title = (await catalog.offer_labels(session, [offer_id]))[offer_id].title
    form = await request.form()
    values = _offer_values(form)
    parsed, errors = _parse_offer(request, values)
    body = None
    try:
        body = catalog.OfferUpdate(**{k: v for k, v in parsed.items() if k not in errors})
    except ValidationError as exc:
        for name, message in field_errors(exc, OFFER_FIELD_NAMES).items():
            errors.setdefault(name, message)
    if errors or body is None:
        return _offer_form(
            request, offer=offer, errors=errors, values=values, status_code=422, title=title
        )
    try:
        await catalog.update_offer(
            session, principal=principal, offer_id=offer_id, body=body, currency=_currency(request)
        )
    except DomainError as exc:
        await session.rollback()
        return _offer_form(
            request,
            offer=offer,
            errors=_domain_errors(exc, OFFER_FIELD_NAMES),
            values=values,
            status_code=exc.status,
            title=title,
        )
    _web(request).flash(translate(request, N_("The offer is saved.")))
    return _redirect(f"/seller/offers/{offer_id}")


# --- stock ----------------------------------------------------------------------------------


@router.get("/stock")
async def stock(
    request: Request,
    session: Session,
    principal: Staff,
    low: bool = False,
    offer_id: Id | None = None,
    warehouse_id: Id | None = None,
    after: Id | None = None,
) -> Response:
    seller_id = _seller(principal)
    if warehouse_id is not None:  # another seller's warehouse: the 404 page
        await inventory.get_warehouse(session, seller_id=seller_id, warehouse_id=warehouse_id)
    if offer_id is not None:
        await _own_offer(session, principal, offer_id)
    rows = await inventory.list_stock(
        session,
        seller_id=seller_id,
        offer_id=offer_id,
        warehouse_id=warehouse_id,
        low_only=low,
        after_id=after,
        limit=PAGE_SIZE,
    )
    warehouses = await inventory.list_warehouses(
        session, seller_id=seller_id, after_id=None, limit=100
    )
    choices = await catalog.list_seller_offers(
        session, seller_id=seller_id, status=None, limit=OFFER_CHOICES, cursor=None
    )
    labels = await catalog.offer_labels(
        session, [r.offer_id for r in rows] + [o.id for o in choices.items]
    )
    filters = {
        "low": "1" if low else "",
        "offer_id": offer_id or "",
        "warehouse_id": warehouse_id or "",
    }
    return _page(
        request,
        "seller/stock.html",
        rows=rows,
        labels=labels,
        warehouses=warehouses,
        warehouse_names={w.id: w.name for w in warehouses},
        offers=choices.items,
        filters=filters,
        low=low,
        next_after=rows[-1].id if len(rows) == PAGE_SIZE else None,
        idempotency_key=uuid.uuid4().hex,
    )


@router.post("/stock/adjust")
async def adjust_stock(request: Request, session: Session, principal: Staff) -> Response:
    """Change one offer's on-hand units in one warehouse, with a reason kept in the ledger."""
    seller_id = _seller(principal)
    form = await request.form()
    back = text(form, "back")
    if not back.startswith("/seller/stock"):
        back = "/seller/stock"
    web = _web(request)
    try:
        offer_id = _whole(text(form, "offer_id"))
        warehouse_id = _whole(text(form, "warehouse_id"))
        delta = _whole(text(form, "delta"))
    except ValueError:
        web.set(
            ERROR_KEY, translate(request, N_("Type the change as a whole number, like 5 or -2."))
        )
        return _redirect(back)
    reason = text(form, "reason")[:200]
    if delta == 0 or not reason:
        web.set(ERROR_KEY, translate(request, N_("Give a change other than 0 and a reason.")))
        return _redirect(back)
    try:
        await inventory.adjust_stock(
            session,
            seller_id=seller_id,
            offer_id=offer_id,
            warehouse_id=warehouse_id,
            delta=delta,
            kind=inventory.MovementKind.ADJUSTMENT,
            reason=reason,
            reference=None,
            actor=f"user:{principal.user_id}",
            marketplace_warehouses=False,
            idempotency_key=text(form, "idempotency_key")[:100] or None,
        )
    except DomainError as exc:
        await session.rollback()
        web.set(ERROR_KEY, exc.detail)
        return _redirect(back)
    web.flash(translate(request, N_("Stock updated.")))
    return _redirect(back)


# --- settings: warehouses and policies --------------------------------------------------------


async def _settings_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    *,
    warehouse_errors: dict[str, str] | None = None,
    warehouse_values: dict[str, str] | None = None,
    policy_errors: dict[str, str] | None = None,
    policy_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    seller_id = _seller(principal)
    warehouses = await inventory.list_warehouses(
        session, seller_id=seller_id, after_id=None, limit=100
    )
    if policy_values is None:
        try:
            policies = await sellers.get_policies(session, seller_id)
            policy_values = {
                name: "" if value is None else str(value)
                for name, value in policies.model_dump(mode="json").items()
            }
        except DomainError:  # no policies yet: the form starts empty
            policy_values = {}
    return _page(
        request,
        "seller/settings.html",
        status_code=status_code,
        warehouses=warehouses,
        warehouse_errors=warehouse_errors or {},
        warehouse_values=warehouse_values
        or {"country": "ID", "cut_off_time": "14:00", "owner_kind": "seller"},
        owner_labels=WAREHOUSE_OWNER_LABELS,
        policy_errors=policy_errors or {},
        policy_values=policy_values,
    )


@router.get("/settings")
async def settings(request: Request, session: Session, principal: Staff) -> Response:
    return await _settings_page(request, session, principal)


def _optional(values: dict[str, str]) -> dict[str, str | None]:
    return {k: (v or None) for k, v in values.items()}


#: Re-renders a settings form with errors by field name, answering with the given status.
Rerender = Callable[[dict[str, str], int], Awaitable[Response]]


async def _save_settings(
    request: Request,
    session: AsyncSession,
    save: Callable[[], Awaitable[object]],
    rerender: Rerender,
    *,
    done: str,
) -> Response:
    """One settings form's outcome, so every form answers alike: invalid fields re-render
    it (422), a refusal rolls back and re-renders with the service's status, success
    flashes `done` and goes back to the settings page (POST/redirect/GET)."""
    try:
        await save()
    except ValidationError as exc:
        return await rerender(field_errors(exc), 422)
    except DomainError as exc:
        await session.rollback()
        return await rerender(_domain_errors(exc), exc.status)
    _web(request).flash(translate(request, done))
    return _redirect("/seller/settings")


@router.post("/settings/warehouses")
async def add_warehouse(request: Request, session: Session, principal: Staff) -> Response:
    seller_id = _seller(principal)
    form = await request.form()
    values = {name: text(form, name) for name in (*WAREHOUSE_FIELDS, "owner_kind")}

    async def save() -> None:
        body = inventory.WarehouseCreate(**{k: v for k, v in _optional(values).items() if v})
        await inventory.create_warehouse(session, seller_id=seller_id, data=body)

    async def rerender(errors: dict[str, str], status_code: int) -> Response:
        return await _settings_page(
            request,
            session,
            principal,
            warehouse_errors=errors,
            warehouse_values=values,
            status_code=status_code,
        )

    return await _save_settings(
        request, session, save, rerender, done=N_("The warehouse is added.")
    )


def _warehouse_page(
    request: Request,
    warehouse: Any,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    if values is None:
        values = {
            name: "" if getattr(warehouse, name, None) is None else str(getattr(warehouse, name))
            for name in WAREHOUSE_FIELDS
        }
        values["is_active"] = "1" if warehouse.is_active else ""
    return _page(
        request,
        "seller/settings_warehouse.html",
        status_code=status_code,
        warehouse=warehouse,
        errors=errors or {},
        values=values,
    )


@router.get("/settings/warehouses/{warehouse_id}")
async def warehouse(
    warehouse_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    found = await inventory.get_warehouse(
        session, seller_id=_seller(principal), warehouse_id=warehouse_id
    )
    return _warehouse_page(request, found)


@router.post("/settings/warehouses/{warehouse_id}")
async def update_warehouse(
    warehouse_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    seller_id = _seller(principal)
    found = await inventory.get_warehouse(session, seller_id=seller_id, warehouse_id=warehouse_id)
    form = await request.form()
    values = {name: text(form, name) for name in WAREHOUSE_FIELDS if name != "code"}
    values["is_active"] = "1" if text(form, "is_active") else ""
    changes: dict[str, Any] = _optional({k: v for k, v in values.items() if k != "is_active"})
    changes["is_active"] = bool(values["is_active"])

    async def save() -> None:
        body = inventory.WarehouseUpdate(**changes)
        await inventory.update_warehouse(
            session, seller_id=seller_id, warehouse_id=warehouse_id, data=body
        )

    async def rerender(errors: dict[str, str], status_code: int) -> Response:
        return _warehouse_page(
            request, found, errors=errors, values=values, status_code=status_code
        )

    return await _save_settings(
        request, session, save, rerender, done=N_("The warehouse is saved.")
    )


@router.post("/settings/policies")
async def update_policies(request: Request, session: Session, principal: Staff) -> Response:
    seller_id = _seller(principal)
    form = await request.form()
    values = {name: text(form, name) for name in POLICY_FIELDS}

    async def save() -> None:
        body = sellers.PolicyUpdate(**{k: v for k, v in values.items() if v})
        await sellers.update_policies(session, seller_id=seller_id, body=body)

    async def rerender(errors: dict[str, str], status_code: int) -> Response:
        return await _settings_page(
            request,
            session,
            principal,
            policy_errors=errors,
            policy_values=values,
            status_code=status_code,
        )

    return await _save_settings(
        request, session, save, rerender, done=N_("Your policies are saved.")
    )


router.include_router(products_router)
router.include_router(threepl_router)
