"""Carriers: rate tables, the same-day courier, the sandbox, webhooks and the carriers file.

Prices are integer minor units; every number below is worked out by hand in a comment.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from pasar.fulfillment import (
    DEFAULT_CARRIERS,
    MON_SAT,
    Band,
    Carrier,
    Carriers,
    DistanceBand,
    InvalidCarriersFile,
    InvalidParcel,
    LabelRequest,
    MalformedCarrierWebhook,
    Parcel,
    Pickup,
    Place,
    RateService,
    RateTableCarrier,
    RouteNotServed,
    SameDayCourier,
    SandboxCarrier,
    ServiceLevel,
    Surcharges,
    TrackingStatus,
    UnknownCarrierService,
    UnknownTrackingNumber,
    WhereLeft,
    Zone,
    ZoneRate,
    load_carriers,
)

EXAMPLE = Path(__file__).parents[2] / "docs" / "carriers.example.toml"
POST = DEFAULT_CARRIERS["pasar-post"]
CARGO = DEFAULT_CARRIERS["nusantara-cargo"]
KURIR = DEFAULT_CARRIERS["kilat-kurir"]
SANDBOX = DEFAULT_CARRIERS.sandbox
assert SANDBOX is not None

JAKARTA_WH = Place("ID", "DKI Jakarta", postal_code="12930")
JAKARTA = Place("ID", "DKI Jakarta", "Jakarta", "12730")
BANDUNG = Place("ID", "Jawa Barat", "Bandung", "40111")
MEDAN = Place("ID", "Sumatera Utara", "Medan", "20112")
JAYAPURA = Place("ID", "Papua", "Jayapura", "99111")
SURABAYA_WH = Place("ID", "Jawa Timur", postal_code="60271")
SURABAYA = Place("ID", "Jawa Timur", "Surabaya", "60111")
SINGAPORE = Place("SG", "Central", "Singapore", "018956")
LABELLED = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def prices(
    carrier: Carrier, origin: Place, destination: Place, *parcels: Parcel
) -> dict[str, tuple[int, int]]:
    """{service: (price, transit days)} in USD."""
    return {
        q.service: (q.price, q.transit_days)
        for q in carrier.quote(origin, destination, parcels, currency="USD")
    }


def table(**changes: Any) -> RateTableCarrier:
    """A one-zone carrier: 500 up to 1 kg, 800 up to 3 kg, then 200 per started kg."""
    rate = ZoneRate(2, (Band(1000, 500), Band(3000, 800)), per_extra_kg=200)
    base: dict[str, Any] = {
        "code": "test-post",
        "name": "Test Post",
        "zones": (Zone("all"),),
        "services": (RateService("standard", "Standard", ServiceLevel.STANDARD, {"all": rate}),),
        "dim_divisor": None,
        "tracking_prefix": "TP",
    }
    return RateTableCarrier(**{**base, **changes})


# --- rate tables -----------------------------------------------------------------------


def test_pasar_post_keeps_the_old_flat_rates_for_light_parcels() -> None:
    """250 g: standard 500 / 2 days local, 900 / 4 national; expedited 1200 / 1, 1900 / 2."""
    assert prices(POST, JAKARTA_WH, JAKARTA, Parcel(250)) == {
        "standard": (500, 2),
        "expedited": (1200, 1),
    }
    assert prices(POST, JAKARTA_WH, BANDUNG, Parcel(250)) == {
        "standard": (900, 4),
        "expedited": (1900, 2),
    }


def test_weight_bands_and_started_extra_kilograms() -> None:
    """Bands are inclusive upper limits; beyond the last, every started kg costs extra."""
    carrier = table()

    def standard(grams: int) -> int:
        return prices(carrier, JAKARTA_WH, JAKARTA, Parcel(grams))["standard"][0]

    assert standard(0) == 500
    assert standard(1000) == 500  # the first band includes its limit
    assert standard(1001) == 800
    assert standard(3000) == 800
    assert standard(3001) == 800 + 200  # 1 g over: one started kg
    assert standard(5500) == 800 + 3 * 200  # 2.5 kg over: three started kg
    # Pasar Post: 500 up to 1 kg, +150 per started kg: 1001 g -> 650, 3500 g -> 950.
    assert prices(POST, JAKARTA_WH, JAKARTA, Parcel(1001))["standard"][0] == 650
    assert prices(POST, JAKARTA_WH, JAKARTA, Parcel(3500))["standard"][0] == 950


def test_dimensional_weight_wins_over_a_light_actual_weight() -> None:
    """A 2 kg box of 400 x 300 x 200 mm is billed as 4.8 kg by Pasar Post (divisor 5000)."""
    box = Parcel(2000, 400, 300, 200)
    # 400 * 300 * 200 = 24,000,000 mm³ / 5000 = 4800 g > 2000 g actual.
    assert isinstance(POST, RateTableCarrier)
    assert POST.billed_grams(box) == 4800
    # 4800 g: 500 + ceil(3800 / 1000) = 4 started kg * 150 = 1100.
    assert prices(POST, JAKARTA_WH, JAKARTA, box)["standard"] == (1100, 2)
    (quote, *_) = POST.quote(JAKARTA_WH, JAKARTA, [box], currency="USD")
    assert quote.billed_grams == 4800
    # 6 kg in the same box: actual wins, 500 + 5 * 150 = 1250.
    assert prices(POST, JAKARTA_WH, JAKARTA, Parcel(6000, 400, 300, 200))["standard"][0] == 1250
    # Without all three sides only the actual weight counts: 2 kg -> 650.
    assert prices(POST, JAKARTA_WH, JAKARTA, Parcel(2000, 400, 300))["standard"][0] == 650


def test_zones_by_postal_prefix_and_region_in_order() -> None:
    """The first matching zone wins: metro by postcode, Java by region, then the rest."""
    rates = {
        "metro": ZoneRate(1, (Band(1000, 400),)),
        "java": ZoneRate(2, (Band(1000, 700),)),
        "rest": ZoneRate(4, (Band(1000, 1100),)),
    }
    carrier = table(
        zones=(
            Zone("metro", postal_prefixes=("10", "11", "12")),
            Zone("java", regions=frozenset({"Jawa Barat", "jawa timur"})),
            Zone("rest"),
        ),
        services=(RateService("standard", "Standard", ServiceLevel.STANDARD, rates),),
    )
    assert prices(carrier, BANDUNG, JAKARTA, Parcel(500)) == {"standard": (400, 1)}  # 12730
    assert prices(carrier, JAKARTA_WH, BANDUNG, Parcel(500)) == {"standard": (700, 2)}
    assert prices(carrier, JAKARTA_WH, SURABAYA, Parcel(500)) == {"standard": (700, 2)}
    assert prices(carrier, JAKARTA_WH, MEDAN, Parcel(500)) == {"standard": (1100, 4)}


def test_remote_areas_cost_more_and_take_longer() -> None:
    """Jayapura (postcode 99…) from Jakarta: national 900 + 500 remote, 4 + 2 days."""
    assert prices(POST, JAKARTA_WH, JAYAPURA, Parcel(250)) == {
        "standard": (900 + 500, 4 + 2),
        "expedited": (1900 + 500, 2 + 2),
    }
    # Once per shipment, not per parcel: 900 + 900 + 500 = 2300.
    assert prices(POST, JAKARTA_WH, JAYAPURA, Parcel(250), Parcel(250))["standard"][0] == 2300


def test_fuel_surcharge_is_rounded_half_up_to_the_minor_unit() -> None:
    """7.5 % fuel: 1234 -> 92.55 -> 93; 1230 -> 92.25 -> 92; 1100 -> 82.5 -> 83 (half up)."""

    def with_fuel(price: int) -> int:
        carrier = table(
            zones=(Zone("all"),),
            services=(
                RateService(
                    "standard",
                    "Standard",
                    ServiceLevel.STANDARD,
                    {"all": ZoneRate(2, (Band(1000, price),))},
                ),
            ),
            surcharges=Surcharges(fuel_bps=750),
        )
        return prices(carrier, JAKARTA_WH, JAKARTA, Parcel(500))["standard"][0]

    assert with_fuel(1234) == 1234 + 93
    assert with_fuel(1230) == 1230 + 92
    assert with_fuel(1100) == 1100 + 83  # exactly half: up
    # Nusantara Cargo, 5 %: 12 kg local is the 20 kg band, 1900 + 95 = 1995.
    assert prices(CARGO, JAKARTA_WH, JAKARTA, Parcel(12_000)) == {"cargo-economy": (1995, 3)}


def test_oversize_parcels_pay_a_surcharge_on_top_of_their_billed_weight() -> None:
    """1 kg, 1300 x 100 x 100 mm: billed 2.6 kg (650 + 150) plus 1000 for a side over 1.2 m."""
    # 1300 * 100 * 100 = 13,000,000 / 5000 = 2600 g: 500 + 2 * 150 = 800; + 1000 oversize.
    assert prices(POST, JAKARTA_WH, JAKARTA, Parcel(1000, 1300, 100, 100))["standard"][0] == 1800


def test_routes_a_carrier_does_not_serve_get_no_quotes() -> None:
    """Abroad, a country it does not serve, or a currency it does not price in: nothing."""
    assert POST.quote(JAKARTA_WH, SINGAPORE, [Parcel(250)], currency="USD") == []
    malaysian = table(countries=frozenset({"MY"}))
    assert malaysian.quote(JAKARTA_WH, JAKARTA, [Parcel(250)], currency="USD") == []
    rupiah = table(currency="IDR")
    assert rupiah.quote(JAKARTA_WH, JAKARTA, [Parcel(250)], currency="USD") == []
    assert len(rupiah.quote(JAKARTA_WH, JAKARTA, [Parcel(250)], currency="IDR")) == 1
    with pytest.raises(InvalidParcel):
        POST.quote(JAKARTA_WH, JAKARTA, [], currency="USD")
    with pytest.raises(InvalidParcel) as refused:
        Parcel(-1)
    assert refused.value.field == "weight_grams"


# --- the same-day courier --------------------------------------------------------------


def test_same_day_courier_serves_within_one_served_city() -> None:
    """A Surabaya warehouse (postcode 602…) to a Surabaya buyer: same day 2500, next day 1600."""
    quotes = {
        q.service: q for q in KURIR.quote(SURABAYA_WH, SURABAYA, [Parcel(3000)], currency="USD")
    }
    same_day, next_day = quotes["same_day"], quotes["next_day"]
    assert (same_day.level, same_day.price, same_day.transit_days) == (
        ServiceLevel.SAME_DAY,
        2500,
        0,
    )
    assert same_day.pickup == Pickup(MON_SAT, time(12, 0))
    assert (next_day.level, next_day.price, next_day.transit_days) == (
        ServiceLevel.EXPEDITED,
        1600,
        1,
    )
    assert next_day.pickup.cut_off is None


def test_same_day_courier_refuses_other_cities_and_heavy_loads() -> None:
    """Jakarta is not served; Surabaya to Jakarta is not one city; over 20 kg is too much."""
    assert KURIR.quote(JAKARTA_WH, JAKARTA, [Parcel(500)], currency="USD") == []
    assert KURIR.quote(SURABAYA_WH, JAKARTA, [Parcel(500)], currency="USD") == []
    assert KURIR.quote(SURABAYA_WH, SURABAYA, [Parcel(20_001)], currency="USD") == []


def test_same_day_courier_prices_by_distance_when_both_ends_have_coordinates() -> None:
    """About 7.7 km across Surabaya is the 5-15 km band (2500); 40 km is beyond 30 km."""
    warehouse = Place("ID", "Jawa Timur", "Surabaya", "60271", lat=-7.2575, lon=112.7521)
    # 0.07° of longitude at 7.26° S: 0.07 * 111.2 km * cos(7.26°) ≈ 7.7 km.
    near = Place("ID", "Jawa Timur", "Surabaya", "60111", lat=-7.2575, lon=112.8221)
    far = Place("ID", "Jawa Timur", "Surabaya", "60111", lat=-7.2575, lon=113.1151)
    assert prices(KURIR, warehouse, near, Parcel(500))["same_day"] == (2500, 0)
    assert prices(KURIR, warehouse, far, Parcel(500)) == {}
    # A courier without cities serves any trip within its radius.
    radius = SameDayCourier("radius", "Radius", distance_bands=(DistanceBand(10, 1000),))
    assert prices(radius, warehouse, near, Parcel(500)) == {"same_day": (1000, 0)}
    assert prices(radius, SURABAYA_WH, SURABAYA, Parcel(500)) == {}  # no coordinates


# --- labels ----------------------------------------------------------------------------


def request(service: str, destination: Place = JAKARTA) -> LabelRequest:
    return LabelRequest(
        reference="PSR-1-1",
        origin=JAKARTA_WH,
        destination=destination,
        parcels=(Parcel(12_000),),
        service=service,
        currency="USD",
    )


def test_labels_carry_unique_carrier_prefixed_tracking_numbers() -> None:
    """Fifty labels, fifty numbers, each PP + 12 digits, priced as quoted."""
    labels = [POST.create_label(request("standard")) for _ in range(50)]
    numbers = {label.tracking_number for label in labels}
    assert len(numbers) == 50
    assert all(n.startswith("PP") and n[2:].isdigit() and len(n) == 16 for n in numbers)
    # 12 kg local standard: 500 + 11 * 150 = 2150.
    assert {(label.carrier, label.service, label.price) for label in labels} == {
        ("pasar-post", "standard", 2150)
    }


def test_a_label_may_name_the_level_the_buyer_chose() -> None:
    """ "standard" buys Nusantara Cargo's standard service, cargo-economy."""
    label = CARGO.create_label(request("standard"))
    assert (label.service, label.price, label.tracking_number[:2]) == ("cargo-economy", 1995, "NC")


