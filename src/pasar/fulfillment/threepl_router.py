"""3PL connections over HTTP: owners connect warehouses, 3PLs report back, everyone watches.

A seller manages the 3PL of its own 3PL-run warehouses under `/sellers/{seller_id}/...`;
the operator manages the marketplace's under `/admin/...`. A 3PL's reports carry no
bearer token: they are authenticated by `Pasar-Signature` under the connection's secret,
checked over the raw body before anything in it is read.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response, status
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.fulfillment import threepl
from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.deps import Config, Now
from pasar.fulfillment.models import ThreePLConnection
from pasar.fulfillment.threepl_schemas import (
    ReportResult,
    RequestStatus,
    ThreePLConnectionPut,
    ThreePLConnectionRead,
    ThreePLReport,
    ThreePLRequestRead,
)
from pasar.identity import OperatorPrincipal, SellerScoped, StaffPrincipal
from pasar.platform.bodies import read_body
from pasar.platform.db import Session
from pasar.platform.errors import InvalidInput
from pasar.platform.idempotency import run_idempotent
from pasar.platform.pagination import Cursor, Limit, Page
from pasar.platform.signing import HEADER
from pasar.platform.types import Id

#: A report is one SellerOrder's news; a megabyte is far more than any needs.
MAX_REPORT_BYTES = 1_000_000

router = APIRouter(tags=["fulfillment: 3PL"])

StatusFilter = Annotated[RequestStatus | None, Query(description="Only requests in this status.")]
SELLER_3PL = "/api/v1/sellers/{seller_id}/warehouses/{warehouse_id}/3pl"
ADMIN_3PL = "/api/v1/admin/warehouses/{warehouse_id}/3pl"
REPORTS = TypeAdapter[Any](ThreePLReport)


def _read(
    row: ThreePLConnection, config: FulfillmentConfig, *, secret: str | None = None
) -> ThreePLConnectionRead:
    return ThreePLConnectionRead(
        id=row.id,
        warehouse_id=row.warehouse_id,
        seller_id=row.seller_id,
        kind=row.kind,
        name=row.name,
        endpoint_url=row.endpoint_url,
        fulfil_after_minutes=row.fulfil_after_minutes,
        report_url=threepl.report_url(config, row.id),
        created_at=row.created_at,
        updated_at=row.updated_at,
        secret=secret,
    )


def _request_read(view: threepl.RequestView) -> ThreePLRequestRead:
    r = view.request
    return ThreePLRequestRead(
        id=r.id,
        connection_id=r.connection_id,
        warehouse_id=view.warehouse_id,
        seller_order_id=r.seller_order_id,
        seller_order_number=r.seller_order_number,
        status=r.status,
        attempts=r.attempts,
        next_attempt_at=r.next_attempt_at,
        last_error=r.last_error,
        payload=r.payload,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


class Disconnected(ThreePLConnectionRead):
    failed_requests: int


# --- connections (shared by the seller and the admin routes) -------------------------------


async def _put(
    session: AsyncSession,
    seller_id: int | None,
    warehouse_id: int,
    body: ThreePLConnectionPut,
    response: Response,
    config: FulfillmentConfig,
    now: Any,
) -> ThreePLConnectionRead:
    done = await threepl.connect(
        session, seller_id=seller_id, warehouse_id=warehouse_id, data=body, now=now
    )
    if done.created:
        response.status_code = status.HTTP_201_CREATED
    return _read(done.connection, config, secret=done.secret)


PUT_DOC = """Connect the warehouse to its 3PL, or change how it is reached.

