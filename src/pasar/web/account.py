"""A signed-in buyer's account: the profile, the orders placed with it, the address book.

For buyers signed in through `/signin` (a stranger is sent there, another role gets the
403 page). The pages read through the public services the JSON API uses
(`identity.get_user`, `orders.list_orders` with the buyer's own user id, as
`GET /api/v1/orders` does), and each order links to the storefront's order page, which
opens a signed-in buyer's own order without the guest access link.

The address book (`/account/addresses`) is checkout's (`checkout.list_addresses`,
`add_address`, ... with the buyer's own user id, as `/api/v1/me/addresses` does): saved
addresses fill the checkout form in; the order still keeps its own copy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from pasar import checkout, identity, orders
from pasar.identity import Principal, Role
from pasar.platform.db import Session
from pasar.platform.errors import PermissionDenied
from pasar.platform.types import Id
from pasar.web.auth import PortalRoute, require_web_roles
from pasar.web.forms import field_errors, text
from pasar.web.i18n import N_
from pasar.web.security import WebSession
from pasar.web.storefront import (
    PAYMENT_METHODS,
    STATUS_LABELS,
    country_choices,
    friendly_errors,
)
from pasar.web.templating import page, translate

router = APIRouter(prefix="/account", include_in_schema=False, route_class=PortalRoute)

Buyer = Annotated[Principal, Depends(require_web_roles(Role.BUYER))]
Now = Annotated[datetime, Depends(checkout.checkout_clock)]
PAGE_SIZE = 20
#: Orders on the profile page.
RECENT = 3


def _user_id(principal: Principal) -> int:
    if principal.user_id is None:  # a signed-in buyer always has an account
        raise PermissionDenied("This page is for buyer accounts.")
    return principal.user_id


def _account(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    response = page(
        request,
        name,
        status_code=status_code,
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


# --- address book -------------------------------------------------------------------------

ADDRESS_FIELDS = (
    "label",
    "name",
    "phone",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
)
BOOK_FULL = N_("You can keep at most %(limit)s addresses. Delete one to add another.")
SEE_OTHER = 303


def _web(request: Request) -> WebSession:
    session: WebSession = request.state.web_session
    return session


def _back_to_book(request: Request, message: str) -> RedirectResponse:
    _web(request).flash(translate(request, message))
    return RedirectResponse("/account/addresses", status_code=SEE_OTHER)


def _address_form(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    """What the buyer typed (to show again) and the body for the service: blank is None,
    so a required field left blank is reported as missing."""
    values = {name: text(form, name) for name in ADDRESS_FIELDS}
    values["is_default"] = "1" if text(form, "is_default") == "1" else ""
    body: dict[str, Any] = {name: values[name] or None for name in ADDRESS_FIELDS}
    return values, body


async def _book_page(
    request: Request,
    session: AsyncSession,
    user_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    book = await checkout.list_addresses(session, user_id=user_id)
    return _account(
        request,
        "account/addresses.html",
        status_code=status_code,
        addresses=book,
        values=values or {"country": "ID"},
        errors=errors or {},
        countries=country_choices(request.state.locale),
        limit=checkout.MAX_ADDRESSES,
    )


@router.get("/addresses")
async def addresses(request: Request, session: Session, principal: Buyer) -> Response:
    return await _book_page(request, session, _user_id(principal))


@router.post("/addresses")
async def add_address(request: Request, session: Session, principal: Buyer, now: Now) -> Response:
    user_id = _user_id(principal)
    values, body = _address_form(await request.form())
    try:
        data = checkout.SavedAddressCreate.model_validate(
            {**body, "is_default": bool(values["is_default"])}
        )
        await checkout.add_address(session, user_id=user_id, data=data, now=now)
    except ValidationError as exc:
        errors = friendly_errors(request, field_errors(exc))
        return await _book_page(
            request, session, user_id, values=values, errors=errors, status_code=422
        )
    except checkout.AddressBookFull as exc:
        await session.rollback()
        errors = {"form": translate(request, BOOK_FULL, limit=checkout.MAX_ADDRESSES)}
        return await _book_page(
            request, session, user_id, values=values, errors=errors, status_code=exc.status
        )
    return _back_to_book(request, N_("The address is saved."))


def _edit_page(
    request: Request,
    address: checkout.SavedAddressRead,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    if values is None:
        values = {name: getattr(address, name) or "" for name in ADDRESS_FIELDS}
    return _account(
        request,
        "account/address.html",
        status_code=status_code,
        address=address,
        values=values,
        errors=errors or {},
        countries=country_choices(request.state.locale),
    )


@router.get("/addresses/{address_id}")
async def edit_address(
    address_id: Id, request: Request, session: Session, principal: Buyer
) -> Response:
    """Another buyer's address is the 404 page, as if it did not exist."""
    found = await checkout.get_address(session, user_id=_user_id(principal), address_id=address_id)
    return _edit_page(request, found)


@router.post("/addresses/{address_id}")
async def update_address(
    address_id: Id, request: Request, session: Session, principal: Buyer, now: Now
) -> Response:
    user_id = _user_id(principal)
    found = await checkout.get_address(session, user_id=user_id, address_id=address_id)
    values, body = _address_form(await request.form())
    if values["is_default"]:  # unticked leaves the default as it is
        body["is_default"] = True
    try:
        changes = checkout.SavedAddressUpdate.model_validate(body)
        await checkout.update_address(
            session, user_id=user_id, address_id=address_id, changes=changes, now=now
        )
    except ValidationError as exc:
        errors = friendly_errors(request, field_errors(exc))
        return _edit_page(request, found, values=values, errors=errors, status_code=422)
    return _back_to_book(request, N_("The address is saved."))


@router.post("/addresses/{address_id}/default")
async def make_default(
    address_id: Id, request: Request, session: Session, principal: Buyer, now: Now
) -> Response:
    await checkout.make_default(
        session, user_id=_user_id(principal), address_id=address_id, now=now
    )
    return _back_to_book(request, N_("Checkout now starts from this address."))


@router.post("/addresses/{address_id}/delete")
async def delete_address(
    address_id: Id, request: Request, session: Session, principal: Buyer
) -> Response:
    await checkout.delete_address(session, user_id=_user_id(principal), address_id=address_id)
    return _back_to_book(request, N_("The address is deleted."))
