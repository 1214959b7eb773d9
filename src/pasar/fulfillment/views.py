"""The read side: shipments with lines, packages and their tracking timeline.

Four statements for any number of shipments (shipments, lines, packages, events), so a
seller's list and a buyer's order page cost the same for one parcel or twenty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.domain import TrackingStatus
from pasar.fulfillment.errors import ShipmentNotFound
from pasar.fulfillment.models import Package, Shipment, ShipmentLine, TrackingEvent
from pasar.fulfillment.schemas import (
    DelayRead,
    PackageRead,
    ShipmentLineRead,
    ShipmentRead,
    TrackingEventRead,
)
from pasar.platform.pagination import Page, decode_id_cursor, encode_cursor


async def shipment_views(
    session: AsyncSession, rows: Sequence[Shipment], config: FulfillmentConfig
) -> list[ShipmentRead]:
    ids = [r.id for r in rows]
    lines: dict[int, list[ShipmentLineRead]] = defaultdict(list)
    packages: dict[int, list[PackageRead]] = defaultdict(list)
    events: dict[int, list[TrackingEventRead]] = defaultdict(list)
    if ids:
        for line in await session.scalars(
            select(ShipmentLine).where(ShipmentLine.shipment_id.in_(ids)).order_by(ShipmentLine.id)
        ):
            lines[line.shipment_id].append(
                ShipmentLineRead.model_validate(line, from_attributes=True)
            )
        for package in await session.scalars(
            select(Package).where(Package.shipment_id.in_(ids)).order_by(Package.seq)
        ):
            packages[package.shipment_id].append(
                PackageRead.model_validate(package, from_attributes=True)
            )
        for event in await session.scalars(
            select(TrackingEvent)
            .where(TrackingEvent.shipment_id.in_(ids))
            .order_by(TrackingEvent.occurred_at, TrackingEvent.id)
        ):
            events[event.shipment_id].append(
                TrackingEventRead.model_validate(event, from_attributes=True)
            )
    return [_view(r, config, lines[r.id], packages[r.id], events[r.id]) for r in rows]


def _view(
    r: Shipment,
    config: FulfillmentConfig,
    lines: list[ShipmentLineRead],
    packages: list[PackageRead],
    events: list[TrackingEventRead],
) -> ShipmentRead:
    carrier = config.carriers.get(r.carrier)
    on_time = None
    if r.status == TrackingStatus.DELIVERED.value and r.delivered_at is not None:
        on_time = r.delivered_at < r.promise_deadline
    delay = (
        DelayRead(reason=r.delay_reason, detail=r.delay_detail, flagged_at=r.delayed_at)
        if r.delay_reason and r.delayed_at
        else None
    )
    return ShipmentRead(
        id=r.id,
        seller_order_id=r.seller_order_id,
        seller_order_number=r.seller_order_number,
        order_id=r.order_id,
        seller_id=r.seller_id,
        warehouse_id=r.warehouse_id,
        carrier=r.carrier,
        carrier_name=carrier.name if carrier else r.carrier,
        service=r.service,
        service_name=r.service_name,
        tracking_number=r.tracking_number,
        tracking_url=config.tracking_url(r.tracking_number),
        status=r.status,
        label_cost=r.label_cost,
        currency=r.currency,
        ship_by=r.ship_by,
        promised_date=r.promised_date,
        expected_date=r.expected_date,
        on_time=on_time,
        delay=delay,
        proof=r.proof,
        handed_over_at=r.handed_over_at,
        delivered_at=r.delivered_at,
        created_at=r.created_at,
        lines=lines,
        packages=packages,
        events=events,
    )


async def read_shipment(
    session: AsyncSession, shipment_id: int, *, seller_id: int | None, config: FulfillmentConfig
) -> ShipmentRead:
    query = select(Shipment).where(Shipment.id == shipment_id)
    if seller_id is not None:
        query = query.where(Shipment.seller_id == seller_id)
    row = await session.scalar(query.execution_options(populate_existing=True))
    if row is None:
        raise ShipmentNotFound(f"Shipment {shipment_id} does not exist.")
    return (await shipment_views(session, [row], config))[0]


async def shipments_where(
    session: AsyncSession, config: FulfillmentConfig, *conditions: Any
) -> list[ShipmentRead]:
    """Every shipment matching the conditions, oldest first (an order's parcels, say)."""
    rows = list(
        await session.scalars(
            select(Shipment)
            .where(*conditions)
            .order_by(Shipment.id)
            .execution_options(populate_existing=True)
        )
    )
    return await shipment_views(session, rows, config)


async def list_shipments(
    session: AsyncSession,
    config: FulfillmentConfig,
    *,
    seller_id: int | None,
    seller_order_id: int | None,
    status: str | None,
    delayed: bool | None,
    limit: int,
    cursor: str | None,
) -> Page[ShipmentRead]:
    """Newest first, keyset-paginated by id."""
    query = select(Shipment).order_by(Shipment.id.desc())
    if seller_id is not None:
        query = query.where(Shipment.seller_id == seller_id)
    if seller_order_id is not None:
        query = query.where(Shipment.seller_order_id == seller_order_id)
    if status is not None:
        query = query.where(Shipment.status == status)
    if delayed is not None:
        flagged = Shipment.delay_reason.is_not(None)
        query = query.where(flagged if delayed else ~flagged)
    after = decode_id_cursor(cursor)
    if after is not None:
        query = query.where(Shipment.id < after)
    rows = list(await session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    items = await shipment_views(session, rows, config)
    return Page(items=items, next_cursor=encode_cursor([rows[-1].id]) if more and rows else None)