Only a warehouse run by a 3PL (`owner_kind` `3pl`) can be connected. Connecting (201)
answers the connection's `secret`, once: Pasar signs the requests it posts with it
(`Pasar-Signature`), and the 3PL signs its reports to `report_url` with it. Changing an
existing connection (200) keeps the secret and does not show it.
"""


@router.put(SELLER_3PL, response_model=ThreePLConnectionRead, description=PUT_DOC)
async def seller_connect(
    seller_id: Id,
    warehouse_id: Id,
    body: ThreePLConnectionPut,
    principal: SellerScoped,
    session: Session,
    response: Response,
    config: Config,
    now: Now,
) -> ThreePLConnectionRead:
    return await _put(session, seller_id, warehouse_id, body, response, config, now)


@router.get(SELLER_3PL, response_model=ThreePLConnectionRead)
async def seller_connection(
    seller_id: Id, warehouse_id: Id, principal: SellerScoped, session: Session, config: Config
) -> ThreePLConnectionRead:
    """The warehouse's 3PL connection (never its secret)."""
    row = await threepl.connection_of(session, seller_id=seller_id, warehouse_id=warehouse_id)
    return _read(row, config)


@router.delete(SELLER_3PL, response_model=Disconnected)
async def seller_disconnect(
    seller_id: Id,
    warehouse_id: Id,
    principal: SellerScoped,
    session: Session,
    config: Config,
    now: Now,
) -> Disconnected:
    """Disconnect: nothing more is sent, reports are refused, open requests fail."""
    return await _disconnect(session, seller_id, warehouse_id, config, now)


@router.post(f"{SELLER_3PL}/rotate-secret", response_model=ThreePLConnectionRead)
async def seller_rotate_secret(
    seller_id: Id,
    warehouse_id: Id,
    principal: SellerScoped,
    session: Session,
    config: Config,
    now: Now,
) -> ThreePLConnectionRead:
    """A new secret, shown once; the old one stops working at once."""
    done = await threepl.rotate_secret(
        session, seller_id=seller_id, warehouse_id=warehouse_id, now=now
    )
    return _read(done.connection, config, secret=done.secret)


async def _disconnect(
    session: AsyncSession,
    seller_id: int | None,
    warehouse_id: int,
    config: FulfillmentConfig,
    now: Any,
) -> Disconnected:
    row, failed = await threepl.disconnect(
        session, seller_id=seller_id, warehouse_id=warehouse_id, now=now
    )
    return Disconnected(**_read(row, config).model_dump(), failed_requests=failed)


@router.put(ADMIN_3PL, response_model=ThreePLConnectionRead, description=PUT_DOC)
async def admin_connect(
    warehouse_id: Id,
    body: ThreePLConnectionPut,
    principal: OperatorPrincipal,
    session: Session,
    response: Response,
    config: Config,
    now: Now,
) -> ThreePLConnectionRead:
    return await _put(session, None, warehouse_id, body, response, config, now)


@router.get(ADMIN_3PL, response_model=ThreePLConnectionRead)
async def admin_connection(
    warehouse_id: Id, principal: StaffPrincipal, session: Session, config: Config
) -> ThreePLConnectionRead:
    """A marketplace warehouse's 3PL connection (never its secret)."""
    row = await threepl.connection_of(session, seller_id=None, warehouse_id=warehouse_id)
    return _read(row, config)


@router.delete(ADMIN_3PL, response_model=Disconnected)
async def admin_disconnect(
    warehouse_id: Id, principal: OperatorPrincipal, session: Session, config: Config, now: Now
) -> Disconnected:
    """Disconnect a marketplace warehouse's 3PL; its open requests fail."""
    return await _disconnect(session, None, warehouse_id, config, now)


@router.post(f"{ADMIN_3PL}/rotate-secret", response_model=ThreePLConnectionRead)
async def admin_rotate_secret(
    warehouse_id: Id, principal: OperatorPrincipal, session: Session, config: Config, now: Now
) -> ThreePLConnectionRead:
    """A new secret for a marketplace warehouse's 3PL, shown once."""
    done = await threepl.rotate_secret(session, seller_id=None, warehouse_id=warehouse_id, now=now)
    return _read(done.connection, config, secret=done.secret)


