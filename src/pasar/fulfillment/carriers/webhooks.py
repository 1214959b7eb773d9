"""Reading carriers' tracking webhooks: each carrier's own codes, one normalised result.

Posts and the sandbox push the common "events" shape:

    {"events": [{"tracking_number": "PP…", "event_id": "…", "code": "DLV",
                 "description": "…", "location": "Jakarta",
                 "occurred_at": "2026-11-24T03:00:00Z",
                 "proof": {"where_left": "front_door", "recipient_name": "…"}}]}

A `CodeBook` says what a carrier's codes mean. An unknown code is still news that the
parcel moved, so it reads as in transit — unless the carrier marks its problem codes by
prefix (say every "X…"), which then read as an exception someone should look at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from pasar.fulfillment.carriers.base import Proof, TrackingUpdate
from pasar.fulfillment.carriers.errors import MalformedCarrierWebhook
from pasar.fulfillment.domain import TrackingStatus, WhereLeft

#: Most events one webhook may carry.
MAX_EVENTS = 1000


@dataclass(frozen=True, slots=True)
class CodeBook:
    codes: Mapping[str, TrackingStatus]
    exception_prefixes: tuple[str, ...] = ()
    otherwise: TrackingStatus = TrackingStatus.IN_TRANSIT

    def status(self, code: str) -> TrackingStatus:
        known = self.codes.get(code.strip().upper())
        if known is not None:
            return known
        if any(code.upper().startswith(p.upper()) for p in self.exception_prefixes):
            return TrackingStatus.EXCEPTION
        return self.otherwise


class ProofIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    where_left: WhereLeft | None = None
    recipient_name: Annotated[str, Field(max_length=200)] | None = None
    photo_url: Annotated[str, Field(max_length=2000)] | None = None
    signature: Annotated[str, Field(max_length=20_000)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None

    def proof(self) -> Proof | None:
        found: Proof = {}
        if self.where_left is not None:
            found["where_left"] = self.where_left.value
        if self.recipient_name:
            found["recipient_name"] = self.recipient_name
        if self.photo_url:
            found["photo_url"] = self.photo_url
        if self.signature:
            found["signature"] = self.signature
        if self.lat is not None and self.lon is not None:
            found["lat"], found["lon"] = self.lat, self.lon
        return found or None


class _EventIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    tracking_number: Annotated[str, Field(min_length=1, max_length=100)]
    event_id: Annotated[str, Field(min_length=1, max_length=200)]
    code: Annotated[str, Field(min_length=1, max_length=40)]
    description: Annotated[str, Field(max_length=500)] = ""
    location: Annotated[str, Field(max_length=200)] | None = None
    occurred_at: AwareDatetime
    proof: ProofIn | None = None


class _EventsIn(BaseModel):
    events: Annotated[list[_EventIn], Field(min_length=1, max_length=MAX_EVENTS)]


def refuse(carrier_name: str, error: ValidationError) -> MalformedCarrierWebhook:
    """The first problem, with its dotted path as the field (`events.0.occurred_at`)."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "payload"
    return MalformedCarrierWebhook(
        f"{carrier_name} webhook: {where}: {first['msg']}.",
        field=where,
        problems=error.error_count(),
    )


def parse_events(
    payload: Mapping[str, Any], *, carrier: str, carrier_name: str, book: CodeBook
) -> list[TrackingUpdate]:
    """The common "events" shape, read with this carrier's code book."""
    if not isinstance(payload, Mapping):
        raise MalformedCarrierWebhook(
            f"{carrier_name} webhook: expected a JSON object.", field="payload"
        )
    try:
        parsed = _EventsIn.model_validate(payload)
    except ValidationError as error:
        raise refuse(carrier_name, error) from None
    raws: Sequence[Any] = payload["events"]
    return [
        TrackingUpdate(
            carrier=carrier,
            tracking_number=event.tracking_number.strip(),
            event_id=event.event_id,
            code=event.code,
            status=book.status(event.code),
            description=event.description,
            location=event.location,
            occurred_at=event.occurred_at.astimezone(UTC),
            raw=dict(raw),
            proof=event.proof.proof() if event.proof else None,
        )
        for event, raw in zip(parsed.events, raws, strict=True)
    ]


def event_payload(update: TrackingUpdate) -> dict[str, Any]:
    """One update in the common shape (what `parse_events` reads back)."""
    body: dict[str, Any] = {
        "tracking_number": update.tracking_number,
        "event_id": update.event_id,
        "code": update.code,
        "description": update.description,
        "location": update.location,
        "occurred_at": update.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    if update.proof:
        body["proof"] = dict(update.proof)
    return body