def test_labels_for_unknown_services_or_unserved_routes_are_refused() -> None:
    """The field is `service` either way, with what the carrier does offer."""
    with pytest.raises(UnknownCarrierService) as unknown:
        CARGO.create_label(request("expedited"))
    assert unknown.value.field == "service"
    assert "cargo-economy" in unknown.value.detail
    with pytest.raises(RouteNotServed):
        POST.create_label(request("standard", SINGAPORE))


def test_cancelling_checks_the_number_is_the_carriers_own() -> None:
    """A Pasar Post number cancels at Pasar Post; a cargo number there is not found."""
    POST.cancel(POST.create_label(request("standard")).tracking_number)
    with pytest.raises(UnknownTrackingNumber) as refused:
        POST.cancel("NC000000000001")
    assert (refused.value.status, refused.value.field) == (404, "tracking_number")


# --- webhooks --------------------------------------------------------------------------


def events(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "events": [
            {
                "tracking_number": "PP000000000001",
                "event_id": f"e{i}",
                "occurred_at": "2026-11-24T10:00:00+07:00",
                **item,
            }
            for i, item in enumerate(items)
        ]
    }


def test_post_webhook_maps_its_codes_to_statuses() -> None:
    """Known codes map; unknown X… codes are exceptions; other unknown codes in transit."""
    codes = ["ACC", "PCK", "arr", "OFD", "NAH", "XDM", "ZZZ", "DLV", "RTS"]
    updates = POST.parse_webhook(events(*({"code": c} for c in codes)))
    assert [u.status for u in updates] == [
        TrackingStatus.LABEL_CREATED,
        TrackingStatus.PICKED_UP,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.OUT_FOR_DELIVERY,
        TrackingStatus.DELIVERY_ATTEMPTED,
        TrackingStatus.EXCEPTION,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.DELIVERED,
        TrackingStatus.RETURNED_TO_SENDER,
    ]
    first = updates[0]
    # 10:00 in Jakarta (+07:00) is 03:00 UTC.
    assert first.occurred_at == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert (first.carrier, first.event_id, first.code, first.raw["code"]) == (
        "pasar-post",
        "e0",
        "ACC",
        "ACC",
    )


