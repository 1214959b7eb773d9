"""The carriers Pasar runs with when no carriers file is configured.

- Pasar Post: the everyday post. Standard and expedited, Monday to Saturday pickups.
  Up to 1 kg: standard 500 local (same region, 2 days) / 900 national (4 days);
  expedited 1200 local (1 day) / 1900 national (2 days); +150 per started kg above 1 kg.
  Papua and Maluku (postal 97…, 99…) cost 500 more and take 2 days longer.
- Nusantara Cargo: freight by weight band, standard only, pickups Monday, Wednesday and
  Friday, 5 % fuel. Dearer than the post for small parcels, cheaper from about 9 kg.
- Kilat Kurir: same-day motorbike courier in Surabaya, Medan and Denpasar (order before
  12:00 for delivery the day it is collected), with a next-day service.
- Pasar Sandbox Express: quotes like the post and scripts tracking events for the demo;
  not shopped at checkout.
"""

from __future__ import annotations

from datetime import time

from pasar.fulfillment.carriers.base import MON_SAT, MON_WED_FRI, ServiceLevel
from pasar.fulfillment.carriers.rate_table import (
    Band,
    RateService,
    RateTableCarrier,
    RemoteArea,
    Surcharges,
    Zone,
    ZoneRate,
)
from pasar.fulfillment.carriers.registry import Carriers
from pasar.fulfillment.carriers.same_day import DistanceBand, SameDayCourier, ServedCity
from pasar.fulfillment.carriers.sandbox import SandboxCarrier
from pasar.fulfillment.carriers.webhooks import CodeBook
from pasar.fulfillment.domain import TrackingStatus

#: Nusantara Cargo's numeric scan codes; every 9xx is a problem.
CARGO_CODES = CodeBook(
    codes={
        "100": TrackingStatus.LABEL_CREATED,
        "200": TrackingStatus.PICKED_UP,
        "300": TrackingStatus.IN_TRANSIT,
        "310": TrackingStatus.IN_TRANSIT,
        "400": TrackingStatus.OUT_FOR_DELIVERY,
        "450": TrackingStatus.DELIVERY_ATTEMPTED,
        "500": TrackingStatus.DELIVERED,
        "600": TrackingStatus.RETURNED_TO_SENDER,
    },
    exception_prefixes=("9",),
)

LOCAL = Zone("local", same_region=True)
NATIONAL = Zone("national")


def _post_services() -> tuple[RateService, ...]:
    def rate(days: int, price: int) -> ZoneRate:
        return ZoneRate(days, (Band(1000, price),), per_extra_kg=150)

    return (
        RateService(
            "standard",
            "Standard",
            ServiceLevel.STANDARD,
            {"local": rate(2, 500), "national": rate(4, 900)},
        ),
        RateService(
            "expedited",
            "Express",
            ServiceLevel.EXPEDITED,
            {"local": rate(1, 1200), "national": rate(2, 1900)},
        ),
    )


PASAR_POST = RateTableCarrier(
    code="pasar-post",
    name="Pasar Post",
    zones=(LOCAL, NATIONAL),
    services=_post_services(),
    pickup_days=MON_SAT,
    surcharges=Surcharges(
        remote=(RemoteArea(("97", "98", "99"), 500, extra_transit_days=2, country="ID"),),
        oversize_mm=1200,
        oversize_amount=1000,
    ),
    tracking_prefix="PP",
)

NUSANTARA_CARGO = RateTableCarrier(
    code="nusantara-cargo",
    name="Nusantara Cargo",
    zones=(LOCAL, NATIONAL),
    services=(
        RateService(
            "cargo-economy",
            "Cargo economy",
            ServiceLevel.STANDARD,
            {
                "local": ZoneRate(
                    3, (Band(5000, 1400), Band(10_000, 1600), Band(20_000, 1900)), 60
                ),
                "national": ZoneRate(
                    5, (Band(5000, 1800), Band(10_000, 2000), Band(20_000, 2300)), 80
                ),
            },
        ),
    ),
    pickup_days=MON_WED_FRI,
    dim_divisor=6000,
    surcharges=Surcharges(fuel_bps=500),
    tracking_prefix="NC",
    code_book=CARGO_CODES,
)

KILAT_KURIR = SameDayCourier(
    code="kilat-kurir",
    name="Kilat Kurir",
    cities=(
        ServedCity("Surabaya", "ID", ("601", "602"), price=2500, next_day_price=1600),
        ServedCity("Medan", "ID", ("201", "202", "203"), price=2500, next_day_price=1600),
        ServedCity("Denpasar", "ID", ("801", "802"), price=3000, next_day_price=1800),
    ),
    cut_off=time(12, 0),
    pickup_days=MON_SAT,
    distance_bands=(DistanceBand(5, 1500), DistanceBand(15, 2500), DistanceBand(30, 3500)),
    tracking_prefix="KK",
)

SANDBOX = SandboxCarrier(
    RateTableCarrier(
        code="sandbox",
        name="Pasar Sandbox Express",
        zones=(LOCAL, NATIONAL),
        services=_post_services(),
        pickup_days=MON_SAT,
        tracking_prefix="SBX",
    )
)

DEFAULT_CARRIERS = Carriers(
    (PASAR_POST, NUSANTARA_CARGO, KILAT_KURIR, SANDBOX),
    shopped=("pasar-post", "nusantara-cargo", "kilat-kurir"),
    default="pasar-post",
)
