"""checkout's pure rules: delivery zones, rates, business-day promises, cart line checks.

No I/O, no framework, no ORM: the services feed these functions with what the catalog,
sellers and inventory say right now, so every rule here is tested without a database.

A promise, in the warehouse's time zone: an order placed on a business day before the
cut-off starts handling that day, otherwise the next business day; it ships after the
seller's handling days and arrives after the service's transit days, both counted in
business days (Monday to Friday, minus the marketplace's holidays).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from math import ceil
from zoneinfo import ZoneInfo

from pasar.checkout.errors import QuantityLimit


class Service(StrEnum):
    STANDARD = "standard"
    EXPEDITED = "expedited"


SERVICE_NAMES = {Service.STANDARD: "Standard delivery", Service.EXPEDITED: "Expedited delivery"}


class Zone(StrEnum):
    """How far a parcel travels; international shipping is not offered yet."""

    LOCAL = "local"
    NATIONAL = "national"


@dataclass(frozen=True, slots=True)
class Rate:
    service: Service
    zone: Zone
    transit_days: int
    price: int


@dataclass(frozen=True, slots=True)
class RateTable:
    """Flat rates per service and zone, in minor units; carriers replace this later."""

    rates: tuple[Rate, ...]
    per_started_kg: int = 150
    included_grams: int = 1000
    #: What a variant without a recorded weight is assumed to weigh.
    default_grams: int = 500
    free_standard_from: int = 10_000

    def rate(self, service: Service, zone: Zone) -> Rate | None:
        return next((r for r in self.rates if r.service is service and r.zone is zone), None)

    def price(self, rate: Rate, *, weight_grams: int, items_total: int) -> int:
        if rate.service is Service.STANDARD and items_total >= self.free_standard_from:
            return 0
        extra_kg = ceil(max(0, weight_grams - self.included_grams) / 1000)
        return rate.price + extra_kg * self.per_started_kg


DEFAULT_RATES = RateTable(
    rates=(
        Rate(Service.STANDARD, Zone.LOCAL, transit_days=2, price=500),
        Rate(Service.STANDARD, Zone.NATIONAL, transit_days=4, price=900),
        Rate(Service.EXPEDITED, Zone.LOCAL, transit_days=1, price=1200),
        Rate(Service.EXPEDITED, Zone.NATIONAL, transit_days=2, price=1900),
    )
)


@dataclass(frozen=True, slots=True)
class Place:
    """A country (ISO alpha-2) and region, enough to tell zones apart."""

    country: str
    region: str | None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a line ships from, and the local clock that decides whether it ships today."""

    place: Place
    time_zone: str
    cut_off: time


def zone_of(origin: Place, destination: Place) -> Zone | None:
    """Local within one region of a country, national within the country, else None."""
    if origin.country.upper() != destination.country.upper():
        return None
    same_region = (origin.region or "").strip().casefold() == (
        destination.region or ""
    ).strip().casefold()
    return Zone.LOCAL if same_region and origin.region else Zone.NATIONAL


def parse_cut_off(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


# --- business days ----------------------------------------------------------------------


def is_business_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_business_day(day: date, holidays: Collection[date]) -> date:
    """The first business day strictly after `day`."""
    day += timedelta(days=1)
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, count: int, holidays: Collection[date]) -> date:
    for _ in range(count):
        day = next_business_day(day, holidays)
    return day


def handling_start(now_local: datetime, cut_off: time, holidays: Collection[date]) -> date:
    """Today if it is a business day and the cut-off has not passed, else the next one."""
    today = now_local.date()
    if is_business_day(today, holidays) and now_local.time() < cut_off:
        return today
    return next_business_day(today, holidays)


def promise(
    now: datetime,
    *,
    origin: Origin,
    handling_days: int,
    transit_days: int,
    holidays: Collection[date],
) -> tuple[date, date]:
    """(ship-by date, promised delivery date) for an order placed at `now` (aware)."""
    now_local = now.astimezone(ZoneInfo(origin.time_zone))
    start = handling_start(now_local, origin.cut_off, holidays)
    ship_by = add_business_days(start, handling_days, holidays)
    return ship_by, add_business_days(ship_by, transit_days, holidays)


# --- delivery options -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    service: str
    name: str
    price: int
    currency: str
    transit_days: int
    ship_by: date
    promised_date: date