def test_each_carrier_speaks_its_own_codes() -> None:
    """Nusantara Cargo's 500 is delivered, 9xx a problem; the post's DLV means nothing there."""
    updates = CARGO.parse_webhook(events({"code": "500"}, {"code": "950"}, {"code": "DLV"}))
    assert [u.status for u in updates] == [
        TrackingStatus.DELIVERED,
        TrackingStatus.EXCEPTION,
        TrackingStatus.IN_TRANSIT,
    ]


def test_delivery_proof_is_kept_as_given() -> None:
    """Where it was left, who took it, the photo and where the driver stood."""
    proof = {
        "where_left": "locked_mailbox",
        "recipient_name": "Siti Rahma",
        "photo_url": "https://pod.example/1.jpg",
        "lat": -6.2,
        "lon": 106.8,
    }
    (update,) = POST.parse_webhook(events({"code": "DLV", "proof": proof}))
    assert update.proof == proof
    assert update.proof is not None
    assert update.proof["where_left"] == WhereLeft.LOCKED_MAILBOX


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "events"),
        ({"events": []}, "events"),
        ({"events": "DLV"}, "events"),
        (events({"code": ""}), "events.0.code"),
        (events({"code": "DLV", "occurred_at": "2026-11-24T10:00:00"}), "events.0.occurred_at"),
        (events({"code": "DLV", "occurred_at": "yesterday"}), "events.0.occurred_at"),
        (events({"code": "DLV"}, {"code": "DLV", "event_id": None}), "events.1.event_id"),
        (events({"code": "DLV", "proof": {"where_left": "roof"}}), "events.0.proof.where_left"),
    ],
)
def test_malformed_webhooks_are_refused_naming_the_field(
    payload: dict[str, Any], field: str
) -> None:
    """422 malformed-carrier-webhook, with the dotted path of the first problem."""
    with pytest.raises(MalformedCarrierWebhook) as refused:
        POST.parse_webhook(payload)
    error = refused.value
    assert (error.status, error.code, error.field) == (422, "malformed-carrier-webhook", field)
    assert error.detail.startswith(f"Pasar Post webhook: {field}: ")


