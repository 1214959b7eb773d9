"""The seller portal: dashboard, order queue with bulk actions, order detail with shipping.

For a seller's staff, signed in through `/signin`. Every page reads and every form acts
through the modules' public services (`orders`, `fulfillment`, `inventory`), the same
functions the JSON API's seller routes call, always with the signed-in user's own
`seller_id`: another seller's order is simply not found (the 404 page). Forms post and
redirect (POST/redirect/GET) and work without JavaScript; downloads (labels, pick lists)
are plain links and forms, outside htmx's boosting.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from pasar import fulfillment, inventory, orders
from pasar.identity import Principal, Role
from pasar.platform.db import Session
from pasar.platform.errors import DomainError, PermissionDenied
from pasar.platform.idempotency import run_idempotent
from pasar.platform.time import utcnow
from pasar.platform.types import Id
from pasar.web import auth
from pasar.web.auth import PortalRoute, require_web_roles
from pasar.web.forms import safe_next, text
from pasar.web.i18n import N_
from pasar.web.security import WebSession
from pasar.web.templating import page, translate

router = APIRouter(prefix="/seller", include_in_schema=False, route_class=PortalRoute)
#: What `pasar.web` includes: sign-in and sign-out (`auth`), then the seller portal.
portal_router = APIRouter(include_in_schema=False)

Staff = Annotated[Principal, Depends(require_web_roles(Role.SELLER_STAFF))]
S = orders.Status
SEE_OTHER = 303
PAGE_SIZE = 50
MAX_CHOSEN = 100
#: Low stock is counted up to this many offers ("100+" beyond).
LOW_STOCK_CAP = 100
#: The session key of an error to show on the next portal page (after a redirect).
ERROR_KEY = "seller_error"

#: The queue's tabs: label, statuses (none: any) and lateness filter.
TABS: dict[str, tuple[str, list[orders.Status], bool | None]] = {
    "open": (N_("To ship"), [S.VERIFIED, S.PROCESSING], None),
    "to_pack": (N_("To pack"), [S.VERIFIED], None),
    "ready": (N_("Ready for pick-up"), [S.PROCESSING], None),
    "overdue": (N_("Overdue"), [], True),
    "unpaid": (N_("Awaiting payment"), [S.RECEIVED], None),
    "shipped": (N_("Shipped"), [S.SHIPPED], None),
    "delivered": (N_("Delivered"), [S.DELIVERED, S.COMPLETED], None),
    "problems": (N_("Delivery problems"), [S.DELIVERY_FAILED, S.RETURNED_TO_SELLER], None),
    "cancelled": (N_("Cancelled"), [S.CANCELLED], None),
    "all": (N_("All"), [], None),
}
DEFAULT_TAB = "open"
#: A SellerOrder's status, in the seller's words.
STATUS_LABELS = {
    "received": N_("Awaiting payment"),
    "verified": N_("To pack"),
    "processing": N_("Ready for pick-up"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "delivery_failed": N_("Delivery failed"),
    "returned_to_seller": N_("Returned"),
}
#: A parcel's tracking status, in the seller's words.
PARCEL_LABELS = {
    "label_created": N_("Label bought, waiting for the carrier"),
    "picked_up": N_("Picked up"),
    "in_transit": N_("In transit"),
    "out_for_delivery": N_("Out for delivery"),
    "delivery_attempted": N_("Delivery attempted"),
    "delivered": N_("Delivered"),
    "exception": N_("Problem in transit"),
    "returned_to_sender": N_("Returned to sender"),
    "cancelled": N_("Label cancelled"),
}
PACKABLE = frozenset({S.VERIFIED, S.PROCESSING, S.DELIVERY_FAILED})
CANCELLABLE = frozenset({S.RECEIVED, S.VERIFIED, S.PROCESSING})
CANCELLED_SHIPMENT = "cancelled"
PACKAGE_FIELDS = ("weight_grams", "length_mm", "width_mm", "height_mm")
#: At most this many boxes in one shipment (as `ShipmentCreate.packages` allows).
MAX_BOXES = 20
#: The form field of a line's quantity to pack: `qty-<order line id>`.
QTY_PREFIX = "qty-"


def box_key(name: str, index: int) -> str:
    """A box's field in the pack form: `weight_grams` for the first, `weight_grams-2`..."""
    return name if index == 0 else f"{name}-{index + 1}"


