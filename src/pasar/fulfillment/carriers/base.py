"""The vocabulary every carrier speaks: places, parcels, quotes, labels, tracking updates.

A carrier is anything that satisfies `Carrier`: rate-table posts, city couriers, the
sandbox, later real APIs behind an HTTP client. Rate shopping, promises, labels and
tracking are written against this protocol only, so adding a carrier touches no caller.

Money is integer minor units; time is aware UTC; weekdays are `date.weekday()` numbers
(Monday 0 … Sunday 6).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Any, Protocol, TypedDict, runtime_checkable

from pasar.fulfillment.carriers.errors import InvalidParcel
from pasar.fulfillment.domain import TrackingStatus

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MON_FRI = frozenset(range(5))
MON_SAT = frozenset(range(6))
MON_WED_FRI = frozenset({0, 2, 4})


class ServiceLevel(StrEnum):
    """What a buyer chooses; carriers compete to serve each level."""

    STANDARD = "standard"
    EXPEDITED = "expedited"
    SAME_DAY = "same_day"


LEVEL_NAMES = {
    ServiceLevel.STANDARD: "Standard delivery",
    ServiceLevel.EXPEDITED: "Expedited delivery",
    ServiceLevel.SAME_DAY: "Same-day delivery",
}


def _fold(value: str | None) -> str:
    return (value or "").strip().casefold()


@dataclass(frozen=True, slots=True)
class Place:
    """Where a parcel starts or ends, as much of it as a carrier needs to price and route.

    Coordinates are optional: couriers that price by distance use them when both ends
    have them.
    """

    country: str
    region: str | None = None
    city: str | None = None
    postal_code: str | None = None
    lat: float | None = None
    lon: float | None = None

    def same_country(self, other: Place) -> bool:
        return self.country.strip().upper() == other.country.strip().upper()

    def same_region(self, other: Place) -> bool:
        """Same country and the same named region (case and spaces ignored)."""
        return (
            self.same_country(other)
            and bool(_fold(self.region))
            and (_fold(self.region) == _fold(other.region))
        )

    def postal_starts(self, prefixes: Sequence[str]) -> bool:
        code = (self.postal_code or "").replace(" ", "").upper()
        return bool(code) and any(code.startswith(p.upper()) for p in prefixes)


@dataclass(frozen=True, slots=True)
class Parcel:
    """One box. Dimensions are optional; without all three no dimensional weight applies."""

    weight_grams: int
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None

    def __post_init__(self) -> None:
        if self.weight_grams < 0:
            raise InvalidParcel("A parcel cannot weigh less than nothing.", field="weight_grams")
        for name in ("length_mm", "width_mm", "height_mm"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise InvalidParcel(f"A parcel's {name} must be positive.", field=name)

    @property
    def volume_mm3(self) -> int | None:
        if self.length_mm is None or self.width_mm is None or self.height_mm is None:
            return None
        return self.length_mm * self.width_mm * self.height_mm

    @property
    def longest_side_mm(self) -> int:
        return max(self.length_mm or 0, self.width_mm or 0, self.height_mm or 0)


@dataclass(frozen=True, slots=True)
class Pickup:
    """When the carrier collects from a warehouse.

    `cut_off` (warehouse local time): a parcel ready today after it waits for the next
    pickup day. Couriers that deliver the day they collect need one; posts usually not.
    """

    weekdays: frozenset[int] = MON_SAT
    cut_off: time | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """What one carrier service would charge and take for this shipment.

    `transit_days` are business days from pickup to delivery (0: delivered the day it is
    collected). `billed_grams` is what the price was worked out on.
    """

    carrier: str
    carrier_name: str
    service: str
    service_name: str
    level: ServiceLevel
    price: int
    currency: str
    transit_days: int
    pickup: Pickup
    billed_grams: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelRequest:
    """`service` is the carrier's service code, or a level (`standard`) it serves."""

    reference: str
    origin: Place
    destination: Place
    parcels: tuple[Parcel, ...]
    service: str
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Label:
    tracking_number: str
    carrier: str
    service: str
    service_name: str
    price: int
    currency: str


class Proof(TypedDict, total=False):
    """Proof of delivery as carriers give it; a plain dict so it stores as JSON as is.

    `where_left` holds a `WhereLeft` value.
    """

    where_left: str
    recipient_name: str
    photo_url: str
    signature: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackingUpdate:
    """One carrier scan, normalised. `code` is the carrier's own; `status` is Pasar's.

    `event_id` is stable per scan, so receiving the same scan twice changes nothing.
    """

    carrier: str
    tracking_number: str
    event_id: str
    code: str
    status: TrackingStatus
    description: str
    location: str | None
    occurred_at: datetime
    raw: Mapping[str, Any] = field(default_factory=dict)
    proof: Proof | None = None


@runtime_checkable
class Carrier(Protocol):
    """A carrier Pasar can shop rates from, buy labels of and hear tracking from.

    Webhook signatures are checked by the router (`pasar.platform.signing`) before
    `parse_webhook` sees the payload; a carrier only understands its own shape.
    """

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    def quote(
        self, origin: Place, destination: Place, parcels: Sequence[Parcel], *, currency: str
    ) -> list[Quote]: ...

    def create_label(self, request: LabelRequest) -> Label: ...

    def cancel(self, tracking_number: str) -> None: ...

    def parse_webhook(self, payload: Mapping[str, Any]) -> list[TrackingUpdate]: ...


def new_tracking_number(prefix: str, digits: int = 14) -> str:
    """Carrier prefix + random digits from `secrets`: unguessable (tracking pages are
    public by number) and, at 10^14 per carrier, unique in practice; the shipments
    table's unique index catches the rest."""
    return f"{prefix}{secrets.randbelow(10**digits):0{digits}d}"


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding halves up (for non-negative values): money never floats."""
    return (2 * numerator + denominator) // (2 * denominator)
