"""Use cases: endpoints (register, change, rotate, remove) and their delivery log.

`seller_id` names the owner everywhere: a seller's id, or None for the marketplace's own
endpoints (operators'). An endpoint or delivery of another owner is "not found".
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.platform.errors import InvalidInput
from pasar.platform.idempotency import run_idempotent
from pasar.platform.pagination import Page, decode_id_cursor, encode_cursor
from pasar.platform.time import utcnow
from pasar.platform.urls import is_loopback
from pasar.webhooks.domain import (
    MAX_ENDPOINTS,
    PENDING,
    ROTATION_GRACE,
    SECRET_PREFIX,
    delivery_ref,
)
from pasar.webhooks.errors import (
    TooManyWebhookEndpoints,
    WebhookDeliveryNotFound,
    WebhookEndpointNotFound,
)
from pasar.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSubscription,
)
from pasar.webhooks.schemas import (
    WebhookAttemptRead,
    WebhookDeliveryDetail,
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
)
from pasar.webhooks.sealing import seal, unseal


def refuse_loopback(url: str | None) -> None:
    """A seller's endpoint may not be on this machine once the marketplace runs in public:
    it would let a seller make Pasar call the services beside it (and read their answers in
    the delivery log). Locally, a developer may try webhooks against localhost."""
    if url and is_loopback(url):
        raise InvalidInput(
            "The endpoint URL must be a public address, not this machine.", field="url"
        )


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _owned_by(seller_id: int | None) -> ColumnElement[bool]:
    column = WebhookEndpoint.seller_id
    return column.is_(None) if seller_id is None else column == seller_id


async def _event_types(session: AsyncSession, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return found
    rows = await session.execute(
        select(WebhookSubscription.endpoint_id, WebhookSubscription.event_type)
        .where(WebhookSubscription.endpoint_id.in_(ids))
        .order_by(WebhookSubscription.endpoint_id, WebhookSubscription.event_type)
    )
    for endpoint_id, event_type in rows:
        found[endpoint_id].append(event_type)
    return found


def _read(
    row: WebhookEndpoint, event_types: list[str], *, secret: str | None = None
) -> WebhookEndpointRead:
    return WebhookEndpointRead(
        id=row.id,
        seller_id=row.seller_id,
        url=row.url,
        description=row.description,
        event_types=event_types,
        enabled=row.enabled,
        disabled_at=row.disabled_at,
        disabled_reason=row.disabled_reason,
        failing_since=row.failing_since,
        last_success_at=row.last_success_at,
        previous_secret_expires_at=row.previous_secret_expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        secret=secret,
    )


async def _endpoint(
    session: AsyncSession, seller_id: int | None, endpoint_id: int, *, lock: bool = False
) -> WebhookEndpoint:
    query = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, _owned_by(seller_id))
    if lock:
        query = query.with_for_update()
    row = (await session.scalars(query.execution_options(populate_existing=True))).first()
    if row is None:
        raise WebhookEndpointNotFound(f"Webhook endpoint {endpoint_id} does not exist.")
    return row


async def _subscribe(session: AsyncSession, endpoint_id: int, event_types: list[str]) -> None:
    await session.execute(
        delete(WebhookSubscription).where(WebhookSubscription.endpoint_id == endpoint_id)
    )
    await session.execute(
        insert(WebhookSubscription),
        [{"endpoint_id": endpoint_id, "event_type": t} for t in event_types],
    )


# --- endpoints -------------------------------------------------------------------------------


async def create_endpoint(
    session: AsyncSession,
    *,
    seller_id: int | None,
    body: WebhookEndpointCreate,
    master: str,
    idempotency_key: str | None,
    allow_loopback: bool = True,
) -> WebhookEndpointRead:
    """Register an endpoint; the answer carries its secret, generated here.

    `allow_loopback=False` (a seller's endpoint on a marketplace that runs in public)
    refuses an address on this machine: see `refuse_loopback`.

    The idempotency record keeps the secret sealed, never in clear, so an identical retry
    answers the same secret and a database dump still reveals none.
    """
    if not allow_loopback:
        refuse_loopback(body.url)

    async def work() -> dict[str, Any]:
        count = await session.scalar(
            select(func.count()).select_from(WebhookEndpoint).where(_owned_by(seller_id))
        )
        if (count or 0) >= MAX_ENDPOINTS:
            raise TooManyWebhookEndpoints(
                f"At most {MAX_ENDPOINTS} webhook endpoints; remove one first."
            )
        now = utcnow()
        sealed = seal(master, new_secret())
        row = WebhookEndpoint(
            seller_id=seller_id,
            url=body.url,
            description=body.description,
            enabled=True,
            secret_sealed=sealed,
            previous_secret_sealed=None,
            previous_secret_expires_at=None,
            failing_since=None,
            last_success_at=None,
            disabled_at=None,
            disabled_reason=None,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        await _subscribe(session, row.id, body.event_types)
        shown = _read(row, body.event_types).model_dump(mode="json", exclude={"secret"})
        return {**shown, "secret_sealed": sealed}

    scope = f"webhooks.endpoint:{'marketplace' if seller_id is None else seller_id}"
    result = await run_idempotent(
        session,
        scope=scope,
        key=idempotency_key,
        request=body.model_dump(mode="json"),
        work=work,
    )
    sealed = result.pop("secret_sealed")
    return WebhookEndpointRead.model_validate({**result, "secret": unseal(master, sealed)})


async def list_endpoints(
    session: AsyncSession, *, seller_id: int | None, limit: int, cursor: str | None
) -> Page[WebhookEndpointRead]:
    after = decode_id_cursor(cursor)
    query = select(WebhookEndpoint).where(_owned_by(seller_id))
    if after is not None:
        query = query.where(WebhookEndpoint.id > after)
    rows = list(await session.scalars(query.order_by(WebhookEndpoint.id).limit(limit + 1)))
    page = rows[:limit]
    types = await _event_types(session, [r.id for r in page])
    next_cursor = encode_cursor([page[-1].id]) if len(rows) > limit else None
    return Page(items=[_read(r, types[r.id]) for r in page], next_cursor=next_cursor)


async def get_endpoint(
    session: AsyncSession, *, seller_id: int | None, endpoint_id: int
) -> WebhookEndpointRead:
    row = await _endpoint(session, seller_id, endpoint_id)
    return _read(row, (await _event_types(session, [row.id]))[row.id])


async def update_endpoint(
    session: AsyncSession,
    *,
    seller_id: int | None,
    endpoint_id: int,
    body: WebhookEndpointUpdate,
    allow_loopback: bool = True,
) -> WebhookEndpointRead:
    """Change the URL, events, description or state. Re-enabling forgets past failures
    (the disable window starts again) and makes the pending deliveries due now."""
    if not allow_loopback:
        refuse_loopback(body.url)
    row = await _endpoint(session, seller_id, endpoint_id, lock=True)
    now = utcnow()
    given = body.model_fields_set
    if "url" in given and body.url is not None:
        row.url = body.url
    if "description" in given:
        row.description = body.description
    if body.event_types is not None:
        await _subscribe(session, row.id, body.event_types)
    if body.enabled is True and not row.enabled:
        row.enabled = True
        row.disabled_at = None
        row.disabled_reason = None
        row.failing_since = None
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == row.id, WebhookDelivery.status == PENDING)
            .values(next_attempt_at=now, updated_at=now)
        )
    elif body.enabled is False and row.enabled:
        row.enabled = False
        row.disabled_at = now
        row.disabled_reason = "Disabled on request."
    row.updated_at = now
    await session.flush()
    types = (await _event_types(session, [row.id]))[row.id]
    await session.commit()
    return _read(row, types)


async def delete_endpoint(
    session: AsyncSession, *, seller_id: int | None, endpoint_id: int
) -> None:
    """Remove the endpoint with its delivery log; nothing more is sent to it."""
    row = await _endpoint(session, seller_id, endpoint_id, lock=True)
    await session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == row.id))
    await session.commit()


async def rotate_secret(
    session: AsyncSession, *, seller_id: int | None, endpoint_id: int, master: str
) -> WebhookEndpointRead:
    """A new secret, shown once. For `ROTATION_GRACE` every call carries two signatures
    (new and old secret), so the receiver can switch whenever it likes in that window."""
    row = await _endpoint(session, seller_id, endpoint_id, lock=True)
    now = utcnow()
    secret = new_secret()
    row.previous_secret_sealed = row.secret_sealed
    row.previous_secret_expires_at = now + ROTATION_GRACE
    row.secret_sealed = seal(master, secret)
    row.updated_at = now
    await session.flush()
    types = (await _event_types(session, [row.id]))[row.id]
    await session.commit()
    return _read(row, types, secret=secret)


# --- deliveries ------------------------------------------------------------------------------


def _delivery_read(row: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "delivery_id": delivery_ref(row.id),
        "endpoint_id": row.endpoint_id,
        "event_id": row.event_id,
        "event_type": row.event_type,
        "status": row.status,
        "attempts": row.attempts,
        "last_status_code": row.last_status_code,
        "last_error": row.last_error,
        "next_attempt_at": row.next_attempt_at if row.status == PENDING else None,
        "delivered_at": row.delivered_at,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


async def list_deliveries(
    session: AsyncSession,
    *,
    seller_id: int | None,
    endpoint_id: int,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> Page[WebhookDeliveryRead]:
    """The endpoint's deliveries, newest first."""
    await _endpoint(session, seller_id, endpoint_id)
    before = decode_id_cursor(cursor)
    d = WebhookDelivery
    query = select(d).where(d.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(d.status == status)
    if before is not None:
        query = query.where(d.id < before)
    rows = list(await session.scalars(query.order_by(d.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    next_cursor = encode_cursor([page[-1].id]) if len(rows) > limit else None
    return Page(
        items=[WebhookDeliveryRead(**_delivery_read(r)) for r in page], next_cursor=next_cursor
    )


async def _delivery(
    session: AsyncSession, seller_id: int | None, endpoint_id: int, delivery_id: int
) -> WebhookDelivery:
    await _endpoint(session, seller_id, endpoint_id)
    row = (
        await session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    if row is None:
        raise WebhookDeliveryNotFound(f"Webhook delivery {delivery_id} does not exist.")
    return row


async def get_delivery(
    session: AsyncSession, *, seller_id: int | None, endpoint_id: int, delivery_id: int
) -> WebhookDeliveryDetail:
    row = await _delivery(session, seller_id, endpoint_id, delivery_id)
    attempts = await session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == row.id)
        .order_by(WebhookAttempt.id)
    )
    return WebhookDeliveryDetail(
        **_delivery_read(row),
        data=row.payload,
        attempt_log=[
            WebhookAttemptRead(
                attempted_at=a.attempted_at,
                status_code=a.status_code,
                duration_ms=a.duration_ms,
                error=a.error,
                response_body=a.response_body,
            )
            for a in attempts
        ],
    )


async def redeliver(
    session: AsyncSession,
    *,
    seller_id: int | None,
    endpoint_id: int,
    delivery_id: int,
    now: datetime | None = None,
) -> WebhookDeliveryRead:
    """Send it again now, under the same delivery id, with a fresh set of attempts (the
    log keeps the earlier ones). A disabled endpoint's delivery waits for re-enabling."""
    row = await _delivery(session, seller_id, endpoint_id, delivery_id)
    now = now or utcnow()
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == row.id)
        .values(status=PENDING, attempts=0, next_attempt_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    row = await _delivery(session, seller_id, endpoint_id, delivery_id)
    return WebhookDeliveryRead(**_delivery_read(row))
