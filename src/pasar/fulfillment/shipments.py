"""Shipments: pack some lines of a SellerOrder into boxes, buy a label, hand it to the carrier.

A SellerOrder may leave in several shipments (split by warehouse, or partial quantities
when part of it waits). Creating the first label moves it to processing; handing over
the last units moves it to shipped (which commits the sale and captures the payment in
orders). Every function here works in the caller's transaction and never commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import inventory, orders
from pasar.fulfillment.carriers import Carrier, Label, LabelRequest, Parcel, Place
from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.domain import TrackingStatus
from pasar.fulfillment.errors import (
    CarrierNotFound,
    NothingToShip,
    NotShippable,
    ShipmentLocked,
    ShipmentNotFound,
    TooManyUnits,
    WarehouseAmbiguous,
)
from pasar.fulfillment.events import ShipmentCancelled, ShipmentCreated, ShipmentHandedOver
from pasar.fulfillment.models import Package, Shipment, ShipmentLine, TrackingEvent
from pasar.fulfillment.timeline import end_of_day
from pasar.platform.outbox import emit

#: SellerOrder states in which new shipments may be packed.
PACKABLE = frozenset({orders.Status.VERIFIED, orders.Status.PROCESSING})
#: A failed delivery is sent again in a new shipment (the reship), everything in it.
RESHIPPABLE = orders.Status.DELIVERY_FAILED
CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class LineSpec:
    order_line_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class PackageSpec:
    weight_grams: int
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None


def carrier_of(config: FulfillmentConfig, code: str) -> Carrier:
    carrier = config.carriers.get(code)
    if carrier is None:
        known = ", ".join(sorted(config.carriers.codes()))
        raise CarrierNotFound(f"No carrier {code!r}; known: {known}.", field="carrier")
    return carrier


async def shipped_quantities(
    session: AsyncSession, seller_order_ids: Sequence[int], *, handed_over_only: bool = False
) -> dict[int, int]:
    """Per order line, the units already in (live) shipments of these SellerOrders."""
    query = (
        select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(
            ShipmentLine.seller_order_id.in_(list(seller_order_ids)),
            Shipment.status != CANCELLED,
            Shipment.superseded_at.is_(None),
        )
        .group_by(ShipmentLine.order_line_id)
    )
    if handed_over_only:
        query = query.where(Shipment.handed_over_at.is_not(None))
    return {line_id: int(qty) for line_id, qty in (await session.execute(query)).all()}


def _choose_lines(
    order: orders.FulfilmentOrder, wanted: Sequence[LineSpec] | None, shipped: dict[int, int]
) -> list[tuple[orders.FulfilmentLine, int]]:
    remaining = {
        line.order_line_id: line.quantity - shipped.get(line.order_line_id, 0)
        for line in order.lines
    }
    by_id = {line.order_line_id: line for line in order.lines}
    if wanted is None:
        chosen = [(by_id[i], q) for i, q in remaining.items() if q > 0]
        if not chosen:
            raise NothingToShip(f"Everything in {order.number} is already in a shipment.")
        return chosen
    chosen = []
    totals: dict[int, int] = defaultdict(int)
    for index, spec in enumerate(wanted):
        line = by_id.get(spec.order_line_id)
        if line is None:
            raise TooManyUnits(
                f"Line {spec.order_line_id} is not part of {order.number}.",
                field=f"lines.{index}.order_line_id",
            )
        totals[spec.order_line_id] += spec.quantity
        if spec.quantity <= 0 or totals[spec.order_line_id] > remaining[spec.order_line_id]:
            raise TooManyUnits(
                f"{line.sku}: {remaining[spec.order_line_id]} unit(s) left to ship, "
                f"{totals[spec.order_line_id]} asked.",
                field=f"lines.{index}.quantity",
            )
    for line_id, quantity in totals.items():
        chosen.append((by_id[line_id], quantity))
    if not chosen:
        raise NothingToShip("Name at least one line to ship.", field="lines")
    return chosen


def _choose_warehouse(
    order: orders.FulfilmentOrder,
    lines: Sequence[tuple[orders.FulfilmentLine, int]],
    warehouse_id: int | None,
) -> int:
    """The one warehouse holding every line's stock; the seller names it when several do,
    and a shipment never mixes warehouses (split it: one shipment per warehouse)."""
    held: dict[int, set[int]] = defaultdict(set)
    for h in order.held:
        held[h.offer_id].add(h.warehouse_id)
    per_line = [held[line.offer_id] for line, _ in lines if held[line.offer_id]]
    common = set.intersection(*per_line) if per_line else set()
    everywhere = sorted(set().union(*per_line)) if per_line else []
    if warehouse_id is not None:
        if per_line and warehouse_id not in common:
            raise WarehouseAmbiguous(
                f"Warehouse {warehouse_id} does not hold every line of this shipment; they "
                f"are held in {', '.join(map(str, everywhere))}: ship one shipment per "
                "warehouse.",
                field="warehouse_id",
            )
        return warehouse_id
    if len(common) == 1:
        return common.pop()
    if not per_line:
        raise WarehouseAmbiguous(
            "No stock is held for these lines; name the warehouse.", field="warehouse_id"
        )
    raise WarehouseAmbiguous(
        f"These lines are held in warehouses {', '.join(map(str, everywhere))}: ship them as "
        "one shipment per warehouse, or name the warehouse.",
        field="warehouse_id",
    )


def place_of_address(address: dict[str, object]) -> Place:
    return Place(
        country=str(address.get("country") or ""),
        region=str(address.get("region") or "") or None,
        city=str(address.get("city") or "") or None,
        postal_code=str(address.get("postal_code") or "") or None,
    )


async def create_shipment(
    session: AsyncSession,
    *,
    seller_order_id: int,
    seller_id: int | None,
    packages: Sequence[PackageSpec],
    lines: Sequence[LineSpec] | None,
    carrier: str | None,
    service: str | None,
    warehouse_id: int | None,
    caller: orders.Caller,
    now: datetime,
    config: FulfillmentConfig,
    tracking_number: str | None = None,
) -> int:
    """Pack lines into a shipment with a bought label; the SellerOrder moves to processing.

    `tracking_number` records a label bought elsewhere (a 3PL's own carrier account):
    no label is bought and it costs Pasar nothing.
    """
    found = await orders.fulfilment_orders(
        session, ids=[seller_order_id], seller_id=seller_id, lock=True
    )
    if not found:
        raise orders.SellerOrderNotFound(f"Seller order {seller_order_id} does not exist.")
    order = found[0]
    if order.status not in PACKABLE and order.status is not RESHIPPABLE:
        raise NotShippable(
            f"{order.number} is {order.status.value}; only verified or processing orders "
            "are packed, and failed deliveries reshipped."
        )
    if not packages:
        raise NothingToShip("A shipment needs at least one package.", field="packages")
    # A reship packs everything again: the failed attempt's parcels are superseded
    # (`subscriptions.on_delivery_failed`), so they no longer count as shipped.
    chosen = _choose_lines(order, lines, await shipped_quantities(session, [order.id]))
    origin_id = _choose_warehouse(order, chosen, warehouse_id)
    warehouse = (await inventory.warehouses_by_id(session, [origin_id])).get(origin_id)
    if warehouse is None:
        raise WarehouseAmbiguous(f"No warehouse {origin_id}.", field="warehouse_id")
    carrier_code = carrier or order.planned_carrier or config.carriers.default_code
    chosen_carrier = carrier_of(config, carrier_code)
    parcels = [Parcel(p.weight_grams, p.length_mm, p.width_mm, p.height_mm) for p in packages]
    request = LabelRequest(
        reference=order.number,
        origin=Place(
            country=warehouse.country,
            region=warehouse.region,
            city=warehouse.city,
            postal_code=warehouse.postal_code,
        ),
        destination=place_of_address(order.address),
        parcels=tuple(parcels),
        service=service or order.delivery_service,
        currency=config.currency,
    )
    if tracking_number is None:
        label = chosen_carrier.create_label(request)
    else:
        label = Label(
            tracking_number=tracking_number,
            carrier=chosen_carrier.code,
            service=request.service,
            service_name=request.service.replace("_", " ").title(),
            price=0,
            currency=config.currency,
        )

    shipment_id = await session.scalar(
        insert(Shipment)
        .values(
            seller_order_id=order.id,
            seller_order_number=order.number,
            order_id=order.order_id,
            seller_id=order.seller_id,
            warehouse_id=origin_id,
            carrier=chosen_carrier.code,
            service=label.service,
            service_name=label.service_name,
            tracking_number=label.tracking_number,
            status=TrackingStatus.LABEL_CREATED.value,
            label_cost=label.price,
            currency=config.currency,
            ship_by=order.ship_by,
            promised_date=order.promised_date,
            pickup_deadline=end_of_day(order.ship_by, warehouse.time_zone),
            promise_deadline=end_of_day(order.promised_date, warehouse.time_zone),
            expected_date=order.promised_date,
            last_event_at=now,
            created_at=now,
            updated_at=now,
        )
        .returning(Shipment.id)
    )
    assert shipment_id is not None
    await session.execute(
        insert(ShipmentLine),
        [
            {
                "shipment_id": shipment_id,
                "seller_order_id": order.id,
                "order_line_id": line.order_line_id,
                "sku": line.sku,
                "title": line.title,
                "quantity": quantity,
            }
            for line, quantity in chosen
        ],
    )
    await session.execute(
        insert(Package),
        [
            {
                "shipment_id": shipment_id,
                "seq": seq,
                "weight_grams": p.weight_grams,
                "length_mm": p.length_mm,
                "width_mm": p.width_mm,
                "height_mm": p.height_mm,
            }
            for seq, p in enumerate(packages, start=1)
        ],
    )
    await session.execute(
        insert(TrackingEvent).values(
            shipment_id=shipment_id,
            event_key="pasar:label_created",
            status=TrackingStatus.LABEL_CREATED.value,
            code="LABEL_CREATED",
            description=f"Label created; waiting for {chosen_carrier.name} to collect",
            location=warehouse.city,
            occurred_at=now,
            received_at=now,
            raw={},
        )
    )
    if order.status is orders.Status.VERIFIED:
        await orders.transition(session, [order.id], orders.Action.PROCESS, caller, now=now)
    await emit(
        session,
        ShipmentCreated(
            shipment_id=shipment_id,
            seller_order_id=order.id,
            order_id=order.order_id,
            seller_id=order.seller_id,
            carrier=chosen_carrier.code,
            tracking_number=label.tracking_number,
            package_count=len(packages),
        ),
    )
    return int(shipment_id)


async def _lock_shipments(
    session: AsyncSession, ids: Sequence[int], seller_id: int | None
) -> list[Shipment]:
    """The shipments asked for, after locking every parcel of their SellerOrders in id
    order: a seller's hand-over and a carrier's (or 3PL's) pick-up of the other half of a
    split order then take turns, and the second sees the first's hand-over."""
    wanted = sorted(set(ids))
    owners = select(Shipment.seller_order_id).where(Shipment.id.in_(wanted))
    if seller_id is not None:
        owners = owners.where(Shipment.seller_id == seller_id)
    family = list(
        await session.scalars(
            select(Shipment)
            .where(Shipment.seller_order_id.in_(owners))
            .order_by(Shipment.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    rows = [r for r in family if r.id in set(wanted)]
    if len(rows) != len(wanted):
        missing = sorted(set(wanted) - {r.id for r in rows})
        raise ShipmentNotFound(f"Shipment {missing[0]} does not exist.")
    return rows


async def hand_over(
    session: AsyncSession,
    shipment_ids: Sequence[int],
    *,
    seller_id: int | None,
    caller: orders.Caller,
    now: datetime,
) -> list[int]:
    """The carrier has the parcels. SellerOrders with nothing left to hand over ship.

    Already handed-over shipments are skipped (a repeated click, or the carrier's pick-up
    scan arriving after the seller's); cancelled ones are refused.
    """
    rows = await _lock_shipments(session, shipment_ids, seller_id)
    for row in rows:
        if row.status == CANCELLED:
            raise ShipmentLocked(f"Shipment {row.tracking_number} was cancelled.")
    fresh = [r for r in rows if r.handed_over_at is None]
    if not fresh:
        return []
    await session.execute(
        update(Shipment)
        .where(Shipment.id.in_([r.id for r in fresh]))
        .values(handed_over_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await emit(
        session,
        *(
            ShipmentHandedOver(
                shipment_id=r.id,
                seller_order_id=r.seller_order_id,
                order_id=r.order_id,
                seller_id=r.seller_id,
                carrier=r.carrier,
                tracking_number=r.tracking_number,
            )
            for r in fresh
        ),
    )
    await ship_complete_orders(session, {r.seller_order_id for r in fresh}, caller=caller, now=now)
    await _reship(session, fresh, caller=caller, now=now)
    return [r.id for r in fresh]


async def _reship(
    session: AsyncSession, handed: Sequence[Shipment], *, caller: orders.Caller, now: datetime
) -> None:
    """A failed delivery whose new parcel the carrier collected is under way again, on the
    newest parcel handed over for it."""
    failed = await orders.fulfilment_orders(
        session, ids={r.seller_order_id for r in handed}, statuses=[RESHIPPABLE]
    )
    if not failed:
        return
    latest: dict[int, Shipment] = {}
    for row in handed:
        if row.seller_order_id not in latest or row.id > latest[row.seller_order_id].id:
            latest[row.seller_order_id] = row
    await orders.transition(
        session,
        [o.id for o in failed],
        orders.Action.RESHIP,
        caller,
        now=now,
        shipping={
            o.id: orders.Shipping(latest[o.id].carrier, latest[o.id].tracking_number)
            for o in failed
        },
    )


async def _first_live_parcels(
    session: AsyncSession, seller_order_ids: Sequence[int]
) -> dict[int, orders.Shipping]:
    """Per SellerOrder, the carrier and tracking number of its first live parcel (the one
    the buyer is shown), in one query."""
    live = (Shipment.status != CANCELLED, Shipment.superseded_at.is_(None))
    firsts = (
        select(func.min(Shipment.id))
        .where(Shipment.seller_order_id.in_(list(seller_order_ids)), *live)
        .group_by(Shipment.seller_order_id)
    )
    found = await session.execute(
        select(Shipment.seller_order_id, Shipment.carrier, Shipment.tracking_number).where(
            Shipment.id.in_(firsts)
        )
    )
    return {r.seller_order_id: orders.Shipping(r.carrier, r.tracking_number) for r in found}


async def ship_complete_orders(
    session: AsyncSession, seller_order_ids: set[int], *, caller: orders.Caller, now: datetime
) -> list[int]:
    """Move to shipped every processing SellerOrder whose every unit is handed over."""
    found = await orders.fulfilment_orders(
        session, ids=seller_order_ids, statuses=[orders.Status.PROCESSING]
    )
    if not found:
        return []
    handed = await shipped_quantities(session, [o.id for o in found], handed_over_only=True)
    complete = [
        order.id
        for order in found
        if all(handed.get(line.order_line_id, 0) >= line.quantity for line in order.lines)
    ]
    if not complete:
        return []
    firsts = await _first_live_parcels(session, complete)
    await orders.transition(
        session,
        complete,
        orders.Action.SHIP,
        caller,
        now=now,
        reason="every parcel handed to the carrier",
        shipping={i: firsts[i] for i in complete},
    )
    return complete


def label_cancellable(status: str, handed_over_at: datetime | None) -> bool:
    """A label can be voided until the carrier has the parcel (what `cancel_shipment`
    checks; pages ask it to offer the button)."""
    return handed_over_at is None and status == TrackingStatus.LABEL_CREATED.value


async def cancel_shipment(
    session: AsyncSession,
    shipment_id: int,
    *,
    seller_id: int | None,
    now: datetime,
    config: FulfillmentConfig,
) -> None:
    """Void a label the carrier has not collected; its units may be packed again."""
    (row,) = await _lock_shipments(session, [shipment_id], seller_id)
    if row.status == CANCELLED:
        return
    if not label_cancellable(row.status, row.handed_over_at):
        raise ShipmentLocked(
            f"Shipment {row.tracking_number} is with the carrier ({row.status}); it cannot be "
            "cancelled."
        )
    carrier_of(config, row.carrier).cancel(row.tracking_number)
    row.status = CANCELLED
    row.updated_at = now
    await emit(
        session,
        ShipmentCancelled(
            shipment_id=row.id,
            seller_order_id=row.seller_order_id,
            order_id=row.order_id,
            seller_id=row.seller_id,
            carrier=row.carrier,
            tracking_number=row.tracking_number,
        ),
    )
