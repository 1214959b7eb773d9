"""Claiming a guest cart on sign-in: it merges into the account's cart and closes.

The web UI calls this right after sign-in, and clients may retry it: claiming a cart that
was already merged into this same account simply answers with the account's cart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pasar.checkout.carts import CONTACT_FIELDS
from pasar.checkout.config import CheckoutConfig
from pasar.checkout.errors import CartClosed, CartNeedsUser
from pasar.checkout.models import MERGED, OPEN, Cart, CartLine
from pasar.checkout.pricing import price_loaded
from pasar.checkout.store import load_cart, load_lines, open_cart_of, user_of
from pasar.checkout.views import PricedCart
from pasar.identity import Principal


async def claim(
    session: AsyncSession,
    token: str,
    *,
    principal: Principal,
    config: CheckoutConfig,
    now: datetime,
) -> PricedCart:
    """Merge the guest cart `token` into the caller's open cart (or adopt it if none).

    Quantities of the same offer add up, capped at the per-line maximum; lines beyond the
    cart's line limit stay behind in the closed guest cart. The account's address and
    delivery choices win over the guest's.
    """
    user_id = user_of(principal)
    if user_id is None:
        raise CartNeedsUser("Sign in as a user to claim a cart; API keys cannot own one.")
    guest = await load_cart(session, token, principal, lock=True)
    if guest.user_id == user_id:
        return await price_loaded(session, guest, config=config, now=now)
    if guest.status == MERGED and guest.merged_into_id is not None:
        target = await session.get(Cart, guest.merged_into_id)
        if target is not None and target.user_id == user_id:
            return await price_loaded(session, target, config=config, now=now)
    if guest.status != OPEN:
        raise CartClosed(
            f"This cart is {guest.status} and cannot be claimed.", cart_status=guest.status
        )
    account = await open_cart_of(session, user_id, lock=True)
    if account is None:
        guest.user_id, guest.updated_at = user_id, now
        await session.commit()
        return await price_loaded(session, guest, config=config, now=now)
    await _merge(session, guest, account, config, now)
    await session.commit()
    return await price_loaded(session, account, config=config, now=now)


async def _merge(
    session: AsyncSession, guest: Cart, account: Cart, config: CheckoutConfig, now: datetime
) -> None:
    mine = {line.offer_id: line for line in await load_lines(session, account.id)}
    room = config.max_lines - len(mine)
    for line in await load_lines(session, guest.id):
        kept = mine.get(line.offer_id)
        if kept is not None:
            merged = min(kept.quantity + line.quantity, config.max_quantity)
            kept.quantity, kept.updated_at = max(kept.quantity, merged), now
        elif room > 0:
            room -= 1
            session.add(
                CartLine(
                    cart_id=account.id,
                    offer_id=line.offer_id,
                    quantity=min(line.quantity, config.max_quantity),
                    seen_price=line.seen_price,
                    seller_id=line.seller_id,
                    product_id=line.product_id,
                    variant_id=line.variant_id,
                    title=line.title,
                    sku=line.sku,
                    created_at=now,
                    updated_at=now,
                )
            )
    if account.email is None and guest.email is not None:
        for field in (*CONTACT_FIELDS, "country"):
            setattr(account, field, getattr(guest, field))
    account.delivery = {**(guest.delivery or {}), **(account.delivery or {})}
    account.updated_at = now
    guest.status, guest.merged_into_id, guest.updated_at = MERGED, account.id, now