def test_a_webhook_that_is_not_an_object_is_refused() -> None:
    """A JSON list is not a carrier's payload."""
    with pytest.raises(MalformedCarrierWebhook) as refused:
        POST.parse_webhook([1, 2])  # type: ignore[arg-type]
    assert refused.value.field == "payload"


def test_the_courier_posts_one_state_change_in_its_own_shape() -> None:
    """Kilat Kurir's "delivered" with a proof of delivery; an update without awb is refused."""
    (update,) = KURIR.parse_webhook(
        {
            "awb": "KK0000000001",
            "update_id": "u-9",
            "state": "delivered",
            "at": "2026-11-23T05:30:00Z",
            "area": "Gubeng",
            "pod": {"left_at": "reception", "received_by": "Pak Joko"},
        }
    )
    assert (update.status, update.location, update.event_id) == (
        TrackingStatus.DELIVERED,
        "Gubeng",
        "u-9",
    )
    assert update.proof == {"where_left": "reception", "recipient_name": "Pak Joko"}
    (odd,) = KURIR.parse_webhook(
        {"awb": "KK1", "update_id": "u-10", "state": "teleported", "at": "2026-11-23T05:30:00Z"}
    )
    assert odd.status is TrackingStatus.IN_TRANSIT
    with pytest.raises(MalformedCarrierWebhook) as refused:
        KURIR.parse_webhook({"update_id": "u-11", "state": "picked", "at": "2026-11-23T05:30Z"})
    assert refused.value.field == "awb"


