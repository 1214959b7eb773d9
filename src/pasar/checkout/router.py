"""checkout's HTTP layer for carts: guests and signed-in buyers alike.

A cart is addressed by its token. Guests hold the token; a signed-in buyer's cart also
needs that buyer's credentials (anyone else gets 404). Every answer is the priced cart,
re-validated against the catalog, sellers and stock at that moment.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from pasar import orders
from pasar.checkout import carts, claims, reorder
from pasar.checkout.deps import Config, Now
from pasar.checkout.pricing import price_cart
from pasar.checkout.schemas import (
    AddressUpdate,
    CartRead,
    DeliveryChoices,
    LineAdd,
    LineUpdate,
)
from pasar.identity import CurrentPrincipal, OptionalPrincipal
from pasar.platform.db import Session
from pasar.platform.types import Id

carts_router = APIRouter(prefix="/api/v1", tags=["checkout"])

Token = Annotated[
    str,
    Path(
        min_length=16,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The cart's token, from POST /api/v1/carts.",
    ),
]
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)
]


@carts_router.post(
    "/carts",
    status_code=status.HTTP_201_CREATED,
    response_model=CartRead,
    responses={200: {"description": "The signed-in buyer's existing open cart."}},
)
async def create_cart(
    response: Response,
    principal: OptionalPrincipal,
    session: Session,
    config: Config,
    now: Now,
    key: IdempotencyKey = None,
) -> CartRead:
    """Start a cart. Guests get a new cart and its secret token; a signed-in buyer gets
    their one open cart (200 if it already existed). Anyone."""
    priced, created = await carts.create_cart(
        session, principal=principal, config=config, now=now, idempotency_key=key
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return CartRead.of(priced)


@carts_router.get("/carts/mine", response_model=CartRead)
async def my_cart(
    principal: CurrentPrincipal, session: Session, config: Config, now: Now
) -> CartRead:
    """The signed-in buyer's open cart, priced. 404 when they have none."""
    return CartRead.of(await carts.mine(session, principal=principal, config=config, now=now))


@carts_router.get("/carts/{token}", response_model=CartRead)
async def get_cart(
    token: Token, principal: OptionalPrincipal, session: Session, config: Config, now: Now
) -> CartRead:
    """The cart, priced: lines by seller with issues, delivery options, totals, readiness.
    The token's holder; for an account's cart, only that account."""
    return CartRead.of(
        await price_cart(session, token, principal=principal, config=config, now=now)
    )


@carts_router.post("/carts/{token}/lines", response_model=CartRead)
async def add_line(
    token: Token,
    body: LineAdd,
    principal: OptionalPrincipal,
    session: Session,
    config: Config,
    now: Now,
    key: IdempotencyKey = None,
) -> CartRead:
    """Add an offer (an offer already in the cart gains the quantity). The cart's holder."""
    priced = await carts.add_line(
        session,
        token,
        principal=principal,
        offer_id=body.offer_id,
        quantity=body.quantity,
        config=config,
        now=now,
        idempotency_key=key,
    )
    return CartRead.of(priced)


@carts_router.patch("/carts/{token}/lines/{line_id}", response_model=CartRead)
async def change_line(
    token: Token,
    line_id: Id,
    body: LineUpdate,
    principal: OptionalPrincipal,
    session: Session,
    config: Config,
    now: Now,
) -> CartRead:
    """Set a line's quantity. The cart's holder."""
    priced = await carts.change_line(
        session,
        token,
        principal=principal,
        line_id=line_id,
        quantity=body.quantity,
        config=config,
        now=now,
    )
    return CartRead.of(priced)


@carts_router.delete("/carts/{token}/lines/{line_id}", response_model=CartRead)
async def remove_line(
    token: Token,
    line_id: Id,
    principal: OptionalPrincipal,
    session: Session,
    config: Config,
    now: Now,
) -> CartRead:
    """Take a line out of the cart. The cart's holder."""
    priced = await carts.change_line(
        session, token, principal=principal, line_id=line_id, quantity=None, config=config, now=now
    )
    return CartRead.of(priced)


@carts_router.post("/carts/{token}/claim", response_model=CartRead)
async def claim_cart(
    token: Token, principal: CurrentPrincipal, session: Session, config: Config, now: Now
) -> CartRead:
    """Merge a guest cart into the signed-in buyer's cart (called right after sign-in);
    answers with the account's cart. Signed-in users."""
    priced = await claims.claim(session, token, principal=principal, config=config, now=now)
    return CartRead.of(priced)


@carts_router.put("/carts/{token}/address", response_model=CartRead)
async def set_address(
    token: Token,
    body: AddressUpdate,
    principal: OptionalPrincipal,
    session: Session,
    config: Config,
    now: Now,
) -> CartRead:
    """Set the buyer's email, phone and delivery address. The cart's holder."""
    priced = await carts.set_contact(
        session, token, principal=principal, contact=body.contact(), config=config, now=now
    )
    return CartRead.of(priced)


@carts_router.put("/carts/{token}/delivery", response_model=CartRead)
async def choose_delivery(
    token: Token,
    body: DeliveryChoices,
    principal: OptionalPrincipal,
    session: Session,
    config: Config,
    now: Now,
) -> CartRead:
    """Pick a delivery service per seller (others keep their choice). The cart's holder."""
    priced = await carts.choose_delivery(
        session,
        token,
        principal=principal,
        choices=[(c.seller_id, c.service.value) for c in body.choices],
        config=config,
        now=now,
    )
    return CartRead.of(priced)


@carts_router.post(
    "/orders/{number}/cart",
    status_code=status.HTTP_201_CREATED,
    response_model=CartRead,
    responses={404: {"description": "No such order for this caller."}},
)
async def order_again(
    number: Annotated[str, Path(max_length=20, description="The order number.")],
    request: Request,
    principal: OptionalPrincipal,
    session: Session,
    config: Config,
    now: Now,
    access: Annotated[
        str | None,
        Query(max_length=64, description="The guest access token from the order link."),
    ] = None,
) -> CartRead:
    """Order again: a new cart with the order's items (those still on sale) and, while it
    is valid, its contact and address, e.g. after a refused 3-D Secure check cancelled it.
    The order's signed-in buyer, or whoever holds its access link."""
    order, _ = await orders.buyer_order(
        session,
        number,
        principal=principal,
        access=access,
        secret=request.app.state.settings.secret,
    )
    priced = await reorder.cart_from_order(
        session, order.id, principal=principal, config=config, now=now
    )
    return CartRead.of(priced)
