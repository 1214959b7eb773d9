"""`/api/v1/me/addresses`: the signed-in buyer's address book.

Buyers only (a user token of a buyer account): seller staff, operators and API keys do not
shop as themselves. A buyer only ever reaches their own addresses; another buyer's id is
404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status

from pasar.checkout import address_book
from pasar.checkout.deps import Now
from pasar.checkout.schemas import SavedAddressCreate, SavedAddressRead, SavedAddressUpdate
from pasar.identity import Principal, Role, require_roles
from pasar.platform.db import Session
from pasar.platform.errors import PermissionDenied
from pasar.platform.idempotency import IdempotencyKey
from pasar.platform.pagination import Page
from pasar.platform.types import Id

router = APIRouter(prefix="/api/v1/me/addresses", tags=["address book"])

Buyer = Annotated[Principal, Depends(require_roles(Role.BUYER))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such address among the buyer's own (`address-not-found`)."}
}


def _user(principal: Principal) -> int:
    if principal.user_id is None:  # a buyer is always a user account
        raise PermissionDenied("Address books belong to buyer accounts.")
    return principal.user_id


@router.get("", response_model=Page[SavedAddressRead], summary="List my saved addresses")
async def list_addresses(principal: Buyer, session: Session) -> Page[SavedAddressRead]:
    """The buyer's saved addresses, the default first. At most 20, so one page."""
    items = await address_book.list_addresses(session, user_id=_user(principal))
    return Page(items=items)


@router.post(
    "",
    response_model=SavedAddressRead,
    status_code=status.HTTP_201_CREATED,
    summary="Save an address",
    responses={409: {"description": "The buyer keeps 20 addresses already (`address-book-full`)."}},
)
async def add_address(
    body: SavedAddressCreate,
    principal: Buyer,
    session: Session,
    now: Now,
    key: IdempotencyKey = None,
) -> SavedAddressRead:
    """Keep a delivery address on the account, checked as checkout checks one. The first
    address, or one sent with `is_default: true`, becomes the default."""
    return await address_book.add_address(
        session, user_id=_user(principal), data=body, now=now, idempotency_key=key
    )


@router.get(
    "/{address_id}",
    response_model=SavedAddressRead,
    summary="Read a saved address",
    responses=NOT_FOUND,
)
async def get_address(address_id: Id, principal: Buyer, session: Session) -> SavedAddressRead:
    return await address_book.get_address(session, user_id=_user(principal), address_id=address_id)


@router.patch(
    "/{address_id}",
    response_model=SavedAddressRead,
    summary="Change a saved address",
    responses=NOT_FOUND,
)
async def update_address(
    address_id: Id, body: SavedAddressUpdate, principal: Buyer, session: Session, now: Now
) -> SavedAddressRead:
    """Only the fields sent change; `label` and `line2` may be null to clear them.
    `is_default: true` makes it the default; `false` on the default is refused (422)."""
    return await address_book.update_address(
        session, user_id=_user(principal), address_id=address_id, changes=body, now=now
    )


@router.post(
    "/{address_id}/default",
    response_model=SavedAddressRead,
    summary="Make a saved address the default",
    responses=NOT_FOUND,
)
async def make_default(
    address_id: Id, principal: Buyer, session: Session, now: Now
) -> SavedAddressRead:
    """Checkout fills this address in from now on; the previous default stays saved."""
    return await address_book.make_default(
        session, user_id=_user(principal), address_id=address_id, now=now
    )


@router.delete(
    "/{address_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a saved address",
    responses=NOT_FOUND,
)
async def delete_address(address_id: Id, principal: Buyer, session: Session) -> Response:
    """Forget the address. If it was the default, the newest address left becomes it."""
    await address_book.delete_address(session, user_id=_user(principal), address_id=address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