# --- the sandbox -----------------------------------------------------------------------


def test_sandbox_scripts_are_deterministic_and_polling_is_idempotent() -> None:
    """Same number, same script; a later poll only adds events, with the same ids."""
    assert SANDBOX is not None
    number = "SBX0000000042"
    script = SANDBOX.script(number, LABELLED)
    assert script == SANDBOX.script(number, LABELLED)
    assert script[0].status is TrackingStatus.LABEL_CREATED
    assert script[0].occurred_at == LABELLED  # at once
    assert script[1].status is TrackingStatus.PICKED_UP
    assert script[-1].status is TrackingStatus.DELIVERED
    assert [e.occurred_at for e in script] == sorted(e.occurred_at for e in script)
    assert len({e.event_id for e in script}) == len(script)
    seen: list[str] = []
    for hours in (0, 6, 24, 48, 200):
        due = SANDBOX.events_due(number, LABELLED, LABELLED + timedelta(hours=hours))
        ids = [e.event_id for e in due]
        assert ids[: len(seen)] == seen  # nothing already seen changes
        seen = ids
    assert seen == [e.event_id for e in script]
    assert all(e.location in SANDBOX.hubs for e in script)


def test_sandbox_delivery_comes_with_proof() -> None:
    """Delivered events say where the parcel was left, and who took it when handed over."""
    assert SANDBOX is not None
    for i in range(20):
        proof = SANDBOX.script(f"SBX{i:010d}", LABELLED)[-1].proof
        assert proof is not None
        where = WhereLeft(proof["where_left"])
        handed = where in {WhereLeft.HANDED_TO_RECIPIENT, WhereLeft.RECEPTION, WhereLeft.NEIGHBOUR}
        assert ("recipient_name" in proof) == handed


