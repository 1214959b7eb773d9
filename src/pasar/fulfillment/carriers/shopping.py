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

Shopping is a pure function of its inputs, and at checkout they repeat all the time: the
same warehouses, destinations and weight bands, many times a minute. `shop_rates`
therefore remembers its answers for the current minute (`_Memo`): cut-offs are whole
minutes, so every instant of one minute gets the same promises, and weights a carrier
prices alike (`weight_class`) share an answer.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

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
    cut_offs: set[time | None],
) -> list[_Candidate]:
    per_origin = [
        {q.service: q for q in carrier.quote(o.place, destination, parcels, currency=currency)}
        for o in origins
    ]
    cut_offs.update(q.pickup.cut_off for quotes in per_origin for q in quotes.values())
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


Answer = tuple[tuple[ShippingOption, ...], str | None]
#: Answers remembered per minute; beyond this many the memo starts again.
MEMO_SIZE = 4096


def weight_class(carriers: Sequence[Carrier], grams: int) -> tuple[Hashable, ...]:
    """What the carriers' prices depend on for one parcel of `grams` without dimensions:
    two weights of the same class get the same quotes (`weight_class` of a carrier; one
    that does not say is told the exact weight)."""
    return tuple(
        known(grams) if (known := getattr(c, "weight_class", None)) is not None else grams
        for c in carriers
    )


class _Memo:
    """The current minute's answers. Carriers and holidays are keyed by identity (the
    configured values, built once) and kept alive here so an id is never reused."""

    def __init__(self) -> None:
        self.minute: datetime | None = None
        self.answers: dict[tuple[Any, ...], Answer] = {}
        self.pinned: dict[int, object] = {}
        #: ids of the answers held in `answers` (alive, so never reused meanwhile).
        self.held: set[int] = set()

    def key(
        self,
        carriers: Iterable[Carrier],
        origins: Sequence[Origin],
        destination: Place,
        parcels: Sequence[Parcel],
        rest: tuple[Any, ...],
        now: datetime,
    ) -> tuple[Any, ...] | None:
        """The memo key, or None when the answer is not safely shareable."""
        if not isinstance(carriers, tuple) or len(parcels) != 1 or now.tzinfo is None:
            return None
        parcel = parcels[0]
        if parcel.length_mm is not None or parcel.width_mm is not None:
            return None
        if parcel.height_mm is not None or not all(_whole_minute(o.cut_off) for o in origins):
            return None
        minute = now.replace(second=0, microsecond=0)
        if minute != self.minute or len(self.answers) >= MEMO_SIZE:
            self.minute, self.answers, self.pinned, self.held = minute, {}, {}, set()
        self.pinned[id(carriers)] = carriers
        weights = weight_class(carriers, parcel.weight_grams)
        return (id(carriers), tuple(origins), destination, weights, *rest)


def _whole_minute(value: time | None) -> bool:
    return value is None or (value.second == 0 and value.microsecond == 0)


_MEMO = _Memo()


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
) -> Answer:
    """The options for one seller's parcel, one per service level, or none and why not."""
    free = free_standard_from is not None and items_total >= free_standard_from
    key = None
    if isinstance(holidays, frozenset):
        rest = (handling_days, holidays, currency, free)
        key = _MEMO.key(carriers, origins, destination, parcels, rest, now)
    if key is not None and (found := _MEMO.answers.get(key)) is not None:
        return found
    cut_offs: set[time | None] = set()
    answer = _shop(
        carriers,
        origins=origins,
        destination=destination,
        parcels=parcels,
        handling_days=handling_days,
        free=free,
        now=now,
        holidays=holidays,
        currency=currency,
        cut_offs=cut_offs,
    )
    if key is not None and all(_whole_minute(c) for c in cut_offs):
        _MEMO.answers[key] = answer
        _MEMO.held.add(id(answer))
    return answer


def holds_for_the_minute(answer: Answer) -> bool:
    """Whether `shop_rates` shares this answer for the rest of its minute: a caller may
    then remember it too, for the same inputs at any instant of that minute."""
    return id(answer) in _MEMO.held


def _shop(
    carriers: Iterable[Carrier],
    *,
    origins: Sequence[Origin],
    destination: Place,
    parcels: Sequence[Parcel],
    handling_days: int,
    free: bool,
    now: datetime,
    holidays: Collection[date],
    currency: str,
    cut_offs: set[time | None],
) -> Answer:
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
            cut_offs=cut_offs,
        )
    ]
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
