"""Shipments over HTTP: sellers pack, print and hand over; operators watch the late ones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import orders
from pasar.fulfillment import printing, shipments, views
from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.deps import Config, Now
from pasar.fulfillment.documents import (
    PickList,
    render_labels,
    render_packing_slips,
    render_pick_list,
)
from pasar.fulfillment.models import Shipment
from pasar.fulfillment.performance import delivery_performance
from pasar.fulfillment.schemas import (
    CarrierRead,
    DeliveryPerformance,
    PickListRead,
    PickOrderRead,
    PickRowRead,
    ShipmentCreate,
    ShipmentIds,
    ShipmentRead,
)
from pasar.fulfillment.shipments import LineSpec, PackageSpec
from pasar.identity import OperatorPrincipal, SellerScoped, StaffPrincipal
from pasar.platform.db import Session
from pasar.platform.idempotency import IdempotencyKey, run_idempotent
from pasar.platform.pagination import Cursor, Limit, Page
from pasar.platform.types import Id

router = APIRouter(tags=["fulfillment"])

Delayed = Annotated[bool | None, Query(description="Only flagged (or only unflagged) ones.")]
StatusFilter = Annotated[str | None, Query(max_length=30, description="A tracking status.")]


@router.post(
    "/api/v1/sellers/{seller_id}/orders/{seller_order_id}/shipments",
    response_model=ShipmentRead,
    status_code=status.HTTP_201_CREATED,
)
async def create_shipment(
    seller_id: Id,
    seller_order_id: Id,
    body: ShipmentCreate,
    principal: SellerScoped,
    session: Session,
    config: Config,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Pack lines (all that is left, by default) into boxes and buy the label.

    The SellerOrder moves to processing. Ship part now and the rest later by naming
    lines and quantities; lines held in two warehouses ship as one shipment each.
    """

    async def work() -> dict[str, Any]:
        shipment_id = await shipments.create_shipment(
            session,
            seller_order_id=seller_order_id,
            seller_id=seller_id,
            packages=[PackageSpec(**p.model_dump()) for p in body.packages],
            lines=[LineSpec(li.order_line_id, li.quantity) for li in body.lines]
            if body.lines
            else None,
            carrier=body.carrier,
            service=body.service,
            warehouse_id=body.warehouse_id,
            caller=orders.Caller.of(principal),
            now=now,
            config=config,
        )
        await session.flush()
        return {"id": shipment_id}

    result = await run_idempotent(
        session,
        scope=f"shipment:{seller_id}:{seller_order_id}",
        key=idempotency_key,
        request=body.model_dump(mode="json"),
        work=work,
    )
    return await views.read_shipment(session, result["id"], seller_id=seller_id, config=config)


@router.get("/api/v1/sellers/{seller_id}/shipments", response_model=Page[ShipmentRead])
async def seller_shipments(
    seller_id: Id,
    principal: SellerScoped,
    session: Session,
    config: Config,
    seller_order_id: Id | None = None,
    status: StatusFilter = None,
    delayed: Delayed = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ShipmentRead]:
    """The seller's shipments, newest first."""
    return await views.list_shipments(
        session,
        config,
        seller_id=seller_id,
        seller_order_id=seller_order_id,
        status=status,
        delayed=delayed,
        limit=limit,
        cursor=cursor,
    )


@router.get("/api/v1/sellers/{seller_id}/shipments/{shipment_id}", response_model=ShipmentRead)
async def seller_shipment(
    seller_id: Id, shipment_id: Id, principal: SellerScoped, session: Session, config: Config
) -> ShipmentRead:
    """One shipment with its lines, packages and tracking timeline."""
    return await views.read_shipment(session, shipment_id, seller_id=seller_id, config=config)


@router.post(
    "/api/v1/sellers/{seller_id}/shipments/{shipment_id}/cancel", response_model=ShipmentRead
)
async def cancel_shipment(
    seller_id: Id,
    shipment_id: Id,
    principal: SellerScoped,
    session: Session,
    config: Config,
    now: Now,
) -> ShipmentRead:
    """Void a label the carrier has not collected yet; its units can be packed again."""
    await shipments.cancel_shipment(
        session, shipment_id, seller_id=seller_id, now=now, config=config
    )
    await session.commit()
    return await views.read_shipment(session, shipment_id, seller_id=seller_id, config=config)


