"""The sandbox carrier: real quotes and labels, and a parcel's life played out on a clock.

The demo (and anyone trying Pasar) needs parcels that move without a real carrier. Each
tracking number gets a script of scans — label, pickup, hub scans in real cities, out for
delivery, delivered with proof — whose shape and timings come from a hash of the number.
So the script is the same on every run: `events_due` at a later `now` only adds events,
and the event ids of those already seen never change, which makes polling it idempotent.

About one parcel in ten finds nobody home and is delivered the next day; about one in
twenty is held up at a hub (an exception) and arrives a day late. `speedup` compresses
the script's real hours (the demo runs at hundreds of times real speed).

Events serialise to the common "events" webhook shape (`payload`), which is exactly what
`parse_webhook` reads back, so the sandbox can also be driven through the webhook route.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pasar.fulfillment.carriers.base import (
    Label,
    LabelRequest,
    Parcel,
    Place,
    Proof,
    Quote,
    TrackingUpdate,
    new_tracking_number,
)
from pasar.fulfillment.carriers.labels import check_ours, pick_quote
from pasar.fulfillment.carriers.rate_table import RateTableCarrier
from pasar.fulfillment.carriers.webhooks import CodeBook, event_payload, parse_events
from pasar.fulfillment.domain import TrackingStatus, WhereLeft

SANDBOX_CODES = CodeBook(
    codes={
        "LBL": TrackingStatus.LABEL_CREATED,
        "PUP": TrackingStatus.PICKED_UP,
        "HUB": TrackingStatus.IN_TRANSIT,
        "OFD": TrackingStatus.OUT_FOR_DELIVERY,
        "ATT": TrackingStatus.DELIVERY_ATTEMPTED,
        "DLY": TrackingStatus.EXCEPTION,
        "DLV": TrackingStatus.DELIVERED,
        "RTS": TrackingStatus.RETURNED_TO_SENDER,
    },
    exception_prefixes=("X",),
)

DEFAULT_HUBS = (
    "Jakarta",
    "Bekasi",
    "Bandung",
    "Semarang",
    "Yogyakarta",
    "Surabaya",
    "Medan",
    "Denpasar",
    "Makassar",
)
RECIPIENTS = ("Siti Rahma", "Budi Santoso", "Dewi Lestari", "Agus Wijaya", "Rina Putri")
#: Share of parcels with a failed first attempt, and with a hub delay (out of 100).
ATTEMPT_PERCENT = 10
DELAY_PERCENT = 5


@dataclass(frozen=True)
class SandboxCarrier:
    table: RateTableCarrier
    hubs: tuple[str, ...] = DEFAULT_HUBS

    def __post_init__(self) -> None:
        if len(self.hubs) < 3:
            raise ValueError("the sandbox needs at least three hubs to route through")

    @property
    def code(self) -> str:
        return self.table.code

    @property
    def name(self) -> str:
        return self.table.name

    def quote(
        self, origin: Place, destination: Place, parcels: Sequence[Parcel], *, currency: str
    ) -> list[Quote]:
        return self.table.quote(origin, destination, parcels, currency=currency)

    def weight_class(self, grams: int) -> tuple[int, ...]:
        return self.table.weight_class(grams)

    def create_label(self, request: LabelRequest) -> Label:
        quote = pick_quote(self, request, {s.code: s.level for s in self.table.services})
        return Label(
            tracking_number=new_tracking_number(self.table.tracking_prefix, digits=14),
            carrier=self.code,
            service=quote.service,
            service_name=quote.service_name,
            price=quote.price,
            currency=quote.currency,
        )

    def cancel(self, tracking_number: str) -> None:
        check_ours(self.name, self.table.tracking_prefix, tracking_number)

    def parse_webhook(self, payload: Mapping[str, Any]) -> list[TrackingUpdate]:
        return parse_events(payload, carrier=self.code, carrier_name=self.name, book=SANDBOX_CODES)

    # --- the scripted life of a parcel ---------------------------------------------

    def events_due(
        self, tracking_number: str, labelled_at: datetime, now: datetime, *, speedup: float = 1.0
    ) -> list[TrackingUpdate]:
        """Every scripted event whose time has come by `now`, oldest first."""
        script = self.script(tracking_number, labelled_at, speedup=speedup)
        return [e for e in script if e.occurred_at <= now]

    def script(
        self, tracking_number: str, labelled_at: datetime, *, speedup: float = 1.0
    ) -> list[TrackingUpdate]:
        """The parcel's whole life, from its label to its delivery."""
        if labelled_at.tzinfo is None:
            raise ValueError("labelled_at must be timezone-aware")
        if speedup <= 0:
            raise ValueError("speedup must be positive")
        seed = int.from_bytes(hashlib.sha256(tracking_number.encode()).digest()[:8], "big")
        rng = random.Random(seed)
        fate = rng.randrange(100)
        route = rng.sample(self.hubs, k=rng.choice((3, 4)))
        start, end = route[0], route[-1]
        steps: list[tuple[float, str, str, str, Proof | None]] = []
        hours = 0.0

        def at(after: float, code: str, description: str, city: str) -> None:
            nonlocal hours
            hours += after
            steps.append((hours, code, description, city, None))

        at(0, "LBL", "Shipping label created", start)
        at(rng.uniform(3, 8), "PUP", "Picked up from the seller", start)
        for index, city in enumerate(route):
            at(rng.uniform(6, 14), "HUB", f"Arrived at {city} sorting hub", city)
            if index == 0 and fate >= 100 - DELAY_PERCENT:
                at(rng.uniform(1, 3), "DLY", f"Delayed at {city} hub: sorting backlog", city)
                hours += 24
        at(rng.uniform(8, 16), "OFD", "Out for delivery", end)
        if fate < ATTEMPT_PERCENT:
            at(rng.uniform(2, 5), "ATT", "Delivery attempted: nobody at home", end)
            at(rng.uniform(18, 22), "OFD", "Out for delivery (second attempt)", end)
        at(rng.uniform(1, 5), "DLV", "Delivered", end)
        where = rng.choice(list(WhereLeft))
        proof: Proof = {
            "where_left": where.value,
            "photo_url": f"https://sandbox.pasar.example/pod/{tracking_number}.jpg",
        }
        if where in {WhereLeft.HANDED_TO_RECIPIENT, WhereLeft.RECEPTION, WhereLeft.NEIGHBOUR}:
            proof["recipient_name"] = rng.choice(RECIPIENTS)
        last = steps[-1]
        steps[-1] = (*last[:4], proof)
        began = labelled_at.astimezone(UTC)
        events = []
        for index, (offset, code, description, city, found) in enumerate(steps):
            update = TrackingUpdate(
                carrier=self.code,
                tracking_number=tracking_number,
                event_id=f"{tracking_number}-{index:02d}",
                code=code,
                status=SANDBOX_CODES.status(code),
                description=description,
                location=city,
                occurred_at=began + timedelta(seconds=round(offset * 3600 / speedup)),
                proof=found,
            )
            events.append(replace(update, raw=event_payload(update)))
        return events

    def payload(self, updates: Sequence[TrackingUpdate]) -> dict[str, Any]:
        """Updates as the sandbox's webhook would post them."""
        return {"carrier": self.code, "events": [event_payload(u) for u in updates]}
