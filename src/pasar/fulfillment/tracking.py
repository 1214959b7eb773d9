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
from typing import Any, cast

from pydantic import BaseModel, Field
from sqlalchemy import Table, bindparam, func, select, update
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


@dataclass(slots=True)
class _Parcel:
    """The columns of a locked shipment that recording scans reads and moves (plain values,
    not ORM objects: a batch touches hundreds and writes them back in a few statements)."""

    id: int
    seller_order_id: int
    order_id: int
    seller_id: int
    carrier: str
    tracking_number: str
    status: str
    last_event_at: datetime
    handed_over_at: datetime | None
    superseded_at: datetime | None
    delivered_at: datetime | None
    promise_deadline: datetime
    #: Read only when it settles a SellerOrder, or set when this batch delivers the parcel.
    proof: dict[str, Any] | None = None
    proof_known: bool = False


_SHIPMENTS = cast(Table, Shipment.__table__)
_EVENTS = cast(Table, TrackingEvent.__table__)
_S = _SHIPMENTS.c
_E = _EVENTS.c
_PARCEL_COLUMNS = (
    _S.id,
    _S.seller_order_id,
    _S.order_id,
    _S.seller_id,
    _S.carrier,
    _S.tracking_number,
    _S.status,
    _S.last_event_at,
    _S.handed_over_at,
    _S.superseded_at,
    _S.delivered_at,
    _S.promise_deadline,
)
#: Every scanned parcel: its status, newest event time and the carrier's estimate (kept
#: when the batch brings none). One executemany whatever the batch size.
_SCANNED = (
    update(_SHIPMENTS)
    .where(_S.id == bindparam("p_id"))
    .values(
        status=bindparam("p_status"),
        last_event_at=bindparam("p_last"),
        updated_at=bindparam("p_now"),
        expected_date=func.coalesce(
            bindparam("p_expected", type_=_S.expected_date.type), _S.expected_date
        ),
    )
)
#: The parcels delivered by this batch: when, the proof, and no delay flag any more.
_DELIVERED = (
    update(_SHIPMENTS)
    .where(_S.id == bindparam("p_id"))
    .values(
        delivered_at=bindparam("p_at"),
        proof=bindparam("p_proof", type_=_S.proof.type),
        delay_reason=None,
        delay_detail=None,
        delayed_at=None,
    )
)


def order_proof(shipment: _Parcel, stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """The shipment's proof of delivery (`stored`) in the SellerOrder's terms (orders'
    `DeliveryProof` field names, plus the structured `where_left` and the parcel it is
    about)."""
    proof: dict[str, Any] = dict(stored or {})
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

    A batch costs the same few statements whatever its size: the family lock, one
    multi-row event insert, one executemany of parcel updates, one of outbox rows, and
    only when something happens, the hand-overs, deliveries and their SellerOrders.
    """
    if not updates:
        return TrackingResult(0, 0, (), ())
    numbers = sorted({u.tracking_number for u in updates})
    family = await _lock_family(session, numbers, carrier)
    rows = {
        r.tracking_number: r
        for r in family
        if r.tracking_number in numbers and (carrier is None or r.carrier == carrier)
    }
    unknown = tuple(n for n in numbers if n not in rows)

    batch: dict[tuple[int, str], tuple[_Parcel, TrackingUpdate]] = {}
    known = 0
    for update_ in updates:
        row = rows.get(update_.tracking_number)
        if row is not None:
            known += 1
            batch.setdefault((row.id, event_key(update_.event_id)), (row, update_))
    inserted = await _insert_events(session, batch, now=now)
    fresh: dict[int, list[TrackingUpdate]] = defaultdict(list)
    by_id: dict[int, _Parcel] = {}
    for pair, (row, update_) in batch.items():
        if pair in inserted:
            fresh[row.id].append(update_)
            by_id[row.id] = row

    changed, handed = await _apply(session, by_id, fresh, now=now)
    caller = orders.Caller(orders.Actor.SYSTEM, source[:100])
    if handed:
        await shipments.hand_over(session, handed, seller_id=None, caller=caller, now=now)
    settled = {by_id[i].seller_order_id for i in changed if by_id[i].status in SETTLING}
    if settled:
        await _settle_orders(session, family, settled, caller=caller, now=now, config=config)
    accepted = sum(len(v) for v in fresh.values())
    return TrackingResult(
        accepted=accepted,
        duplicates=known - accepted,
        unknown=unknown,
        changed=tuple(sorted(changed)),
    )


async def _lock_family(
    session: AsyncSession, numbers: Sequence[str], carrier: str | None
) -> list[_Parcel]:
    """The batch's shipments with every other parcel of their SellerOrders, locked.

    Locked in id order: two carriers delivering the two halves of a split order at once
    then take turns, and the second sees the first's delivery (no lost "all delivered",
    no deadlock)."""
    reported = select(_S.seller_order_id).where(_S.tracking_number.in_(numbers))
    if carrier is not None:
        reported = reported.where(_S.carrier == carrier)
    result = await session.execute(
        select(*_PARCEL_COLUMNS)
        .where(_S.seller_order_id.in_(reported.scalar_subquery()))
        .order_by(_S.id)
        .with_for_update()
    )
    return [_Parcel(*cast(Sequence[Any], r)) for r in result]


def _insert_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING, run as one multi-row insert (SQLAlchemy's
    "insertmanyvalues") for a whole batch; built once per dialect, so compiled once."""
    found = _INSERTS.get(dialect)
    if found is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        found = _INSERTS[dialect] = (
            insert(_EVENTS)
            .on_conflict_do_nothing(index_elements=["shipment_id", "event_key"])
            .returning(_E.shipment_id, _E.event_key)
        )
    return found


