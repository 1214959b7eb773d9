"""Delivery for one seller's group: where its lines ship from, and the options to offer.

Each line ships from the warehouse inventory would reserve it from; a line with no stock
location falls back to the seller's own address, time zone and cut-off, so a promise can
still be shown (the line itself is reported out of stock). The group travels as one
parcel of its lines' total weight; fulfillment shops the configured carriers for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from pasar import fulfillment
from pasar.checkout.config import CheckoutConfig
from pasar.checkout.domain import group_weight
from pasar.checkout.views import Contact, DeliveryOption, PricedLine
from pasar.inventory import ShipOrigin
from pasar.sellers import ShippingProfile

#: Handling days assumed when the seller's profile cannot be read (it always exists).
FALLBACK_HANDLING_DAYS = 2


def line_origin(
    origin: ShipOrigin | None, profile: ShippingProfile | None
) -> fulfillment.Origin | None:
    if origin is not None:
        return fulfillment.Origin(
            fulfillment.Place(origin.country, origin.region, postal_code=origin.postal_code),
            origin.time_zone,
            fulfillment.parse_cut_off(origin.cut_off_time),
        )
    if profile is not None:
        return fulfillment.Origin(
            fulfillment.Place(profile.country, profile.region),
            profile.ship_from_timezone,
            profile.cut_off_time,
        )
    return None


class ParcelLine(Protocol):
    """What delivery needs of a line: which offer, what one unit weighs, how many."""

    @property
    def offer_id(self) -> int: ...
    @property
    def weight_grams(self) -> int: ...
    @property
    def quantity(self) -> int: ...


def shop_delivery(
    *,
    lines: Sequence[ParcelLine],
    items_total: int,
    profile: ShippingProfile | None,
    origins: Mapping[int, ShipOrigin],
    destination: fulfillment.Place,
    config: CheckoutConfig,
    now: datetime,
) -> tuple[tuple[DeliveryOption, ...], str | None]:
    """The options for one seller's lines sent as one parcel to `destination`, or none
    and why not. The one rule for carts and for product-page promises alike."""
    found = [line_origin(origins.get(line.offer_id), profile) for line in lines]
    weight = group_weight(
        [(line.weight_grams, line.quantity) for line in lines], config.default_grams
    )
    return fulfillment.shop_rates(
        config.carriers.shopped,
        origins=list(dict.fromkeys(o for o in found if o is not None)),
        destination=destination,
        parcels=[fulfillment.Parcel(weight)],
        handling_days=profile.handling_days if profile else FALLBACK_HANDLING_DAYS,
        items_total=items_total,
        now=now,
        holidays=config.holidays,
        currency=config.currency,
        free_standard_from=config.free_standard_from,
    )


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
    options, refusal = shop_delivery(
        lines=lines,
        items_total=items_total,
        profile=profile,
        origins=origins,
        destination=fulfillment.Place(
            contact.country, contact.region, contact.city, contact.postal_code
        ),
        config=config,
        now=now,
    )
    chosen = next((o for o in options if o.service == chosen_service), None)
    return options, chosen, (refusal,) if refusal else ()
