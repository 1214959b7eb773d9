"""checkout's pure rules: zones, rates, business-day promises and cart line checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pasar.checkout.domain import (
    DEFAULT_RATES,
    Origin,
    Place,
    Service,
    Zone,
    add_business_days,
    check_quantity,
    delivery_options,
    group_weight,
    handling_start,
    is_business_day,
    line_issues,
    promise,
    zone_of,
)
from pasar.checkout.errors import QuantityLimit

JAKARTA = ZoneInfo("Asia/Jakarta")
JKT = Place("ID", "DKI Jakarta")
ORIGIN = Origin(JKT, "Asia/Jakarta", time(15, 0))
MONDAY = date(2026, 11, 23)


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in Jakarta, as the aware UTC datetime the services pass around."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=JAKARTA)


def test_zones_by_country_and_region() -> None:
    """Same region (case-insensitive) is local, same country national, else not shipped."""
    assert zone_of(JKT, Place("id", "dki jakarta ")) is Zone.LOCAL
    assert zone_of(JKT, Place("ID", "Jawa Barat")) is Zone.NATIONAL
    assert zone_of(Place("ID", None), Place("ID", "Jawa Barat")) is Zone.NATIONAL
    assert zone_of(JKT, Place("SG", "Singapore")) is None


def test_rates_add_per_started_kilogram_above_the_first() -> None:
    """500 local standard; +150 for every started kg beyond 1 kg."""
    rate = DEFAULT_RATES.rate(Service.STANDARD, Zone.LOCAL)
    assert rate is not None
    assert DEFAULT_RATES.price(rate, weight_grams=1000, items_total=0) == 500
    assert DEFAULT_RATES.price(rate, weight_grams=1001, items_total=0) == 650
    assert DEFAULT_RATES.price(rate, weight_grams=3500, items_total=0) == 500 + 3 * 150


def test_standard_shipping_is_free_from_the_threshold_expedited_never() -> None:
    """Free standard delivery from 10,000 minor units of items; expedited still costs."""
    standard = DEFAULT_RATES.rate(Service.STANDARD, Zone.NATIONAL)
    expedited = DEFAULT_RATES.rate(Service.EXPEDITED, Zone.NATIONAL)
    assert standard is not None
    assert expedited is not None
    assert DEFAULT_RATES.price(standard, weight_grams=500, items_total=9_999) == 900
    assert DEFAULT_RATES.price(standard, weight_grams=500, items_total=10_000) == 0
    assert DEFAULT_RATES.price(expedited, weight_grams=500, items_total=10_000) == 1900


def test_unknown_weights_count_half_a_kilogram() -> None:
    """A variant without a weight is priced as 500 g per unit."""
    assert group_weight([(None, 3), (200, 2)], DEFAULT_RATES) == 1900


def test_monday_morning_ships_on_the_handling_day_and_arrives_after_transit() -> None:
    """Before the cut-off on Monday with 1 handling day: ship Tuesday, local standard Thursday."""
    ship_by, promised = promise(
        local(MONDAY, 10), origin=ORIGIN, handling_days=1, transit_days=2, holidays=()
    )
    assert (ship_by, promised) == (date(2026, 11, 24), date(2026, 11, 26))


def test_cut_off_boundary_is_exact() -> None:
    """One second before the cut-off counts today; at the cut-off it is the next business day."""
    holidays: frozenset[date] = frozenset()
    assert handling_start(local(MONDAY, 14, 59, 59), time(15, 0), holidays) == MONDAY
    assert handling_start(local(MONDAY, 15, 0, 0), time(15, 0), holidays) == date(2026, 11, 24)


def test_zero_handling_days_ships_the_start_day() -> None:
    """handling_days 0 means the parcel leaves the day handling starts."""
    ship_by, _ = promise(
        local(MONDAY, 9), origin=ORIGIN, handling_days=0, transit_days=1, holidays=()
    )
    assert ship_by == MONDAY


def test_friday_evening_and_weekends_start_on_monday() -> None:
    """After Friday's cut-off, and all weekend, handling starts the next Monday."""
    friday = date(2026, 11, 27)
    next_monday = date(2026, 11, 30)
    assert handling_start(local(friday, 16), time(15, 0), ()) == next_monday
    assert handling_start(local(friday + timedelta(days=1), 9), time(15, 0), ()) == next_monday


def test_holidays_are_skipped_in_handling_and_transit() -> None:
    """Christmas (a Friday) is neither shipped on nor delivered on."""
    christmas = date(2026, 12, 25)
    ship_by, promised = promise(
        local(date(2026, 12, 24), 10),
        origin=ORIGIN,
        handling_days=1,
        transit_days=1,
        holidays=frozenset({christmas}),
    )
    assert ship_by == date(2026, 12, 28)
    assert promised == date(2026, 12, 29)


def test_time_zone_decides_the_local_day() -> None:
    """Sunday 20:00 UTC is already Monday 03:00 in Jakarta: handling starts Monday."""
    sunday_evening_utc = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
    ship_by, _ = promise(
        sunday_evening_utc, origin=ORIGIN, handling_days=0, transit_days=1, holidays=()
    )
    assert ship_by == MONDAY


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


