"""3PL connections: a warehouse run by a third-party logistics provider, and its requests.

The warehouse's owner (a seller for its own 3PL warehouse, the operator for the
marketplace's) connects it: a `webhook` 3PL receives signed pick/pack requests and reports
back; a `sandbox` 3PL is a simulation that ships by itself (see `threepl_push`). When a
SellerOrder is verified, every connected warehouse holding its stock gets one request,
written in the verifying transaction (`on_seller_orders_verified`), so a paid order can
never miss its 3PL and a redelivered event never doubles it.

The secret signs both directions: Pasar's requests (`Pasar-Signature` under the secret)
and the 3PL's reports. It is random, shown once when issued, and never read back.

Request statuses:

    pending ─▶ sent ─▶ shipped ─▶ delivered
       │         │
       └─────────┴─▶ failed ─(retry)─▶ pending
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import inventory, orders
from pasar.fulfillment import shipments
from pasar.fulfillment.carriers.base import Proof, TrackingUpdate
from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.domain import TrackingStatus
from pasar.fulfillment.errors import NothingToShip, ShipmentNotFound
from pasar.fulfillment.models import Shipment, ThreePLConnection, ThreePLRequest
from pasar.fulfillment.threepl_schemas import (
    DeliveredReport,
    ReportLine,
    ReportResult,
    ShippedReport,
    ThreePLConnectionPut,
    TrackingReport,
)
from pasar.fulfillment.tracking import record_tracking
from pasar.platform.errors import Conflict, InvalidInput, NotFound
from pasar.platform.pagination import Page, decode_id_cursor, encode_cursor
from pasar.platform.signing import HEADER, BadSignature, verify
from pasar.platform.time import utcnow

PENDING, SENT, SHIPPED, DELIVERED, FAILED = "pending", "sent", "shipped", "delivered", "failed"
#: Requests a 3PL still owes work on; a disconnection fails them.
OPEN = (PENDING, SENT)
#: SellerOrder states in which a 3PL may still pick, pack and ship.
SHIPPABLE = frozenset({orders.Status.VERIFIED, orders.Status.PROCESSING})
#: last_error's column width.
ERROR_MAX = 500


class ThreePLNotConnected(NotFound):
    code = "threepl-not-connected"
    title = "This warehouse has no 3PL connection"


class ThreePLRequestNotFound(NotFound):
    code = "threepl-request-not-found"
    title = "3PL request not found"


class NotAThirdPartyWarehouse(Conflict):
    code = "warehouse-not-3pl"
    title = "Only a warehouse run by a 3PL can be connected to one"


class RequestNotRetryable(Conflict):
    code = "threepl-request-not-retryable"
    title = "Only a failed 3PL request can be retried"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def report_url(config: FulfillmentConfig, connection_id: int) -> str:
    return f"{config.public_url}/api/v1/3pl/{connection_id}/reports"


def acting_as(connection: ThreePLConnection) -> orders.Caller:
    """A 3PL works for the warehouse's owner: the seller, or the marketplace (operator)."""
    actor = orders.Actor.SELLER if connection.seller_id is not None else orders.Actor.OPERATOR
    return orders.Caller(actor, f"3pl:{connection.id}")


# --- pure rules ------------------------------------------------------------------------------


def lines_held_in(
    order: orders.FulfilmentOrder, warehouse_id: int
) -> list[tuple[orders.FulfilmentLine, int]]:
    """The order's lines with the units of each held in this warehouse (stock is held per
    offer; lines of one offer share its units in line order)."""
    left: Counter[int] = Counter()
    for held in order.held:
        if held.warehouse_id == warehouse_id:
            left[held.offer_id] += held.quantity
    chosen = []
    for line in order.lines:
        quantity = min(line.quantity, left[line.offer_id])
        if quantity > 0:
            chosen.append((line, quantity))
            left[line.offer_id] -= quantity
    return chosen


def request_payload(order: orders.FulfilmentOrder, warehouse_id: int) -> dict[str, Any] | None:
    """What a 3PL needs to pick, pack and ship its part of a SellerOrder; None if the
    warehouse holds none of it. The buyer's email stays with Pasar."""
    held = lines_held_in(order, warehouse_id)
    if not held:
        return None
    address = {k: v for k, v in order.address.items() if k not in ("email",)}
    return {
        "seller_order_id": order.id,
        "seller_order_number": order.number,
        "order_number": order.order_number,
        "seller": {"id": order.seller_id, "name": order.seller_name},
        "warehouse_id": warehouse_id,
        "ship_to": {**address, "phone": order.phone},
        "lines": [
            {
                "order_line_id": line.order_line_id,
                "sku": line.sku,
                "title": line.title,
                "quantity": quantity,
            }
            for line, quantity in held
        ],
        "delivery_service": order.delivery_service,
        "carrier": order.planned_carrier,
        "ship_by": order.ship_by.isoformat(),
        "promised_date": order.promised_date.isoformat(),
    }


