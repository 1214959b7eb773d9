"""Shipments follow their SellerOrder when it moves by another road than a carrier's scan.

Orders knows nothing of shipments (it is the lower module), so fulfilment listens:

- `seller_order.delivery_failed`: the parcels of that attempt are superseded, so the
  reship that follows is judged on its own parcels (and packs everything again).
- `seller_order.cancelled`: refused (the whole move rolls back) once a parcel is with the
  carrier, since those units have left; otherwise its open labels are voided.
- `seller_order.delivered` (an operator's or a driver's report): open parcels are marked
  delivered, so the delay detector stops chasing them.

Each handler is one or two set-based statements for the whole batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.fulfillment.domain import FINAL, TrackingStatus
from pasar.fulfillment.errors import ShipmentLocked
from pasar.fulfillment.models import Shipment
from pasar.fulfillment.shipments import CANCELLED
from pasar.platform.time import utcnow


def _ids(payloads: Sequence[Mapping[str, Any]]) -> list[int]:
    return sorted({int(p["seller_order_id"]) for p in payloads})


def _live() -> Any:
    return (Shipment.superseded_at.is_(None), Shipment.status != CANCELLED)


async def on_delivery_failed(session: AsyncSession, payloads: Sequence[Mapping[str, Any]]) -> None:
    await session.execute(
        update(Shipment)
        .where(Shipment.seller_order_id.in_(_ids(payloads)), *_live())
        .values(superseded_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def on_cancelled(session: AsyncSession, payloads: Sequence[Mapping[str, Any]]) -> None:
    ids = _ids(payloads)
    gone = (
        await session.execute(
            select(Shipment.tracking_number)
            .where(
                Shipment.seller_order_id.in_(ids),
                Shipment.handed_over_at.is_not(None),
                *_live(),
            )
            .limit(1)
        )
    ).first()
    if gone is not None:
        raise ShipmentLocked(
            f"Parcel {gone[0]} is already with the carrier: those units have left the "
            "warehouse, so the order can no longer be cancelled (a return brings them back)."
        )
    await session.execute(
        update(Shipment)
        .where(
            Shipment.seller_order_id.in_(ids),
            Shipment.status == TrackingStatus.LABEL_CREATED.value,
            *_live(),
        )
        .values(status=CANCELLED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def on_delivered(session: AsyncSession, payloads: Sequence[Mapping[str, Any]]) -> None:
    now = utcnow()
    await session.execute(
        update(Shipment)
        .where(
            Shipment.seller_order_id.in_(_ids(payloads)),
            Shipment.status.not_in([s.value for s in FINAL]),
            Shipment.handed_over_at.is_not(None),
            *_live(),
        )
        .values(status=TrackingStatus.DELIVERED.value, delivered_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )


SUBSCRIPTIONS = {
    "seller_order.delivery_failed": on_delivery_failed,
    "seller_order.cancelled": on_cancelled,
    "seller_order.delivered": on_delivered,
}