def _web(request: Request) -> WebSession:
    session: WebSession = request.state.web_session
    return session


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=SEE_OTHER)


def _seller(principal: Principal) -> int:
    if principal.seller_id is None:  # seller staff always belong to a seller
        raise PermissionDenied("This account belongs to no seller.")
    return principal.seller_id


def _config(request: Request) -> fulfillment.FulfillmentConfig:
    config: fulfillment.FulfillmentConfig = request.app.state.fulfillment_config
    return config


def _today() -> date:
    return utcnow().date()


def _portal(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """A portal page: never cached, with the error a redirect left behind."""
    error = _web(request).get(ERROR_KEY)
    _web(request).set(ERROR_KEY, None)
    context.setdefault("error", error if isinstance(error, str) else None)
    response = page(request, name, status_code=status_code, status_labels=STATUS_LABELS, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _pdf(pdf: Any) -> Response:
    return Response(
        pdf.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{pdf.name}.pdf"',
            "Cache-Control": "no-store",
        },
    )


# --- dashboard -----------------------------------------------------------------------------


@router.get("")
async def dashboard(request: Request, session: Session, principal: Staff) -> Response:
    seller_id = _seller(principal)
    counts = await orders.seller_order_counts(session, seller_id=seller_id, today=_today())
    low = await inventory.low_stock(session, seller_id=seller_id, limit=LOW_STOCK_CAP + 1)
    by_status = counts.by_status
    return _portal(
        request,
        "seller/dashboard.html",
        to_verify=by_status.get(S.RECEIVED.value, 0),
        to_pack=by_status.get(S.VERIFIED.value, 0),
        ready=by_status.get(S.PROCESSING.value, 0),
        to_ship_today=counts.to_ship_today,
        overdue=counts.overdue,
        low_stock=min(len(low), LOW_STOCK_CAP),
        low_stock_more=len(low) > LOW_STOCK_CAP,
    )


# --- order queue ---------------------------------------------------------------------------


@router.get("/orders")
async def queue(
    request: Request,
    session: Session,
    principal: Staff,
    tab: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    seller_id = _seller(principal)
    chosen_tab = tab if tab in TABS else DEFAULT_TAB
    search = (q or "").strip()
    _, statuses, overdue = TABS[chosen_tab]
    if search:  # a number is looked for in every status
        statuses, overdue = [], None
    found = await orders.list_seller_orders(
        session,
        seller_id=seller_id,
        statuses=statuses,
        placed_from=None,
        placed_to=None,
        overdue=overdue,
        today=_today(),
        limit=PAGE_SIZE,
        cursor=cursor or None,
        number=search or None,
    )
    warehouses = await inventory.list_warehouses(
        session, seller_id=seller_id, after_id=None, limit=50
    )
    return _portal(
        request,
        "seller/queue.html",
        tabs={key: label for key, (label, _, _) in TABS.items()},
        tab=chosen_tab,
        q=search,
        rows=found.items,
        next_cursor=found.next_cursor,
        warehouses=warehouses,
        today=_today(),
    )


def _chosen(form: FormData) -> list[int]:
    ids: list[int] = []
    for value in form.getlist("order")[:MAX_CHOSEN]:
        if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
            ids.append(int(value.strip()))
    return list(dict.fromkeys(ids))


async def _shipments_of(
    request: Request, session: AsyncSession, seller_id: int, seller_order_ids: list[int]
) -> dict[int, list[Any]]:
    """Each SellerOrder's live (not cancelled) shipments."""
    found: dict[int, list[Any]] = {}
    for seller_order_id in seller_order_ids:
        listed = await fulfillment.list_shipments(
            session,
            _config(request),
            seller_id=seller_id,
            seller_order_id=seller_order_id,
            status=None,
            delayed=None,
            limit=100,
            cursor=None,
        )
        found[seller_order_id] = [s for s in listed.items if s.status != CANCELLED_SHIPMENT]
    return found


@router.post("/orders/bulk")
async def bulk(request: Request, session: Session, principal: Staff) -> Response:
    """The queue's bulk actions: print a pick list or labels, or mark parcels shipped."""
    seller_id = _seller(principal)
    form = await request.form()
    back = safe_next(text(form, "back") or "/seller/orders")
    if not back.startswith("/seller/orders"):
        back = "/seller/orders"
    action = text(form, "action")
    ids = _chosen(form)
    web = _web(request)
    try:
        if action == "pick_list":
            return await _pick_list(request, session, seller_id, form, ids, back)
        if not ids:
            web.set(ERROR_KEY, translate(request, N_("Choose at least one order first.")))
            return _redirect(back)
        if action == "labels":
            return await _labels(request, session, seller_id, ids, back)
        if action == "ship":
            return await _ship(request, session, principal, ids, back)
    except DomainError as exc:
        await session.rollback()
        web.set(ERROR_KEY, exc.detail)
        return _redirect(back)
    return _redirect(back)


async def _pick_list(
    request: Request,
    session: AsyncSession,
    seller_id: int,
    form: FormData,
    ids: list[int],
    back: str,
) -> Response:
    warehouse = text(form, "warehouse_id")
    if not warehouse.isdigit() or len(warehouse) > 18:
        _web(request).set(ERROR_KEY, translate(request, N_("Choose a warehouse.")))
        return _redirect(back)
    due_by = _today()
    for seller_order_id in ids:  # the chosen orders, whenever they are due
        chosen = await orders.read_seller_order(
            session, seller_order_id, seller_id=seller_id, today=due_by
        )
        due_by = max(due_by, chosen.delivery.ship_by)
    pdf = await fulfillment.pick_list_pdf(
        session,
        warehouse_id=int(warehouse),
        owner_seller_id=seller_id,
        due_by=due_by,
        only=set(ids) if ids else None,
    )
    return _pdf(pdf)


async def _labels(
    request: Request, session: AsyncSession, seller_id: int, ids: list[int], back: str
) -> Response:
    shipments = await _shipments_of(request, session, seller_id, ids)
    shipment_ids = [s.id for found in shipments.values() for s in found]
    if not shipment_ids:
        _web(request).set(
            ERROR_KEY,
            translate(request, N_("None of the chosen orders has a label yet: pack them first.")),
        )
        return _redirect(back)
    pdf = await fulfillment.labels_pdf(
        session, shipment_ids, seller_id=seller_id, config=_config(request)
    )
    return _pdf(pdf)


async def _ship(
    request: Request, session: AsyncSession, principal: Principal, ids: list[int], back: str
) -> Response:
    seller_id = _seller(principal)
    shipments = await _shipments_of(request, session, seller_id, ids)
    unpacked = [i for i in ids if not shipments[i]]
    if unpacked:
        numbers = []
        for seller_order_id in unpacked:
            view = await orders.read_seller_order(
                session, seller_order_id, seller_id=seller_id, today=_today()
            )
            numbers.append(view.number)
        _web(request).set(
            ERROR_KEY,
            translate(
                request,
                N_("Pack these orders and buy their labels first: %(numbers)s."),
                numbers=", ".join(numbers),
            ),
        )
        return _redirect(back)
    waiting = [s.id for found in shipments.values() for s in found if s.handed_over_at is None]
    if waiting:
        await fulfillment.hand_over(
            session,
            waiting,
            seller_id=seller_id,
            caller=orders.Caller.of(principal),
            now=utcnow(),
        )
        await session.commit()
    _web(request).flash(
        translate(request, N_("Marked as shipped: %(count)s orders."), count=len(ids))
        if len(ids) != 1
        else translate(request, N_("Marked as shipped."))
    )
    return _redirect(back)


# --- order detail --------------------------------------------------------------------------


def _left_to_pack(detail: Any, shipments: list[Any]) -> int:
    ordered = sum(int(line.quantity) for line in detail.lines)
    packed = sum(int(line.quantity) for s in shipments for line in s.lines)
    return max(ordered - packed, 0)


async def _lines_to_pack(
    session: AsyncSession, seller_id: int, seller_order_id: int, live: list[Any]
) -> list[dict[str, Any]]:
    """Each order line with the units not yet in a live parcel, for the pack form."""
    found = await orders.fulfilment_orders(session, ids=[seller_order_id], seller_id=seller_id)
    packed: dict[int, int] = {}
    for shipment in live:
        for line in shipment.lines:
            packed[line.order_line_id] = packed.get(line.order_line_id, 0) + int(line.quantity)
    return [
        {
            "id": line.order_line_id,
            "sku": line.sku,
            "title": line.title,
            "left": max(line.quantity - packed.get(line.order_line_id, 0), 0),
        }
        for order in found
        for line in order.lines
    ]


def _box_count(value: str) -> int:
    """How many box rows the pack form shows: 1 to `MAX_BOXES`."""
    number = int(value) if value.isdigit() and len(value) < 4 else 1
    return min(max(number, 1), MAX_BOXES)


async def _detail_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    seller_order_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    boxes: int = 1,
) -> Response:
    seller_id = _seller(principal)
    detail = await orders.read_seller_order(
        session, seller_order_id, seller_id=seller_id, today=_today()
    )
    config = _config(request)
    listed = await fulfillment.list_shipments(
        session,
        config,
        seller_id=seller_id,
        seller_order_id=seller_order_id,
        status=None,
        delayed=None,
        limit=100,
        cursor=None,
    )
    shipments = list(reversed(listed.items))  # oldest first
    live = [s for s in shipments if s.status != CANCELLED_SHIPMENT]
    status = orders.Status(detail.status)
    left = _left_to_pack(detail, live)
    lines: list[dict[str, Any]] = []
    if status is S.DELIVERY_FAILED:  # a reship packs everything again
        left = sum(line.quantity for line in detail.lines)
    elif status in PACKABLE and left > 0:
        lines = await _lines_to_pack(session, seller_id, seller_order_id, live)
    return _portal(
        request,
        "seller/order.html",
        status_code=status_code,
        order=detail,
        shipments=shipments,
        can_pack=status in PACKABLE and left > 0,
        can_hand_over=any(s.handed_over_at is None for s in live),
        cancellable={
            s.id for s in live if fulfillment.label_cancellable(s.status, s.handed_over_at)
        },
        lines_to_pack=lines,
        boxes=boxes,
        box_key=box_key,
        can_cancel=status in CANCELLABLE,
        carriers=[(code, config.carriers[code].name) for code in config.carriers],
        errors=errors or {},
        values=values or {},
        idempotency_key=uuid.uuid4().hex,
        items=sum(line.quantity for line in detail.lines),
        parcel_labels=PARCEL_LABELS,
    )


@router.get("/orders/{seller_order_id}")
async def order_detail(
    seller_order_id: Id,
    request: Request,
    session: Session,
    principal: Staff,
    boxes: Annotated[int, Query(ge=1, le=MAX_BOXES)] = 1,
) -> Response:
    return await _detail_page(request, session, principal, seller_order_id, boxes=boxes)


def _whole(value: str, *, required: bool) -> int | None:
    if not value:
        if required:
            raise ValueError
        return None
    if not value.isdigit() or len(value) > 9 or int(value) < 1:
        raise ValueError
    return int(value)


def _boxes(
    request: Request, form: FormData, values: dict[str, str], errors: dict[str, str]
) -> list[fulfillment.PackageSpec]:
    """The boxes typed in the pack form (repeated fields, one row per box); empty rows
    are ignored, a half-filled one is explained at its field."""
    rows = max((len(form.getlist(name)) for name in PACKAGE_FIELDS), default=0)
    packages: list[fulfillment.PackageSpec] = []
    for index in range(min(rows, MAX_BOXES)):
        typed = {}
        for name in PACKAGE_FIELDS:
            given = form.getlist(name)
            raw = given[index] if index < len(given) and isinstance(given[index], str) else ""
            typed[name] = str(raw).strip()[:20]
            values[box_key(name, index)] = typed[name]
        if index > 0 and not any(typed.values()):
            continue
        numbers: dict[str, int | None] = {}
        for name in PACKAGE_FIELDS:
            try:
                numbers[name] = _whole(typed[name], required=name == "weight_grams")
            except ValueError:
                errors[box_key(name, index)] = translate(
                    request, N_("Enter a whole number above zero.")
                )
        if not any(box_key(name, index) in errors for name in PACKAGE_FIELDS):
            weight = numbers["weight_grams"]
            assert weight is not None
            packages.append(
                fulfillment.PackageSpec(
                    weight_grams=weight,
                    length_mm=numbers["length_mm"],
                    width_mm=numbers["width_mm"],
                    height_mm=numbers["height_mm"],
                )
            )
    if rows == 0:
        errors["weight_grams"] = translate(request, N_("Enter a whole number above zero."))
    return packages


def _chosen_lines(
    request: Request, form: FormData, values: dict[str, str], errors: dict[str, str]
) -> list[fulfillment.LineSpec] | None:
    """The units to put in this shipment; None (everything left) when the form has no
    line quantities."""
    typed = {
        key: str(value).strip()[:10]
        for key, value in form.multi_items()
        if key.startswith(QTY_PREFIX) and isinstance(value, str)
    }
    if not typed:
        return None
    values.update(typed)
    chosen: list[fulfillment.LineSpec] = []
    for key, value in typed.items():
        line_id = key.removeprefix(QTY_PREFIX)
        if not line_id.isdigit() or len(line_id) > 18:
            continue
        if value in ("", "0"):
            continue
        try:
            quantity = _whole(value, required=True)
        except ValueError:
            errors[key] = translate(request, N_("Enter a whole number, 0 to leave it out."))
            continue
        assert quantity is not None
        chosen.append(fulfillment.LineSpec(order_line_id=int(line_id), quantity=quantity))
    if not chosen and not errors:
        errors["pack"] = translate(request, N_("Choose at least one item for this parcel."))
    return chosen


@router.post("/orders/{seller_order_id}/shipments")
async def pack(
    seller_order_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """Boxes with weight and dimensions, the units they hold (default: all left to pack);
    the carrier and service default to the buyer's. "Change the number of boxes" only
    draws the form again with that many rows."""
    seller_id = _seller(principal)
    form = await request.form()
    values: dict[str, str] = {"carrier": text(form, "carrier")}
    errors: dict[str, str] = {}
    packages = _boxes(request, form, values, errors)
    lines = _chosen_lines(request, form, values, errors)
    wanted = _box_count(text(form, "boxes"))
    if text(form, "resize"):
        return await _detail_page(
            request, session, principal, seller_order_id, values=values, boxes=wanted
        )
    filled = [
        index + 1
        for index in range(MAX_BOXES)
        if any(values.get(box_key(name, index)) for name in PACKAGE_FIELDS)
    ]
    wanted = max(wanted, *filled) if filled else wanted  # every typed box is shown again
    if errors:
        return await _detail_page(
            request,
            session,
            principal,
            seller_order_id,
            errors=errors,
            values=values,
            status_code=422,
            boxes=wanted,
        )
    carrier = values["carrier"] or None
    now = utcnow()

    async def work() -> dict[str, Any]:
        shipment_id = await fulfillment.create_shipment(
            session,
            seller_order_id=seller_order_id,
            seller_id=seller_id,
            packages=packages,
            lines=lines,
            carrier=carrier,
            service=None,
            warehouse_id=None,
            caller=orders.Caller.of(principal),
            now=now,
            config=_config(request),
        )
        await session.flush()
        return {"id": shipment_id}

    key = text(form, "idempotency_key")[:64] or None
    try:
        await run_idempotent(
            session,
            scope=f"shipment:{seller_id}:{seller_order_id}",
            key=key,
            request={"packages": [values], "carrier": carrier, "web": True},
            work=work,
        )
    except DomainError as exc:
        await session.rollback()
        field = exc.field if exc.field in (*PACKAGE_FIELDS, "carrier") else "pack"
        return await _detail_page(
            request,
            session,
            principal,
            seller_order_id,
            errors={field or "pack": exc.detail},
            values=values,
            status_code=exc.status,
            boxes=wanted,
        )
    _web(request).flash(translate(request, N_("Packed. The label is ready to print.")))
    return _redirect(f"/seller/orders/{seller_order_id}")


@router.post("/orders/{seller_order_id}/shipments/{shipment_id}/cancel")
async def cancel_label(
    seller_order_id: Id, shipment_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """Void a label the carrier has not collected; its units can be packed again. The
    fulfilment service refuses a parcel already with the carrier (shown as the error)."""
    seller_id = _seller(principal)
    back = f"/seller/orders/{seller_order_id}"
    shipment = await fulfillment.read_shipment(
        session, shipment_id, seller_id=seller_id, config=_config(request)
    )
    if shipment.seller_order_id != seller_order_id:
        raise orders.SellerOrderNotFound(f"Seller order {seller_order_id} does not exist.")
    try:
        await fulfillment.cancel_shipment(
            session, shipment_id, seller_id=seller_id, now=utcnow(), config=_config(request)
        )
        await session.commit()
    except DomainError as exc:
        await session.rollback()
        _web(request).set(ERROR_KEY, exc.detail)
        return _redirect(back)
    _web(request).flash(
        translate(
            request,
            N_("The label %(tracking)s is cancelled."),
            tracking=shipment.tracking_number,
        )
    )
    return _redirect(back)


@router.post("/orders/{seller_order_id}/hand-over")
async def hand_over(
    seller_order_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """The carrier collected this order's parcels: it is shipped once all are handed over."""
    seller_id = _seller(principal)
    await orders.read_seller_order(session, seller_order_id, seller_id=seller_id, today=_today())
    shipments = await _shipments_of(request, session, seller_id, [seller_order_id])
    waiting = [s.id for s in shipments[seller_order_id] if s.handed_over_at is None]
    if not waiting:
        _web(request).set(
            ERROR_KEY, translate(request, N_("There is no parcel waiting for the carrier."))
        )
        return _redirect(f"/seller/orders/{seller_order_id}")
    try:
        await fulfillment.hand_over(
            session, waiting, seller_id=seller_id, caller=orders.Caller.of(principal), now=utcnow()
        )
        await session.commit()
    except DomainError as exc:
        await session.rollback()
        _web(request).set(ERROR_KEY, exc.detail)
        return _redirect(f"/seller/orders/{seller_order_id}")
    _web(request).flash(translate(request, N_("Marked as shipped.")))
    return _redirect(f"/seller/orders/{seller_order_id}")


@router.post("/orders/{seller_order_id}/cancel")
async def cancel(
    seller_order_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """The seller cancels before shipping, with a reason the buyer sees."""
    seller_id = _seller(principal)
    form = await request.form()
    reason = text(form, "reason")[:200]
    if not reason:
        return await _detail_page(
            request,
            session,
            principal,
            seller_order_id,
            errors={"reason": translate(request, N_("Tell the buyer why you cancel."))},
            status_code=422,
        )
    try:
        await orders.act(
            session,
            [seller_order_id],
            orders.Action.CANCEL,
            orders.Caller.of(principal),
            now=utcnow(),
            reason=reason,
            seller_id=seller_id,
        )
    except DomainError as exc:
        await session.rollback()
        return await _detail_page(
            request,
            session,
            principal,
            seller_order_id,
            errors={"reason": exc.detail},
            values={"reason": reason},
            status_code=exc.status,
        )
    _web(request).flash(translate(request, N_("The order is cancelled.")))
    return _redirect(f"/seller/orders/{seller_order_id}")


@router.get("/shipments/{shipment_id}/label")
async def label(shipment_id: Id, request: Request, session: Session, principal: Staff) -> Response:
    """A shipment's labels as a PDF (one page per package)."""
    pdf = await fulfillment.labels_pdf(
        session, [shipment_id], seller_id=_seller(principal), config=_config(request)
    )
    return _pdf(pdf)


portal_router.include_router(auth.router)
portal_router.include_router(router)
