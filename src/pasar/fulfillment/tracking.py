"""Tracking: carriers' scans in, parcels' statuses and SellerOrders moved, timelines out.

`record_tracking` is the one way scans enter Pasar — carriers' webhooks, the sandbox
carrier's runner and 3PLs all call it — so a scan means the same whoever brings it:

1. the batch's shipments, with every other parcel of their SellerOrders, are found and
   locked in one statement; numbers Pasar does not know are reported back, not refused;
2. events are inserted with INSERT … ON CONFLICT DO NOTHING on (shipment, event key), so
   a repeated scan is a no-op on both databases and only the new ones count;
3. each shipment takes the status of its newest scan (`timeline.decide`: late, repeated
   and out-of-order scans are harmless, final statuses stay), its last event time, the
   carrier's expected date when the event carries one, and on delivery its proof;
   `ShipmentStatusChanged` (and `ShipmentDelivered`) are emitted only for real moves;
4. the SellerOrder follows: a carrier scan on a parcel not yet handed over is the
   hand-over (`shipments.hand_over`), every live parcel delivered delivers it (with the
   proof), a parcel returned to sender fails its delivery.

It works in the caller's transaction and never commits. The public read side (a parcel
by its tracking number, an order's parcels) is here too: it shows city-level places
only, the recipient's first name and no buyer contact details.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import orders
from pasar.fulfillment import shipments, timeline
from pasar.fulfillment.carriers import LEVEL_NAMES, ServiceLevel, TrackingUpdate
from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.domain import FINAL, TrackingStatus
from pasar.fulfillment.errors import ShipmentNotFound
from pasar.fulfillment.events import ShipmentDelivered, ShipmentStatusChanged
from pasar.fulfillment.models import Shipment, ShipmentLine, TrackingEvent
from pasar.fulfillment.timeline import CANCELLED, OrderOutcome, Scan
from pasar.platform.outbox import emit

#: Events inserted per statement (keeps SQLite under its bound-parameter limit).
INSERT_CHUNK = 500
#: The tracking_events.event_key column's width; longer carrier ids are hashed to fit.
EVENT_KEY_MAX = 100
#: Keys of a carrier event's raw JSON that may carry its delivery estimate (ISO date).
EXPECTED_KEYS = ("expected_date", "estimated_delivery", "expected_delivery_date")


#: Parcel statuses that may settle their SellerOrder (delivered, or failed).
SETTLING = frozenset({TrackingStatus.DELIVERED.value, TrackingStatus.RETURNED_TO_SENDER.value})


@dataclass(frozen=True, slots=True)
class TrackingResult:
    """What a batch of scans did: new events, repeats, numbers Pasar does not know, and the
    shipments whose status moved."""

    accepted: int
    duplicates: int
    unknown: tuple[str, ...]
    changed: tuple[int, ...]


def event_key(event_id: str) -> str:
    """The carrier's event id, or its digest when too long for the column."""
    if len(event_id) <= EVENT_KEY_MAX:
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode()).hexdigest()


def expected_date_of(raw: Mapping[str, Any]) -> date | None:
    """The carrier's delivery estimate, when its event carries one."""
    for key in EXPECTED_KEYS:
        value = raw.get(key)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def order_proof(shipment: Shipment) -> dict[str, Any]:
    """The shipment's proof of delivery in the SellerOrder's terms (orders' `DeliveryProof`
    field names, plus the structured `where_left` and the parcel it is about)."""
    proof: dict[str, Any] = dict(shipment.proof or {})
    found: dict[str, Any] = {
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
    }
    where = proof.get("where_left")
    if where:
        found["where_left"] = where
        found["left_at"] = timeline.where_left_label(str(where))
    for key in ("recipient_name", "photo_url", "signature"):
        if proof.get(key):
            found[key] = proof[key]
    if proof.get("lat") is not None and proof.get("lon") is not None:
        found["latitude"], found["longitude"] = proof["lat"], proof["lon"]
    return found


