"""Webhooks over HTTP: sellers manage theirs under `/sellers/{seller_id}/webhook-endpoints`,
operators the marketplace's under `/admin/webhook-endpoints`; the catalogue is public."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response
from fastapi import status as http

from pasar.identity import OperatorPrincipal, SellerScoped, StaffPrincipal
from pasar.platform.db import Session
from pasar.platform.idempotency import IdempotencyKey
from pasar.platform.pagination import Cursor, Limit, Page
from pasar.platform.routing import GuardedRouter
from pasar.platform.types import Id
from pasar.webhooks import service
from pasar.webhooks.domain import CATALOGUE
from pasar.webhooks.schemas import (
    DeliveryStatus,
    WebhookDeliveryDetail,
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
    WebhookEventTypeRead,
)

router = GuardedRouter(tags=["webhooks"])

SELLER = "/api/v1/sellers/{seller_id}/webhook-endpoints"
ADMIN = "/api/v1/admin/webhook-endpoints"
StatusFilter = Annotated[
    DeliveryStatus | None, Query(description="Only deliveries in this status.")
]

CREATE_DOC = """Register an endpoint for the chosen event types.

The answer (201) carries the endpoint's signing `secret` (`whsec_…`), **once**: keep it.
Every call Pasar makes is a `POST` of
`{"id", "event_id", "type", "created_at", "data"}` with headers `Pasar-Signature:
t=<unix>,v1=<hex>` (HMAC-SHA256 keyed by the secret over `"<t>." + raw body`; refuse
timestamps more than 5 minutes off), `Pasar-Delivery-Id` (the same on every retry: use
it to de-duplicate) and `Pasar-Event-Type`. Answer 2xx within the timeout; anything else
is retried with backoff for about a day. An endpoint failing for a day is disabled.
"""


def _master(request: Request) -> str:
    return str(request.app.state.settings.secret)


def _loopback_allowed(request: Request) -> bool:
    return bool(request.app.state.settings.loopback_endpoints_allowed)


# --- catalogue -------------------------------------------------------------------------------


@router.get(
    "/api/v1/webhook-event-types",
    response_model=list[WebhookEventTypeRead],
    summary="Event types an endpoint can subscribe to",
)
async def event_types() -> list[WebhookEventTypeRead]:
    """Every event type with what it means and an example of its `data`. Public."""
    return [
        WebhookEventTypeRead(type=t.name, description=t.description, example=t.example)
        for t in CATALOGUE
    ]


# --- a seller's endpoints --------------------------------------------------------------------


@router.post(
    SELLER,
    response_model=WebhookEndpointRead,
    status_code=http.HTTP_201_CREATED,
    summary="Register a webhook endpoint",
    description=CREATE_DOC,
)
async def seller_create(
    seller_id: Id,
    body: WebhookEndpointCreate,
    principal: SellerScoped,
    session: Session,
    request: Request,
    key: IdempotencyKey = None,
) -> WebhookEndpointRead:
    return await service.create_endpoint(
        session,
        seller_id=seller_id,
        body=body,
        master=_master(request),
        idempotency_key=key,
        allow_loopback=_loopback_allowed(request),
    )


@router.get(SELLER, response_model=Page[WebhookEndpointRead], summary="List webhook endpoints")
async def seller_list(
    seller_id: Id,
    principal: SellerScoped,
    session: Session,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[WebhookEndpointRead]:
    """The seller's endpoints, oldest first (never their secrets)."""
    return await service.list_endpoints(session, seller_id=seller_id, limit=limit, cursor=cursor)


@router.get(
    f"{SELLER}/{{endpoint_id}}", response_model=WebhookEndpointRead, summary="A webhook endpoint"
)
async def seller_get(
    seller_id: Id, endpoint_id: Id, principal: SellerScoped, session: Session
) -> WebhookEndpointRead:
    """The endpoint, with `disabled_at` and `disabled_reason` if it was switched off."""
    return await service.get_endpoint(session, seller_id=seller_id, endpoint_id=endpoint_id)


