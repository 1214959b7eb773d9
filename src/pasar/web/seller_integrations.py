"""The seller portal's integrations: API keys and webhook endpoints with their delivery log.

For a seller's staff, signed in through `/signin`. Every page reads and every form acts
through the public services the JSON API's seller routes call (`identity.list_api_keys`,
`create_api_key`, `revoke_api_key`; `webhooks.create_endpoint`, `update_endpoint`,
`rotate_secret`, `list_deliveries`, `redeliver`, ...), always with the signed-in user's own
`seller_id`: another seller's endpoint is simply not found (the 404 page). Only owners
create and revoke API keys (`identity` decides; the refusal is shown inline).

A secret (a new API key, a webhook endpoint's signing secret) is shown once, in the answer
to the form that made it: that answer is a page, not a redirect, because the session
cookie is signed, not encrypted, and must never carry a secret. Other forms post and
redirect (POST/redirect/GET) with a flash message.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from pasar import identity, webhooks
from pasar.identity import Principal, Role
from pasar.platform.db import Session
from pasar.platform.errors import DomainError, PermissionDenied
from pasar.platform.types import Id
from pasar.web.auth import PortalRoute, require_web_roles
from pasar.web.forms import field_errors, text
from pasar.web.i18n import N_
from pasar.web.seller import _redirect, _seller, _web
from pasar.web.templating import page, translate

router = APIRouter(prefix="/seller", include_in_schema=False, route_class=PortalRoute)

Staff = Annotated[Principal, Depends(require_web_roles(Role.SELLER_STAFF))]
#: Deliveries per page of an endpoint's log.
DELIVERIES_PAGE = 20
#: Endpoints listed (the webhooks module allows at most 20 per seller).
ENDPOINTS_PAGE = 50
DELIVERY_LABELS = {
    "pending": N_("Pending"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
}
ENDPOINT_FIELDS = ("url", "event_types", "description")


def _portal(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """A portal page: never cached (it may carry a secret shown once)."""
    context.setdefault("error", None)
    response = page(request, template, status_code=status_code, status_labels={}, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- API keys ------------------------------------------------------------------------------


async def _keys_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    *,
    issued: Any = None,
    errors: dict[str, str] | None = None,
    name: str = "",
    status_code: int = 200,
) -> Response:
    seller_id = _seller(principal)
    keys = await identity.list_api_keys(session, seller_id=seller_id)
    return _portal(
        request,
        "seller/api_keys.html",
        status_code=status_code,
        keys=list(reversed(keys)),  # newest first
        can_manage=principal.manages(seller_id),
        issued=issued,
        errors=errors or {},
        key_name=name,
    )


@router.get("/api-keys")
async def api_keys(request: Request, session: Session, principal: Staff) -> Response:
    return await _keys_page(request, session, principal)


@router.post("/api-keys")
async def create_api_key(request: Request, session: Session, principal: Staff) -> Response:
    """A new key, shown once in this answer (never again, never in a cookie)."""
    seller_id = _seller(principal)
    form = await request.form()
    name = text(form, "name")[:100]
    if not name:
        return await _keys_page(
            request,
            session,
            principal,
            errors={"name": translate(request, N_("Give the key a name."))},
            status_code=422,
        )
    try:
        issued = await identity.create_api_key(
            session, principal=principal, seller_id=seller_id, name=name
        )
    except DomainError as exc:
        await session.rollback()
        return await _keys_page(
            request,
            session,
            principal,
            errors={"name": exc.detail},
            name=name,
            status_code=exc.status,
        )
    return await _keys_page(request, session, principal, issued=issued)


@router.post("/api-keys/{key_id}/revoke")
async def revoke_api_key(
    key_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    seller_id = _seller(principal)
    try:
        await identity.revoke_api_key(
            session, principal=principal, seller_id=seller_id, key_id=key_id
        )
    except PermissionDenied as exc:
        await session.rollback()
        return await _keys_page(
            request, session, principal, errors={"revoke": exc.detail}, status_code=exc.status
        )
    _web(request).flash(translate(request, N_("The API key is revoked.")))
    return _redirect("/seller/api-keys")


# --- webhook endpoints ---------------------------------------------------------------------


def _master(request: Request) -> str:
    return str(request.app.state.settings.secret)


async def _list_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    seller_id = _seller(principal)
    found = await webhooks.list_endpoints(
        session, seller_id=seller_id, limit=ENDPOINTS_PAGE, cursor=None
    )
    return _portal(
        request,
        "seller/webhooks.html",
        status_code=status_code,
        endpoints=found.items,
        catalogue=webhooks.CATALOGUE,
        errors=errors or {},
        values=values or {"event_types": []},
        idempotency_key=uuid.uuid4().hex,
    )


@router.get("/webhooks")
async def webhook_endpoints(request: Request, session: Session, principal: Staff) -> Response:
    return await _list_page(request, session, principal)


@router.post("/webhooks")
async def register_endpoint(request: Request, session: Session, principal: Staff) -> Response:
    """Register an endpoint; its signing secret is shown once, on the page this answers."""
    seller_id = _seller(principal)
    form = await request.form()
    chosen = [v for v in form.getlist("event_types") if isinstance(v, str)][:100]
    values: dict[str, Any] = {
        "url": text(form, "url")[:500],
        "description": text(form, "description")[:500],
        "event_types": chosen,
    }
    errors: dict[str, str] = {}
    if not chosen:
        errors["event_types"] = translate(request, N_("Choose at least one event."))
    if not values["url"]:
        errors["url"] = translate(request, N_("Enter the address to send events to."))
    body = None
    if not errors:
        try:
            body = webhooks.WebhookEndpointCreate(
                url=values["url"],
                event_types=chosen,
                description=values["description"] or None,
            )
        except ValidationError as exc:
            errors = field_errors(exc)
        except DomainError as exc:
            errors = {exc.field or "form": exc.detail}
    if body is None or errors:
        return await _list_page(
            request, session, principal, errors=errors, values=values, status_code=422
        )
    try:
        created = await webhooks.create_endpoint(
            session,
            seller_id=seller_id,
            body=body,
            master=_master(request),
            idempotency_key=text(form, "idempotency_key")[:64] or None,
            allow_loopback=bool(request.app.state.settings.loopback_endpoints_allowed),
        )
    except DomainError as exc:
        await session.rollback()
        field = exc.field if exc.field in ENDPOINT_FIELDS else "form"
        return await _list_page(
            request,
            session,
            principal,
            errors={field: exc.detail},
            values=values,
            status_code=exc.status,
        )
    return await _endpoint_page(
        request, session, principal, created.id, secret=created.secret, created=True
    )


async def _endpoint_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    endpoint_id: int,
    *,
    secret: str | None = None,
    created: bool = False,
    cursor: str | None = None,
) -> Response:
    seller_id = _seller(principal)
    endpoint = await webhooks.get_endpoint(session, seller_id=seller_id, endpoint_id=endpoint_id)
    log = await webhooks.list_deliveries(
        session,
        seller_id=seller_id,
        endpoint_id=endpoint_id,
        status=None,
        limit=DELIVERIES_PAGE,
        cursor=cursor,
    )
    return _portal(
        request,
        "seller/webhook.html",
        endpoint=endpoint,
        deliveries=log.items,
        next_cursor=log.next_cursor,
        secret=secret,
        created=created,
        delivery_labels=DELIVERY_LABELS,
    )


@router.get("/webhooks/{endpoint_id}")
async def webhook_endpoint(
    endpoint_id: Id,
    request: Request,
    session: Session,
    principal: Staff,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    return await _endpoint_page(request, session, principal, endpoint_id, cursor=cursor or None)


@router.post("/webhooks/{endpoint_id}/rotate-secret")
async def rotate_secret(
    endpoint_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """A new secret, shown once; the old one keeps signing alongside for a day."""
    rotated = await webhooks.rotate_secret(
        session, seller_id=_seller(principal), endpoint_id=endpoint_id, master=_master(request)
    )
    return await _endpoint_page(request, session, principal, endpoint_id, secret=rotated.secret)


@router.post("/webhooks/{endpoint_id}/state")
async def set_state(
    endpoint_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """Enable (pending deliveries go out at once) or disable the endpoint."""
    form = await request.form()
    enabled = text(form, "enabled") == "true"
    await webhooks.update_endpoint(
        session,
        seller_id=_seller(principal),
        endpoint_id=endpoint_id,
        body=webhooks.WebhookEndpointUpdate(enabled=enabled),
    )
    _web(request).flash(
        translate(request, N_("The endpoint is enabled."))
        if enabled
        else translate(request, N_("The endpoint is disabled."))
    )
    return _redirect(f"/seller/webhooks/{endpoint_id}")


@router.post("/webhooks/{endpoint_id}/delete")
async def delete_endpoint(
    endpoint_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    await webhooks.delete_endpoint(session, seller_id=_seller(principal), endpoint_id=endpoint_id)
    _web(request).flash(translate(request, N_("The endpoint is removed.")))
    return _redirect("/seller/webhooks")


@router.post("/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver")
async def redeliver(
    endpoint_id: Id, delivery_id: Id, request: Request, session: Session, principal: Staff
) -> Response:
    """Back to pending, due now, under the same delivery id."""
    await webhooks.redeliver(
        session, seller_id=_seller(principal), endpoint_id=endpoint_id, delivery_id=delivery_id
    )
    _web(request).flash(translate(request, N_("The delivery will be sent again shortly.")))
    return _redirect(f"/seller/webhooks/{endpoint_id}")