def group_weight(lines: Sequence[tuple[int | None, int]], rates: RateTable) -> int:
    """Total grams of (weight per unit, quantity) pairs; unknown weights count as the default."""
    return sum((w if w is not None else rates.default_grams) * q for w, q in lines)


def delivery_options(
    *,
    origins: Sequence[Origin],
    destination: Place,
    handling_days: int,
    weight_grams: int,
    items_total: int,
    now: datetime,
    rates: RateTable,
    holidays: Collection[date],
    currency: str,
) -> tuple[tuple[DeliveryOption, ...], str | None]:
    """The options for one seller's parcel, or none and why not.

    A group may ship from several warehouses; it is priced for the farthest zone and
    promised for the slowest origin, so the promise holds for every line in it.
    """
    zones = [zone_of(o.place, destination) for o in origins]
    if not origins or None in zones:
        return (), f"does not ship to {destination.country.upper()}"
    farthest = Zone.NATIONAL if Zone.NATIONAL in zones else Zone.LOCAL
    options = []
    for service in Service:
        priced = rates.rate(service, farthest)
        legs = [rates.rate(service, z) for z in zones if z is not None]
        if priced is None or any(leg is None for leg in legs):
            continue
        dates = [
            promise(
                now,
                origin=o,
                handling_days=handling_days,
                transit_days=leg.transit_days,
                holidays=holidays,
            )
            for o, leg in zip(origins, legs, strict=True)
            if leg is not None
        ]
        ship_by, promised = max(dates, key=lambda d: (d[1], d[0]))
        options.append(
            DeliveryOption(
                service=service.value,
                name=SERVICE_NAMES[service],
                price=rates.price(priced, weight_grams=weight_grams, items_total=items_total),
                currency=currency,
                transit_days=priced.transit_days,
                ship_by=ship_by,
                promised_date=promised,
            )
        )
    return tuple(options), None


# --- cart lines -------------------------------------------------------------------------

UNAVAILABLE = "unavailable"
SELLER_UNAVAILABLE = "seller_unavailable"
PRICE_CHANGED = "price_changed"
INSUFFICIENT_STOCK = "insufficient_stock"
QUANTITY_LIMIT = "quantity_limit"
#: Issues the buyer should see but that do not stop an order (it is placed at today's price).
NON_BLOCKING = frozenset({PRICE_CHANGED})


@dataclass(frozen=True, slots=True)
class LineIssue:
    code: str
    detail: str
    available: int | None = None
    old_price: int | None = None
    new_price: int | None = None

    @property
    def blocking(self) -> bool:
        return self.code not in NON_BLOCKING


def check_quantity(quantity: int, max_quantity: int) -> int:
    if not 1 <= quantity <= max_quantity:
        raise QuantityLimit(
            f"A cart line holds 1 to {max_quantity} units; {quantity} asked.",
            field="quantity",
            max_quantity=max_quantity,
        )
    return quantity


def line_issues(
    *,
    quantity: int,
    seen_price: int,
    unit_price: int | None,
    blocked: str | None,
    available: int,
    max_quantity: int,
) -> tuple[LineIssue, ...]:
    """What is wrong with a line now. `unit_price` None: the offer no longer exists;
    `blocked`: the catalog's reason it cannot be bought ('seller_unavailable', ...)."""
    if unit_price is None or (blocked is not None and blocked != SELLER_UNAVAILABLE):
        return (LineIssue(UNAVAILABLE, "This item is no longer sold."),)
    if blocked == SELLER_UNAVAILABLE:
        return (LineIssue(SELLER_UNAVAILABLE, "The seller is not selling at the moment."),)
    issues = []
    if unit_price != seen_price:
        issues.append(
            LineIssue(
                PRICE_CHANGED,
                "The price changed since the item was added.",
                old_price=seen_price,
                new_price=unit_price,
            )
        )
    if available < quantity:
        detail = f"Only {available} left." if available > 0 else "Out of stock."
        issues.append(LineIssue(INSUFFICIENT_STOCK, detail, available=max(0, available)))
    if quantity > max_quantity:
        issues.append(LineIssue(QUANTITY_LIMIT, f"At most {max_quantity} per line."))
    return tuple(issues)
