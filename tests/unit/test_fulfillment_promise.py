"""Delivery promises: cut-off, handling days, the carrier's pickup days, transit, holidays.

Monday 23 November 2026 is the reference week; the warehouse is in Jakarta (UTC+7) with
a 15:00 cut-off unless a test says otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from pasar.fulfillment import (
    MON_FRI,
    MON_SAT,
    MON_WED_FRI,
    Origin,
    Pickup,
    Place,
    Promise,
    add_business_days,
    is_business_day,
    promise,
    slowest,
)
from pasar.fulfillment.carriers.promise import handling_start

JAKARTA = ZoneInfo("Asia/Jakarta")
ORIGIN = Origin(Place("ID", "DKI Jakarta"), "Asia/Jakarta", time(15, 0))
MONDAY = date(2026, 11, 23)
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY + timedelta(days=n) for n in range(1, 5))
NEXT_MONDAY, NEXT_TUESDAY = MONDAY + timedelta(days=7), MONDAY + timedelta(days=8)


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in Jakarta, as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=JAKARTA)


def test_monday_morning_ships_after_handling_and_arrives_after_transit() -> None:
    """Before the cut-off, 1 handling day, 2 transit days: ship Tuesday, arrive Thursday."""
    made = promise(local(MONDAY, 10), origin=ORIGIN, handling_days=1, transit_days=2, holidays=())
    assert made == Promise(ship_by=TUESDAY, pickup_date=TUESDAY, promised_date=THURSDAY)


def test_the_cut_off_is_in_the_warehouse_time_zone() -> None:
    """07:59 UTC is 14:59 in Jakarta (today); 08:00 UTC is 15:00, the cut-off (tomorrow)."""
    before = datetime(2026, 11, 23, 7, 59, tzinfo=UTC)
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert promise(before, origin=ORIGIN, handling_days=0, transit_days=1, holidays=()) == (
        Promise(MONDAY, MONDAY, TUESDAY)
    )
    assert promise(at, origin=ORIGIN, handling_days=0, transit_days=1, holidays=()) == (
        Promise(TUESDAY, TUESDAY, WEDNESDAY)
    )


def test_cut_off_boundary_is_exact() -> None:
    """One second before the cut-off counts today; at the cut-off it is the next business day."""
    assert handling_start(local(MONDAY, 14, 59, 59), time(15, 0), ()) == MONDAY
    assert handling_start(local(MONDAY, 15, 0, 0), time(15, 0), ()) == TUESDAY


def test_time_zone_decides_the_local_day() -> None:
    """Sunday 20:00 UTC is already Monday 03:00 in Jakarta: handling starts Monday."""
    sunday_evening_utc = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
    made = promise(sunday_evening_utc, origin=ORIGIN, handling_days=0, transit_days=1, holidays=())
    assert made.ship_by == MONDAY


def test_weekends_are_neither_handled_nor_travelled() -> None:
    """Friday after the cut-off and all weekend start Monday; 2 transit days from Friday is
    Tuesday."""
    assert handling_start(local(FRIDAY, 16), time(15, 0), ()) == NEXT_MONDAY
    assert handling_start(local(FRIDAY + timedelta(days=1), 9), time(15, 0), ()) == NEXT_MONDAY
    made = promise(local(FRIDAY, 9), origin=ORIGIN, handling_days=0, transit_days=2, holidays=())
    assert made == Promise(FRIDAY, FRIDAY, NEXT_TUESDAY)


def test_holidays_are_skipped_in_handling_pickup_and_transit() -> None:
    """Christmas (a Friday) is neither shipped on nor delivered on."""
    christmas = date(2026, 12, 25)
    made = promise(
        local(date(2026, 12, 24), 10),
        origin=ORIGIN,
        handling_days=1,
        transit_days=1,
        holidays=frozenset({christmas}),
    )
    assert made == Promise(date(2026, 12, 28), date(2026, 12, 28), date(2026, 12, 29))


def test_the_parcel_leaves_on_the_carriers_first_pickup_day() -> None:
    """Ready Thursday: Mon/Wed/Fri collects Friday, Mon-Sat Thursday (2 transit days each)."""
    now = local(MONDAY, 10)  # handling starts Monday; 3 days: ship by Thursday
    mwf = promise(
        now, origin=ORIGIN, handling_days=3, transit_days=2, holidays=(), pickup=Pickup(MON_WED_FRI)
    )
    mon_sat = promise(
        now, origin=ORIGIN, handling_days=3, transit_days=2, holidays=(), pickup=Pickup(MON_SAT)
    )
    # Friday + 2 business days = Tuesday; Thursday + 2 = Monday.
    assert mwf == Promise(THURSDAY, FRIDAY, NEXT_TUESDAY)
    assert mon_sat == Promise(THURSDAY, THURSDAY, NEXT_MONDAY)


def test_a_friday_ship_by_waits_for_a_carrier_that_does_not_collect_on_fridays() -> None:
    """Ready Friday: Mon/Wed/Fri and Mon-Sat take it Friday; Tue/Thu only next Tuesday."""
    now = local(MONDAY, 10)  # 4 handling days: ship by Friday

    def collected(weekdays: frozenset[int]) -> date:
        made = promise(
            now,
            origin=ORIGIN,
            handling_days=4,
            transit_days=1,
            holidays=(),
            pickup=Pickup(weekdays),
        )
        assert made.ship_by == FRIDAY
        return made.pickup_date

    assert collected(MON_WED_FRI) == FRIDAY
    assert collected(MON_SAT) == FRIDAY
    assert collected(frozenset({1, 3})) == NEXT_TUESDAY


def test_carriers_do_not_collect_on_holidays() -> None:
    """Ready Thursday, Friday a holiday: a Mon/Wed/Fri carrier collects next Monday."""
    made = promise(
        local(MONDAY, 10),
        origin=ORIGIN,
        handling_days=3,
        transit_days=1,
        holidays=frozenset({FRIDAY}),
        pickup=Pickup(MON_WED_FRI),
    )
    assert made == Promise(THURSDAY, NEXT_MONDAY, NEXT_TUESDAY)


def test_a_pickup_cut_off_moves_todays_collection_to_the_next_pickup_day() -> None:
    """A courier collecting until 12:00: 11:59 is today, 12:00 tomorrow; Friday afternoon
    Saturday."""
    courier = Pickup(MON_SAT, time(12, 0))

    def made(now: datetime) -> Promise:
        return promise(
            now, origin=ORIGIN, handling_days=0, transit_days=0, holidays=(), pickup=courier
        )

    assert made(local(MONDAY, 11, 59)) == Promise(MONDAY, MONDAY, MONDAY)
    assert made(local(MONDAY, 12, 0)) == Promise(MONDAY, TUESDAY, TUESDAY)
    saturday = FRIDAY + timedelta(days=1)
    assert made(local(FRIDAY, 13)) == Promise(FRIDAY, saturday, saturday)
    # Ready on a later day, the cut-off of today does not matter.
    later = promise(
        local(MONDAY, 13),
        origin=ORIGIN,
        handling_days=1,
        transit_days=0,
        holidays=(),
        pickup=courier,
    )
    assert later == Promise(TUESDAY, TUESDAY, TUESDAY)


def test_several_warehouses_are_promised_for_the_slowest() -> None:
    """Jakarta before its cut-off and Bandung after its 09:00 one: Bandung sets the dates."""
    bandung = Origin(Place("ID", "Jawa Barat"), "Asia/Jakarta", time(9, 0))
    now = local(MONDAY, 10)
    fast = promise(now, origin=ORIGIN, handling_days=1, transit_days=2, holidays=())
    slow = promise(now, origin=bandung, handling_days=1, transit_days=2, holidays=())
    # Bandung starts Tuesday, ships Wednesday, arrives Friday; Jakarta arrives Thursday.
    assert slowest([fast, slow]) == slow == Promise(WEDNESDAY, WEDNESDAY, FRIDAY)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
holiday_sets = st.frozensets(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2029, 3, 31)), max_size=40
)
cut_offs = st.times(min_value=time(0, 1), max_value=time(23, 59)).map(
    lambda t: t.replace(second=0, microsecond=0)
)
zones = st.sampled_from(["Asia/Jakarta", "UTC", "America/New_York", "Pacific/Auckland"])
pickups = st.builds(
    Pickup,
    st.frozensets(st.integers(0, 6), min_size=1),
    st.none() | cut_offs,
)


@given(moments, holiday_sets, cut_offs, zones, st.integers(0, 10), st.integers(1, 10), pickups)
def test_promises_are_ordered_and_land_on_business_days(
    now: datetime,
    holidays: frozenset[date],
    cut_off: time,
    zone: str,
    handling: int,
    transit: int,
    pickup: Pickup,
) -> None:
    """promised > pickup >= ship_by >= today (local); ship-by and arrival are business days,
    pickup is one of the carrier's days and never a holiday."""
    origin = Origin(Place("ID"), zone, cut_off)
    made = promise(
        now,
        origin=origin,
        handling_days=handling,
        transit_days=transit,
        holidays=holidays,
        pickup=pickup,
    )
    today = now.astimezone(ZoneInfo(zone)).date()
    assert made.promised_date > made.pickup_date >= made.ship_by >= today
    assert is_business_day(made.ship_by, holidays)
    assert is_business_day(made.promised_date, holidays)
    assert made.pickup_date.weekday() in pickup.weekdays
    assert made.pickup_date not in holidays


@given(moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), holiday_sets)
def test_a_later_order_is_never_promised_earlier(
    now: datetime, wait: timedelta, holidays: frozenset[date]
) -> None:
    """Promises only move forward as time passes."""
    pickup = Pickup(MON_FRI)
    first = promise(
        now, origin=ORIGIN, handling_days=2, transit_days=3, holidays=holidays, pickup=pickup
    )
    later = promise(
        now + wait, origin=ORIGIN, handling_days=2, transit_days=3, holidays=holidays, pickup=pickup
    )
    assert later.ship_by >= first.ship_by
    assert later.promised_date >= first.promised_date


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 1, 1)), st.integers(0, 30))
def test_business_days_added_count_only_business_days(start: date, count: int) -> None:
    """Between start and the result lie exactly `count` business days."""
    end = add_business_days(start, count, ())
    days = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_business_day(d, ()) for d in days) == count
