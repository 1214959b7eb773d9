"""Orders over HTTP: the buyer's order page, the seller's queue, the operator's console."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import orjson
from fastapi import Path, Query, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.identity import (
    CurrentPrincipal,
    OperatorPrincipal,
    OptionalPrincipal,
    Principal,
    SellerScoped,
    StaffPrincipal,
)
from pasar.orders import service, views
from pasar.orders.domain import Action, Status
from pasar.orders.errors import OrderNotFound
from pasar.orders.schemas import (
    DeliverBody,
    DeliveryReport,
    OrderAccess,
    OrderCounts,
    OrderDetail,
    OrderLookup,
    OrderRead,
    OrderSummary,
    ReasonBody,
    RequiredReason,
    SellerOrderDetail,
    ShipBody,
)
from pasar.orders.transitions import Caller, Shipping
from pasar.platform.db import Session
from pasar.platform.errors import InvalidInput, PermissionDenied
from pasar.platform.pagination import Cursor, Limit, Page
from pasar.platform.ratelimit import RateLimiter
from pasar.platform.routing import GuardedRouter
from pasar.platform.signing import HEADER, derive_key, verify
from pasar.platform.time import utcnow
from pasar.platform.types import Id

router = GuardedRouter(tags=["orders"])

Access = Annotated[
    str | None,
    Query(max_length=64, description="The guest access token from the order link."),
]
Number = Annotated[str, Path(max_length=20, description="The order number, e.g. P261122-7K3M9Q2X")]
Statuses = Annotated[list[Status] | None, Query(description="Any of these statuses.")]


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret)


def _today() -> date:
    return utcnow().date()


# --- buyers (accounts and guests) ----------------------------------------------------------


@router.get("/api/v1/orders", response_model=Page[OrderSummary])
async def my_orders(
    principal: CurrentPrincipal, session: Session, limit: Limit = 20, cursor: Cursor = None
) -> Page[OrderSummary]:
    """The signed-in buyer's orders, newest first."""
    if principal.user_id is None:
        raise PermissionDenied("Orders belong to buyer accounts, not API keys.")
    return await views.list_orders(
        session,
        buyer_user_id=principal.user_id,
        email=None,
        number=None,
        limit=limit,
        cursor=cursor,
    )


@router.post("/api/v1/orders/lookup", response_model=OrderAccess)
async def lookup_order(
    body: OrderLookup, request: Request, session: Session, _: OptionalPrincipal
) -> OrderAccess:
    """Order number + the email used at checkout → the order's private link. Rate-limited."""
    limiter: RateLimiter = request.app.state.lookup_limiter
    client = request.client.host if request.client else "unknown"
    await limiter.hit("order-lookup", client)
    return await service.lookup(session, body.number, body.email, secret=_secret(request))


@router.get("/api/v1/orders/{number}", response_model=OrderRead)
async def get_order(
    number: Number,
    request: Request,
    session: Session,
    principal: OptionalPrincipal,
    access: Access = None,
) -> OrderRead:
    """An Order with all its SellerOrders: its buyer's account, or anyone with its link."""
    order, _ = await service.buyer_order(
        session, number, principal=principal, access=access, secret=_secret(request)
    )
    return await views.read_order(session, order.id, today=_today())


async def _buyer_act(
    request: Request,
    session: AsyncSession,
    number: str,
    seller_order_id: int,
    action: Action,
    principal: Principal | None,
    access: str | None,
    reason: str | None,
) -> OrderRead:
    order, caller = await service.buyer_order(
        session, number, principal=principal, access=access, secret=_secret(request)
    )
    await service.act(
        session, [seller_order_id], action, caller, now=utcnow(), reason=reason, order_id=order.id
    )
    return await views.read_order(session, order.id, today=_today())


@router.post(
    "/api/v1/orders/{number}/seller-orders/{seller_order_id}/cancel", response_model=OrderRead
)
async def buyer_cancel(
    number: Number,
    seller_order_id: Id,
    body: ReasonBody,
    request: Request,
    session: Session,
    principal: OptionalPrincipal,
    access: Access = None,
) -> OrderRead:
    """The buyer cancels one seller's part before that seller starts processing it."""
    return await _buyer_act(
        request, session, number, seller_order_id, Action.CANCEL, principal, access, body.reason
    )


@router.post(
    "/api/v1/orders/{number}/seller-orders/{seller_order_id}/confirm-receipt",
    response_model=OrderRead,
)
async def confirm_receipt(
    number: Number,
    seller_order_id: Id,
    request: Request,
    session: Session,
    principal: OptionalPrincipal,
    access: Access = None,
) -> OrderRead:
    """The buyer confirms the parcel arrived: the SellerOrder is completed."""
    return await _buyer_act(
        request, session, number, seller_order_id, Action.COMPLETE, principal, access, None
    )


# --- sellers -------------------------------------------------------------------------------