@router.post("/api/v1/sellers/{seller_id}/shipments/hand-over", response_model=list[ShipmentRead])
async def hand_over(
    seller_id: Id,
    body: ShipmentIds,
    principal: SellerScoped,
    session: Session,
    config: Config,
    now: Now,
) -> list[ShipmentRead]:
    """The carrier collected these parcels (bulk "mark shipped").

    A SellerOrder whose every unit is handed over moves to shipped: the sale is committed
    and its payment captured. Repeating the call changes nothing.
    """
    await shipments.hand_over(
        session,
        body.shipment_ids,
        seller_id=seller_id,
        caller=orders.Caller.of(principal),
        now=now,
    )
    await session.commit()
    return await views.shipments_where(
        session,
        config,
        Shipment.id.in_(body.shipment_ids),
        Shipment.seller_id == seller_id,
    )


@router.get("/api/v1/admin/shipments", response_model=Page[ShipmentRead])
async def all_shipments(
    principal: StaffPrincipal,
    session: Session,
    config: Config,
    status: StatusFilter = None,
    delayed: Delayed = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ShipmentRead]:
    """Every seller's shipments, newest first; `delayed=true` is support's early-warning list."""
    return await views.list_shipments(
        session,
        config,
        seller_id=None,
        seller_order_id=None,
        status=status,
        delayed=delayed,
        limit=limit,
        cursor=cursor,
    )


# --- documents -----------------------------------------------------------------------------

PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "A PDF document."}
}
DueBy = Annotated[
    date | None, Query(description="SellerOrders due to ship by this date (default: today).")
]


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


async def _labels(
    session: AsyncSession, ids: list[int], seller_id: int | None, config: FulfillmentConfig
) -> Response:
    labels = await printing.labels_for(session, ids, seller_id=seller_id, config=config)
    name = labels[0].tracking_number if len(ids) == 1 else f"labels-{len(labels)}"
    return _pdf(await run_in_threadpool(render_labels, labels), name)


async def _slips(
    session: AsyncSession, ids: list[int], seller_id: int | None, config: FulfillmentConfig
) -> Response:
    slips = await printing.packing_slips_for(session, ids, seller_id=seller_id, config=config)
    name = f"packing-slip-{slips[0].seller_order_number}" if len(slips) == 1 else "packing-slips"
    return _pdf(await run_in_threadpool(render_packing_slips, slips), name)


@router.get(
    "/api/v1/sellers/{seller_id}/shipments/{shipment_id}/label",
    response_class=Response,
    responses=PDF,
)
async def shipment_label(
    seller_id: Id, shipment_id: Id, principal: SellerScoped, session: Session, config: Config
) -> Response:
    """The shipment's labels as a PDF: one 4 by 6 inch page per package, with Code 128 and QR."""
    return await _labels(session, [shipment_id], seller_id, config)


@router.post("/api/v1/sellers/{seller_id}/labels", response_class=Response, responses=PDF)
async def print_labels(
    seller_id: Id, body: ShipmentIds, principal: SellerScoped, session: Session, config: Config
) -> Response:
    """Labels of many shipments as one PDF, for one print run."""
    return await _labels(session, body.shipment_ids, seller_id, config)


@router.get(
    "/api/v1/sellers/{seller_id}/shipments/{shipment_id}/packing-slip",
    response_class=Response,
    responses=PDF,
)
async def shipment_packing_slip(
    seller_id: Id, shipment_id: Id, principal: SellerScoped, session: Session, config: Config
) -> Response:
    """What is in this box, for the packer and the buyer."""
    return await _slips(session, [shipment_id], seller_id, config)


@router.post("/api/v1/sellers/{seller_id}/packing-slips", response_class=Response, responses=PDF)
async def print_packing_slips(
    seller_id: Id, body: ShipmentIds, principal: SellerScoped, session: Session, config: Config
) -> Response:
    """Packing slips of many shipments as one PDF."""
    return await _slips(session, body.shipment_ids, seller_id, config)


def _pick_read(pick: PickList) -> PickListRead:
    return PickListRead(
        warehouse_id=pick.warehouse_id,
        warehouse_name=pick.warehouse_name,
        due_by=pick.pick_date,
        order_count=pick.order_count,
        unit_count=pick.unit_count,
        rows=[
            PickRowRead(
                location=row.location,
                sku=row.sku,
                title=row.title,
                quantity=row.quantity,
                orders=[
                    PickOrderRead(seller_order_number=o.seller_order_number, quantity=o.quantity)
                    for o in row.orders
                ],
            )
            for row in pick.rows
        ],
    )


