"""What gets printed: labels, packing slips and pick lists, from the shipments as stored.

The documents package draws; this gathers the facts (shipments, packages, SellerOrders,
warehouses) in a fixed handful of statements for any batch, so "print today's labels"
costs the same for three parcels or three hundred.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from pasar import inventory, orders
from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.documents import (
    Dimensions,
    DocAddress,
    LabelData,
    PackingSlip,
    PickItem,
    PickList,
    SlipLine,
    build_pick_rows,
    render_labels,
    render_pick_list,
)
from pasar.fulfillment.errors import ShipmentNotFound
from pasar.fulfillment.models import Package, Shipment, ShipmentLine
from pasar.fulfillment.shipments import CANCELLED, PACKABLE, RESHIPPABLE, shipped_quantities

#: SellerOrders a pick list gathers: paid and not yet handed over in full, and failed
#: deliveries waiting for their reship.
PICKABLE = PACKABLE | {RESHIPPABLE}


def _buyer_address(address: dict[str, Any], phone: str | None) -> DocAddress:
    return DocAddress(
        name=str(address.get("name") or ""),
        line1=str(address.get("line1") or ""),
        line2=str(address.get("line2") or ""),
        city=str(address.get("city") or ""),
        region=str(address.get("region") or ""),
        postal_code=str(address.get("postal_code") or ""),
        country=str(address.get("country") or ""),
        phone=phone,
    )


def _warehouse_address(warehouse: Any, name: str) -> DocAddress:
    return DocAddress(
        name=name,
        line1=warehouse.address_line1,
        line2=warehouse.address_line2 or "",
        city=warehouse.city,
        region=warehouse.region or "",
        postal_code=warehouse.postal_code,
        country=warehouse.country,
    )


async def _load(
    session: AsyncSession, shipment_ids: Sequence[int], seller_id: int | None
) -> tuple[list[Shipment], dict[int, orders.FulfilmentOrder], dict[int, Any]]:
    wanted = sorted(set(shipment_ids))
    query = select(Shipment).where(Shipment.id.in_(wanted)).order_by(Shipment.id)
    if seller_id is not None:
        query = query.where(Shipment.seller_id == seller_id)
    rows = list(await session.scalars(query))
    if len(rows) != len(wanted):
        missing = sorted(set(wanted) - {r.id for r in rows})
        raise ShipmentNotFound(f"Shipment {missing[0]} does not exist.")
    cancelled = [r.tracking_number for r in rows if r.status == CANCELLED]
    if cancelled:
        raise ShipmentNotFound(f"Shipment {cancelled[0]} was cancelled; its label is void.")
    found = await orders.fulfilment_orders(session, ids={r.seller_order_id for r in rows})
    warehouses = await inventory.warehouses_by_id(session, {r.warehouse_id for r in rows})
    return rows, {o.id: o for o in found}, warehouses


async def labels_for(
    session: AsyncSession,
    shipment_ids: Sequence[int],
    *,
    seller_id: int | None,
    config: FulfillmentConfig,
) -> list[LabelData]:
    """One label per package, in shipment then package order."""
    rows, found, warehouses = await _load(session, shipment_ids, seller_id)
    packages: dict[int, list[Package]] = defaultdict(list)
    for package in await session.scalars(
        select(Package).where(Package.shipment_id.in_([r.id for r in rows])).order_by(Package.seq)
    ):
        packages[package.shipment_id].append(package)
    labels = []
    for row in rows:
        order = found[row.seller_order_id]
        carrier = config.carriers.get(row.carrier)
        boxes = packages[row.id]
        for box in boxes:
            dims = None
            if box.length_mm and box.width_mm and box.height_mm:
                dims = Dimensions(
                    length_mm=box.length_mm, width_mm=box.width_mm, height_mm=box.height_mm
                )
            labels.append(
                LabelData(
                    tracking_number=row.tracking_number,
                    tracking_url=config.tracking_url(row.tracking_number),
                    carrier_name=carrier.name if carrier else row.carrier,
                    service_name=row.service_name,
                    sender=_warehouse_address(warehouses[row.warehouse_id], order.seller_name),
                    recipient=_buyer_address(order.address, order.phone),
                    weight_grams=box.weight_grams,
                    order_reference=row.seller_order_number,
                    ship_date=(row.handed_over_at or row.created_at).date(),
                    package_index=box.seq,
                    package_count=len(boxes),
                    dimensions=dims,
                )
            )
    return labels


async def packing_slips_for(
    session: AsyncSession,
    shipment_ids: Sequence[int],
    *,
    seller_id: int | None,
    config: FulfillmentConfig,
) -> list[PackingSlip]:
    """One slip per shipment: what is in this box, not the whole order."""
    rows, found, warehouses = await _load(session, shipment_ids, seller_id)
    lines: dict[int, list[SlipLine]] = defaultdict(list)
    for line in await session.scalars(
        select(ShipmentLine)
        .where(ShipmentLine.shipment_id.in_([r.id for r in rows]))
        .order_by(ShipmentLine.id)
    ):
        lines[line.shipment_id].append(
            SlipLine(sku=line.sku, title=line.title, quantity=line.quantity)
        )
    slips = []
    for row in rows:
        order = found[row.seller_order_id]
        warehouse = warehouses[row.warehouse_id]
        fulfilled_by = None
        if warehouse.owner_kind == "3pl":
            fulfilled_by = warehouse.operator_name or warehouse.name
        elif warehouse.owner_kind == "marketplace":
            fulfilled_by = config.marketplace_name
        slips.append(
            PackingSlip(
                marketplace_name=config.marketplace_name,
                seller_name=order.seller_name,
                seller_order_number=order.number,
                order_number=order.order_number,
                order_date=order.placed_at.date(),
                ship_to=_buyer_address(order.address, None),
                ship_from=_warehouse_address(warehouse, warehouse.name),
                lines=tuple(lines[row.id]),
                fulfilled_by=fulfilled_by,
            )
        )
    return slips


async def pick_list(
    session: AsyncSession,
    *,
    warehouse_id: int,
    owner_seller_id: int | None,
    due_by: date,
    only: Collection[int] | None = None,
) -> PickList:
    """What to pick in one warehouse for the SellerOrders due to ship by `due_by`.

    A line counts for what is still to be packed (ordered less already in shipments),
    and never more than the stock held for it in this warehouse. `only` narrows it to
    some SellerOrders (the ones a seller ticked in the queue).
    """
    warehouse = await inventory.get_warehouse(
        session, seller_id=owner_seller_id, warehouse_id=warehouse_id
    )
    due = [
        o
        for o in await orders.fulfilment_orders(
            session,
            seller_id=owner_seller_id,
            statuses=PICKABLE,
            ship_by_until=due_by,
            limit=1000,
        )
        if warehouse_id in o.warehouse_ids and (only is None or o.id in only)
    ]
    packed = await shipped_quantities(session, [o.id for o in due]) if due else {}
    items = []
    for order in due:
        held: dict[int, int] = defaultdict(int)
        for h in order.held:
            if h.warehouse_id == warehouse_id:
                held[h.offer_id] += h.quantity
        for line in order.lines:
            left = min(line.quantity - packed.get(line.order_line_id, 0), held[line.offer_id])
            held[line.offer_id] -= max(left, 0)
            if left > 0:
                items.append(
                    PickItem(
                        warehouse_id=warehouse_id,
                        location=None,
                        sku=line.sku,
                        title=line.title,
                        quantity=left,
                        seller_order_number=order.number,
                    )
                )
    return PickList(
        warehouse_id=warehouse_id,
        warehouse_name=warehouse.name,
        pick_date=due_by,
        rows=tuple(build_pick_rows(items)),
    )


@dataclass(frozen=True)
class Pdf:
    """A printable document: its bytes and a file name (without `.pdf`)."""

    content: bytes
    name: str


async def labels_pdf(
    session: AsyncSession,
    shipment_ids: Sequence[int],
    *,
    seller_id: int | None,
    config: FulfillmentConfig,
) -> Pdf:
    """The labels of these shipments as one PDF (one page per package), for the web."""
    labels = await labels_for(session, shipment_ids, seller_id=seller_id, config=config)
    name = labels[0].tracking_number if len(labels) == 1 else f"labels-{len(labels)}"
    return Pdf(await run_in_threadpool(render_labels, labels), name)


async def pick_list_pdf(
    session: AsyncSession,
    *,
    warehouse_id: int,
    owner_seller_id: int | None,
    due_by: date,
    only: Collection[int] | None = None,
) -> Pdf:
    """`pick_list` as a printable PDF, for the web."""
    pick = await pick_list(
        session,
        warehouse_id=warehouse_id,
        owner_seller_id=owner_seller_id,
        due_by=due_by,
        only=only,
    )
    return Pdf(await run_in_threadpool(render_pick_list, pick), f"pick-list-{pick.pick_date}")
