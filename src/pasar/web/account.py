"""A signed-in buyer's account: the profile and the orders placed with it.

For buyers signed in through `/signin` (a stranger is sent there, another role gets the
403 page). The pages read through the public services the JSON API uses
(`identity.get_user`, `orders.list_orders` with the buyer's own user id, as
`GET /api/v1/orders` does), and each order links to the storefront's order page, which
opens a signed-in buyer's own order without the guest access link.

There is no address book: neither identity nor checkout keeps buyers' addresses (the
address is typed at checkout and stays on the order).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from pasar import identity, orders
from pasar.identity import Principal, Role
from pasar.platform.db import Session
from pasar.platform.errors import PermissionDenied
from pasar.web.auth import PortalRoute, require_web_roles
from pasar.web.storefront import PAYMENT_METHODS, STATUS_LABELS
from pasar.web.templating import page

router = APIRouter(prefix="/account", include_in_schema=False, route_class=PortalRoute)

Buyer = Annotated[Principal, Depends(require_web_roles(Role.BUYER))]
PAGE_SIZE = 20
#: Orders on the profile page.
RECENT = 3


def _user_id(principal: Principal) -> int:
    if principal.user_id is None:  # a signed-in buyer always has an account
        raise PermissionDenied("This page is for buyer accounts.")
    return principal.user_id


def _account(request: Request, name: str, **context: Any) -> Response:
    response = page(
        request,
        name,
        status_labels=STATUS_LABELS,
        payment_labels=PAYMENT_METHODS,
        **context,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("")
async def profile(request: Request, session: Session, principal: Buyer) -> Response:
    user_id = _user_id(principal)
    user = await identity.get_user(session, user_id)
    recent = await orders.list_orders(
        session, buyer_user_id=user_id, email=None, number=None, limit=RECENT, cursor=None
    )
    return _account(
        request,
        "account/profile.html",
        user=user,
        recent=recent.items,
    )


@router.get("/orders")
async def my_orders(
    request: Request,
    session: Session,
    principal: Buyer,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    found = await orders.list_orders(
        session,
        buyer_user_id=_user_id(principal),
        email=None,
        number=None,
        limit=PAGE_SIZE,
        cursor=cursor or None,
    )
    return _account(request, "account/orders.html", rows=found.items, next_cursor=found.next_cursor)
