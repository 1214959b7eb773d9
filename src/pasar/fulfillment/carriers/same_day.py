"""A city courier: collected from the warehouse and delivered the same day, by motorbike.

A courier with cities serves a trip when both ends are in the same served city (by name
or postal prefix); one without cities serves any trip within its last distance band.
When both ends have coordinates and the courier has distance bands, the trip is priced by
distance (and refused beyond the last band); otherwise by the city's flat fare.

Same day means delivered the day it is collected, and collections close at the courier's
daily cut-off in the warehouse's time zone. The quote carries that cut-off as its pickup
rule; the promise decides from the clock (`promise.py`), and rate shopping drops the
same-day option when the parcel could not be collected on the day it is ready. A city
with a `next_day_price` also gets a next-day service (an expedited quote, no cut-off):
what the courier still offers once today's run is gone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, time
from math import asin, cos, radians, sin, sqrt
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

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
    new_tracking_number,
)
from pasar.fulfillment.carriers.errors import InvalidParcel, MalformedCarrierWebhook
from pasar.fulfillment.carriers.labels import check_ours, pick_quote
from pasar.fulfillment.carriers.webhooks import CodeBook, ProofIn, refuse
from pasar.fulfillment.domain import TrackingStatus, WhereLeft

SAME_DAY = "same_day"
NEXT_DAY = "next_day"

#: The courier app's states, as its webhook names them.
COURIER_CODES = CodeBook(
    codes={
        "BOOKED": TrackingStatus.LABEL_CREATED,
        "ASSIGNED": TrackingStatus.LABEL_CREATED,
        "PICKED": TrackingStatus.PICKED_UP,
        "DELIVERING": TrackingStatus.OUT_FOR_DELIVERY,
        "FAILED": TrackingStatus.DELIVERY_ATTEMPTED,
        "DELIVERED": TrackingStatus.DELIVERED,
        "RETURNED": TrackingStatus.RETURNED_TO_SENDER,
        "CANCELLED": TrackingStatus.EXCEPTION,
        "LOST": TrackingStatus.EXCEPTION,
    },
)

EARTH_RADIUS_KM = 6371.0


def distance_km(a: Place, b: Place) -> float | None:
    """Great-circle distance (haversine), or None unless both places have coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    dlat, dlon = radians(b.lat - a.lat), radians(b.lon - a.lon)
    h = sin(dlat / 2) ** 2 + cos(radians(a.lat)) * cos(radians(b.lat)) * sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(h))


@dataclass(frozen=True, slots=True)
class DistanceBand:
    up_to_km: float
    price: int


@dataclass(frozen=True, slots=True)
class ServedCity:
    name: str
    country: str
    postal_prefixes: tuple[str, ...] = ()
    #: Flat fare within the city; None: priced by distance only.
    price: int | None = None
    next_day_price: int | None = None

    def contains(self, place: Place) -> bool:
        if place.country.strip().upper() != self.country.upper():
            return False
        named = (place.city or "").strip().casefold() == self.name.casefold()
        return named or place.postal_starts(self.postal_prefixes)


