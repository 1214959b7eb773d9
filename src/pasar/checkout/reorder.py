"""A new cart holding an order's items and address: after a refused payment the order is
cancelled, and the buyer must not lose what they had chosen."""

from __future__ import annotations

import contextlib
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pasar import orders
from pasar.checkout.carts import add_line, create_cart, set_contact
from pasar.checkout.config import CheckoutConfig
from pasar.checkout.views import Contact, PricedCart
from pasar.identity import Principal
from pasar.platform.errors import DomainError


async def cart_from_order(
    session: AsyncSession,
    order_id: int,
    *,
    principal: Principal | None,
    config: CheckoutConfig,
    now: datetime,
) -> PricedCart:
    """A cart with the order's lines (an offer since withdrawn or sold out stays out) and,
    when it is still valid, its contact and address; the caller has checked access."""
    view = await orders.read_order(session, order_id, today=now.date())
    cart, _ = await create_cart(
        session, principal=principal, config=config, now=now, idempotency_key=None
    )
    for part in view.seller_orders:
        for line in part.lines:
            with contextlib.suppress(DomainError):
                cart = await add_line(
                    session,
                    cart.token,
                    principal=principal,
                    offer_id=line.offer_id,
                    quantity=line.quantity,
                    config=config,
                    now=now,
                    idempotency_key=None,
                )
    where = view.address
    with contextlib.suppress(DomainError, KeyError):  # else the buyer types it again
        contact = Contact(
            email=view.email,
            phone=view.phone,
            name=where["name"],
            line1=where["line1"],
            line2=where.get("line2"),
            city=where["city"],
            region=where["region"],
            postal_code=where["postal_code"],
            country=where["country"],
            language=view.language,
            sms_updates=view.sms_updates,
        )
        cart = await set_contact(
            session, cart.token, principal=principal, contact=contact, config=config, now=now
        )
    return cart
