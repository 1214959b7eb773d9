"""Pricing a cart: every read re-validates every line against the facts of right now.

A fixed five statements whatever the cart holds: the cart, its lines, the catalog's
quotes, the sellers' shipping profiles and inventory's ship origins — each one query for
all lines at once. Everything after that is pure (`domain`, `views`). Placing an order
prices the cart here and, in the same transaction, closes it with `mark_ordered`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import catalog, inventory, sellers
from pasar.checkout.config import CheckoutConfig
from pasar.checkout.delivery import group_delivery
from pasar.checkout.domain import SELLER_UNAVAILABLE, line_issues
from pasar.checkout.errors import CartClosed
from pasar.checkout.models import OPEN, ORDERED, Cart, CartLine
from pasar.checkout.store import load_cart, load_lines
from pasar.checkout.views import Contact, PricedCart, PricedGroup, PricedLine, blockers
from pasar.identity import Principal


async def price_cart(
    session: AsyncSession,
    token: str,
    *,
    principal: Principal | None,
    config: CheckoutConfig,
    now: datetime,
) -> PricedCart:
    """The cart as it would be bought at `now`: lines, issues, options, totals, blockers."""
    cart = await load_cart(session, token, principal)
    return await price_loaded(session, cart, config=config, now=now)


@dataclass(frozen=True, slots=True)
class Facts:
    """What pricing reads for a cart's lines: the lines, quotes, profiles and origins."""

    lines: Sequence[CartLine]
    quotes: Mapping[int, catalog.OfferQuote]
    profiles: Mapping[int, sellers.ShippingProfile]
    origins: Mapping[int, inventory.ShipOrigin]


NO_FACTS = Facts((), {}, {}, {})


async def read_facts(session: AsyncSession, cart_id: int) -> Facts:
    """The four reads (lines, quotes, profiles, origins); none past the lines if empty."""
    lines = await load_lines(session, cart_id)
    if not lines:
        return NO_FACTS
    offer_ids = [line.offer_id for line in lines]
    quotes = await catalog.quote_offers(session, offer_ids)
    sellers_of = [_seller_of(line, quotes) for line in lines]
    profiles = await sellers.shipping_profiles(session, sellers_of)
    origins = await inventory.ship_origins(session, offer_ids)
    return Facts(lines, quotes, profiles, origins)


async def price_loaded(
    session: AsyncSession, cart: Cart, *, config: CheckoutConfig, now: datetime
) -> PricedCart:
    return price_with(cart, await read_facts(session, cart.id), config=config, now=now)


def _seller_of(line: CartLine, quotes: Mapping[int, catalog.OfferQuote]) -> int:
    quote = quotes.get(line.offer_id)
    return quote.seller_id if quote is not None else line.seller_id


def price_with(cart: Cart, facts: Facts, *, config: CheckoutConfig, now: datetime) -> PricedCart:
    """Pure: the cart priced from facts already read (a write can re-price without reads)."""
    contact = contact_of(cart)
    if not facts.lines:
        return _assemble(cart, contact, ())
    quotes, profiles, origins = facts.quotes, facts.profiles, facts.origins
    by_seller: dict[int, list[PricedLine]] = {}
    for line in facts.lines:
        seller_id = _seller_of(line, quotes)
        priced = _price_line(
            line,
            quotes.get(line.offer_id),
            origins.get(line.offer_id),
            profiles.get(seller_id),
            config,
            seller_id,
        )
        by_seller.setdefault(seller_id, []).append(priced)
    groups = tuple(
        _group(cart, seller_id, group_lines, profiles, quotes, origins, contact, config, now)
        for seller_id, group_lines in by_seller.items()
    )
    return _assemble(cart, contact, groups)


def contact_of(cart: Cart) -> Contact | None:
    if cart.email is None:
        return None
    return Contact(
        email=cart.email,
        phone=cart.phone or "",
        name=cart.name or "",
        line1=cart.line1 or "",
        line2=cart.line2,
        city=cart.city or "",
        region=cart.region or "",
        postal_code=cart.postal_code or "",
        country=cart.country or "",
        language=cart.language,
        sms_updates=bool(cart.sms_updates),
    )