def clip(message: str) -> str:
    return message if len(message) <= ERROR_MAX else message[: ERROR_MAX - 1] + "…"


# --- connections -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connected:
    connection: ThreePLConnection
    #: The secret, when this call issued one (a new connection or a reconnection).
    secret: str | None
    created: bool


async def _connection_row(
    session: AsyncSession, warehouse_id: int, *, lock: bool = False
) -> ThreePLConnection | None:
    query = select(ThreePLConnection).where(ThreePLConnection.warehouse_id == warehouse_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query.execution_options(populate_existing=True))


async def connect(
    session: AsyncSession,
    *,
    seller_id: int | None,
    warehouse_id: int,
    data: ThreePLConnectionPut,
    now: datetime,
) -> Connected:
    """Create or change the warehouse's connection. Creating (or reconnecting after a
    disconnection) issues a new secret; changing settings keeps the current one."""
    warehouse = await inventory.get_warehouse(
        session, seller_id=seller_id, warehouse_id=warehouse_id
    )
    if warehouse.owner_kind != inventory.OwnerKind.THIRD_PARTY.value:
        raise NotAThirdPartyWarehouse(
            f"Warehouse {warehouse.code} is run by its {warehouse.owner_kind}; mark it as run by "
            "a 3PL (owner_kind 3pl) first.",
            field="warehouse_id",
        )
    name = data.name or warehouse.operator_name or warehouse.name
    settings = {
        "kind": data.kind,
        "name": name,
        "endpoint_url": data.endpoint_url,
        "fulfil_after_minutes": data.fulfil_after_minutes,
    }
    row = await _connection_row(session, warehouse_id, lock=True)
    secret: str | None = None
    created = row is None
    if row is None:
        secret = new_secret()
        row = ThreePLConnection(
            warehouse_id=warehouse_id,
            seller_id=seller_id,
            secret=secret,
            is_active=True,
            created_at=now,
            updated_at=now,
            **settings,
        )
        session.add(row)
    else:
        if not row.is_active:
            secret = new_secret()
            row.secret = secret
            row.is_active = True
            created = True
        for key, value in settings.items():
            setattr(row, key, value)
        row.updated_at = now
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"Warehouse {warehouse_id} was connected by another request at the same moment; "
            "read the connection, or rotate its secret to get one."
        ) from None
    return Connected(row, secret, created)


async def connection_of(
    session: AsyncSession, *, seller_id: int | None, warehouse_id: int
) -> ThreePLConnection:
    await inventory.get_warehouse(session, seller_id=seller_id, warehouse_id=warehouse_id)
    row = await _connection_row(session, warehouse_id)
    if row is None or not row.is_active:
        raise ThreePLNotConnected(f"Warehouse {warehouse_id} is not connected to a 3PL.")
    return row


async def rotate_secret(
    session: AsyncSession, *, seller_id: int | None, warehouse_id: int, now: datetime
) -> Connected:
    """A new secret at once; the old one stops signing and verifying immediately."""
    await inventory.get_warehouse(session, seller_id=seller_id, warehouse_id=warehouse_id)
    row = await _connection_row(session, warehouse_id, lock=True)
    if row is None or not row.is_active:
        raise ThreePLNotConnected(f"Warehouse {warehouse_id} is not connected to a 3PL.")
    secret = new_secret()
    row.secret = secret
    row.updated_at = now
    await session.commit()
    return Connected(row, secret, False)