@router.patch(
    f"{SELLER}/{{endpoint_id}}",
    response_model=WebhookEndpointRead,
    summary="Change a webhook endpoint",
)
async def seller_update(
    seller_id: Id,
    endpoint_id: Id,
    body: WebhookEndpointUpdate,
    principal: SellerScoped,
    session: Session,
    request: Request,
) -> WebhookEndpointRead:
    """URL, event types, description, or `enabled` (true resumes a disabled endpoint)."""
    return await service.update_endpoint(
        session,
        seller_id=seller_id,
        endpoint_id=endpoint_id,
        body=body,
        allow_loopback=_loopback_allowed(request),
    )


@router.delete(
    f"{SELLER}/{{endpoint_id}}",
    status_code=http.HTTP_204_NO_CONTENT,
    summary="Remove a webhook endpoint",
)
async def seller_delete(
    seller_id: Id, endpoint_id: Id, principal: SellerScoped, session: Session
) -> Response:
    """Remove it and its delivery log; calls in flight may still arrive."""
    await service.delete_endpoint(session, seller_id=seller_id, endpoint_id=endpoint_id)
    return Response(status_code=http.HTTP_204_NO_CONTENT)


@router.post(
    f"{SELLER}/{{endpoint_id}}/rotate-secret",
    response_model=WebhookEndpointRead,
    summary="Rotate a webhook endpoint's secret",
)
async def seller_rotate(
    seller_id: Id, endpoint_id: Id, principal: SellerScoped, session: Session, request: Request
) -> WebhookEndpointRead:
    """A new secret, shown once. For 24 hours calls carry two signatures (`v1` by the new
    secret and `v1` by the old), so the receiver may switch at any moment in that window."""
    return await service.rotate_secret(
        session, seller_id=seller_id, endpoint_id=endpoint_id, master=_master(request)
    )