def test_sandbox_speedup_compresses_the_clock() -> None:
    """At 60x, what took an hour takes a minute; the events stay the same."""
    assert SANDBOX is not None
    real = SANDBOX.script("SBX0000000042", LABELLED)
    fast = SANDBOX.script("SBX0000000042", LABELLED, speedup=60)
    assert [e.event_id for e in fast] == [e.event_id for e in real]
    assert fast[-1].occurred_at - LABELLED == pytest.approx(
        (real[-1].occurred_at - LABELLED) / 60, abs=timedelta(seconds=1)
    )


def test_some_sandbox_parcels_miss_the_buyer_and_a_few_are_delayed() -> None:
    """Of 400 parcels about 10 % need a second attempt and about 5 % hit a hub delay."""
    assert SANDBOX is not None
    scripts = [SANDBOX.script(f"SBX{i:010d}", LABELLED) for i in range(400)]
    statuses = [[e.status for e in s] for s in scripts]
    attempted = sum(TrackingStatus.DELIVERY_ATTEMPTED in s for s in statuses)
    delayed = sum(TrackingStatus.EXCEPTION in s for s in statuses)
    assert 20 <= attempted <= 64  # 5 % to 16 %
    assert 8 <= delayed <= 36  # 2 % to 9 %
    assert all(s[-1] is TrackingStatus.DELIVERED for s in statuses)
    retried = next(s for s in scripts if TrackingStatus.DELIVERY_ATTEMPTED in [e.status for e in s])
    attempt = next(e for e in retried if e.status is TrackingStatus.DELIVERY_ATTEMPTED)
    assert retried[-1].occurred_at - attempt.occurred_at > timedelta(hours=12)  # next day


def test_sandbox_webhook_reads_back_the_events_it_plays() -> None:
    """payload() then parse_webhook() gives the very same updates."""
    assert SANDBOX is not None
    script = SANDBOX.script("SBX0000000007", LABELLED)
    assert SANDBOX.parse_webhook(SANDBOX.payload(script)) == script


def test_sandbox_quotes_like_the_post_and_labels_realistically() -> None:
    """Its prices are Pasar Post's; its numbers are SBX + 14 digits."""
    assert SANDBOX is not None
    assert prices(SANDBOX, JAKARTA_WH, BANDUNG, Parcel(250)) == prices(
        POST, JAKARTA_WH, BANDUNG, Parcel(250)
    )
    label = SANDBOX.create_label(request("expedited"))
    assert label.tracking_number.startswith("SBX")
    assert len(label.tracking_number) == 17
    assert isinstance(SANDBOX, SandboxCarrier)


# --- the registry and the carriers file ------------------------------------------------


def test_built_in_carriers_by_code() -> None:
    """Four carriers; checkout shops all but the sandbox; labels default to Pasar Post."""
    assert DEFAULT_CARRIERS.codes() == ("pasar-post", "nusantara-cargo", "kilat-kurir", "sandbox")
    assert [c.code for c in DEFAULT_CARRIERS.shopped] == [
        "pasar-post",
        "nusantara-cargo",
        "kilat-kurir",
    ]
    assert DEFAULT_CARRIERS.default_code == "pasar-post"
    assert DEFAULT_CARRIERS.get("dhl") is None
    assert all(isinstance(c, Carrier) for c in DEFAULT_CARRIERS.values())
    with pytest.raises(TypeError):
        DEFAULT_CARRIERS["dhl"] = POST  # type: ignore[index]
    with pytest.raises(ValueError, match="used twice"):
        Carriers([POST, POST])
    with pytest.raises(ValueError, match="unknown carrier codes"):
        Carriers([POST], default="dhl")


