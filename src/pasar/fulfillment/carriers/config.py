"""Carriers from a TOML file (`PASAR_CARRIERS_FILE`), replacing the built-in ones.

The file is validated in full before anything is used, and every mistake names where it
is (`carriers.0.services.1.rates.local.bands`), so a typo stops start-up with a message
instead of pricing parcels wrongly. `docs/carriers.example.toml` shows every field.

A file is read again only when it changes (size or modification time), because checkout
builds its configuration per request.
"""

from __future__ import annotations

import tomllib
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pasar.fulfillment.carriers.base import MON_SAT, WEEKDAYS, ServiceLevel
from pasar.fulfillment.carriers.defaults import DEFAULT_CARRIERS
from pasar.fulfillment.carriers.errors import InvalidCarriersFile
from pasar.fulfillment.carriers.rate_table import (
    POST_CODES,
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
from pasar.fulfillment.carriers.sandbox import DEFAULT_HUBS, SandboxCarrier
from pasar.fulfillment.carriers.webhooks import CodeBook
from pasar.fulfillment.domain import TrackingStatus

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[int, Field(ge=0, le=10**9)]
Days = Annotated[int, Field(ge=0, le=60)]
Prefix = Annotated[str, Field(min_length=1, max_length=10)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TrackingPrefix = Annotated[str, Field(pattern=r"^[A-Z]{2,4}$")]
ALL_BUT_SUNDAY: list[Weekday] = ["mon", "tue", "wed", "thu", "fri", "sat"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _weekdays(days: list[Weekday]) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(d) for d in days) or MON_SAT


class BandIn(_Model):
    up_to_grams: Annotated[int, Field(gt=0)]
    price: Amount


class ZoneRateIn(_Model):
    transit_days: Days
    bands: Annotated[list[BandIn], Field(min_length=1)]
    per_extra_kg: Amount = 0

    @model_validator(mode="after")
    def _ascending(self) -> ZoneRateIn:
        limits = [b.up_to_grams for b in self.bands]
        if limits != sorted(set(limits)):
            raise ValueError("bands must strictly ascend by up_to_grams")
        return self

    def build(self) -> ZoneRate:
        return ZoneRate(
            self.transit_days,
            tuple(Band(b.up_to_grams, b.price) for b in self.bands),
            self.per_extra_kg,
        )


class ZoneIn(_Model):
    code: Code
    same_region: bool = False
    regions: list[Name] = []
    postal_prefixes: list[Prefix] = []


class ServiceIn(_Model):
    code: Code
    name: Name
    level: ServiceLevel
    rates: Annotated[dict[str, ZoneRateIn], Field(min_length=1)]


class RemoteAreaIn(_Model):
    country: Country | None = None
    postal_prefixes: Annotated[list[Prefix], Field(min_length=1)]
    amount: Amount
    extra_transit_days: Days = 0


class SurchargesIn(_Model):
    fuel_bps: Annotated[int, Field(ge=0, le=10_000)] = 0
    remote: list[RemoteAreaIn] = []
    oversize_mm: Annotated[int, Field(gt=0)] | None = None
    oversize_amount: Amount = 0


class _TableIn(_Model):
    code: Code
    name: Name
    checkout: bool = True
    pickup_days: Annotated[list[Weekday], Field(min_length=1)] = ALL_BUT_SUNDAY
    dim_divisor: Annotated[int, Field(gt=0)] | None = 5000
    countries: list[Country] = []
    currency: Currency | None = None
    tracking_prefix: TrackingPrefix = "PX"
    zones: Annotated[list[ZoneIn], Field(min_length=1)]
    services: Annotated[list[ServiceIn], Field(min_length=1)]
    surcharges: SurchargesIn = SurchargesIn()
    #: The carrier's own scan codes and what they mean; empty: the post's three-letter codes.
    tracking_codes: dict[Annotated[str, Field(min_length=1, max_length=40)], TrackingStatus] = {}
    #: Unknown codes starting with one of these read as exceptions (else as in transit).
    exception_code_prefixes: list[Prefix] = ["X"]

    @model_validator(mode="after")
    def _known_zones(self) -> _TableIn:
        zones = [z.code for z in self.zones]
        if len(set(zones)) != len(zones):
            raise ValueError("zone codes must be unique")
        services = [s.code for s in self.services]
        if len(set(services)) != len(services):
            raise ValueError("service codes must be unique")
        for service in self.services:
            unknown = sorted(set(service.rates) - set(zones))
            if unknown:
                raise ValueError(
                    f"service {service.code!r} has rates for unknown zones {unknown}; "
                    f"zones are {zones}"
                )
        return self

    def table(self) -> RateTableCarrier:
        return RateTableCarrier(
            code=self.code,
            name=self.name,
            zones=tuple(
                Zone(z.code, z.same_region, frozenset(z.regions), tuple(z.postal_prefixes))
                for z in self.zones
            ),
            services=tuple(
                RateService(s.code, s.name, s.level, {k: v.build() for k, v in s.rates.items()})
                for s in self.services
            ),
            pickup_days=_weekdays(self.pickup_days),
            dim_divisor=self.dim_divisor,
            surcharges=Surcharges(
                remote=tuple(
                    RemoteArea(tuple(r.postal_prefixes), r.amount, r.extra_transit_days, r.country)
                    for r in self.surcharges.remote
                ),
                fuel_bps=self.surcharges.fuel_bps,
                oversize_mm=self.surcharges.oversize_mm,
                oversize_amount=self.surcharges.oversize_amount,
            ),
            countries=frozenset(self.countries),
            currency=self.currency,
            tracking_prefix=self.tracking_prefix,
            code_book=CodeBook(
                {k.strip().upper(): v for k, v in self.tracking_codes.items()},
                tuple(self.exception_code_prefixes),
            )
            if self.tracking_codes
            else POST_CODES,
        )


class RateTableIn(_TableIn):
    kind: Literal["rate_table"]

    def build(self) -> RateTableCarrier:
        return self.table()


class SandboxIn(_TableIn):
    kind: Literal["sandbox"]
    checkout: bool = False
    tracking_prefix: TrackingPrefix = "SBX"
    hubs: Annotated[list[Name], Field(min_length=3)] = list(DEFAULT_HUBS)

    @model_validator(mode="after")
    def _own_codes(self) -> SandboxIn:
        if self.tracking_codes:
            raise ValueError("the sandbox speaks its own tracking codes; remove tracking_codes")
        return self

    def build(self) -> SandboxCarrier:
        return SandboxCarrier(self.table(), tuple(self.hubs))


class CityIn(_Model):
    name: Name
    country: Country
    postal_prefixes: list[Prefix] = []
    price: Amount | None = None
    next_day_price: Amount | None = None


class DistanceBandIn(_Model):
    up_to_km: Annotated[float, Field(gt=0, le=500)]
    price: Amount


class SameDayIn(_Model):
    kind: Literal["same_day"]
    code: Code
    name: Name
    checkout: bool = True
    cut_off: time = time(12, 0)
    pickup_days: Annotated[list[Weekday], Field(min_length=1)] = ALL_BUT_SUNDAY
    cities: list[CityIn] = []
    distance_bands: list[DistanceBandIn] = []
    max_grams: Annotated[int, Field(gt=0)] = 20_000
    currency: Currency | None = None
    tracking_prefix: TrackingPrefix = "SD"
    service_name: Name = "Same-day courier"
    next_day_name: Name = "Next-day courier"

    @model_validator(mode="after")
    def _priced(self) -> SameDayIn:
        if not self.cities and not self.distance_bands:
            raise ValueError("a same-day courier needs cities, distance_bands, or both")
        limits = [b.up_to_km for b in self.distance_bands]
        if limits != sorted(set(limits)):
            raise ValueError("distance_bands must strictly ascend by up_to_km")
        if not self.distance_bands and any(c.price is None for c in self.cities):
            raise ValueError("without distance_bands every city needs a price")
        return self

    def build(self) -> SameDayCourier:
        return SameDayCourier(
            code=self.code,
            name=self.name,
            cities=tuple(
                ServedCity(c.name, c.country, tuple(c.postal_prefixes), c.price, c.next_day_price)
                for c in self.cities
            ),
            cut_off=self.cut_off,
            pickup_days=_weekdays(self.pickup_days),
            distance_bands=tuple(DistanceBand(b.up_to_km, b.price) for b in self.distance_bands),
            max_grams=self.max_grams,
            currency=self.currency,
            tracking_prefix=self.tracking_prefix,
            service_name=self.service_name,
            next_day_name=self.next_day_name,
        )


KINDS = ("rate_table", "sandbox", "same_day")
CarrierIn = Annotated[RateTableIn | SandboxIn | SameDayIn, Field(discriminator="kind")]


class CarriersFile(_Model):
    #: The carrier labels are bought from when nobody names one; the first shopped if unset.
    default: Code | None = None
    carriers: Annotated[list[CarrierIn], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> CarriersFile:
        codes = [c.code for c in self.carriers]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"carrier codes used more than once: {twice}")
        prefixes = [c.tracking_prefix for c in self.carriers]
        clashing = sorted(
            {a for a in prefixes for b in prefixes if a != b and b.startswith(a)}
            | {p for p in prefixes if prefixes.count(p) > 1}
        )
        if clashing:
            raise ValueError(f"tracking prefixes must not repeat or start one another: {clashing}")
        if self.default is not None and self.default not in codes:
            raise ValueError(f"default {self.default!r} is not one of the carriers {codes}")
        return self

    def build(self) -> Carriers:
        return Carriers(
            [c.build() for c in self.carriers],
            shopped=[c.code for c in self.carriers if c.checkout],
            default=self.default,
        )


def load_carriers(path: Path | None) -> Carriers:
    """The built-in carriers for None; else the file's carriers, or InvalidCarriersFile."""
    if path is None:
        return DEFAULT_CARRIERS
    try:
        stat = path.stat()
    except OSError as error:
        raise InvalidCarriersFile(
            f"Carriers file {path} cannot be read: {error.strerror}.", field="carriers_file"
        ) from None
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> Carriers:
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise InvalidCarriersFile(
            f"Carriers file {path} is not valid TOML: {error}.", field="carriers_file"
        ) from None
    try:
        parsed = CarriersFile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{_where(e['loc']) or '(top)'}: {e['msg']}" for e in error.errors())
        raise InvalidCarriersFile(
            f"Carriers file {path} is invalid: {problems}.",
            field=_where(error.errors()[0]["loc"]) or "carriers_file",
        ) from None
    return parsed.build()


def _where(loc: tuple[int | str, ...]) -> str:
    """`carriers.0.services…`: the path as written in the file (without pydantic's tag)."""
    parts = list(loc)
    if len(parts) > 2 and parts[0] == "carriers" and parts[2] in KINDS:
        del parts[2]
    return ".".join(str(p) for p in parts)
