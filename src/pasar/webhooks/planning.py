"""Planning: the relay hands a batch of events; each becomes one delivery per endpoint that
should receive it.

Runs inside the relay's transaction, so the deliveries exist exactly when the batch is
marked published. Set-based whatever the batch: one read of the matching endpoints (plus
one lookup of the sellers of payment events, whose payloads name only the SellerOrder)
and one insert. `UNIQUE(event_id, endpoint_id)` with ON CONFLICT DO NOTHING absorbs a
replayed batch: an event planned twice is delivered once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pasar import orders
from pasar.platform.jobs import StoredEvent
from pasar.platform.time import utcnow
from pasar.webhooks.domain import (
    EVENT_TYPES,
    NEEDS_SELLER_LOOKUP,
    PENDING,
    project,
    sellers_of,
)
from pasar.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSubscription


async def plan_deliveries(session: AsyncSession, events: Sequence[StoredEvent]) -> None:
    """The outbox consumer: a pending delivery for every (event, receiving endpoint)."""
    wanted = [e for e in events if e.name in EVENT_TYPES]
    if not wanted:
        return
    payloads = await _with_sellers(session, wanted)
    owners = {e.id: sellers_of(e.name, payloads[e.id]) for e in wanted}
    sellers = sorted({s for found in owners.values() for s in found})
    endpoint, subscription = WebhookEndpoint, WebhookSubscription
    owner_filter: ColumnElement[bool] = endpoint.seller_id.is_(None)
    if sellers:
        owner_filter = or_(owner_filter, endpoint.seller_id.in_(sellers))
    rows = (
        await session.execute(
            select(endpoint.id, endpoint.seller_id, subscription.event_type)
            .join(subscription, subscription.endpoint_id == endpoint.id)
            .where(
                endpoint.enabled.is_(True),
                subscription.event_type.in_(sorted({e.name for e in wanted})),
                owner_filter,
            )
        )
    ).all()
    if not rows:
        return
    receivers: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    for endpoint_id, seller_id, event_type in rows:
        receivers[event_type].append((endpoint_id, seller_id))
    now = utcnow()
    planned: list[dict[str, Any]] = []
    for event in wanted:
        belongs = owners[event.id]
        for endpoint_id, seller_id in receivers.get(event.name, ()):
            if seller_id is not None and seller_id not in belongs:
                continue
            planned.append(
                {
                    "event_id": event.id,
                    "endpoint_id": endpoint_id,
                    "event_type": event.name,
                    "occurred_at": event.occurred_at,
                    "payload": project(event.name, payloads[event.id], seller_id),
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if planned:
        await session.execute(_insert_new(session), planned)


async def _with_sellers(
    session: AsyncSession, events: Sequence[StoredEvent]
) -> dict[int, dict[str, Any]]:
    """Each event's payload, with `seller_id` added where the event lacks it."""
    missing = {
        int(e.payload["seller_order_id"])
        for e in events
        if e.name in NEEDS_SELLER_LOOKUP
        and "seller_id" not in e.payload
        and isinstance(e.payload.get("seller_order_id"), int)
    }
    owner: dict[int, int] = {}
    if missing:
        found = await orders.fulfilment_orders(session, ids=missing, limit=len(missing))
        owner = {o.id: o.seller_id for o in found}
    payloads: dict[int, dict[str, Any]] = {}
    for event in events:
        payload = dict(event.payload)
        if event.name in NEEDS_SELLER_LOOKUP and "seller_id" not in payload:
            seller = owner.get(payload.get("seller_order_id", -1))
            if seller is not None:
                payload["seller_id"] = seller
        payloads[event.id] = payload
    return payloads


def _insert_new(session: AsyncSession) -> Insert:
    table = WebhookDelivery
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(
            index_elements=["event_id", "endpoint_id"]
        )
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=["event_id", "endpoint_id"])
