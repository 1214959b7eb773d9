"""Rate shopping remembers answers per minute and per weight class: never a different one.

Every weight a carrier prices alike (`weight_class`) must get exactly the options a
fresh shop computes for it, and a new minute, other holidays or cut-offs with seconds
must not reuse an answer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from pasar import fulfillment
from pasar.fulfillment.carriers import shopping
from pasar.fulfillment.carriers.defaults import DEFAULT_CARRIERS

CARRIERS = DEFAULT_CARRIERS.shopped
ORIGIN = fulfillment.Origin(
    fulfillment.Place("ID", "Jawa Timur", "Surabaya", "60111"), "Asia/Jakarta", time(14, 0)
)
AWAY = fulfillment.Place("ID", "DKI Jakarta", "Jakarta", "10210")
HERE = fulfillment.Place("ID", "Jawa Timur", "Surabaya", "60271")


def shop(grams: int, now: datetime, destination: fulfillment.Place, **extra: object) -> object:
    args: dict[str, object] = {
        "origins": [ORIGIN],
        "destination": destination,
        "parcels": [fulfillment.Parcel(grams)],
        "handling_days": 1,
        "items_total": 5_000,
        "now": now,
        "holidays": frozenset(),
        "currency": "IDR",
        "free_standard_from": 10_000,
    } | extra
    return fulfillment.shop_rates(CARRIERS, **args)  # type: ignore[arg-type]


def fresh(grams: int, now: datetime, destination: fulfillment.Place) -> object:
    return shopping._shop(
        CARRIERS,
        origins=[ORIGIN],
        destination=destination,
        parcels=[fulfillment.Parcel(grams)],
        handling_days=1,
        free=False,
        now=now,
        holidays=frozenset(),
        currency="IDR",
        cut_offs=set(),
    )


def test_remembered_answers_equal_fresh_ones_for_every_weight() -> None:
    for now in (
        datetime(2026, 11, 23, 4, 59, 30, tzinfo=UTC),
        datetime(2026, 11, 23, 5, 0, 1, tzinfo=UTC),
    ):
        for destination in (AWAY, HERE):
            for grams in [*range(0, 30_000, 97), 1000, 1001, 2000, 2001, 20_000, 20_001]:
                assert shop(grams, now, destination) == fresh(grams, now, destination), grams


def test_a_weight_class_is_what_the_prices_depend_on() -> None:
    assert fulfillment.weight_class(CARRIERS, 1) == fulfillment.weight_class(CARRIERS, 1000)
    assert fulfillment.weight_class(CARRIERS, 1000) != fulfillment.weight_class(CARRIERS, 1001)


def test_other_holidays_and_other_minutes_are_not_served_a_remembered_answer() -> None:
    before = datetime(2026, 11, 23, 6, 59, 59, tzinfo=UTC)  # 13:59:59 in Surabaya
    after = datetime(2026, 11, 23, 7, 0, 0, tzinfo=UTC)  # the cut-off has passed
    assert shop(500, before, HERE) == fresh(500, before, HERE)
    assert shop(500, after, HERE) == fresh(500, after, HERE)
    assert shop(500, before, HERE) != shop(500, after, HERE)
    holiday = frozenset({date(2026, 11, 23)})
    assert shop(500, before, HERE, holidays=holiday) != shop(500, before, HERE)