async def disconnect(
    session: AsyncSession, *, seller_id: int | None, warehouse_id: int, now: datetime
) -> tuple[ThreePLConnection, int]:
    """Stop sending to (and hearing from) the 3PL; its open requests fail, saying why.

    The connection row stays (inactive) so its requests keep their history; connecting
    again reactivates it with a new secret. Returns it and how many requests failed.
    """
    await inventory.get_warehouse(session, seller_id=seller_id, warehouse_id=warehouse_id)
    row = await _connection_row(session, warehouse_id, lock=True)
    if row is None or not row.is_active:
        raise ThreePLNotConnected(f"Warehouse {warehouse_id} is not connected to a 3PL.")
    row.is_active = False
    row.updated_at = now
    failed = 0
    for status, reason in (
        (PENDING, f"3PL {row.name} was disconnected before this request was sent."),
        (
            SENT,
            f"3PL {row.name} was disconnected after it received this request and before it "
            "reported shipping; check with the 3PL, or ship it yourself.",
        ),
    ):
        result = await session.execute(
            update(ThreePLRequest)
            .where(ThreePLRequest.connection_id == row.id, ThreePLRequest.status == status)
            .values(status=FAILED, last_error=clip(reason), updated_at=now)
            .execution_options(synchronize_session=False)
        )
        failed += result.rowcount  # type: ignore[attr-defined]
    await session.commit()
    return row, failed


