"""A carrier priced entirely from data: zones, weight bands, surcharges, pickup days.

Most posts and parcel carriers publish exactly this, so one class, configured from the
carriers file, stands in for any of them until a real API is wired in.

How a price is built, per service, for a shipment of one or more parcels:

1. the zone: the first of the carrier's zones the route matches (same region, the
   destination's region, or its postal-code prefix; a zone with no rule matches all);
2. per parcel, the billed weight: the larger of the actual weight and the dimensional
   weight (L x W x H in mm³ / `dim_divisor`, rounded up to the gram — a divisor of 5000 is the
   usual "cm³ per kg" figure, since mm³ per gram is the same ratio);
3. per parcel, the band price: the first band the billed weight fits (`up_to_grams`
   inclusive), or the last band plus `per_extra_kg` for every started kg beyond it;
   plus the oversize surcharge for a parcel whose longest side is over the limit;
4. per shipment, a remote-area surcharge (destination postal prefix), which may also add
   transit days;
5. the fuel surcharge, in basis points of everything above, rounded half up to the minor
   unit.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pasar.fulfillment.carriers.base import (
    MON_SAT,
    Label,
    LabelRequest,
    Parcel,
    Pickup,
    Place,
    Quote,
    ServiceLevel,
    TrackingUpdate,
    ceil_div,
    new_tracking_number,
    round_half_up,
)
from pasar.fulfillment.carriers.errors import InvalidParcel
from pasar.fulfillment.carriers.labels import check_ours, pick_quote
from pasar.fulfillment.carriers.webhooks import CodeBook, parse_events
from pasar.fulfillment.domain import TrackingStatus

#: The code book of a post that speaks UPU-like three-letter codes; problems start with X.
POST_CODES = CodeBook(
    codes={
        "ACC": TrackingStatus.LABEL_CREATED,
        "PCK": TrackingStatus.PICKED_UP,
        "DEP": TrackingStatus.IN_TRANSIT,
        "ARR": TrackingStatus.IN_TRANSIT,
        "HUB": TrackingStatus.IN_TRANSIT,
        "OFD": TrackingStatus.OUT_FOR_DELIVERY,
        "NAH": TrackingStatus.DELIVERY_ATTEMPTED,
        "DLV": TrackingStatus.DELIVERED,
        "RTS": TrackingStatus.RETURNED_TO_SENDER,
    },
    exception_prefixes=("X",),
)


@dataclass(frozen=True, slots=True)
class Band:
    up_to_grams: int
    price: int


@dataclass(frozen=True, slots=True)
class ZoneRate:
    """One service in one zone. Bands ascend; beyond the last, each started kg costs extra."""

    transit_days: int
    bands: tuple[Band, ...]
    per_extra_kg: int = 0

    def __post_init__(self) -> None:
        if not self.bands:
            raise ValueError("a zone rate needs at least one weight band")
        limits = [b.up_to_grams for b in self.bands]
        if limits != sorted(set(limits)):
            raise ValueError("weight bands must strictly ascend")

    def price_for(self, grams: int) -> int:
        for band in self.bands:
            if grams <= band.up_to_grams:
                return band.price
        last = self.bands[-1]
        return last.price + ceil_div(grams - last.up_to_grams, 1000) * self.per_extra_kg


@dataclass(frozen=True, slots=True)
class Zone:
    """A rule on the route. `same_region` demands origin and destination share a region;
    `regions` / `postal_prefixes` match the destination (either one suffices)."""

    code: str
    same_region: bool = False
    regions: frozenset[str] = frozenset()
    postal_prefixes: tuple[str, ...] = ()

    def matches(self, origin: Place, destination: Place) -> bool:
        if self.same_region and not origin.same_region(destination):
            return False
        if not self.regions and not self.postal_prefixes:
            return True
        region = (destination.region or "").strip().casefold()
        return region in {r.strip().casefold() for r in self.regions} or (
            destination.postal_starts(self.postal_prefixes)
        )


@dataclass(frozen=True, slots=True)
class RateService:
    """A service and its rate per zone code; a zone it has no rate for is not served."""

    code: str
    name: str
    level: ServiceLevel
    rates: Mapping[str, ZoneRate]


@dataclass(frozen=True, slots=True)
class RemoteArea:
    postal_prefixes: tuple[str, ...]
    amount: int
    extra_transit_days: int = 0
    #: ISO alpha-2; None applies the prefixes in every country the carrier serves.
    country: str | None = None

    def matches(self, destination: Place) -> bool:
        if self.country is not None and self.country.upper() != destination.country.upper():
            return False
        return destination.postal_starts(self.postal_prefixes)


@dataclass(frozen=True, slots=True)
class Surcharges:
    remote: tuple[RemoteArea, ...] = ()
    #: Fuel, in basis points (750 = 7.5 %) of the price before it.
    fuel_bps: int = 0
    #: A parcel whose longest side is over `oversize_mm` costs `oversize_amount` more.
    oversize_mm: int | None = None
    oversize_amount: int = 0

    def remote_area(self, destination: Place) -> RemoteArea | None:
        return next((r for r in self.remote if r.matches(destination)), None)


@dataclass(frozen=True)
class RateTableCarrier:
    code: str
    name: str
    zones: tuple[Zone, ...]
    services: tuple[RateService, ...]
    pickup_days: frozenset[int] = MON_SAT
    #: mm³ per billed gram (= cm³ per kg); None: weight alone is billed.
    dim_divisor: int | None = 5000
    surcharges: Surcharges = field(default_factory=Surcharges)
    #: ISO alpha-2 countries served (domestic only); empty: every country.
    countries: frozenset[str] = frozenset()
    #: The currency its prices are in; None: whatever the marketplace asks for.
    currency: str | None = None
    tracking_prefix: str = "PX"
    code_book: CodeBook = POST_CODES

    def __post_init__(self) -> None:
        zone_codes = {z.code for z in self.zones}
        for service in self.services:
            unknown = set(service.rates) - zone_codes
            if unknown:
                raise ValueError(
                    f"{self.code}: service {service.code} prices unknown zones {sorted(unknown)}"
                )

    # --- pricing ---------------------------------------------------------------------

    def billed_grams(self, parcel: Parcel) -> int:
        volume = parcel.volume_mm3
        if volume is None or self.dim_divisor is None:
            return parcel.weight_grams
        return max(parcel.weight_grams, ceil_div(volume, self.dim_divisor))

    @cached_property
    def _weight_steps(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Every band limit of every rate, and the last limits beyond which kgs are counted."""
        rates = [r for s in self.services for r in s.rates.values()]
        limits = sorted({b.up_to_grams for r in rates for b in r.bands})
        lasts = sorted({r.bands[-1].up_to_grams for r in rates if r.per_extra_kg})
        return tuple(limits), tuple(lasts)

    def weight_class(self, grams: int) -> tuple[int, ...]:
        """Weights this carrier prices alike (a parcel without dimensions): the same band
        in every rate and the same started kgs beyond each last band. Rate shopping
        shares its answers between them."""
        limits, lasts = self._weight_steps
        beyond = (ceil_div(grams - last, 1000) if grams > last else 0 for last in lasts)
        return (bisect_left(limits, grams), *beyond)

    def zone_of(self, origin: Place, destination: Place) -> Zone | None:
        if not origin.same_country(destination):
            return None
        if self.countries and destination.country.strip().upper() not in self.countries:
            return None
        return next((z for z in self.zones if z.matches(origin, destination)), None)

    def price(self, rate: ZoneRate, parcels: Sequence[Parcel], destination: Place) -> int:
        """Steps 3 to 5 of the module docstring, for one service in one zone."""
        subtotal = 0
        for parcel in parcels:
            subtotal += rate.price_for(self.billed_grams(parcel))
            oversize = self.surcharges.oversize_mm
            if oversize is not None and parcel.longest_side_mm > oversize:
                subtotal += self.surcharges.oversize_amount
        remote = self.surcharges.remote_area(destination)
        if remote is not None:
            subtotal += remote.amount
        return subtotal + round_half_up(subtotal * self.surcharges.fuel_bps, 10_000)

    def quote(
        self, origin: Place, destination: Place, parcels: Sequence[Parcel], *, currency: str
    ) -> list[Quote]:
        if not parcels:
            raise InvalidParcel("A shipment needs at least one parcel.", field="parcels")
        if self.currency is not None and self.currency != currency:
            return []
        zone = self.zone_of(origin, destination)
        if zone is None:
            return []
        remote = self.surcharges.remote_area(destination)
        extra_days = remote.extra_transit_days if remote is not None else 0
        billed = sum(self.billed_grams(p) for p in parcels)
        return [
            Quote(
                carrier=self.code,
                carrier_name=self.name,
                service=service.code,
                service_name=service.name,
                level=service.level,
                price=self.price(rate, parcels, destination),
                currency=currency,
                transit_days=rate.transit_days + extra_days,
                pickup=Pickup(self.pickup_days),
                billed_grams=billed,
            )
            for service in self.services
            if (rate := service.rates.get(zone.code)) is not None
        ]

    # --- labels and tracking ---------------------------------------------------------

    def create_label(self, request: LabelRequest) -> Label:
        quote = pick_quote(self, request, {s.code: s.level for s in self.services})
        return Label(
            tracking_number=new_tracking_number(self.tracking_prefix),
            carrier=self.code,
            service=quote.service,
            service_name=quote.service_name,
            price=quote.price,
            currency=quote.currency,
        )

    def cancel(self, tracking_number: str) -> None:
        """Nothing to call: an uncollected label of a table carrier costs nothing. The
        number must still be this carrier's, so a wrong-carrier cancel is caught."""
        check_ours(self.name, self.tracking_prefix, tracking_number)

    def parse_webhook(self, payload: Mapping[str, Any]) -> list[TrackingUpdate]:
        return parse_events(payload, carrier=self.code, carrier_name=self.name, book=self.code_book)
