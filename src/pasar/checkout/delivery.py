"""Delivery for one seller's group: where its lines ship from, and the options to offer.

Each line ships from the warehouse inventory would reserve it from; a line with no stock
location falls back to the seller's own address, time zone and cut-off, so a promise can
still be shown (the line itself is reported out of stock).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pasar.checkout.config import CheckoutConfig
from pasar.checkout.domain import (
    DeliveryOption,
    Origin,
    Place,
    delivery_options,
    group_weight,
    parse_cut_off,
)
from pasar.checkout.views import Contact, PricedLine
from pasar.inventory import ShipOrigin
from pasar.sellers import ShippingProfile

#: Handling days assumed when the seller's profile cannot be read (it always exists).
FALLBACK_HANDLING_DAYS = 2


def line_origin(origin: ShipOrigin | None, profile: ShippingProfile | None) -> Origin | None:
    if origin is not None:
        return Origin(
            Place(origin.country, origin.region),
            origin.time_zone,
            parse_cut_off(origin.cut_off_time),
        )
    if profile is not None:
        return Origin(
            Place(profile.country, profile.region),
            profile.ship_from_timezone,
            profile.cut_off_time,
        )
    return None


def group_delivery(
    *,
    lines: Sequence[PricedLine],
    items_total: int,
    profile: ShippingProfile | None,
    origins: Mapping[int, ShipOrigin],
    contact: Contact | None,
    chosen_service: str | None,
    config: CheckoutConfig,
    now: datetime,
) -> tuple[tuple[DeliveryOption, ...], DeliveryOption | None, tuple[str, ...]]:
    """(options, the chosen one if still offered, group issues). No address: no options."""
    if contact is None:
        return (), None, ()
    found = [line_origin(origins.get(line.offer_id), profile) for line in lines]
    unique = list(dict.fromkeys(o for o in found if o is not None))
    options, refusal = delivery_options(
        origins=unique,
        destination=Place(contact.country, contact.region),
        handling_days=profile.handling_days if profile else FALLBACK_HANDLING_DAYS,
        weight_grams=group_weight(
            [(line.weight_grams, line.quantity) for line in lines], config.rates
        ),
        items_total=items_total,
        now=now,
        rates=config.rates,
        holidays=config.holidays,
        currency=config.currency,
    )
    chosen = next((o for o in options if o.service == chosen_service), None)
    return options, chosen, (refusal,) if refusal else ()
