"""Rate shopping: one option per service level, served by the best carrier, tagged.

The built-in carriers, Monday 23 November 2026, one handling day unless said otherwise.
Pasar Post: 500 / 900 standard, 1200 / 1900 expedited (local / national) up to 1 kg, +150
per started kg; Nusantara Cargo: standard only, 1900 for 10-20 kg local plus 5 % fuel,
collected Monday, Wednesday and Friday; Kilat Kurir: same day in Surabaya (2500, order
before 12:00), next day 1600.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pasar.fulfillment import (
    DEFAULT_CARRIERS,
    Band,
    Carrier,
    Origin,
    Parcel,
    Place,
    RateService,
    RateTableCarrier,
    ServiceLevel,
    ShippingOption,
    Zone,
    ZoneRate,
    shop_rates,
)

JAKARTA_TZ = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 23)
JAKARTA_WH = Origin(Place("ID", "DKI Jakarta", postal_code="12930"), "Asia/Jakarta", time(15))
SURABAYA_WH = Origin(Place("ID", "Jawa Timur", postal_code="60271"), "Asia/Jakarta", time(15))
JAKARTA = Place("ID", "DKI Jakarta", "Jakarta", "12730")
BANDUNG = Place("ID", "Jawa Barat", "Bandung", "40111")
SURABAYA = Place("ID", "Jawa Timur", "Surabaya", "60111")


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def at(hour: int, minute: int = 0, offset: int = 0) -> datetime:
    moment = datetime(2026, 11, 23, hour, minute, tzinfo=JAKARTA_TZ)
    return moment + timedelta(days=offset)


def shop(
    grams: int,
    *,
    origins: tuple[Origin, ...] = (JAKARTA_WH,),
    destination: Place = JAKARTA,
    now: datetime | None = None,
    handling_days: int = 1,
    items_total: int = 2_000,
    carriers: Sequence[Carrier] = DEFAULT_CARRIERS.shopped,
) -> tuple[dict[str, ShippingOption], str | None]:
    options, refusal = shop_rates(
        carriers,
        origins=origins,
        destination=destination,
        parcels=[Parcel(grams)],
        handling_days=handling_days,
        items_total=items_total,
        now=now or at(10),
        holidays=(),
        currency="USD",
        free_standard_from=10_000,
    )
    return {o.service: o for o in options}, refusal


def summary(option: ShippingOption) -> tuple[str, int, date, tuple[str, ...]]:
    return option.carrier, option.price, option.promised_date, option.tags


def test_a_light_parcel_goes_by_pasar_post() -> None:
    """1 kg in Jakarta: standard 500 (Thursday), expedited 1200 (Wednesday), no same day."""
    options, refusal = shop(1000)
    assert refusal is None
    assert list(options) == ["standard", "expedited"]
    standard, expedited = options["standard"], options["expedited"]
    assert (standard.carrier, standard.carrier_name, standard.carrier_service) == (
        "pasar-post",
        "Pasar Post",
        "standard",
    )
    assert (standard.name, standard.price, standard.transit_days) == ("Standard delivery", 500, 2)
    assert (standard.ship_by, standard.promised_date) == (day(1), day(3))
    assert (expedited.carrier, expedited.price, expedited.promised_date) == (
        "pasar-post",
        1200,
        day(2),
    )


def test_a_heavy_parcel_goes_by_the_cheaper_freight_carrier() -> None:
    """12 kg in Jakarta: cargo 1995 beats the post's 2150 for standard; expedited stays post."""
    options, _ = shop(12_000)
    standard, expedited = options["standard"], options["expedited"]
    # Post: 500 + 11 started kg * 150 = 2150. Cargo: 10-20 kg band 1900 + 5 % fuel 95 = 1995.
    assert (standard.carrier, standard.carrier_service, standard.price) == (
        "nusantara-cargo",
        "cargo-economy",
        1995,
    )
    # Ready Tuesday; cargo collects Mon/Wed/Fri: Wednesday, + 3 business days = Monday 30th.
    assert (standard.ship_by, standard.promised_date, standard.transit_days) == (day(1), day(7), 3)
    # Cargo has no expedited service: post, 1200 + 11 * 150 = 2850, Wednesday.
    assert summary(expedited)[:3] == ("pasar-post", 2850, day(2))


def test_a_heavy_parcel_across_the_country_also_goes_by_freight() -> None:
    """12 kg to Bandung: cargo 2300 + 115 fuel = 2415 beats the post's 900 + 11 * 150 = 2550."""
    options, _ = shop(12_000, destination=BANDUNG)
    assert summary(options["standard"])[:2] == ("nusantara-cargo", 2415)
    light, _ = shop(1000, destination=BANDUNG)
    assert summary(light["standard"])[:2] == ("pasar-post", 900)


def test_options_are_tagged_cheapest_fastest_and_best_value() -> None:
    """Standard Thursday 500, expedited Wednesday 1200: within a day of the fastest, standard
    is the cheapest, so it is the best value too."""
    options, _ = shop(1000)
    assert options["standard"].tags == ("cheapest", "best_value")
    assert options["expedited"].tags == ("fastest",)
    # 12 kg: cargo arrives Monday 30th, five days after the fastest: not best value.
    heavy, _ = shop(12_000)
    assert heavy["standard"].tags == ("cheapest",)
    assert heavy["expedited"].tags == ("fastest", "best_value")