_INSERTS: dict[str, Any] = {}


async def _insert_events(
    session: AsyncSession,
    batch: Mapping[tuple[int, str], tuple[_Parcel, TrackingUpdate]],
    *,
    now: datetime,
) -> set[tuple[int, str]]:
    """Insert the events none of which is stored yet; the (shipment, key) pairs inserted."""
    if not batch:
        return set()
    values = [
        {
            "shipment_id": shipment_id,
            "event_key": key,
            "status": update_.status.value,
            "code": update_.code[:60],
            "description": (update_.description or timeline.status_label(update_.status))[:300],
            "location": update_.location[:200] if update_.location else None,
            "occurred_at": update_.occurred_at,
            "received_at": now,
            "raw": dict(update_.raw),
        }
        for (shipment_id, key), (_, update_) in batch.items()
    ]
    statement = _insert_statement(session.get_bind().dialect.name)
    result = await session.execute(statement, values)
    return {(r[0], r[1]) for r in result}


async def _apply(
    session: AsyncSession,
    rows: Mapping[int, _Parcel],
    fresh: Mapping[int, Sequence[TrackingUpdate]],
    *,
    now: datetime,
) -> tuple[list[int], list[int]]:
    """Move each shipment to its newest scan; the ids that moved and those to hand over."""
    changed: list[int] = []
    handed: list[int] = []
    announcements: list[ShipmentStatusChanged | ShipmentDelivered] = []
    scanned: list[dict[str, Any]] = []
    delivered: list[dict[str, Any]] = []
    for shipment_id, updates in fresh.items():
        row = rows[shipment_id]
        status_at = row.last_event_at  # the newest scan so far decided the current status
        row.last_event_at = max(status_at, *(u.occurred_at for u in updates))
        moved = {"p_id": row.id, "p_last": row.last_event_at, "p_now": now, "p_expected": None}
        scanned.append(moved)
        if row.status == CANCELLED:
            moved["p_status"] = row.status
            continue  # a voided label's scans are kept for the record; nothing moves
        current = TrackingStatus(row.status)
        if current not in FINAL:
            moved["p_expected"] = _latest_estimate(
                [u for u in updates if u.occurred_at >= status_at]
            )
        if row.handed_over_at is None and any(timeline.hands_over(u.status) for u in updates):
            handed.append(row.id)
        index = timeline.decide(
            Scan(current, status_at), [Scan(u.status, u.occurred_at) for u in updates]
        )
        if index is not None:
            update_ = updates[index]
            row.status = update_.status.value
            changed.append(row.id)
            announcements.extend(_announce(row, current, update_))
            if update_.status is TrackingStatus.DELIVERED:
                row.delivered_at = update_.occurred_at
                row.proof = dict(update_.proof) if update_.proof else None
                row.proof_known = True
                delivered.append({"p_id": row.id, "p_at": row.delivered_at, "p_proof": row.proof})
        moved["p_status"] = row.status
    if scanned:
        await session.execute(_SCANNED, scanned)
    if delivered:
        await session.execute(_DELIVERED, delivered)
    await emit(session, *announcements)
    return changed, handed


def _announce(
    row: _Parcel, current: TrackingStatus, update_: TrackingUpdate
) -> list[ShipmentStatusChanged | ShipmentDelivered]:
    """`ShipmentStatusChanged`, and `ShipmentDelivered` on delivery, for a real move."""
    common: dict[str, Any] = {
        "shipment_id": row.id,
        "seller_order_id": row.seller_order_id,
        "order_id": row.order_id,
        "seller_id": row.seller_id,
        "carrier": row.carrier,
        "tracking_number": row.tracking_number,
    }
    found: list[ShipmentStatusChanged | ShipmentDelivered] = [
        ShipmentStatusChanged(
            **common,
            from_status=current.value,
            to_status=update_.status.value,
            location=update_.location,
            description=update_.description,
        )
    ]
    if update_.status is TrackingStatus.DELIVERED:
        where = (update_.proof or {}).get("where_left")
        found.append(
            ShipmentDelivered(
                **common,
                where_left=str(where) if where else None,
                on_time=update_.occurred_at < row.promise_deadline,
            )
        )
    return found


def _latest_estimate(updates: Sequence[TrackingUpdate]) -> date | None:
    dated = [(u.occurred_at, expected_date_of(u.raw)) for u in updates]
    found = [(at, d) for at, d in dated if d is not None]
    return max(found)[1] if found else None


async def _settle_orders(
    session: AsyncSession,
    family: Sequence[_Parcel],
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
    parcels: dict[int, list[_Parcel]] = defaultdict(list)
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
            proof = last.proof
            if not last.proof_known:
                proof = await session.scalar(select(_S.proof).where(_S.id == last.id))
            await orders.transition(
                session,
                [order.id],
                orders.Action.DELIVER,
                caller,
                now=now,
                reason=f"delivered: {_carrier_name(config, last.carrier)} {last.tracking_number}",
                proof=order_proof(last, proof),
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
