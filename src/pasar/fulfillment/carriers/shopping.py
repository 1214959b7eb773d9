"""Rate shopping: the delivery options one seller's parcel is offered at checkout.

Buyers choose a service level (`standard`, `expedited`, `same_day`); carriers compete to
serve each level. For one seller group every carrier quotes from every warehouse the
group ships from; a carrier service counts only if it serves all of them, and is priced
for the dearest warehouse and promised for the slowest (so the promise holds for every
line). Per level the best candidate wins:

- standard: cheapest, then earliest promised date;
- expedited and same day: earliest promised date, then cheapest;

ties go to the carrier listed first. A same-day quote counts only when the courier can
collect on the ship-by day itself — the day the parcel is ready — otherwise it would not
arrive that day.

The offered options are tagged for the buyer:

- `cheapest`: the lowest price (ties: the earlier date);
- `fastest`: the earliest promised date (ties: the lower price);
- `best_value`: the cheapest option promised no more than one day after the fastest —
  what most buyers would pick if they want it soon but not at any price.

Free standard shipping from a basket total is the marketplace's rule (checkout passes the
threshold); the carrier is still chosen on its real price, then the buyer pays nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from pasar.fulfillment.carriers.base import (
    LEVEL_NAMES,
    Carrier,
    Parcel,
    Place,
    Quote,
    ServiceLevel,
)
from pasar.fulfillment.carriers.promise import Origin, Promise, promise, slowest

LEVELS = tuple(ServiceLevel)
#: How much later than the fastest option a `best_value` option may arrive.
BEST_VALUE_SLACK = timedelta(days=1)


class Tag(StrEnum):
    CHEAPEST = "cheapest"
    FASTEST = "fastest"
    BEST_VALUE = "best_value"


@dataclass(frozen=True, slots=True)
class ShippingOption:
    """What a buyer is offered for one seller's parcel. `service` is the level code the
    buyer chooses; `carrier` / `carrier_service` say who would carry it, and how."""

    service: str
    name: str
    price: int
    currency: str
    transit_days: int
    ship_by: date
    promised_date: date
    carrier: str
    carrier_name: str
    carrier_service: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Candidate:
    rank: int
    #: The dearest warehouse's quote: what the group is priced at.
    quote: Quote
    transit_days: int
    promise: Promise


def _candidates(
    rank: int,
    carrier: Carrier,
    *,
    origins: Sequence[Origin],
    destination: Place,
    parcels: Sequence[Parcel],
    handling_days: int,
    now: datetime,
    holidays: Collection[date],
    currency: str,
) -> list[_Candidate]:
    per_origin = [
        {q.service: q for q in carrier.quote(o.place, destination, parcels, currency=currency)}
        for o in origins
    ]
    found = []
    for service, first in per_origin[0].items():
        legs = [quotes.get(service) for quotes in per_origin]
        if any(q is None for q in legs):
            continue
        quotes = [q for q in legs if q is not None]
        promises = [
            promise(
                now,
                origin=o,
                handling_days=handling_days,
                transit_days=q.transit_days,
                holidays=holidays,
                pickup=q.pickup,
            )
            for o, q in zip(origins, quotes, strict=True)
        ]
        if first.level is ServiceLevel.SAME_DAY and any(
            p.pickup_date != p.ship_by for p in promises
        ):
            continue
        priced = max(quotes, key=lambda q: q.price)
        found.append(
            _Candidate(
                rank=rank,
                quote=priced,
                transit_days=max(q.transit_days for q in quotes),
                promise=slowest(promises),
            )
        )
    return found


def _best(level: ServiceLevel, candidates: Iterable[_Candidate]) -> _Candidate | None:
    mine = [c for c in candidates if c.quote.level is level]
    if not mine:
        return None
    if level is ServiceLevel.STANDARD:
        return min(mine, key=lambda c: (c.quote.price, c.promise.promised_date, c.rank))
    return min(mine, key=lambda c: (c.promise.promised_date, c.quote.price, c.rank))


def tag(options: Sequence[ShippingOption]) -> tuple[ShippingOption, ...]:
    """The options with their tags (see the module docstring)."""
    if not options:
        return ()
    cheapest = min(options, key=lambda o: (o.price, o.promised_date))
    fastest = min(options, key=lambda o: (o.promised_date, o.price))
    soon = [o for o in options if o.promised_date <= fastest.promised_date + BEST_VALUE_SLACK]
    best = min(soon, key=lambda o: (o.price, o.promised_date))
    tagged = []
    for option in options:
        winners = ((Tag.CHEAPEST, cheapest), (Tag.FASTEST, fastest), (Tag.BEST_VALUE, best))
        tags = [t for t, winner in winners if winner is option]
        tagged.append(replace(option, tags=tuple(t.value for t in tags)))
    return tuple(tagged)


def shop_rates(
    carriers: Iterable[Carrier],
    *,
    origins: Sequence[Origin],
    destination: Place,
    parcels: Sequence[Parcel],
    handling_days: int,
    items_total: int,
    now: datetime,
    holidays: Collection[date],
    currency: str,
    free_standard_from: int | None = None,
) -> tuple[tuple[ShippingOption, ...], str | None]:
    """The options for one seller's parcel, one per service level, or none and why not."""
    refusal = f"does not ship to {destination.country.strip().upper()}"
    if not origins or any(not o.place.same_country(destination) for o in origins):
        return (), refusal
    candidates = [
        c
        for rank, carrier in enumerate(carriers)
        for c in _candidates(
            rank,
            carrier,
            origins=origins,
            destination=destination,
            parcels=parcels,
            handling_days=handling_days,
            now=now,
            holidays=holidays,
            currency=currency,
        )
    ]
    free = free_standard_from is not None and items_total >= free_standard_from
    options = []
    for level in LEVELS:
        best = _best(level, candidates)
        if best is None:
            continue
        options.append(
            ShippingOption(
                service=level.value,
                name=LEVEL_NAMES[level],
                price=0 if free and level is ServiceLevel.STANDARD else best.quote.price,
                currency=currency,
                transit_days=best.transit_days,
                ship_by=best.promise.ship_by,
                promised_date=best.promise.promised_date,
                carrier=best.quote.carrier,
                carrier_name=best.quote.carrier_name,
                carrier_service=best.quote.service,
            )
        )
    if not options:
        return (), refusal
    return tag(options), None