# --- routing: verified SellerOrders become requests -----------------------------------------


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def on_seller_orders_verified(
    session: AsyncSession, payloads: Sequence[Mapping[str, Any]]
) -> None:
    """One request per (connection, SellerOrder) holding stock in a connected warehouse.

    Runs in the verifying transaction. Without any connection for these sellers it costs
    one statement; with one, four for any number of SellerOrders. Redelivery is a no-op.
    """
    if not payloads:
        return
    seller_ids = sorted({int(p["seller_id"]) for p in payloads})
    links = (
        await session.execute(
            select(
                ThreePLConnection.id, ThreePLConnection.warehouse_id, ThreePLConnection.seller_id
            )
            .where(
                ThreePLConnection.is_active.is_(True),
                or_(
                    ThreePLConnection.seller_id.in_(seller_ids),
                    ThreePLConnection.seller_id.is_(None),
                ),
            )
            .order_by(ThreePLConnection.id)
        )
    ).all()
    if not links:
        return
    ids = sorted({int(p["seller_order_id"]) for p in payloads})
    found = await orders.fulfilment_orders(
        session, ids=ids, statuses=[orders.Status.VERIFIED], limit=len(ids)
    )
    now = utcnow()
    rows = []
    for order in found:
        for link in links:
            if link.seller_id is not None and link.seller_id != order.seller_id:
                continue
            payload = request_payload(order, link.warehouse_id)
            if payload is None:
                continue
            rows.append(
                {
                    "connection_id": link.id,
                    "seller_order_id": order.id,
                    "seller_order_number": order.number,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": None,
                    "payload": payload,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if rows:
        statement = (
            _insert(session)(ThreePLRequest)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["connection_id", "seller_order_id"])
        )
        await session.execute(statement)


SUBSCRIPTIONS = {"seller_order.verified": on_seller_orders_verified}


# --- requests: the owner's and the operator's view ------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestView:
    request: ThreePLRequest
    warehouse_id: int


def _requests(seller_id: int | None) -> Select[ThreePLRequest, int]:
    query = select(ThreePLRequest, ThreePLConnection.warehouse_id).join(
        ThreePLConnection, ThreePLConnection.id == ThreePLRequest.connection_id
    )
    if seller_id is not None:
        query = query.where(ThreePLConnection.seller_id == seller_id)
    return query


async def list_requests(
    session: AsyncSession,
    *,
    seller_id: int | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> Page[RequestView]:
    """Newest first, keyset-paginated by id. `seller_id` None: every connection's."""
    query = _requests(seller_id).order_by(ThreePLRequest.id.desc())
    if status is not None:
        query = query.where(ThreePLRequest.status == status)
    after = decode_id_cursor(cursor)
    if after is not None:
        query = query.where(ThreePLRequest.id < after)
    rows = (await session.execute(query.limit(limit + 1))).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[RequestView(r[0], r[1]) for r in rows],
        next_cursor=encode_cursor([rows[-1][0].id]) if more and rows else None,
    )


async def read_request(
    session: AsyncSession, request_id: int, *, seller_id: int | None
) -> RequestView:
    row = (
        await session.execute(
            _requests(seller_id)
            .where(ThreePLRequest.id == request_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if row is None:
        raise ThreePLRequestNotFound(f"3PL request {request_id} does not exist.")
    return RequestView(row[0], row[1])


async def retry_request(
    session: AsyncSession, request_id: int, *, seller_id: int | None, now: datetime
) -> RequestView:
    """Queue a failed request again, with a fresh attempt budget, to be sent at once."""
    view = await read_request(session, request_id, seller_id=seller_id)
    active = await session.scalar(
        select(ThreePLConnection.is_active).where(
            ThreePLConnection.id == view.request.connection_id
        )
    )
    if view.request.status != FAILED:
        raise RequestNotRetryable(
            f"3PL request {request_id} is {view.request.status}; only failed ones are retried."
        )
    if not active:
        raise RequestNotRetryable(
            f"3PL request {request_id}'s warehouse is no longer connected; connect it again first."
        )
    await session.execute(
        update(ThreePLRequest)
        .where(ThreePLRequest.id == request_id, ThreePLRequest.status == FAILED)
        .values(status=PENDING, attempts=0, next_attempt_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return await read_request(session, request_id, seller_id=seller_id)


# --- shipping on a 3PL's behalf ------------------------------------------------------------


async def ship_for_3pl(
    session: AsyncSession,
    *,
    connection: ThreePLConnection,
    request: ThreePLRequest,
    packages: Sequence[shipments.PackageSpec],
    lines: Sequence[shipments.LineSpec] | None,
    carrier: str,
    service: str | None,
    tracking_number: str | None,
    now: datetime,
    config: FulfillmentConfig,
) -> int:
    """Pack the request's lines (what is left of them, by default) into a shipment from the
    3PL's warehouse and hand it to the carrier; the SellerOrder ships once all of it has.

    With a `tracking_number` the label is the 3PL's own; without, one is bought.
    """
    if carrier not in config.carriers:
        known = ", ".join(sorted(config.carriers.codes()))
        raise InvalidInput(f"No carrier {carrier!r}; known: {known}.", field="carrier")
    caller = acting_as(connection)
    if tracking_number is not None:
        duplicate = (
            await session.execute(
                select(Shipment.id, Shipment.seller_order_id).where(
                    Shipment.tracking_number == tracking_number
                )
            )
        ).first()
        if duplicate is not None and duplicate.seller_order_id == request.seller_order_id:
            # The 3PL re-sent its report under a new id: the parcel is the one we know.
            await shipments.hand_over(
                session, [duplicate.id], seller_id=None, caller=caller, now=now
            )
            return int(duplicate.id)
        if duplicate is not None:
            raise Conflict(
                f"Tracking number {tracking_number} is already used by another shipment.",
                field="tracking_number",
            )
    if lines is None:
        already = await shipments.shipped_quantities(session, [request.seller_order_id])
        lines = []
        for line in request.payload["lines"]:
            line_id = int(line["order_line_id"])
            left = int(line["quantity"]) - already.get(line_id, 0)
            if left > 0:
                lines.append(shipments.LineSpec(line_id, left))
        if not lines:
            raise NothingToShip(
                f"Everything in {request.seller_order_number} is already in a shipment."
            )
    shipment_id = await shipments.create_shipment(
        session,
        seller_order_id=request.seller_order_id,
        seller_id=None,
        packages=packages,
        lines=lines,
        carrier=carrier,
        service=service,
        warehouse_id=connection.warehouse_id,
        caller=caller,
        now=now,
        config=config,
        tracking_number=tracking_number,
    )
    await shipments.hand_over(session, [shipment_id], seller_id=None, caller=caller, now=now)
    return shipment_id


# --- reports from the 3PL ------------------------------------------------------------------


async def authenticate(
    session: AsyncSession, connection_id: int, body: bytes, header: str | None
) -> ThreePLConnection:
    """The connection whose secret signed `body` recently; BadSignature (401) otherwise.

    An unknown or disconnected connection answers exactly like a bad signature.
    """
    row = await session.get(ThreePLConnection, connection_id, populate_existing=True)
    if row is None or not row.is_active:
        raise BadSignature("No active 3PL connection has this id.", field=HEADER)
    verify(row.secret.encode(), body, header)
    return row


async def _routed_request(
    session: AsyncSession, connection: ThreePLConnection, number: str
) -> ThreePLRequest:
    """The request this 3PL received for the SellerOrder, locked; any other is not found."""
    row = await session.scalar(
        select(ThreePLRequest)
        .where(
            ThreePLRequest.connection_id == connection.id,
            ThreePLRequest.seller_order_number == number.strip().upper(),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise ThreePLRequestNotFound(f"No seller order {number} was sent to this 3PL.")
    return row


async def _parcel_of(session: AsyncSession, request: ThreePLRequest, tracking: str) -> Shipment:
    row = await session.scalar(
        select(Shipment).where(
            Shipment.tracking_number == tracking,
            Shipment.seller_order_id == request.seller_order_id,
            Shipment.warehouse_id == request.payload["warehouse_id"],
        )
    )
    if row is None:
        raise ShipmentNotFound(
            f"No shipment of {request.seller_order_number} from this 3PL has tracking number "
            f"{tracking}; report it shipped first.",
            field="tracking_number",
        )
    return row


def _line_specs(request: ThreePLRequest, lines: Sequence[ReportLine]) -> list[shipments.LineSpec]:
    """Report lines named by order line id or SKU, as lines of this request."""
    by_sku = {str(li["sku"]): int(li["order_line_id"]) for li in request.payload["lines"]}
    known = set(by_sku.values())
    specs = []
    for index, line in enumerate(lines):
        line_id = (
            line.order_line_id if line.order_line_id is not None else by_sku.get(line.sku or "")
        )
        if line_id is None or line_id not in known:
            raise InvalidInput(
                f"Line {line.order_line_id or line.sku} is not part of this request.",
                field=f"lines.{index}",
            )
        specs.append(shipments.LineSpec(line_id, line.quantity))
    return specs


def _update(shipment: Shipment, **fields: Any) -> TrackingUpdate:
    return TrackingUpdate(
        carrier=shipment.carrier, tracking_number=shipment.tracking_number, **fields
    )


async def apply_report(
    session: AsyncSession,
    *,
    connection: ThreePLConnection,
    report: ShippedReport | TrackingReport | DeliveredReport,
    now: datetime,
    config: FulfillmentConfig,
) -> ReportResult:
    """Apply a verified report in the caller's transaction (the router commits it once per
    `report_id`). The SellerOrder must be one this 3PL was asked to fulfil."""
    request = await _routed_request(session, connection, report.seller_order_number)
    source = f"3pl:{connection.id}"
    shipment_id: int | None = None
    tracking: str | None = None
    recorded = 0
    if isinstance(report, ShippedReport):
        shipment_id = await ship_for_3pl(
            session,
            connection=connection,
            request=request,
            packages=[shipments.PackageSpec(**p.model_dump()) for p in report.packages],
            lines=_line_specs(request, report.lines) if report.lines else None,
            carrier=report.carrier,
            service=report.service,
            tracking_number=report.tracking_number,
            now=now,
            config=config,
        )
        tracking = report.tracking_number
        if request.status in (PENDING, SENT, FAILED):
            request.status = SHIPPED
    else:
        parcel = await _parcel_of(session, request, report.tracking_number)
        shipment_id, tracking = parcel.id, parcel.tracking_number
        if isinstance(report, TrackingReport):
            updates = [
                _update(
                    parcel,
                    event_id=f"{source}:{e.event_id}",
                    code=e.code,
                    status=e.status,
                    description=e.description,
                    location=e.location,
                    occurred_at=e.occurred_at,
                    raw=e.model_dump(mode="json"),
                )
                for e in report.events
            ]
        else:
            proof = (
                report.proof.model_dump(mode="json", exclude_none=True) if report.proof else None
            )
            updates = [
                _update(
                    parcel,
                    event_id=f"{source}:{report.report_id}",
                    code="DELIVERED",
                    status=TrackingStatus.DELIVERED,
                    description=f"Delivered (reported by {connection.name})",
                    location=report.location,
                    occurred_at=report.delivered_at,
                    raw=report.model_dump(mode="json"),
                    proof=cast(Proof, proof),
                )
            ]
        result = await record_tracking(
            session, updates, now=now, config=config, source=source, carrier=parcel.carrier
        )
        recorded = result.accepted
        if any(u.status is TrackingStatus.DELIVERED for u in updates):
            request.status = DELIVERED
    request.updated_at = now
    seller_order_id, request_status = request.seller_order_id, request.status
    await session.flush()
    # The transitions above update SellerOrders in bulk; read their status afresh.
    session.expire_all()
    found = await orders.fulfilment_orders(session, ids=[seller_order_id])
    return ReportResult(
        report_id=report.report_id,
        seller_order_id=seller_order_id,
        request_status=cast(Any, request_status),
        seller_order_status=found[0].status.value if found else "unknown",
        shipment_id=shipment_id,
        tracking_number=tracking,
        events_recorded=recorded,
    )
