"""Cart use cases: create, add / change / remove lines, address, delivery choice.

Each one locks the cart row first (every change to one cart queues behind the last),
commits its own transaction, and answers with the freshly priced cart.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import catalog
from pasar.checkout.config import CheckoutConfig
from pasar.checkout.domain import check_quantity
from pasar.checkout.errors import (
    CartFull,
    CartLineNotFound,
    CartNotFound,
    InvalidDeliveryChoice,
    OfferNotPurchasable,
)
from pasar.checkout.models import OPEN, Cart, CartLine
from pasar.checkout.pricing import NO_FACTS, price_cart, price_loaded, price_with, read_facts
from pasar.checkout.store import ensure_open, load_cart, open_cart_of, user_of
from pasar.checkout.views import Contact, PricedCart
from pasar.identity import Principal
from pasar.platform.idempotency import run_idempotent

CONTACT_FIELDS = (
    "email",
    "phone",
    "name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "language",
    "sms_updates",
)


#: The cart's lines, built once: adding a line reads them to top one up or count them.
LINE_OFFERS = select(CartLine).where(CartLine.cart_id == bindparam("cart_id"))


def new_token() -> str:
    """256 random bits, URL-safe: the only key to a guest's cart."""
    return secrets.token_urlsafe(32)


async def create_cart(
    session: AsyncSession,
    *,
    principal: Principal | None,
    config: CheckoutConfig,
    now: datetime,
    idempotency_key: str | None,
) -> tuple[PricedCart, bool]:
    """A guest cart, or the signed-in buyer's one open cart; (cart, whether it is new)."""
    user_id = user_of(principal)
    made: list[Cart] = []

    async def work() -> dict[str, Any]:
        if user_id is not None and (existing := await open_cart_of(session, user_id)):
            return {"token": existing.token, "created": False}
        cart = Cart(
            token=new_token(),
            user_id=user_id,
            status=OPEN,
            currency=config.currency,
            delivery={},
            created_at=now,
            updated_at=now,
        )
        session.add(cart)
        await session.flush()
        made.append(cart)
        return {"token": cart.token, "created": True}

    scope = f"checkout.cart:{user_id if user_id is not None else 'guest'}"
    try:
        result = await run_idempotent(
            session, scope=scope, key=idempotency_key, request={}, work=work
        )
    except IntegrityError:
        # Two first carts for one user raced; the unique index kept one. Answer with it.
        await session.rollback()
        if user_id is None or (existing := await open_cart_of(session, user_id)) is None:
            raise
        result = {"token": existing.token, "created": False}
    if made and result["created"]:
        # Made and committed just now: nothing in it to read (a replay reads the cart).
        return price_with(made[0], NO_FACTS, config=config, now=now), True
    priced = await price_cart(session, result["token"], principal=principal, config=config, now=now)
    return priced, bool(result["created"])


async def mine(
    session: AsyncSession, *, principal: Principal, config: CheckoutConfig, now: datetime
) -> PricedCart:
    """The signed-in buyer's open cart (GET never creates one)."""
    user_id = user_of(principal)
    cart = await open_cart_of(session, user_id) if user_id is not None else None
    if cart is None:
        raise CartNotFound("You have no open cart; create one with POST /api/v1/carts.")
    return await price_loaded(session, cart, config=config, now=now)


