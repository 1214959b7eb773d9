"""What fulfilment needs to know about SellerOrders: lines, stock held, where to deliver.

Fulfilment owns shipments; orders owns what was bought. This read gives fulfilment the
facts in two statements for any number of SellerOrders, so a pick list for a hundred
orders costs the same as one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.orders.domain import Status
from pasar.orders.models import Order, OrderLine, SellerOrder


@dataclass(frozen=True, slots=True)
class FulfilmentLine:
    order_line_id: int
    offer_id: int
    variant_id: int
    sku: str
    title: str
    quantity: int
    fulfilled_by: str


@dataclass(frozen=True, slots=True)
class HeldStock:
    offer_id: int
    warehouse_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class FulfilmentOrder:
    """One SellerOrder as fulfilment sees it."""

    id: int
    number: str
    order_id: int
    order_number: str
    seller_id: int
    seller_name: str
    status: Status
    email: str
    phone: str
    address: dict[str, Any]
    delivery_service: str
    planned_carrier: str | None
    ship_by: date
    promised_date: date
    placed_at: datetime
    lines: tuple[FulfilmentLine, ...]
    held: tuple[HeldStock, ...]

    @property
    def warehouse_ids(self) -> set[int]:
        return {h.warehouse_id for h in self.held}


async def fulfilment_orders(
    session: AsyncSession,
    *,
    ids: Collection[int] | None = None,
    seller_id: int | None = None,
    statuses: Collection[Status] | None = None,
    ship_by_until: date | None = None,
    limit: int = 500,
    lock: bool = False,
) -> list[FulfilmentOrder]:
    """SellerOrders matching every given filter, by ship-by date then id.

    `seller_id` scopes the read: another seller's ids are simply absent. `lock` takes
    their rows FOR UPDATE (PostgreSQL), so two packers of one order take turns.
    """
    so = SellerOrder
    query = (
        select(so, Order.number, Order.email, Order.phone, Order.address)
        .join(Order, Order.id == so.order_id)
        .order_by(so.ship_by, so.id)
        .limit(limit)
    )
    if ids is not None:
        # Asked by id: every one of them, whatever `limit` says.
        query = query.where(so.id.in_(sorted(set(ids)))).limit(max(len(set(ids)), 1))
    if seller_id is not None:
        query = query.where(so.seller_id == seller_id)
    if statuses is not None:
        query = query.where(so.status.in_([s.value for s in statuses]))
    if ship_by_until is not None:
        query = query.where(so.ship_by <= ship_by_until)
    if lock:
        query = query.with_for_update(of=so)
    rows = (await session.execute(query)).all()
    lines: dict[int, list[FulfilmentLine]] = defaultdict(list)
    if rows:
        found = await session.scalars(
            select(OrderLine)
            .where(OrderLine.seller_order_id.in_([r[0].id for r in rows]))
            .order_by(OrderLine.id)
        )
        for line in found:
            lines[line.seller_order_id].append(
                FulfilmentLine(
                    order_line_id=line.id,
                    offer_id=line.offer_id,
                    variant_id=line.variant_id,
                    sku=line.sku,
                    title=line.title,
                    quantity=line.quantity,
                    fulfilled_by=line.fulfilled_by,
                )
            )
    return [_view(row, lines[row[0].id]) for row in rows]


def _view(row: Sequence[Any], lines: list[FulfilmentLine]) -> FulfilmentOrder:
    so: SellerOrder = row[0]
    return FulfilmentOrder(
        id=so.id,
        number=so.number,
        order_id=so.order_id,
        order_number=row[1],
        seller_id=so.seller_id,
        seller_name=so.seller_name,
        status=Status(so.status),
        email=row[2],
        phone=row[3],
        address=dict(row[4]),
        delivery_service=so.delivery_service,
        planned_carrier=so.carrier,
        ship_by=so.ship_by,
        promised_date=so.promised_date,
        placed_at=so.placed_at,
        lines=tuple(lines),
        held=tuple(
            HeldStock(h["offer_id"], h["warehouse_id"], h["quantity"]) for h in so.reservations
        ),
    )