@router.get("/api/v1/sellers/{seller_id}/orders", response_model=Page[SellerOrderDetail])
async def seller_orders(
    seller_id: Id,
    principal: SellerScoped,
    session: Session,
    status: Statuses = None,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
    overdue: bool | None = Query(default=None, description="Only late (or only on-time) ones."),
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[SellerOrderDetail]:
    """The seller's own SellerOrders, newest first, filtered by status, date and lateness."""
    return await views.list_seller_orders(
        session,
        seller_id=seller_id,
        statuses=status or [],
        placed_from=placed_from,
        placed_to=placed_to,
        overdue=overdue,
        today=_today(),
        limit=limit,
        cursor=cursor,
    )


@router.get("/api/v1/sellers/{seller_id}/order-counts", response_model=OrderCounts)
async def seller_order_counts(
    seller_id: Id, principal: SellerScoped, session: Session
) -> OrderCounts:
    """The seller's queue at a glance: per status, overdue, due to ship today."""
    return await views.counts(session, seller_id=seller_id, today=_today())


@router.get(
    "/api/v1/sellers/{seller_id}/orders/{seller_order_id}", response_model=SellerOrderDetail
)
async def seller_order(
    seller_id: Id, seller_order_id: Id, principal: SellerScoped, session: Session
) -> SellerOrderDetail:
    """One of the seller's SellerOrders with lines, buyer delivery details and history."""
    return await views.read_seller_order(
        session, seller_order_id, seller_id=seller_id, today=_today()
    )


async def _seller_act(
    session: AsyncSession,
    seller_id: int,
    seller_order_id: int,
    action: Action,
    principal: Principal,
    *,
    reason: str | None = None,
    shipping: Shipping | None = None,
) -> SellerOrderDetail:
    await service.act(
        session,
        [seller_order_id],
        action,
        Caller.of(principal),
        now=utcnow(),
        reason=reason,
        seller_id=seller_id,
        shipping=shipping,
    )
    return await views.read_seller_order(
        session, seller_order_id, seller_id=seller_id, today=_today()
    )


_SO = "/api/v1/sellers/{seller_id}/orders/{seller_order_id}"


@router.post(f"{_SO}/process", response_model=SellerOrderDetail)
async def process(
    seller_id: Id, seller_order_id: Id, principal: SellerScoped, session: Session
) -> SellerOrderDetail:
    """Start picking and packing a verified SellerOrder."""
    return await _seller_act(session, seller_id, seller_order_id, Action.PROCESS, principal)


@router.post(f"{_SO}/ship", response_model=SellerOrderDetail)
async def ship(
    seller_id: Id, seller_order_id: Id, body: ShipBody, principal: SellerScoped, session: Session
) -> SellerOrderDetail:
    """Hand the parcel to the carrier: needs the carrier and tracking number. Captures payment."""
    return await _seller_act(
        session,
        seller_id,
        seller_order_id,
        Action.SHIP,
        principal,
        shipping=Shipping(body.carrier, body.tracking_number),
    )


@router.post(f"{_SO}/cancel", response_model=SellerOrderDetail)
async def seller_cancel(
    seller_id: Id,
    seller_order_id: Id,
    body: RequiredReason,
    principal: SellerScoped,
    session: Session,
) -> SellerOrderDetail:
    """The seller cancels (before shipping), with a reason; it counts against its record."""
    return await _seller_act(
        session, seller_id, seller_order_id, Action.CANCEL, principal, reason=body.reason
    )


@router.post(f"{_SO}/reship", response_model=SellerOrderDetail)
async def reship(
    seller_id: Id, seller_order_id: Id, body: ShipBody, principal: SellerScoped, session: Session
) -> SellerOrderDetail:
    """Send a parcel whose delivery failed again, with its new tracking number."""
    return await _seller_act(
        session,
        seller_id,
        seller_order_id,
        Action.RESHIP,
        principal,
        shipping=Shipping(body.carrier, body.tracking_number),
    )


@router.post(f"{_SO}/return-to-seller", response_model=SellerOrderDetail)
async def return_to_seller(
    seller_id: Id,
    seller_order_id: Id,
    body: ReasonBody,
    principal: SellerScoped,
    session: Session,
) -> SellerOrderDetail:
    """A parcel that could not be delivered came back: the buyer is refunded."""
    return await _seller_act(
        session,
        seller_id,
        seller_order_id,
        Action.RETURN_TO_SELLER,
        principal,
        reason=body.reason or "returned to seller after failed delivery",
    )


# --- operator and support ------------------------------------------------------------------


@router.get("/api/v1/admin/orders", response_model=Page[OrderSummary])
async def all_orders(
    principal: StaffPrincipal,
    session: Session,
    email: Annotated[str | None, Query(max_length=320)] = None,
    number: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[OrderSummary]:
    """Every Order, newest first; search by exact number or buyer email."""
    return await views.list_orders(
        session, buyer_user_id=None, email=email, number=number, limit=limit, cursor=cursor
    )


@router.get("/api/v1/admin/order-counts", response_model=OrderCounts)
async def all_order_counts(principal: StaffPrincipal, session: Session) -> OrderCounts:
    """Every SellerOrder at a glance: per status, overdue, due to ship today."""
    return await views.counts(session, seller_id=None, today=_today())


@router.get("/api/v1/admin/orders/{number}", response_model=OrderDetail)
async def admin_order(number: Number, principal: StaffPrincipal, session: Session) -> Any:
    """An Order with every SellerOrder's commission, buyer details and history."""
    order = await views.order_ref(session, number.strip().upper())
    if order is None:
        raise OrderNotFound(f"Order {number} does not exist.")
    return await views.read_order(session, order.id, detail=True, today=_today())


@router.get("/api/v1/admin/seller-orders", response_model=Page[SellerOrderDetail])
async def all_seller_orders(
    principal: StaffPrincipal,
    session: Session,
    status: Statuses = None,
    seller_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    overdue: bool | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[SellerOrderDetail]:
    """Every SellerOrder, newest first, by status, seller and lateness."""
    return await views.list_seller_orders(
        session,
        seller_id=seller_id,
        statuses=status or [],
        placed_from=None,
        placed_to=None,
        overdue=overdue,
        today=_today(),
        limit=limit,
        cursor=cursor,
    )


async def _operator_act(
    session: AsyncSession,
    seller_order_id: int,
    action: Action,
    principal: Principal,
    *,
    reason: str | None = None,
    proof: dict[str, Any] | None = None,
) -> SellerOrderDetail:
    await service.act(
        session,
        [seller_order_id],
        action,
        Caller.of(principal),
        now=utcnow(),
        reason=reason,
        proof=proof,
    )
    return await views.read_seller_order(session, seller_order_id, seller_id=None, today=_today())


_ADMIN_SO = "/api/v1/admin/seller-orders/{seller_order_id}"


@router.post(f"{_ADMIN_SO}/cancel", response_model=SellerOrderDetail)
async def operator_cancel(
    seller_order_id: Id, body: RequiredReason, principal: OperatorPrincipal, session: Session
) -> SellerOrderDetail:
    """The marketplace cancels a SellerOrder that has not shipped, with a reason."""
    return await _operator_act(
        session, seller_order_id, Action.CANCEL, principal, reason=body.reason
    )


@router.post(f"{_ADMIN_SO}/deliver", response_model=SellerOrderDetail)
async def operator_deliver(
    seller_order_id: Id, body: DeliverBody, principal: OperatorPrincipal, session: Session
) -> SellerOrderDetail:
    """Record delivery by hand (when no carrier report arrives), with proof where known."""
    proof = body.proof.model_dump(exclude_none=True) if body.proof else None
    return await _operator_act(
        session,
        seller_order_id,
        Action.DELIVER,
        principal,
        reason="reported by operator",
        proof=proof,
    )


@router.post(f"{_ADMIN_SO}/delivery-failed", response_model=SellerOrderDetail)
async def operator_delivery_failed(
    seller_order_id: Id, body: RequiredReason, principal: OperatorPrincipal, session: Session
) -> SellerOrderDetail:
    """Record that the carrier could not deliver (the seller then reships or takes it back)."""
    return await _operator_act(
        session, seller_order_id, Action.FAIL_DELIVERY, principal, reason=body.reason
    )


@router.post(f"{_ADMIN_SO}/complete", response_model=SellerOrderDetail)
async def operator_complete(
    seller_order_id: Id, principal: OperatorPrincipal, session: Session
) -> SellerOrderDetail:
    """Close a delivered SellerOrder on the buyer's behalf (e.g. confirmed by phone)."""
    return await _operator_act(
        session, seller_order_id, Action.COMPLETE, principal, reason="confirmed by operator"
    )


# --- carriers --------------------------------------------------------------------------------

CARRIER_WEBHOOK_PURPOSE = "carrier-webhook"


@router.post("/api/v1/carriers/delivery-reports")
async def delivery_report(request: Request, session: Session) -> dict[str, Any]:
    """A carrier or 3PL reports delivery (or a failed attempt) for a tracking number.

    Signed like every Pasar webhook: `Pasar-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
    "<t>.<raw body>">` under the carrier key; stale or unsigned reports are refused.
    Repeating a report is harmless: a parcel already delivered stays delivered.
    """
    body = await request.body()
    key = derive_key(_secret(request), CARRIER_WEBHOOK_PURPOSE)
    verify(key, body, request.headers.get(HEADER))
    try:
        report = DeliveryReport.model_validate(orjson.loads(body))
    except (orjson.JSONDecodeError, ValidationError) as exc:
        raise InvalidInput(f"Not a delivery report: {exc}".splitlines()[0]) from None
    changed = await service.report_delivery(
        session,
        tracking_number=report.tracking_number,
        delivered=report.outcome == "delivered",
        reason=report.reason,
        proof=report.proof.model_dump(exclude_none=True) if report.proof else None,
        now=utcnow(),
    )
    return {"id": report.id, "applied": changed}
