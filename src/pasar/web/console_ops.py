"""The operator console's machinery pages: the outbox (pending events, dead letters, replay),
the scheduled job runs, and the mail and SMS log (read a message, resend a failed one).

Through `operations` and `notifications`, the same functions as their JSON routes. A
stored email's HTML is untrusted markup: it is served on its own URL under the
notifications module's strict policy (`HTML_POLICY`: no script, no request, no form, a
`sandbox`), never inlined in a console page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response

from pasar import notifications, operations
from pasar.platform.db import Session
from pasar.platform.errors import DomainError, NotFound
from pasar.platform.types import Id
from pasar.web.auth import PortalRoute
from pasar.web.console_common import (
    PAGE_SIZE,
    Operator,
    Reader,
    back_to,
    console_page,
    fail,
    redirect,
    web_session,
)
from pasar.web.forms import text
from pasar.web.i18n import N_
from pasar.web.templating import translate

router = APIRouter(prefix="/console", include_in_schema=False, route_class=PortalRoute)

Cursor = Annotated[str | None, Query(max_length=500)]
JOB_RUNS = 100


# --- events and dead letters ---------------------------------------------------------------


@router.get("/events")
async def events(
    request: Request,
    session: Session,
    principal: Reader,
    status: Annotated[operations.EventStatus | None, Query()] = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Cursor = None,
) -> Response:
    chosen = status if status is not None else operations.EventStatus.PENDING
    found = await operations.list_events(
        session, status=chosen, name=(name or "").strip() or None, limit=PAGE_SIZE, cursor=cursor
    )
    return console_page(
        request,
        "console/events.html",
        principal,
        rows=found.items,
        next_cursor=found.next_cursor,
        status=chosen.value,
        event_name=(name or "").strip(),
        statuses=list(operations.EventStatus),
        stats=await operations.stats(session),
    )


@router.post("/events/{event_id}/replay")
async def replay(event_id: Id, request: Request, session: Session, principal: Operator) -> Response:
    form = await request.form()
    back = back_to(form, "/console/events?status=dead")
    try:
        await operations.replay(session, event_id)
    except DomainError as exc:
        await session.rollback()
        return fail(request, exc.detail, back)
    web_session(request).flash(
        translate(request, N_("Event %(id)s is back in the queue."), id=event_id)
    )
    return redirect(back)


@router.post("/events/replay-dead")
async def replay_dead(request: Request, session: Session, principal: Operator) -> Response:
    form = await request.form()
    back = back_to(form, "/console/events?status=dead")
    name = text(form, "name")[:100] or None
    count = await operations.replay_dead(session, name=name)
    web_session(request).flash(
        translate(request, N_("Dead letters back in the queue: %(count)s."), count=count)
    )
    return redirect(back)


@router.get("/jobs")
async def jobs(
    request: Request,
    session: Session,
    principal: Reader,
    job: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    wanted = (job or "").strip() or None
    runs = await operations.recent_runs(session, job=wanted, limit=JOB_RUNS)
    return console_page(request, "console/jobs.html", principal, runs=runs, job=wanted or "")


# --- the mail and SMS log ------------------------------------------------------------------


@router.get("/mail")
async def mail(
    request: Request,
    session: Session,
    principal: Reader,
    channel: Annotated[notifications.Channel | None, Query()] = None,
    status: Annotated[notifications.DeliveryStatus | None, Query()] = None,
    recipient: Annotated[str | None, Query(max_length=320)] = None,
    order: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Cursor = None,
) -> Response:
    found = await notifications.list_notifications(
        session,
        channel=channel,
        status=status,
        recipient=(recipient or "").strip() or None,
        order_number=(order or "").strip() or None,
        limit=PAGE_SIZE,
        cursor=cursor,
    )
    filters = {
        "channel": channel.value if channel else "",
        "status": status.value if status else "",
        "recipient": (recipient or "").strip(),
        "order": (order or "").strip(),
    }
    return console_page(
        request,
        "console/mail.html",
        principal,
        rows=found.items,
        next_cursor=found.next_cursor,
        filters=filters,
        channels=list(notifications.Channel),
        statuses=list(notifications.DeliveryStatus),
    )


@router.get("/mail/{notification_id}")
async def message(
    notification_id: Id, request: Request, session: Session, principal: Reader
) -> Response:
    row = await notifications.get_notification(session, notification_id)
    resendable = {s.value for s in notifications.RESENDABLE}
    return console_page(
        request,
        "console/message.html",
        principal,
        message=row,
        resendable=row.status in resendable,
    )


@router.get("/mail/{notification_id}/html")
async def message_html(
    notification_id: Id, request: Request, session: Session, principal: Reader
) -> Response:
    """The email as its recipient sees it, under the API's strict policy (a sandbox)."""
    row = await notifications.get_notification(session, notification_id)
    if row.body_html is None:
        raise NotFound(translate(request, N_("This message has no HTML body.")))
    return HTMLResponse(
        row.body_html,
        headers={
            "Content-Security-Policy": notifications.HTML_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


@router.post("/mail/{notification_id}/resend")
async def resend(
    notification_id: Id, request: Request, session: Session, principal: Operator
) -> Response:
    form = await request.form()
    back = back_to(form, f"/console/mail/{notification_id}")
    try:
        await notifications.resend_notification(session, notification_id)
    except DomainError as exc:
        await session.rollback()
        return fail(request, exc.detail, back)
    web_session(request).flash(translate(request, N_("The message is queued to be sent again.")))
    return redirect(back)