async def add_line(
    session: AsyncSession,
    token: str,
    *,
    principal: Principal | None,
    offer_id: int,
    quantity: int,
    config: CheckoutConfig,
    now: datetime,
    idempotency_key: str | None,
) -> PricedCart:
    """Put an offer in the cart; an offer already there gains the quantity instead.

    The line remembers today's price as the one the buyer saw, so a later change shows.
    """
    check_quantity(quantity, config.max_quantity)
    cart = await load_cart(session, token, principal, lock=True)

    async def work() -> dict[str, Any]:
        ensure_open(cart)
        quote = (await catalog.quote_offers(session, [offer_id])).get(offer_id)
        if quote is None:
            raise catalog.OfferNotFound(f"Offer {offer_id} does not exist.", field="offer_id")
        if not quote.purchasable:
            raise OfferNotPurchasable(
                f"Offer {offer_id} cannot be bought now.", field="offer_id", reason=quote.reason
            )
        # One read gives both the line to top up and the count to check room against.
        present = list((await session.scalars(LINE_OFFERS, {"cart_id": cart.id})).all())
        line = next((li for li in present if li.offer_id == offer_id), None)
        if line is not None:
            line.quantity = check_quantity(line.quantity + quantity, config.max_quantity)
            line.seen_price, line.updated_at = quote.price_amount, now
        else:
            if len(present) >= config.max_lines:
                raise CartFull(f"A cart holds at most {config.max_lines} lines.", field="offer_id")
            session.add(
                CartLine(
                    cart_id=cart.id,
                    offer_id=offer_id,
                    quantity=quantity,
                    seen_price=quote.price_amount,
                    seller_id=quote.seller_id,
                    product_id=quote.product_id,
                    variant_id=quote.variant_id,
                    title=quote.title[:400],
                    sku=quote.sku,
                    created_at=now,
                    updated_at=now,
                )
            )
        cart.updated_at = now
        return {"offer_id": offer_id}

    await run_idempotent(
        session,
        scope=f"checkout.lines:{cart.id}",
        key=idempotency_key,
        request={"offer_id": offer_id, "quantity": quantity},
        work=work,
    )
    return await price_cart(session, token, principal=principal, config=config, now=now)


async def change_line(
    session: AsyncSession,
    token: str,
    *,
    principal: Principal | None,
    line_id: int,
    quantity: int | None,
    config: CheckoutConfig,
    now: datetime,
) -> PricedCart:
    """Set a line's quantity (`None` removes the line)."""
    cart = await load_cart(session, token, principal, lock=True)
    ensure_open(cart)
    line = await session.scalar(
        select(CartLine).where(CartLine.id == line_id, CartLine.cart_id == cart.id)
    )
    if line is None:
        raise CartLineNotFound(f"This cart has no line {line_id}.", field="line_id")
    if quantity is None:
        await session.delete(line)
    else:
        line.quantity = check_quantity(quantity, config.max_quantity)
        line.updated_at = now
    cart.updated_at = now
    await session.commit()
    return await price_loaded(session, cart, config=config, now=now)


async def set_contact(
    session: AsyncSession,
    token: str,
    *,
    principal: Principal | None,
    contact: Contact,
    config: CheckoutConfig,
    now: datetime,
) -> PricedCart:
    """Who buys and where it goes: all a guest needs, no account."""
    cart = await load_cart(session, token, principal, lock=True)
    ensure_open(cart)
    for field in (*CONTACT_FIELDS, "country"):
        setattr(cart, field, getattr(contact, field))
    cart.updated_at = now
    await session.commit()
    return await price_loaded(session, cart, config=config, now=now)


async def choose_delivery(
    session: AsyncSession,
    token: str,
    *,
    principal: Principal | None,
    choices: Sequence[tuple[int, str]],
    config: CheckoutConfig,
    now: datetime,
) -> PricedCart:
    """Pick a service per seller; sellers not named keep their earlier choice."""
    cart = await load_cart(session, token, principal, lock=True)
    ensure_open(cart)
    # Read once, under the cart's lock: the answer is priced from the same facts.
    facts = await read_facts(session, cart.id)
    groups = {g.seller_id: g for g in price_with(cart, facts, config=config, now=now).groups}
    chosen = dict(cart.delivery or {})
    for index, (seller_id, service) in enumerate(choices):
        group = groups.get(seller_id)
        if group is None:
            raise InvalidDeliveryChoice(
                f"Seller {seller_id} has nothing in this cart.", field=f"choices.{index}.seller_id"
            )
        if service not in {o.service for o in group.options}:
            why = "; ".join(group.issues) or "set the delivery address first"
            raise InvalidDeliveryChoice(
                f"{group.seller_name} does not offer {service} delivery here ({why}).",
                field=f"choices.{index}.service",
            )
        chosen[str(seller_id)] = service
    cart.delivery = chosen
    cart.updated_at = now
    await session.commit()
    return price_with(cart, facts, config=config, now=now)