def test_no_carriers_file_means_the_built_in_carriers() -> None:
    """PASAR_CARRIERS_FILE unset: the defaults, as they are."""
    assert load_carriers(None) is DEFAULT_CARRIERS


def test_the_example_carriers_file_describes_the_built_in_carriers() -> None:
    """docs/carriers.example.toml loads, and spells out exactly the defaults."""
    loaded = load_carriers(EXAMPLE)
    assert loaded.codes() == DEFAULT_CARRIERS.codes()
    assert [c.code for c in loaded.shopped] == [c.code for c in DEFAULT_CARRIERS.shopped]
    assert loaded.default_code == "pasar-post"
    for code in loaded:
        assert loaded[code] == DEFAULT_CARRIERS[code], code


MINIMAL = """
[[carriers]]
kind = "rate_table"
code = "kargo"
name = "Kargo"
pickup_days = ["mon", "thu"]
tracking_prefix = "KG"

[[carriers.zones]]
code = "everywhere"

[[carriers.services]]
code = "standard"
name = "Standard"
level = "standard"

[carriers.services.rates.everywhere]
transit_days = 3
bands = [{ up_to_grams = 2000, price = 700 }]
per_extra_kg = 100
"""


def test_a_carriers_file_replaces_the_built_in_carriers(tmp_path: Path) -> None:
    """One carrier in the file: it is the only one, shopped and the default."""
    path = tmp_path / "carriers.toml"
    path.write_text(MINIMAL)
    loaded = load_carriers(path)
    assert loaded.codes() == ("kargo",)
    assert loaded.default_code == "kargo"
    # 2.5 kg: 700 + 1 started kg * 100.
    assert prices(loaded["kargo"], JAKARTA_WH, MEDAN, Parcel(2500)) == {"standard": (800, 3)}
    (quote,) = loaded["kargo"].quote(JAKARTA_WH, MEDAN, [Parcel(1)], currency="USD")
    assert quote.pickup.weekdays == frozenset({0, 3})


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        (MINIMAL.replace("transit_days", "trasit_days"), "trasit_days", "Extra inputs"),
        (
            MINIMAL.replace(
                "up_to_grams = 2000, price = 700 }",
                "up_to_grams = 2000, price = 7 }, { up_to_grams = 1000, price = 5 }",
            ),
            "carriers.0.services.0.rates.everywhere",
            "strictly ascend",
        ),
        (
            MINIMAL.replace("rates.everywhere", "rates.moon"),
            "carriers.0: ",
            "unknown zones",
        ),
        (MINIMAL.replace('level = "standard"', 'level = "drone"'), "level", "Input should be"),
        (MINIMAL.replace('"rate_table"', '"teleport"'), "carriers.0", "tag"),
        (MINIMAL.replace('"Kargo"', '"Kargo'), "", "not valid TOML"),
        ('default = "dhl"\n' + MINIMAL, "", "not one of the carriers"),
        ("carriers = []", "carriers", "at least 1"),
    ],
)
def test_invalid_carriers_files_say_where_and_why(
    tmp_path: Path, text: str, field: str, says: str
) -> None:
    """Start-up stops with the file, the path inside it and the reason."""
    path = tmp_path / "carriers.toml"
    path.write_text(text)
    with pytest.raises(InvalidCarriersFile) as refused:
        load_carriers(path)
    detail = refused.value.detail
    assert str(path.resolve()) in detail
    assert field in detail
    assert says in detail


def test_a_missing_carriers_file_is_named() -> None:
    """A wrong path is a clear start-up error, not a stack trace."""
    with pytest.raises(InvalidCarriersFile, match="cannot be read"):
        load_carriers(Path("/nonexistent/carriers.toml"))


def test_a_changed_carriers_file_is_read_again(tmp_path: Path) -> None:
    """Checkout reads its config per request: an edited file takes effect."""
    path = tmp_path / "carriers.toml"
    path.write_text(MINIMAL)
    assert load_carriers(path) is load_carriers(path)  # unchanged: read once
    path.write_text(MINIMAL.replace("price = 700", "price = 7000"))
    assert prices(load_carriers(path)["kargo"], JAKARTA_WH, MEDAN, Parcel(1)) == {
        "standard": (7000, 3)
    }
