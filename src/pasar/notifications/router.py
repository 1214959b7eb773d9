"""The operator's console onto the notification log (the mail log included)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import HTMLResponse

from pasar.identity import OperatorPrincipal
from pasar.notifications import service
from pasar.notifications.domain import Channel, DeliveryStatus
from pasar.notifications.errors import NotificationNotFound
from pasar.notifications.schemas import NotificationDetail, NotificationSummary
from pasar.platform.db import Session
from pasar.platform.pagination import Cursor, Limit, Page
from pasar.platform.routing import GuardedRouter
from pasar.platform.types import Id

router = GuardedRouter(prefix="/api/v1/admin/notifications", tags=["notifications"])

#: A stored email is untrusted markup as far as the console is concerned: no scripts, no
#: fetches, no forms, no framing; only the inline styles emails are written with.
HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox"
)


@router.get("", response_model=Page[NotificationSummary], summary="List notifications")
async def list_notifications(
    principal: OperatorPrincipal,
    session: Session,
    channel: Annotated[Channel | None, Query(description="email or sms.")] = None,
    status: Annotated[
        DeliveryStatus | None,
        Query(description="`failed` and `unknown` are the ones that may need a resend."),
    ] = None,
    recipient: Annotated[
        str | None, Query(max_length=320, description="Exact email address or phone number.")
    ] = None,
    template: Annotated[
        str | None,
        Query(max_length=40, description="e.g. `shipped`, `payment_reminder`, `webhook_disabled`."),
    ] = None,
    order_number: Annotated[
        str | None, Query(max_length=20, description="The order's number.")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[NotificationSummary]:
    """Every email and text message to buyers, and every notice to a seller's contact
    address (`webhook_disabled`), newest first: to whom, which template, its delivery state
    and the provider's message id."""
    page = await service.list_notifications(
        session,
        channel=channel,
        status=status,
        recipient=recipient,
        template=template,
        order_number=order_number,
        limit=limit,
        cursor=cursor,
    )
    return Page(
        items=[NotificationSummary.model_validate(r) for r in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/{notification_id}", response_model=NotificationDetail, summary="Read a notification")
async def get_notification(
    notification_id: Id, principal: OperatorPrincipal, session: Session
) -> NotificationDetail:
    """One message with its subject and bodies, exactly as sent."""
    row = await service.get_notification(session, notification_id)
    return NotificationDetail.model_validate(row)


@router.get(
    "/{notification_id}/html",
    response_class=HTMLResponse,
    summary="Read an email as the buyer sees it",
    responses={200: {"content": {"text/html": {}}, "description": "The email's HTML body."}},
)
async def notification_html(
    notification_id: Id, principal: OperatorPrincipal, session: Session
) -> HTMLResponse:
    """The HTML body, for reading the mail log in a browser. Served under a Content
    Security Policy that allows nothing but inline styles (no scripts, requests or forms)."""
    row = await service.get_notification(session, notification_id)
    if row.body_html is None:
        raise NotificationNotFound(
            f"Notification {notification_id} has no HTML body (a text message, or not "
            "rendered yet)."
        )
    return HTMLResponse(
        row.body_html,
        headers={
            "Content-Security-Policy": HTML_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/{notification_id}/resend", response_model=NotificationDetail, summary="Resend a notification"
)
async def resend_notification(
    notification_id: Id, principal: OperatorPrincipal, session: Session
) -> NotificationDetail:
    """Send a `failed` message, or one whose delivery is `unknown`, again (409 otherwise).
    It goes back to the queue with fresh attempts; the buyer may get it twice if the
    unknown one did go out, which is why this is the operator's call, never automatic."""
    row = await service.resend(session, notification_id)
    return NotificationDetail.model_validate(row)
