"""What every page of the operator console shares: who may read and act, the page helper,
redirects back with a message, and the labels of statuses.

Operators read and act; support staff read every page but see no action (a form they
post anyway is the 403 page, as in the API, where the actions are operators' only).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from pasar.identity import Principal, Role
from pasar.platform.time import utcnow
from pasar.web.auth import require_web_roles
from pasar.web.forms import safe_next, text
from pasar.web.i18n import N_
from pasar.web.security import WebSession
from pasar.web.templating import page

#: Operators and support staff: they read the console.
Reader = Annotated[Principal, Depends(require_web_roles(Role.OPERATOR, Role.SUPPORT))]
#: Operators only: they act (approve, suspend, replay, resend).
Operator = Annotated[Principal, Depends(require_web_roles(Role.OPERATOR))]

SEE_OTHER = 303
PAGE_SIZE = 50
#: The session key of an error to show on the next console page (after a redirect).
ERROR_KEY = "console_error"

#: An order's (or SellerOrder's) status, in the operator's words.
ORDER_STATUSES = {
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
SELLER_STATUSES = {
    "applied": N_("Applied"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "warned": N_("Warned"),
    "suspended": N_("Suspended"),
    "removed": N_("Removed"),
}
SELLER_ACTIONS = {
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "warn": N_("Warn"),
    "clear_warning": N_("Clear the warning"),
    "suspend": N_("Suspend"),
    "reinstate": N_("Reinstate"),
    "remove": N_("Remove"),
}
EVENT_STATUSES = {
    "pending": N_("Pending"),
    "published": N_("Published"),
    "dead": N_("Dead letters"),
}
MAIL_STATUSES = {
    "pending": N_("Pending"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "logged": N_("Logged"),
    "failed": N_("Failed"),
    "unknown": N_("Unknown"),
}
DOCUMENT_KINDS = {
    "business_registration": N_("Business registration"),
    "tax_certificate": N_("Tax certificate"),
    "identity": N_("Identity document"),
    "bank_statement": N_("Bank statement"),
    "other": N_("Other document"),
}
LABELS = {
    "order_labels": ORDER_STATUSES,
    "seller_labels": SELLER_STATUSES,
    "action_labels": SELLER_ACTIONS,
    "event_labels": EVENT_STATUSES,
    "mail_labels": MAIL_STATUSES,
    "document_labels": DOCUMENT_KINDS,
}


def web_session(request: Request) -> WebSession:
    session: WebSession = request.state.web_session
    return session


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=SEE_OTHER)


def back_to(form: FormData, default: str) -> str:
    """The console page a form came from (never anywhere else)."""
    wanted = safe_next(text(form, "back") or default)
    return wanted if wanted.startswith("/console") else default


def fail(request: Request, message: str, back: str) -> RedirectResponse:
    """Back to the page, which shows `message` as an alert."""
    web_session(request).set(ERROR_KEY, message)
    return redirect(back)


def console_page(
    request: Request, name: str, principal: Principal, status_code: int = 200, **context: Any
) -> Response:
    """A console page: never cached, with the error a redirect left behind."""
    web = web_session(request)
    error = web.get(ERROR_KEY)
    web.set(ERROR_KEY, None)
    context.setdefault("error", error if isinstance(error, str) else None)
    response = page(
        request,
        name,
        status_code=status_code,
        can_act=principal.is_operator,
        today=utcnow().date(),
        **LABELS,
        **context,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
