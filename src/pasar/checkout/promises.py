"""Delivery promises on a product page: when one unit of an offer would arrive, and for
how much, at a region chosen before any address is given.

The same rule as a cart's delivery options (`delivery.shop_delivery`), fed the same
facts: the catalog's quote (price, weight), the seller's shipping profile and the
warehouse inventory would ship from. Three statements for any number of offers; the
rest is pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from pasar import catalog, fulfillment, inventory, sellers
from pasar.checkout.config import CheckoutConfig
from pasar.checkout.countries import DELIVERY_REGIONS
from pasar.checkout.delivery import shop_delivery
from pasar.checkout.views import DeliveryOption

#: The service level a product page promises (as the cart offers it first).
STANDARD = "standard"


class Destination(NamedTuple):
    """Where to, as far as a buyer said: country, region and maybe a postal code."""

    country: str
    region: str
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class OfferPromise:
    """One unit of an offer, delivered with `service`: arrives by `earliest_date` for
    `price` (minor units of `currency`; 0 when shipping is free)."""

    earliest_date: date
    price: int
    currency: str
    service: str


@dataclass(frozen=True, slots=True)
class _Unit:
    offer_id: int
    weight_grams: int
    quantity: int = 1


def delivery_regions(country: str) -> tuple[Destination, ...]:
    """The regions a buyer may pick in `country`, the capital region first; () if none."""
    code = country.strip().upper()
    return tuple(Destination(code, r, p) for r, p in DELIVERY_REGIONS.get(code, ()))


def _promised(options: Sequence[DeliveryOption]) -> OfferPromise | None:
    """The standard option; where a destination has none, the cheapest offered."""
    if not options:
        return None
    chosen = next((o for o in options if o.service == STANDARD), None) or min(
        options, key=lambda o: (o.price, o.promised_date)
    )
    return OfferPromise(chosen.promised_date, chosen.price, chosen.currency, chosen.service)


async def offer_promises(
    session: AsyncSession,
    offer_ids: Sequence[int],
    destination: Destination | tuple[str, str, str | None],
    *,
    config: CheckoutConfig,
    now: datetime,
) -> dict[int, OfferPromise | None]:
    """Per offer, the promise for one unit shipped to `destination` as a cart would quote
    it at `now`; None when no carrier serves the destination. Unknown offers are absent."""
    ids = sorted(set(offer_ids))
    if not ids:
        return {}
    country, region, postal_code = destination
    place = fulfillment.Place(country, region, postal_code=postal_code)
    quotes = await catalog.quote_offers(session, ids)
    profiles = await sellers.shipping_profiles(session, [q.seller_id for q in quotes.values()])
    origins = await inventory.ship_origins(session, list(quotes))
    found: dict[int, OfferPromise | None] = {}
    for offer_id, quote in quotes.items():
        weight = quote.weight_grams if quote.weight_grams is not None else config.default_grams
        options, _refusal = shop_delivery(
            lines=[_Unit(offer_id, weight)],
            items_total=quote.price_amount,
            profile=profiles.get(quote.seller_id),
            origins=origins,
            destination=place,
            config=config,
            now=now,
        )
        found[offer_id] = _promised(options)
    return found