async def record_tracking(
    session: AsyncSession,
    updates: Sequence[TrackingUpdate],
    *,
    now: datetime,
    config: FulfillmentConfig,
    source: str,
    carrier: str | None = None,
) -> TrackingResult:
    """Record carriers' scans and move parcels and SellerOrders accordingly (see above).

    `source` names who reported them in the orders' history (`carrier:sandbox`);
    `carrier`, when given, limits the batch to that carrier's parcels — another carrier's
    tracking number counts as unknown, so one carrier's key cannot move another's parcels.
    """
    if not updates:
        return TrackingResult(0, 0, (), ())
    numbers = sorted({u.tracking_number for u in updates})
    reported = select(Shipment.seller_order_id).where(Shipment.tracking_number.in_(numbers))
    if carrier is not None:
        reported = reported.where(Shipment.carrier == carrier)
    # Every parcel of the SellerOrders concerned, locked in id order: two carriers
    # delivering the two halves of a split order at once then take turns, and the second
    # sees the first's delivery (no lost "all delivered", no deadlock).
    family = list(
        await session.scalars(
            select(Shipment)
            .where(Shipment.seller_order_id.in_(reported.scalar_subquery()))
            .order_by(Shipment.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    rows = {
        r.tracking_number: r
        for r in family
        if r.tracking_number in numbers and (carrier is None or r.carrier == carrier)
    }
    unknown = tuple(n for n in numbers if n not in rows)

    known = [
        (rows[u.tracking_number], event_key(u.event_id), u)
        for u in updates
        if u.tracking_number in rows
    ]
    batch: dict[tuple[int, str], tuple[Shipment, TrackingUpdate]] = {}
    for row, key, update in known:
        batch.setdefault((row.id, key), (row, update))
    inserted = await _insert_events(session, batch, now=now)
    fresh: dict[int, list[TrackingUpdate]] = defaultdict(list)
    by_id: dict[int, Shipment] = {}
    for (shipment_id, key), (row, update) in batch.items():
        if (shipment_id, key) in inserted:
            fresh[shipment_id].append(update)
            by_id[shipment_id] = row

    changed, handed = await _apply(session, by_id, fresh, now=now)
    caller = orders.Caller(orders.Actor.SYSTEM, source[:100])
    if handed:
        await shipments.hand_over(session, handed, seller_id=None, caller=caller, now=now)
    settled = {by_id[i].seller_order_id for i in changed if by_id[i].status in SETTLING}
    if settled:
        await _settle_orders(session, family, settled, caller=caller, now=now, config=config)
    return TrackingResult(
        accepted=sum(len(v) for v in fresh.values()),
        duplicates=len(known) - sum(len(v) for v in fresh.values()),
        unknown=unknown,
        changed=tuple(sorted(changed)),
    )


async def _insert_events(
    session: AsyncSession,
    batch: Mapping[tuple[int, str], tuple[Shipment, TrackingUpdate]],
    *,
    now: datetime,
) -> set[tuple[int, str]]:
    """Insert the events none of which is stored yet; the (shipment, key) pairs inserted."""
    values = [
        {
            "shipment_id": shipment_id,
            "event_key": key,
            "status": update.status.value,
            "code": update.code[:60],
            "description": (update.description or timeline.status_label(update.status))[:300],
            "location": update.location[:200] if update.location else None,
            "occurred_at": update.occurred_at,
            "received_at": now,
            "raw": dict(update.raw),
        }
        for (shipment_id, key), (_, update) in batch.items()
    ]
    dialect = session.get_bind().dialect.name
    inserted: set[tuple[int, str]] = set()
    for start in range(0, len(values), INSERT_CHUNK):
        chunk = values[start : start + INSERT_CHUNK]
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(TrackingEvent)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["shipment_id", "event_key"])
            .returning(TrackingEvent.shipment_id, TrackingEvent.event_key)
        )
        inserted.update((r.shipment_id, r.event_key) for r in await session.execute(statement))
    return inserted


async def _apply(
    session: AsyncSession,
    rows: Mapping[int, Shipment],
    fresh: Mapping[int, Sequence[TrackingUpdate]],
    *,
    now: datetime,
) -> tuple[list[int], list[int]]:
    """Move each shipment to its newest scan; the ids that moved and those to hand over."""
    changed: list[int] = []
    handed: list[int] = []
    announcements: list[ShipmentStatusChanged | ShipmentDelivered] = []
    for shipment_id, updates in fresh.items():
        row = rows[shipment_id]
        status_at = row.last_event_at  # the newest scan so far decided the current status
        row.last_event_at = max(status_at, *(u.occurred_at for u in updates))
        row.updated_at = now
        if row.status == CANCELLED:
            continue  # a voided label's scans are kept for the record; nothing moves
        current = TrackingStatus(row.status)
        if current not in FINAL:
            estimate = _latest_estimate([u for u in updates if u.occurred_at >= status_at])
            if estimate is not None:
                row.expected_date = estimate
        if row.handed_over_at is None and any(timeline.hands_over(u.status) for u in updates):
            handed.append(row.id)
        index = timeline.decide(
            Scan(current, status_at), [Scan(u.status, u.occurred_at) for u in updates]
        )
        if index is None:
            continue
        update = updates[index]
        row.status = update.status.value
        changed.append(row.id)
        common: dict[str, Any] = {
            "shipment_id": row.id,
            "seller_order_id": row.seller_order_id,
            "order_id": row.order_id,
            "seller_id": row.seller_id,
            "carrier": row.carrier,
            "tracking_number": row.tracking_number,
        }
        announcements.append(
            ShipmentStatusChanged(
                **common,
                from_status=current.value,
                to_status=update.status.value,
                location=update.location,
                description=update.description,
            )
        )
        if update.status is TrackingStatus.DELIVERED:
            row.delivered_at = update.occurred_at
            row.proof = dict(update.proof) if update.proof else None
            row.delay_reason = row.delay_detail = None
            row.delayed_at = None
            where = (update.proof or {}).get("where_left")
            announcements.append(
                ShipmentDelivered(
                    **common,
                    where_left=str(where) if where else None,
                    on_time=update.occurred_at < row.promise_deadline,
                )
            )
    await session.flush()
    await emit(session, *announcements)
    return changed, handed


def _latest_estimate(updates: Sequence[TrackingUpdate]) -> date | None:
    dated = [(u.occurred_at, expected_date_of(u.raw)) for u in updates]
    found = [(at, d) for at, d in dated if d is not None]
    return max(found)[1] if found else None


async def _settle_orders(
    session: AsyncSession,
    family: Sequence[Shipment],
    seller_order_ids: set[int],
    *,
    caller: orders.Caller,
    now: datetime,
    config: FulfillmentConfig,
) -> None:
    """Deliver SellerOrders whose every live parcel is delivered; fail those with a parcel
    returned to sender. Only shipped SellerOrders move (one still being packed waits for
    its last parcel's hand-over; one already settled stays). `family` holds every parcel
    of these SellerOrders, locked."""
    parcels: dict[int, list[Shipment]] = defaultdict(list)
    for row in family:
        parcels[row.seller_order_id].append(row)
    shipped = await orders.fulfilment_orders(
        session, ids=seller_order_ids, statuses=[orders.Status.SHIPPED]
    )
    for order in shipped:
        rows = [r for r in parcels[order.id] if r.superseded_at is None]
        outcome = timeline.order_outcome([r.status for r in rows])
        if outcome is OrderOutcome.DELIVERED:
            last = max(
                (r for r in rows if r.status == TrackingStatus.DELIVERED.value),
                key=lambda r: (r.delivered_at or now, r.id),
            )
            await orders.transition(
                session,
                [order.id],
                orders.Action.DELIVER,
                caller,
                now=now,
                reason=f"delivered: {_carrier_name(config, last.carrier)} {last.tracking_number}",
                proof=order_proof(last),
            )
        elif outcome is OrderOutcome.FAILED:
            returned = next(r for r in rows if r.status == TrackingStatus.RETURNED_TO_SENDER.value)
            await orders.transition(
                session,
                [order.id],
                orders.Action.FAIL_DELIVERY,
                caller,
                now=now,
                reason=(
                    f"returned to sender by {_carrier_name(config, returned.carrier)} "
                    f"({returned.tracking_number})"
                ),
            )


def _carrier_name(config: FulfillmentConfig, code: str) -> str:
    carrier = config.carriers.get(code)
    return carrier.name if carrier is not None else code


# --- the public read side ------------------------------------------------------------------


class PublicEvent(BaseModel):
    status: str
    status_label: str
    description: str
    location: str | None = Field(description="A city or facility, never a street address.")
    occurred_at: datetime


class PublicProof(BaseModel):
    where_left: str | None = Field(description="A WhereLeft value, e.g. `locked_mailbox`.")
    where_left_label: str | None
    recipient_first_name: str | None
    photo_url: str | None


class PublicDelay(BaseModel):
    reason: str = Field(
        description="not_picked_up, no_scan, expected_after_promise or promise_passed"
    )
    message: str
    flagged_at: datetime


class PublicPlace(BaseModel):
    city: str | None
    region: str | None
    country: str


class PublicTracking(BaseModel):
    """One parcel as anyone holding its tracking number sees it."""

    tracking_number: str
    carrier: str
    carrier_name: str
    service: str
    service_name: str
    status: str
    status_label: str
    promised_date: date = Field(description="The buyer was promised delivery by this day.")
    expected_date: date = Field(description="The carrier's (or Pasar's) current estimate.")
    on_time: bool = Field(description="Delivered by the promised day, or still expected by it.")
    delay: PublicDelay | None = Field(description="Set when the parcel was flagged as late.")
    delivered_at: datetime | None
    proof: PublicProof | None = Field(description="Proof of delivery, once delivered.")
    destination: PublicPlace | None = Field(description="City and region only.")
    last_update_at: datetime
    tracking_url: str
    events: list[PublicEvent] = Field(description="The timeline, newest first.")


class ParcelItem(BaseModel):
    title: str
    quantity: int


class OrderParcel(PublicTracking):
    """A parcel of the buyer's own order: the public view plus what is in it."""

    seller_order_number: str
    items: list[ParcelItem]


class OrderTracking(BaseModel):
    number: str
    parcels: list[OrderParcel] = Field(description="Every parcel of the order, oldest first.")


async def public_tracking(
    session: AsyncSession, tracking_number: str, *, config: FulfillmentConfig, now: datetime
) -> PublicTracking:
    row = await session.scalar(
        select(Shipment).where(
            Shipment.tracking_number == tracking_number.strip(), Shipment.status != CANCELLED
        )
    )
    if row is None:
        raise ShipmentNotFound(f"No parcel has tracking number {tracking_number!r}.")
    view = (await _public_views(session, [row], config=config, now=now))[0]
    if view.proof is not None:  # the doorstep photo is for the buyer's own order view only
        view = view.model_copy(update={"proof": view.proof.model_copy(update={"photo_url": None})})
    return view


async def order_tracking(
    session: AsyncSession, *, order_id: int, number: str, config: FulfillmentConfig, now: datetime
) -> OrderTracking:
    rows = list(
        await session.scalars(
            select(Shipment)
            .where(Shipment.order_id == order_id, Shipment.status != CANCELLED)
            .order_by(Shipment.id)
        )
    )
    views = await _public_views(session, rows, config=config, now=now)
    items: dict[int, list[ParcelItem]] = defaultdict(list)
    if rows:
        for line in await session.scalars(
            select(ShipmentLine)
            .where(ShipmentLine.shipment_id.in_([r.id for r in rows]))
            .order_by(ShipmentLine.id)
        ):
            items[line.shipment_id].append(ParcelItem(title=line.title, quantity=line.quantity))
    return OrderTracking(
        number=number,
        parcels=[
            OrderParcel(
                **view.model_dump(),
                seller_order_number=row.seller_order_number,
                items=items[row.id],
            )
            for row, view in zip(rows, views, strict=True)
        ],
    )


async def _public_views(
    session: AsyncSession, rows: Sequence[Shipment], *, config: FulfillmentConfig, now: datetime
) -> list[PublicTracking]:
    """Three statements for any number of parcels: events, and the orders' destinations."""
    if not rows:
        return []
    events: dict[int, list[TrackingEvent]] = defaultdict(list)
    for event in await session.scalars(
        select(TrackingEvent)
        .where(TrackingEvent.shipment_id.in_([r.id for r in rows]))
        .order_by(TrackingEvent.occurred_at.desc(), TrackingEvent.id.desc())
    ):
        events[event.shipment_id].append(event)
    found = await orders.fulfilment_orders(session, ids={r.seller_order_id for r in rows})
    addresses = {o.id: o.address for o in found}
    return [
        _public_view(row, events[row.id], addresses.get(row.seller_order_id, {}), config, now)
        for row in rows
    ]


def _public_view(
    row: Shipment,
    events: Sequence[TrackingEvent],
    address: Mapping[str, Any],
    config: FulfillmentConfig,
    now: datetime,
) -> PublicTracking:
    carrier = config.carriers.get(row.carrier)
    delivered = row.status == TrackingStatus.DELIVERED.value and row.delivered_at is not None
    if delivered and row.delivered_at is not None:
        on_time = row.delivered_at < row.promise_deadline
    else:
        on_time = now < row.promise_deadline and row.expected_date <= row.promised_date
    proof = None
    if delivered:
        given = row.proof or {}
        where = given.get("where_left")
        proof = PublicProof(
            where_left=str(where) if where else None,
            where_left_label=timeline.where_left_label(str(where) if where else None),
            recipient_first_name=timeline.first_name(given.get("recipient_name")),
            photo_url=_web_url(given.get("photo_url")),
        )
    delay = None
    if row.delay_reason and row.delayed_at and not delivered:
        delay = PublicDelay(
            reason=row.delay_reason,
            message=timeline.delay_message(row.delay_reason) or "",
            flagged_at=row.delayed_at,
        )
    destination = None
    if address.get("country"):
        destination = PublicPlace(
            city=_text(address.get("city")),
            region=_text(address.get("region")),
            country=str(address["country"]),
        )
    return PublicTracking(
        tracking_number=row.tracking_number,
        carrier=row.carrier,
        carrier_name=carrier.name if carrier is not None else row.carrier,
        service=row.service,
        service_name=_service_name(row.service),
        status=row.status,
        status_label=timeline.status_label(row.status),
        promised_date=row.promised_date,
        expected_date=row.delivered_at.date()
        if delivered and row.delivered_at
        else row.expected_date,
        on_time=on_time,
        delay=delay,
        delivered_at=row.delivered_at if delivered else None,
        proof=proof,
        destination=destination,
        last_update_at=events[0].occurred_at if events else row.last_event_at,
        tracking_url=config.tracking_url(row.tracking_number),
        events=[
            PublicEvent(
                status=e.status,
                status_label=timeline.status_label(e.status),
                description=e.description,
                location=_public_place(e.location, address),
                occurred_at=e.occurred_at,
            )
            for e in events
        ],
    )


def _service_name(service: str) -> str:
    try:
        return LEVEL_NAMES[ServiceLevel(service)]
    except ValueError:
        return service.replace("_", " ").replace("-", " ").capitalize()


def _web_url(value: object) -> str | None:
    """A carrier-given link, only if it is http(s) (never `javascript:` on the page)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else None


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _public_place(location: str | None, address: Mapping[str, Any]) -> str | None:
    """A carrier's location, unless it names the buyer's street: then only the city."""
    if not location:
        return None
    folded = location.casefold()
    for key in ("line1", "line2", "address_line1", "address_line2", "street"):
        street = str(address.get(key) or "").strip().casefold()
        if street and street in folded:
            return _text(address.get("city"))
    return location
