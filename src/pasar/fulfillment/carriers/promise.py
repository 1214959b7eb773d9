"""Delivery promises: when a parcel must ship, when the carrier takes it, when it arrives.

All in the warehouse's time zone, in four steps:

1. handling starts today if today is a business day and the warehouse's cut-off has not
   passed, otherwise on the next business day;
2. it must ship by `handling_days` business days later (the seller's deadline);
3. the carrier collects on its first pickup day on or after the ship-by date that is not
   a holiday — and, when the pickup has a cut-off and that day is today, only if the
   cut-off has not passed yet;
4. it arrives `transit_days` business days after pickup (0: the day it is collected).

Business days are Monday to Friday minus the marketplace's holidays. A promise is an
upper bound: a group shipping from several warehouses is promised for the slowest
(`slowest`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pasar.fulfillment.carriers.base import MON_FRI, Pickup, Place


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a parcel ships from, and the local clock that decides whether it ships today."""

    place: Place
    time_zone: str
    cut_off: time


@dataclass(frozen=True, slots=True)
class Promise:
    ship_by: date
    pickup_date: date
    promised_date: date


def parse_cut_off(value: str) -> time:
    hours, minutes = value.split(":")[:2]
    return time(int(hours), int(minutes))


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


def pickup_on_or_after(
    day: date, pickup: Pickup, holidays: Collection[date], *, now_local: datetime
) -> date:
    """The carrier's first collection on or after `day` (step 3)."""
    if not pickup.weekdays:
        raise ValueError("a carrier must collect on at least one weekday")
    today = now_local.date()
    while (
        day.weekday() not in pickup.weekdays
        or day in holidays
        or (day == today and pickup.cut_off is not None and now_local.time() >= pickup.cut_off)
    ):
        day += timedelta(days=1)
    return day


def promise(
    now: datetime,
    *,
    origin: Origin,
    handling_days: int,
    transit_days: int,
    holidays: Collection[date],
    pickup: Pickup = Pickup(MON_FRI),
) -> Promise:
    """The promise for an order placed at `now` (aware), shipped with this pickup rule."""
    now_local = now.astimezone(ZoneInfo(origin.time_zone))
    start = handling_start(now_local, origin.cut_off, holidays)
    ship_by = add_business_days(start, handling_days, holidays)
    collected = pickup_on_or_after(ship_by, pickup, holidays, now_local=now_local)
    return Promise(ship_by, collected, add_business_days(collected, transit_days, holidays))


def slowest(promises: Iterable[Promise]) -> Promise:
    """The promise that holds for every warehouse of a group: the latest arrival."""
    return max(promises, key=lambda p: (p.promised_date, p.ship_by, p.pickup_date))