def test_same_day_before_the_couriers_cut_off() -> None:
    """Surabaya to Surabaya at 10:00, ready today: same day 2500 arrives today."""
    options, _ = shop(1000, origins=(SURABAYA_WH,), destination=SURABAYA, handling_days=0)
    assert list(options) == ["standard", "expedited", "same_day"]
    same_day = options["same_day"]
    assert (same_day.carrier, same_day.name, same_day.price) == (
        "kilat-kurir",
        "Same-day delivery",
        2500,
    )
    assert (same_day.ship_by, same_day.promised_date, same_day.transit_days) == (day(0), day(0), 0)
    # Expedited: the post's 1200 and the courier's next day 1600 both arrive Tuesday: post.
    assert summary(options["expedited"])[:3] == ("pasar-post", 1200, day(1))
    # Fastest is same day (Monday); best value is the cheapest by Tuesday: expedited 1200.
    assert options["same_day"].tags == ("fastest",)
    assert options["expedited"].tags == ("best_value",)
    assert options["standard"].tags == ("cheapest",)


def test_same_day_is_not_offered_after_the_couriers_cut_off() -> None:
    """At 12:30 today's run is gone: no same day; the courier's next day still competes."""
    options, _ = shop(
        5000, origins=(SURABAYA_WH,), destination=SURABAYA, handling_days=0, now=at(12, 30)
    )
    assert "same_day" not in options
    # 5 kg expedited: post 1200 + 4 * 150 = 1800 against the courier's next day 1600, both
    # Tuesday: the courier.
    expedited = options["expedited"]
    assert (expedited.carrier, expedited.carrier_service, expedited.price) == (
        "kilat-kurir",
        "next_day",
        1600,
    )
    assert expedited.promised_date == day(1)


def test_same_day_means_the_day_the_parcel_is_ready() -> None:
    """With one handling day the parcel is ready Tuesday: same day promises Tuesday."""
    options, _ = shop(1000, origins=(SURABAYA_WH,), destination=SURABAYA, now=at(13))
    same_day = options["same_day"]
    assert (same_day.ship_by, same_day.promised_date) == (day(1), day(1))


def test_no_same_day_in_a_city_the_courier_does_not_serve() -> None:
    """Jakarta has no same-day courier; Surabaya to Jakarta is not one city either."""
    assert "same_day" not in shop(1000, handling_days=0)[0]
    assert "same_day" not in shop(1000, origins=(SURABAYA_WH,), handling_days=0)[0]


def test_free_standard_shipping_is_the_marketplaces_rule() -> None:
    """From 10,000 of items standard is free, still carried by the carrier chosen on price."""
    options, _ = shop(12_000, items_total=10_000)
    assert summary(options["standard"])[:2] == ("nusantara-cargo", 0)
    assert options["expedited"].price == 2850
    assert options["standard"].tags == ("cheapest",)


def test_several_warehouses_price_for_the_dearest_and_promise_for_the_slowest() -> None:
    """Jakarta (local, 500) and Bandung after its 09:00 cut-off (national, 900, 4 days)."""
    bandung = Origin(Place("ID", "Jawa Barat", postal_code="40111"), "Asia/Jakarta", time(9))
    options, _ = shop(800, origins=(JAKARTA_WH, bandung))
    standard = options["standard"]
    assert (standard.price, standard.transit_days) == (900, 4)
    # Bandung missed its cut-off: starts Tuesday, ships Wednesday, + 4 days = Tuesday 1 Dec.
    assert (standard.ship_by, standard.promised_date) == (day(2), day(8))
    assert options["expedited"].price == 1900


def test_abroad_is_refused_with_the_reason() -> None:
    """Singapore from Jakarta: no options, "does not ship to SG"."""
    options, refusal = shop(100, destination=Place("sg", "Singapore"))
    assert (options, refusal) == ({}, "does not ship to SG")
    assert shop(100, origins=())[1] == "does not ship to ID"


def table(code: str, price: int, countries: frozenset[str] = frozenset()) -> RateTableCarrier:
    rate = ZoneRate(2, (Band(30_000, price),))
    return RateTableCarrier(
        code=code,
        name=code.title(),
        zones=(Zone("all"),),
        services=(RateService("std", "Std", ServiceLevel.STANDARD, {"all": rate}),),
        countries=countries,
        tracking_prefix=code[:2].upper(),
    )


def test_when_no_carrier_serves_the_country_the_group_says_why() -> None:
    """Only a Malaysian carrier configured: an Indonesian address is refused."""
    options, refusal = shop(100, carriers=[table("kirim", 500, frozenset({"MY"}))])
    assert (options, refusal) == ({}, "does not ship to ID")


def test_ties_go_to_the_carrier_listed_first() -> None:
    """Same price, same date: the first configured carrier carries it."""
    first, second = table("alpha", 700), table("beta", 700)
    assert shop(100, carriers=[first, second])[0]["standard"].carrier == "alpha"
    assert shop(100, carriers=[second, first])[0]["standard"].carrier == "beta"
    cheaper = table("gamma", 650)
    assert shop(100, carriers=[first, cheaper])[0]["standard"].carrier == "gamma"