@router.get(
    f"{SELLER}/{{endpoint_id}}/deliveries",
    response_model=Page[WebhookDeliveryRead],
    summary="An endpoint's delivery log",
)
async def seller_deliveries(
    seller_id: Id,
    endpoint_id: Id,
    principal: SellerScoped,
    session: Session,
    status: StatusFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[WebhookDeliveryRead]:
    """Deliveries newest first: status, attempts, last status code, next attempt."""
    return await service.list_deliveries(
        session,
        seller_id=seller_id,
        endpoint_id=endpoint_id,
        status=status,
        limit=limit,
        cursor=cursor,
    )


@router.get(
    f"{SELLER}/{{endpoint_id}}/deliveries/{{delivery_id}}",
    response_model=WebhookDeliveryDetail,
    summary="A delivery with its attempts",
)
async def seller_delivery(
    seller_id: Id, endpoint_id: Id, delivery_id: Id, principal: SellerScoped, session: Session
) -> WebhookDeliveryDetail:
    """The delivery, its `data`, and every attempt (status code, duration, error, the
    first kilobyte of the answer)."""
    return await service.get_delivery(
        session, seller_id=seller_id, endpoint_id=endpoint_id, delivery_id=delivery_id
    )


@router.post(
    f"{SELLER}/{{endpoint_id}}/deliveries/{{delivery_id}}/redeliver",
    response_model=WebhookDeliveryRead,
    summary="Send a delivery again",
)
async def seller_redeliver(
    seller_id: Id, endpoint_id: Id, delivery_id: Id, principal: SellerScoped, session: Session
) -> WebhookDeliveryRead:
    """Back to pending, due now, under the same `Pasar-Delivery-Id`."""
    return await service.redeliver(
        session, seller_id=seller_id, endpoint_id=endpoint_id, delivery_id=delivery_id
    )


# --- the marketplace's endpoints (operators) ------------------------------------------------


@router.post(
    ADMIN,
    response_model=WebhookEndpointRead,
    status_code=http.HTTP_201_CREATED,
    summary="Register a marketplace-wide webhook endpoint",
    description=CREATE_DOC
    + "\nA marketplace-wide endpoint (a 3PL, an ERP) receives the events of every seller.",
)
async def admin_create(
    body: WebhookEndpointCreate,
    principal: OperatorPrincipal,
    session: Session,
    request: Request,
    key: IdempotencyKey = None,
) -> WebhookEndpointRead:
    return await service.create_endpoint(
        session, seller_id=None, body=body, master=_master(request), idempotency_key=key
    )


@router.get(
    ADMIN,
    response_model=Page[WebhookEndpointRead],
    summary="List marketplace-wide webhook endpoints",
)
async def admin_list(
    principal: StaffPrincipal, session: Session, limit: Limit = 20, cursor: Cursor = None
) -> Page[WebhookEndpointRead]:
    """The marketplace's endpoints, oldest first (sellers' are under each seller)."""
    return await service.list_endpoints(session, seller_id=None, limit=limit, cursor=cursor)


@router.get(
    f"{ADMIN}/{{endpoint_id}}",
    response_model=WebhookEndpointRead,
    summary="A marketplace-wide webhook endpoint",
)
async def admin_get(
    endpoint_id: Id, principal: StaffPrincipal, session: Session
) -> WebhookEndpointRead:
    """The endpoint, with `disabled_at` and `disabled_reason` if it was switched off."""
    return await service.get_endpoint(session, seller_id=None, endpoint_id=endpoint_id)


@router.patch(
    f"{ADMIN}/{{endpoint_id}}",
    response_model=WebhookEndpointRead,
    summary="Change a marketplace-wide webhook endpoint",
)
async def admin_update(
    endpoint_id: Id, body: WebhookEndpointUpdate, principal: OperatorPrincipal, session: Session
) -> WebhookEndpointRead:
    """URL, event types, description, or `enabled` (true resumes a disabled endpoint)."""
    return await service.update_endpoint(
        session, seller_id=None, endpoint_id=endpoint_id, body=body
    )


@router.delete(
    f"{ADMIN}/{{endpoint_id}}",
    status_code=http.HTTP_204_NO_CONTENT,
    summary="Remove a marketplace-wide webhook endpoint",
)
async def admin_delete(endpoint_id: Id, principal: OperatorPrincipal, session: Session) -> Response:
    """Remove it and its delivery log."""
    await service.delete_endpoint(session, seller_id=None, endpoint_id=endpoint_id)
    return Response(status_code=http.HTTP_204_NO_CONTENT)


@router.post(
    f"{ADMIN}/{{endpoint_id}}/rotate-secret",
    response_model=WebhookEndpointRead,
    summary="Rotate a marketplace-wide webhook endpoint's secret",
)
async def admin_rotate(
    endpoint_id: Id, principal: OperatorPrincipal, session: Session, request: Request
) -> WebhookEndpointRead:
    """A new secret, shown once; the old one signs alongside for 24 hours."""
    return await service.rotate_secret(
        session, seller_id=None, endpoint_id=endpoint_id, master=_master(request)
    )


@router.get(
    f"{ADMIN}/{{endpoint_id}}/deliveries",
    response_model=Page[WebhookDeliveryRead],
    summary="A marketplace-wide endpoint's delivery log",
)
async def admin_deliveries(
    endpoint_id: Id,
    principal: StaffPrincipal,
    session: Session,
    status: StatusFilter = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[WebhookDeliveryRead]:
    """Deliveries newest first."""
    return await service.list_deliveries(
        session, seller_id=None, endpoint_id=endpoint_id, status=status, limit=limit, cursor=cursor
    )


@router.get(
    f"{ADMIN}/{{endpoint_id}}/deliveries/{{delivery_id}}",
    response_model=WebhookDeliveryDetail,
    summary="A marketplace-wide delivery with its attempts",
)
async def admin_delivery(
    endpoint_id: Id, delivery_id: Id, principal: StaffPrincipal, session: Session
) -> WebhookDeliveryDetail:
    """The delivery, its `data`, and every attempt."""
    return await service.get_delivery(
        session, seller_id=None, endpoint_id=endpoint_id, delivery_id=delivery_id
    )


@router.post(
    f"{ADMIN}/{{endpoint_id}}/deliveries/{{delivery_id}}/redeliver",
    response_model=WebhookDeliveryRead,
    summary="Send a marketplace-wide delivery again",
)
async def admin_redeliver(
    endpoint_id: Id, delivery_id: Id, principal: OperatorPrincipal, session: Session
) -> WebhookDeliveryRead:
    """Back to pending, due now, under the same `Pasar-Delivery-Id`."""
    return await service.redeliver(
        session, seller_id=None, endpoint_id=endpoint_id, delivery_id=delivery_id
    )