_PICK = "/api/v1/sellers/{seller_id}/warehouses/{warehouse_id}/pick-list"


@router.get(_PICK, response_model=PickListRead)
async def seller_pick_list(
    seller_id: Id,
    warehouse_id: Id,
    principal: SellerScoped,
    session: Session,
    now: Now,
    due_by: DueBy = None,
) -> PickListRead:
    """What to pick in one of the seller's warehouses for orders due by a date, by SKU."""
    pick = await printing.pick_list(
        session, warehouse_id=warehouse_id, owner_seller_id=seller_id, due_by=due_by or now.date()
    )
    return _pick_read(pick)


@router.get(f"{_PICK}.pdf", response_class=Response, responses=PDF)
async def seller_pick_list_pdf(
    seller_id: Id,
    warehouse_id: Id,
    principal: SellerScoped,
    session: Session,
    now: Now,
    due_by: DueBy = None,
) -> Response:
    """The same pick list, printable, with a checkbox per row."""
    pick = await printing.pick_list(
        session, warehouse_id=warehouse_id, owner_seller_id=seller_id, due_by=due_by or now.date()
    )
    return _pdf(await run_in_threadpool(render_pick_list, pick), f"pick-list-{pick.pick_date}")


_ADMIN_PICK = "/api/v1/admin/warehouses/{warehouse_id}/pick-list"


@router.get(_ADMIN_PICK, response_model=PickListRead)
async def marketplace_pick_list(
    warehouse_id: Id, principal: OperatorPrincipal, session: Session, now: Now, due_by: DueBy = None
) -> PickListRead:
    """Pick list of a marketplace warehouse, across every seller it fulfils for."""
    pick = await printing.pick_list(
        session, warehouse_id=warehouse_id, owner_seller_id=None, due_by=due_by or now.date()
    )
    return _pick_read(pick)


@router.get(f"{_ADMIN_PICK}.pdf", response_class=Response, responses=PDF)
async def marketplace_pick_list_pdf(
    warehouse_id: Id, principal: OperatorPrincipal, session: Session, now: Now, due_by: DueBy = None
) -> Response:
    """The marketplace warehouse's pick list, printable."""
    pick = await printing.pick_list(
        session, warehouse_id=warehouse_id, owner_seller_id=None, due_by=due_by or now.date()
    )
    return _pdf(await run_in_threadpool(render_pick_list, pick), f"pick-list-{pick.pick_date}")


@router.post("/api/v1/admin/labels", response_class=Response, responses=PDF)
async def operator_labels(
    body: ShipmentIds, principal: OperatorPrincipal, session: Session, config: Config
) -> Response:
    """Labels of any sellers' shipments (a marketplace warehouse's print run)."""
    return await _labels(session, body.shipment_ids, None, config)


# --- delivery performance and carriers -----------------------------------------------------

Since = Annotated[date | None, Query(description="Deliveries from this date (default: 30 days).")]


@router.get("/api/v1/sellers/{seller_id}/delivery-performance", response_model=DeliveryPerformance)
async def seller_delivery_performance(
    seller_id: Id, principal: SellerScoped, session: Session, now: Now, since: Since = None
) -> DeliveryPerformance:
    """Promises kept: parcels delivered on or before the date promised at checkout."""
    start = since or (now - timedelta(days=30)).date()
    return await delivery_performance(session, seller_id=seller_id, since=start)


@router.get("/api/v1/admin/delivery-performance", response_model=DeliveryPerformance)
async def marketplace_delivery_performance(
    principal: StaffPrincipal, session: Session, now: Now, since: Since = None
) -> DeliveryPerformance:
    """Promises kept across the marketplace, per carrier."""
    start = since or (now - timedelta(days=30)).date()
    return await delivery_performance(session, seller_id=None, since=start)


@router.get("/api/v1/carriers", response_model=list[CarrierRead])
async def list_carriers(config: Config) -> list[CarrierRead]:
    """The carriers this marketplace ships with, and the service levels each serves."""
    return [CarrierRead(code=c.code, name=c.name) for c in config.carriers.values()]
