"""The operator console: headline numbers, seller applications, sellers, all orders.

For operators (support staff read it). Every page reads and every form acts through the
modules' public services, the same functions the JSON API's operator routes call
(`sellers.change_status`, `orders.list_orders`, `orders.read_order_by_number`, ...).
Forms post and redirect back with a message (POST/redirect/GET). The machinery's pages
(events, jobs, the mail log) are in `console_ops`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from starlette.responses import Response

from pasar import notifications, operations, orders, sellers
from pasar.platform.db import Session
from pasar.platform.errors import DomainError
from pasar.platform.time import utcnow
from pasar.platform.types import Id
from pasar.web.auth import PortalRoute
from pasar.web.console_common import (
    PAGE_SIZE,
    SELLER_ACTIONS,
    Operator,
    Reader,
    back_to,
    console_page,
    fail,
    redirect,
    web_session,
)
from pasar.web.console_ops import router as ops_router
from pasar.web.forms import text
from pasar.web.i18n import N_
from pasar.web.templating import translate

router = APIRouter(prefix="/console", include_in_schema=False, route_class=PortalRoute)
#: What `pasar.web` includes: every page of the console.
console_router = APIRouter(include_in_schema=False)

CHART_DAYS = 14
#: The chart's drawing area, in SVG units (it scales to the page's width).
CHART_WIDTH, CHART_HEIGHT, CHART_LABELS = 560, 160, 20
#: Applications and sellers per page.
SELLERS_PAGE = 20
REASON_MAX = 2_000


def _today() -> date:
    return utcnow().date()


@dataclass(frozen=True, slots=True)
class Bar:
    day: date
    orders: int
    x: float
    y: float
    width: float
    height: float


def bar_chart(days: list[orders.DayTotal]) -> tuple[list[Bar], int]:
    """Bars of orders per day, scaled to the tallest (drawn server-side as SVG)."""
    tallest = max((d.orders for d in days), default=0)
    slot = CHART_WIDTH / max(len(days), 1)
    bars = []
    for n, day in enumerate(days):
        height = (day.orders / tallest) * (CHART_HEIGHT - 4) if tallest else 0
        bars.append(
            Bar(
                day=day.day,
                orders=day.orders,
                x=round(n * slot + slot * 0.15, 2),
                y=round(CHART_HEIGHT - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
            )
        )
    return bars, tallest


# --- home ----------------------------------------------------------------------------------


@router.get("")
async def home(request: Request, session: Session, principal: Reader) -> Response:
    today = _today()
    currency: str = request.app.state.settings.currency
    days = await orders.placed_per_day(
        session, first=today - timedelta(days=CHART_DAYS - 1), last=today, currency=currency
    )
    counts = await orders.seller_order_counts(session, seller_id=None, today=today)
    waiting = await sellers.count_sellers(session, statuses=[sellers.SellerStatus.APPLIED])
    events = await operations.stats(session)
    failed = await notifications.count_notifications(
        session, statuses=[notifications.DeliveryStatus.FAILED]
    )
    unknown = await notifications.count_notifications(
        session, statuses=[notifications.DeliveryStatus.UNKNOWN]
    )
    bars, tallest = bar_chart(days)
    return console_page(
        request,
        "console/home.html",
        principal,
        orders_today=days[-1].orders,
        gmv_today=days[-1].amount,
        currency=currency,
        late=counts.overdue,
        applications=waiting,
        dead=events.dead,
        pending_events=events.pending,
        failed_mail=failed,
        unknown_mail=unknown,
        bars=bars,
        tallest=tallest,
        chart_width=CHART_WIDTH,
        chart_height=CHART_HEIGHT,
        chart_labels=CHART_LABELS,
        week_orders=sum(d.orders for d in days),
    )


# --- seller applications and sellers -------------------------------------------------------


@router.get("/applications")
async def applications(
    request: Request,
    session: Session,
    principal: Reader,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    listed, next_cursor = await sellers.list_sellers(
        session,
        statuses=[sellers.SellerStatus.APPLIED],
        limit=SELLERS_PAGE,
        cursor=cursor or None,
    )
    views = [await sellers.seller_view(session, v.seller.id) for v in listed]
    return console_page(
        request, "console/applications.html", principal, views=views, next_cursor=next_cursor
    )


@router.get("/sellers")
async def seller_list(
    request: Request,
    session: Session,
    principal: Reader,
    status: Annotated[sellers.SellerStatus | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    wanted = [status] if status is not None else list(sellers.SellerStatus)
    listed, next_cursor = await sellers.list_sellers(
        session, statuses=wanted, limit=SELLERS_PAGE, cursor=cursor or None
    )
    rows = [
        (
            view,
            [
                a
                for a in sellers.allowed_actions(sellers.SellerStatus(view.seller.status))
                if a not in (sellers.SellerAction.APPROVE, sellers.SellerAction.REJECT)
            ],
        )
        for view in listed
    ]
    return console_page(
        request,
        "console/sellers.html",
        principal,
        rows=rows,
        status=status.value if status else "",
        statuses=list(sellers.SellerStatus),
        next_cursor=next_cursor,
    )


@router.post("/sellers/{seller_id}/status")
async def change_seller_status(
    seller_id: Id, request: Request, session: Session, principal: Operator
) -> Response:
    """Approve, reject, warn, suspend, reinstate...: `sellers.change_status`, as the API."""
    form = await request.form()
    back = back_to(form, "/console/sellers")
    try:
        action = sellers.SellerAction(text(form, "action"))
    except ValueError:
        return fail(request, translate(request, N_("Choose what to do.")), back)
    reason = text(form, "reason")[:REASON_MAX] or None
    if action in sellers.NEEDS_REASON and reason is None:
        return fail(
            request,
            translate(request, N_("Give a reason: the seller is told why.")),
            back,
        )
    try:
        changed = await sellers.change_status(
            session, principal=principal, seller_id=seller_id, action=action, reason=reason
        )
    except DomainError as exc:
        await session.rollback()
        return fail(request, exc.detail, back)
    web_session(request).flash(
        translate(
            request,
            N_("%(seller)s: %(action)s done."),
            seller=changed.seller.name,
            action=translate(request, SELLER_ACTIONS[action.value]),
        )
    )
    return redirect(back)


# --- orders --------------------------------------------------------------------------------


@router.get("/orders")
async def order_list(
    request: Request,
    session: Session,
    principal: Reader,
    q: Annotated[str | None, Query(max_length=320)] = None,
    status: Annotated[orders.Status | None, Query()] = None,
    late: bool = False,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    search = (q or "").strip()
    by_email = "@" in search
    found = await orders.list_orders(
        session,
        buyer_user_id=None,
        email=search if by_email else None,
        number=search[:20] if search and not by_email else None,
        limit=PAGE_SIZE,
        cursor=cursor or None,
        part_status=status,
        late_on=_today() if late else None,
    )
    return console_page(
        request,
        "console/orders.html",
        principal,
        rows=found.items,
        next_cursor=found.next_cursor,
        q=search,
        status=status.value if status else "",
        late=late,
        statuses=list(orders.Status),
    )


@router.get("/orders/{number}")
async def order_detail(
    number: Annotated[str, PathParam(max_length=20)],
    request: Request,
    session: Session,
    principal: Reader,
) -> Response:
    order = await orders.read_order_by_number(session, number, today=_today())
    return console_page(request, "console/order.html", principal, order=order)


console_router.include_router(router)
console_router.include_router(ops_router)