@given(moments, holiday_sets, cut_offs, zones, st.integers(0, 10), st.integers(0, 10))
def test_promises_are_ordered_and_land_on_business_days(
    now: datetime,
    holidays: frozenset[date],
    cut_off: time,
    zone: str,
    handling: int,
    transit: int,
) -> None:
    """promised >= ship_by >= today (local), and both are business days."""
    origin = Origin(JKT, zone, cut_off)
    ship_by, promised = promise(
        now, origin=origin, handling_days=handling, transit_days=transit, holidays=holidays
    )
    today = now.astimezone(ZoneInfo(zone)).date()
    assert promised >= ship_by >= today
    assert is_business_day(ship_by, holidays)
    assert is_business_day(promised, holidays)


@given(moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), holiday_sets)
def test_a_later_order_is_never_promised_earlier(
    now: datetime, wait: timedelta, holidays: frozenset[date]
) -> None:
    """Promises only move forward as time passes."""
    first = promise(now, origin=ORIGIN, handling_days=2, transit_days=3, holidays=holidays)
    later = promise(now + wait, origin=ORIGIN, handling_days=2, transit_days=3, holidays=holidays)
    assert later[0] >= first[0]
    assert later[1] >= first[1]


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 1, 1)), st.integers(0, 30))
def test_business_days_added_count_only_business_days(start: date, count: int) -> None:
    """Between start and the result lie exactly `count` business days."""
    end = add_business_days(start, count, ())
    days = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_business_day(d, ()) for d in days) == count


def test_delivery_options_for_a_group_take_the_slowest_origin() -> None:
    """Two warehouses: priced for the farthest zone and promised for the slower one."""
    bandung = Origin(Place("ID", "Jawa Barat"), "Asia/Jakarta", time(9, 0))
    options, refusal = delivery_options(
        origins=[ORIGIN, bandung],
        destination=JKT,
        handling_days=1,
        weight_grams=800,
        items_total=2_000,
        now=local(MONDAY, 10),
        rates=DEFAULT_RATES,
        holidays=(),
        currency="USD",
    )
    assert refusal is None
    by_service = {o.service: o for o in options}
    assert set(by_service) == {"standard", "expedited"}
    standard = by_service["standard"]
    assert (standard.price, standard.transit_days) == (900, 4)
    # Bandung missed its 09:00 cut-off: starts Tuesday, ships Wednesday, 4 days national.
    assert standard.ship_by == date(2026, 11, 25)
    assert standard.promised_date == date(2026, 12, 1)
    assert by_service["expedited"].price == 1900


def test_international_destinations_get_no_options() -> None:
    """Shipping abroad is not offered yet: no options, and the reason."""
    options, refusal = delivery_options(
        origins=[ORIGIN],
        destination=Place("sg", "Singapore"),
        handling_days=1,
        weight_grams=100,
        items_total=100,
        now=local(MONDAY, 10),
        rates=DEFAULT_RATES,
        holidays=(),
        currency="USD",
    )
    assert options == ()
    assert refusal == "does not ship to SG"


def test_quantities_are_bounded() -> None:
    """1..max units per line; anything else is refused naming the field."""
    assert check_quantity(20, 20) == 20
    for bad in (0, -1, 21):
        with pytest.raises(QuantityLimit) as refused:
            check_quantity(bad, 20)
        assert refused.value.field == "quantity"


def issue_codes(**facts: object) -> list[str]:
    defaults: dict[str, object] = {
        "quantity": 2,
        "seen_price": 100,
        "unit_price": 100,
        "blocked": None,
        "available": 10,
        "max_quantity": 20,
    }
    return [i.code for i in line_issues(**{**defaults, **facts})]  # type: ignore[arg-type]


def test_a_healthy_line_has_no_issues() -> None:
    """Same price, enough stock, within limits: nothing to say."""
    assert issue_codes() == []


def test_line_issues_name_what_changed() -> None:
    """Each fact that stops or changes the purchase is reported with its code."""
    assert issue_codes(unit_price=None) == ["unavailable"]
    assert issue_codes(blocked="offer_inactive") == ["unavailable"]
    assert issue_codes(blocked="product_inactive") == ["unavailable"]
    assert issue_codes(blocked="seller_unavailable") == ["seller_unavailable"]
    assert issue_codes(unit_price=120) == ["price_changed"]
    assert issue_codes(available=1) == ["insufficient_stock"]
    assert issue_codes(quantity=25, available=30) == ["quantity_limit"]
    assert issue_codes(unit_price=90, available=0) == ["price_changed", "insufficient_stock"]


def test_price_changes_report_both_prices_and_do_not_block() -> None:
    """The buyer sees old and new price; the order may still be placed at the new one."""
    (issue,) = line_issues(
        quantity=1, seen_price=100, unit_price=120, blocked=None, available=5, max_quantity=20
    )
    assert (issue.old_price, issue.new_price, issue.blocking) == (100, 120, False)
    (short,) = line_issues(
        quantity=3, seen_price=100, unit_price=100, blocked=None, available=1, max_quantity=20
    )
    assert (short.available, short.blocking) == (1, True)
