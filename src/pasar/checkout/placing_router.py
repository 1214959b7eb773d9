"""`POST /api/v1/carts/{token}/order`: the buyer presses "Place order"."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, status
from pydantic import BaseModel

from pasar import payments
from pasar.checkout.deps import Config, Now
from pasar.checkout.placing import PlaceOrder, place_order
from pasar.identity import OptionalPrincipal
from pasar.platform.db import Session
from pasar.platform.idempotency import IdempotencyKey

router = APIRouter(tags=["checkout"])

Token = Annotated[str, Path(min_length=16, max_length=64, description="The cart token.")]


class PlacedSellerOrder(BaseModel):
    id: int
    number: str
    seller_id: int
    total_amount: int


class PaymentNext(BaseModel):
    method: str
    status: str
    due_at: str | None
    next_action: dict[str, Any] | None
    instructions: dict[str, Any] | None


class PlacedOrderRead(BaseModel):
    order_id: int
    number: str
    status: str
    currency: str
    items_amount: int
    shipping_amount: int
    total_amount: int
    seller_orders: list[PlacedSellerOrder]
    payment: PaymentNext
    access_token: str
    order_url: str


@router.post(
    "/api/v1/carts/{token}/order",
    response_model=PlacedOrderRead,
    status_code=status.HTTP_201_CREATED,
)
async def place(
    token: Token,
    body: PlaceOrder,
    request: Request,
    session: Session,
    principal: OptionalPrincipal,
    config: Config,
    now: Now,
    key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Place the order: re-price, reserve stock, split per seller and start the payment.

    All or nothing, in one transaction. Card payments are authorised now (declined cards
    answer 402 and change nothing) and captured per seller when each part ships; bank
    transfers wait for the money until `payment.due_at` (see `payment.instructions`);
    cash on delivery is collected by the carrier. A 3-D Secure card answers with
    `payment.next_action`. Send an `Idempotency-Key`: a retry never makes a second order
    or a second charge. Guests keep `access_token`: it opens the order without an account.
    """
    settings = request.app.state.settings
    return await place_order(
        session,
        token,
        body,
        principal=principal,
        config=config,
        payment_config=payments.PaymentConfig.from_settings(settings),
        secret=settings.secret,
        idempotency_key=key,
        now=now,
    )