def _price_line(
    line: CartLine,
    quote: catalog.OfferQuote | None,
    origin: inventory.ShipOrigin | None,
    profile: sellers.ShippingProfile | None,
    config: CheckoutConfig,
    seller_id: int,
) -> PricedLine:
    blocked = quote.reason if quote is not None else None
    if blocked is None and profile is not None and not profile.sellable:
        blocked = SELLER_UNAVAILABLE
    unit_price = quote.price_amount if quote is not None else None
    price = unit_price if unit_price is not None else line.seen_price
    weight = quote.weight_grams if quote is not None else None
    return PricedLine(
        line_id=line.id,
        offer_id=line.offer_id,
        seller_id=seller_id,
        product_id=quote.product_id if quote else line.product_id,
        variant_id=quote.variant_id if quote else line.variant_id,
        title=quote.title if quote else line.title,
        sku=quote.sku if quote else line.sku,
        image_url=quote.image_url if quote else None,
        quantity=line.quantity,
        unit_price=price,
        seen_price=line.seen_price,
        line_total=price * line.quantity,
        weight_grams=weight if weight is not None else config.default_grams,
        fulfilled_by=quote.fulfilled_by if quote else "seller",
        condition=quote.condition if quote else "new",
        issues=line_issues(
            quantity=line.quantity,
            seen_price=line.seen_price,
            unit_price=unit_price,
            blocked=blocked,
            available=origin.total_available if origin is not None else 0,
            max_quantity=config.max_quantity,
        ),
    )


def _group(
    cart: Cart,
    seller_id: int,
    lines: list[PricedLine],
    profiles: Mapping[int, sellers.ShippingProfile],
    quotes: Mapping[int, catalog.OfferQuote],
    origins: Mapping[int, inventory.ShipOrigin],
    contact: Contact | None,
    config: CheckoutConfig,
    now: datetime,
) -> PricedGroup:
    profile = profiles.get(seller_id)
    quoted = next((quotes[li.offer_id].seller_name for li in lines if li.offer_id in quotes), None)
    items_total = sum(line.line_total for line in lines)
    options, chosen, issues = group_delivery(
        lines=lines,
        items_total=items_total,
        profile=profile,
        origins=origins,
        contact=contact,
        chosen_service=(cart.delivery or {}).get(str(seller_id)),
        config=config,
        now=now,
    )
    return PricedGroup(
        seller_id=seller_id,
        seller_name=profile.name if profile else quoted or f"Seller {seller_id}",
        lines=tuple(lines),
        items_total=items_total,
        options=options,
        chosen=chosen,
        issues=issues,
    )


def _assemble(cart: Cart, contact: Contact | None, groups: tuple[PricedGroup, ...]) -> PricedCart:
    items = sum(g.items_total for g in groups)
    shipping = sum(g.shipping for g in groups)
    found = blockers(status=cart.status, contact=contact, groups=groups)
    return PricedCart(
        cart_id=cart.id,
        token=cart.token,
        user_id=cart.user_id,
        status=cart.status,
        currency=cart.currency,
        contact=contact,
        groups=groups,
        items_total=items,
        shipping_total=shipping,
        grand_total=items + shipping,
        ready=not found,
        blockers=found,
        order_id=cart.order_id,
    )


_CARTS = cast(Table, Cart.__table__)
#: Built once (Core): placing an order runs it every time.
CLOSE_CART = (
    update(_CARTS)
    .where(_CARTS.c.id == bindparam("cart_id"), _CARTS.c.status == OPEN)
    .values(status=ORDERED, order_id=bindparam("order_id"), updated_at=bindparam("now"))
)


async def mark_ordered(
    session: AsyncSession, cart_id: int, *, order_id: int, now: datetime
) -> None:
    """Close the cart for the order placed from it. Flushes only: the caller commits."""
    result = await session.execute(
        CLOSE_CART, {"cart_id": cart_id, "order_id": order_id, "now": now}
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise CartClosed(f"Cart {cart_id} is not open; it cannot be ordered again.")
