"""The seller portal's 3PL page: connect a 3PL-run warehouse to its logistics company.

For a warehouse the seller added as run by a 3PL (`owner_kind` `3pl`), the same calls as
`PUT/GET/DELETE /api/v1/sellers/{id}/warehouses/{id}/3pl` and its `rotate-secret`:
`fulfillment` decides what may be connected and keeps the secret. The secret appears
once, in the answer to the form that issued it (never in a redirect or the cookie).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from pasar import fulfillment, inventory
from pasar.identity import Principal
from pasar.platform.db import Session
from pasar.platform.errors import DomainError, NotFound
from pasar.platform.time import utcnow
from pasar.platform.types import Id
from pasar.web.auth import PortalRoute
from pasar.web.forms import field_errors, text
from pasar.web.i18n import N_
from pasar.web.seller import Staff, _config, _portal, _redirect, _seller, _web
from pasar.web.templating import translate

#: Included by `seller_catalog` under its `/seller` prefix.
router = APIRouter(include_in_schema=False, route_class=PortalRoute)

FIELDS = ("kind", "name", "endpoint_url", "fulfil_after_minutes")
KIND_LABELS = {
    "webhook": N_("Webhook: Pasar posts signed requests to the 3PL's address"),
    "sandbox": N_("Sandbox: a simulated 3PL, for trying things out"),
}


def _path(warehouse_id: int) -> str:
    return f"/seller/settings/warehouses/{warehouse_id}/3pl"


async def _page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    warehouse_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    secret: str | None = None,
    status_code: int = 200,
) -> Response:
    seller_id = _seller(principal)
    warehouse = await inventory.get_warehouse(
        session, seller_id=seller_id, warehouse_id=warehouse_id
    )
    connection: Any = None
    try:
        connection = await fulfillment.threepl_connection(
            session, seller_id=seller_id, warehouse_id=warehouse_id
        )
    except NotFound:  # not connected (the warehouse itself was found above)
        connection = None
    if values is None:
        values = {"kind": "webhook", "fulfil_after_minutes": "30"}
        if connection is not None:
            values = {
                "kind": connection.kind,
                "name": connection.name or "",
                "endpoint_url": connection.endpoint_url or "",
                "fulfil_after_minutes": str(connection.fulfil_after_minutes),
            }
    return _portal(
        request,
        "seller/threepl.html",
        status_code=status_code,
        warehouse=warehouse,
        connection=connection,
        report_url=(
            fulfillment.threepl_report_url(_config(request), connection.id) if connection else None
        ),
        errors=errors or {},
        values=values,
        secret=secret,
        kind_labels=KIND_LABELS,
    )


@router.get("/settings/warehouses/{warehouse_id}/3pl")
async def threepl(
    warehouse_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    return await _page(request, session, principal, warehouse_id)


@router.post("/settings/warehouses/{warehouse_id}/3pl")
async def connect(
    warehouse_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """Connect, or change how the 3PL is reached; a new connection shows its secret once."""
    seller_id = _seller(principal)
    await inventory.get_warehouse(session, seller_id=seller_id, warehouse_id=warehouse_id)
    form = await request.form()
    values = {name: text(form, name) for name in FIELDS}
    try:
        body = fulfillment.ThreePLConnectionPut(**{k: v for k, v in values.items() if v})
        done = await fulfillment.connect_threepl(
            session, seller_id=seller_id, warehouse_id=warehouse_id, data=body, now=utcnow()
        )
    except ValidationError as exc:
        return await _page(
            request,
            session,
            principal,
            warehouse_id,
            errors=field_errors(exc),
            values=values,
            status_code=422,
        )
    except DomainError as exc:
        await session.rollback()
        field = exc.field if exc.field in FIELDS else "form"
        return await _page(
            request,
            session,
            principal,
            warehouse_id,
            errors={field or "form": exc.detail},
            values=values,
            status_code=exc.status,
        )
    if done.secret is not None:
        _web(request).flash(translate(request, N_("The warehouse is connected to its 3PL.")))
        return await _page(request, session, principal, warehouse_id, secret=done.secret)
    _web(request).flash(translate(request, N_("The 3PL connection is saved.")))
    return _redirect(_path(warehouse_id))


@router.post("/settings/warehouses/{warehouse_id}/3pl/rotate-secret")
async def rotate_secret(
    warehouse_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """A new secret, shown once; the old one stops working at once."""
    done = await fulfillment.rotate_threepl_secret(
        session, seller_id=_seller(principal), warehouse_id=warehouse_id, now=utcnow()
    )
    return await _page(request, session, principal, warehouse_id, secret=done.secret)


@router.post("/settings/warehouses/{warehouse_id}/3pl/disconnect")
async def disconnect(
    warehouse_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """Nothing more is sent to the 3PL; its open requests fail (the count is shown)."""
    _, failed = await fulfillment.disconnect_threepl(
        session, seller_id=_seller(principal), warehouse_id=warehouse_id, now=utcnow()
    )
    _web(request).flash(
        translate(
            request,
            N_("The 3PL is disconnected. Open requests marked failed: %(count)s."),
            count=failed,
        )
    )
    return _redirect(_path(warehouse_id))