@dataclass(frozen=True)
class SameDayCourier:
    code: str
    name: str
    cities: tuple[ServedCity, ...] = ()
    #: Collections for today close at this local time (the warehouse's time zone).
    cut_off: time = time(12, 0)
    pickup_days: frozenset[int] = MON_SAT
    #: Fares by distance, ascending; used whenever both ends have coordinates.
    distance_bands: tuple[DistanceBand, ...] = ()
    max_grams: int = 20_000
    currency: str | None = None
    tracking_prefix: str = "SD"
    service_name: str = "Same-day courier"
    next_day_name: str = "Next-day courier"
    code_book: CodeBook = COURIER_CODES

    @property
    def max_km(self) -> float | None:
        return self.distance_bands[-1].up_to_km if self.distance_bands else None

    def weight_class(self, grams: int) -> bool:
        """The fare ignores weight; only the limit matters (see `RateTableCarrier`'s)."""
        return grams > self.max_grams

    def city_of(self, origin: Place, destination: Place) -> ServedCity | None:
        return next(
            (c for c in self.cities if c.contains(origin) and c.contains(destination)), None
        )

    def fare(self, origin: Place, destination: Place) -> tuple[int, int | None] | None:
        """(same-day fare, next-day fare or None), or None when not served."""
        if not origin.same_country(destination):
            return None
        city = self.city_of(origin, destination)
        if self.cities and city is None:
            return None
        km = distance_km(origin, destination)
        if km is not None and self.distance_bands:
            band = next((b for b in self.distance_bands if km <= b.up_to_km), None)
            if band is None:
                return None
            return band.price, city.next_day_price if city is not None else None
        if city is None or city.price is None:
            return None
        return city.price, city.next_day_price

    def quote(
        self, origin: Place, destination: Place, parcels: Sequence[Parcel], *, currency: str
    ) -> list[Quote]:
        if not parcels:
            raise InvalidParcel("A shipment needs at least one parcel.", field="parcels")
        grams = sum(p.weight_grams for p in parcels)
        if (self.currency is not None and self.currency != currency) or grams > self.max_grams:
            return []
        fares = self.fare(origin, destination)
        if fares is None:
            return []
        same_day, next_day = fares
        quotes = [
            Quote(
                carrier=self.code,
                carrier_name=self.name,
                service=SAME_DAY,
                service_name=self.service_name,
                level=ServiceLevel.SAME_DAY,
                price=same_day,
                currency=currency,
                transit_days=0,
                pickup=Pickup(self.pickup_days, self.cut_off),
                billed_grams=grams,
            )
        ]
        if next_day is not None:
            quotes.append(
                Quote(
                    carrier=self.code,
                    carrier_name=self.name,
                    service=NEXT_DAY,
                    service_name=self.next_day_name,
                    level=ServiceLevel.EXPEDITED,
                    price=next_day,
                    currency=currency,
                    transit_days=1,
                    pickup=Pickup(self.pickup_days),
                    billed_grams=grams,
                )
            )
        return quotes

    def create_label(self, request: LabelRequest) -> Label:
        services = {SAME_DAY: ServiceLevel.SAME_DAY, NEXT_DAY: ServiceLevel.EXPEDITED}
        quote = pick_quote(self, request, services)
        return Label(
            tracking_number=new_tracking_number(self.tracking_prefix, digits=14),
            carrier=self.code,
            service=quote.service,
            service_name=quote.service_name,
            price=quote.price,
            currency=quote.currency,
        )

    def cancel(self, tracking_number: str) -> None:
        check_ours(self.name, self.tracking_prefix, tracking_number)

    def parse_webhook(self, payload: Mapping[str, Any]) -> list[TrackingUpdate]:
        """The courier app posts one state change at a time:

        {"awb": "SD…", "update_id": "…", "state": "delivered", "at": "…Z",
         "note": "…", "area": "Gubeng", "pod": {"left_at": "front_door", …}}
        """
        if not isinstance(payload, Mapping):
            raise MalformedCarrierWebhook(
                f"{self.name} webhook: expected a JSON object.", field="payload"
            )
        try:
            update = _CourierUpdate.model_validate(payload)
        except ValidationError as error:
            raise refuse(self.name, error) from None
        proof = None
        if update.pod is not None:
            proof = ProofIn(
                where_left=update.pod.left_at,
                recipient_name=update.pod.received_by,
                photo_url=update.pod.photo_url,
                signature=update.pod.signature,
                lat=update.pod.lat,
                lon=update.pod.lon,
            ).proof()
        code = update.state.strip().upper()
        return [
            TrackingUpdate(
                carrier=self.code,
                tracking_number=update.awb.strip(),
                event_id=update.update_id,
                code=code,
                status=self.code_book.status(code),
                description=update.note or code.replace("_", " ").capitalize(),
                location=update.area,
                occurred_at=update.at.astimezone(UTC),
                raw=dict(payload),
                proof=proof,
            )
        ]


class _Pod(BaseModel):
    model_config = ConfigDict(extra="ignore")

    left_at: WhereLeft | None = None
    received_by: Annotated[str, Field(max_length=200)] | None = None
    photo_url: Annotated[str, Field(max_length=2000)] | None = None
    signature: Annotated[str, Field(max_length=20_000)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None


class _CourierUpdate(BaseModel):
    model_config = ConfigDict(extra="allow")

    awb: Annotated[str, Field(min_length=1, max_length=100)]
    update_id: Annotated[str, Field(min_length=1, max_length=200)]
    state: Annotated[str, Field(min_length=1, max_length=40)]
    at: AwareDatetime
    note: Annotated[str, Field(max_length=500)] | None = None
    area: Annotated[str, Field(max_length=200)] | None = None
    pod: _Pod | None = None