# --- requests --------------------------------------------------------------------------------


@router.get("/api/v1/sellers/{seller_id}/3pl-requests", response_model=Page[ThreePLRequestRead])
async def seller_requests(
    seller_id: Id,
    principal: SellerScoped,
    session: Session,
    status: StatusFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ThreePLRequestRead]:
    """Pick/pack requests sent to the 3PLs of the seller's warehouses, newest first."""
    page = await threepl.list_requests(
        session, seller_id=seller_id, status=status, limit=limit, cursor=cursor
    )
    return Page(items=[_request_read(v) for v in page.items], next_cursor=page.next_cursor)


@router.post(
    "/api/v1/sellers/{seller_id}/3pl-requests/{request_id}/retry",
    response_model=ThreePLRequestRead,
)
async def seller_retry(
    seller_id: Id, request_id: Id, principal: SellerScoped, session: Session, now: Now
) -> ThreePLRequestRead:
    """Send a failed request again, with a fresh set of attempts."""
    view = await threepl.retry_request(session, request_id, seller_id=seller_id, now=now)
    return _request_read(view)


@router.get("/api/v1/admin/3pl-requests", response_model=Page[ThreePLRequestRead])
async def all_requests(
    principal: StaffPrincipal,
    session: Session,
    status: StatusFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[ThreePLRequestRead]:
    """Every 3PL request, newest first; `status=failed` is the list that needs a human."""
    page = await threepl.list_requests(
        session, seller_id=None, status=status, limit=limit, cursor=cursor
    )
    return Page(items=[_request_read(v) for v in page.items], next_cursor=page.next_cursor)


@router.post("/api/v1/admin/3pl-requests/{request_id}/retry", response_model=ThreePLRequestRead)
async def admin_retry(
    request_id: Id, principal: OperatorPrincipal, session: Session, now: Now
) -> ThreePLRequestRead:
    """Send any failed request again, with a fresh set of attempts."""
    view = await threepl.retry_request(session, request_id, seller_id=None, now=now)
    return _request_read(view)


# --- reports from 3PLs -----------------------------------------------------------------------


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its `$defs` written in place: a `#/$defs/...` reference would be
    read against the whole OpenAPI document, where those names do not exist."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.removeprefix("#/$defs/")]))
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


#: The body is read raw (its signature is checked before parsing), so its schema is
#: declared here for the OpenAPI document.
REPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inlined(REPORTS.json_schema())}},
    }
}


@router.post(
    "/api/v1/3pl/{connection_id}/reports",
    response_model=ReportResult,
    openapi_extra=REPORT_BODY,
)
async def report(
    connection_id: Id, request: Request, session: Session, config: Config, now: Now
) -> Any:
    """A 3PL reports on a request it received: `shipped`, `tracking` or `delivered`.

    Signed like every Pasar webhook, with the connection's secret: `Pasar-Signature:
    t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`; unsigned, stale or foreign reports
    are refused (401). `report_id` makes retries safe: the same report again changes
    nothing and answers what the first one did. A SellerOrder not requested from this
    3PL is not found (404).
    """
    body = await read_body(request, limit=MAX_REPORT_BYTES)
    connection = await threepl.authenticate(
        session, connection_id, body, request.headers.get(HEADER)
    )
    try:
        parsed = REPORTS.validate_python(orjson.loads(body))
    except orjson.JSONDecodeError:
        raise InvalidInput("The report is not JSON.") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise InvalidInput(f"Not a 3PL report: {first['msg']}.", field=field) from None

    async def work() -> dict[str, Any]:
        result = await threepl.apply_report(
            session, connection=connection, report=parsed, now=now, config=config
        )
        return result.model_dump(mode="json")

    return await run_idempotent(
        session,
        scope=f"3pl-report:{connection.id}",
        key=parsed.report_id,
        request=parsed.model_dump(mode="json"),
        work=work,
    )
