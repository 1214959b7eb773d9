"""Seller notices: emails to a seller's contact address about its account, from events.

Today one: a seller's webhook endpoint was switched off after failing for too long
(`webhook_endpoint.disabled`). Like buyer messages, the consumer runs inside the relay's
transaction, reads the contacts of a whole batch's sellers in one statement and inserts
every notice in one INSERT … ON CONFLICT DO NOTHING, so an event delivered twice (a crash,
an operator's replay) plans nothing new. A marketplace-wide endpoint (no seller) is the
operators' own, shown in their API, and notifies nobody by email.

Sellers have no language setting yet: notices go in the marketplace's source language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pasar import sellers
from pasar.notifications.domain import (
    SELLER_NOTICES,
    Channel,
    DeliveryStatus,
    Template,
    event_key,
    locale_of,
)
from pasar.notifications.planning import insert_new
from pasar.platform.jobs import StoredEvent
from pasar.platform.time import utcnow

#: Until sellers choose a language, the marketplace's default.
SELLER_LOCALE = locale_of(None, "en")


async def plan_seller_notices(session: AsyncSession, events: Sequence[StoredEvent]) -> None:
    """The seller-notices consumer: plan the emails to sellers a batch of events calls for."""
    wanted = [
        e for e in events if e.name in SELLER_NOTICES and e.payload.get("seller_id") is not None
    ]
    if not wanted:
        return
    contacts = await sellers.seller_contacts(session, {int(e.payload["seller_id"]) for e in wanted})
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for event in wanted:
        contact = contacts.get(int(event.payload["seller_id"]))
        if contact is None or not contact.email.strip():
            continue
        template = SELLER_NOTICES[event.name]
        context = notice_context(template, contact, event)
        if context is None:
            continue
        rows.append(
            seller_message(
                contact,
                template,
                context,
                dedupe_key=event_key(event.id, template),
                event_id=event.id,
                now=now,
            )
        )
    await insert_new(session, rows)


def notice_context(
    template: Template, contact: sellers.SellerContact, event: StoredEvent
) -> dict[str, Any] | None:
    """The facts a notice is rendered from (plain JSON), or None when they are missing."""
    payload = event.payload
    seller = {"id": contact.seller_id, "name": contact.name}
    if template is Template.WEBHOOK_DISABLED:
        if not payload.get("url") or payload.get("endpoint_id") is None:
            return None
        endpoint_id = int(payload["endpoint_id"])
        return {
            "seller": seller,
            "endpoint": {
                "id": endpoint_id,
                "url": str(payload["url"]),
                "reason": str(payload.get("reason") or ""),
                "disabled_at": event.occurred_at.isoformat(),
                # where the seller turns it back on (PATCH with `enabled: true`)
                "api_path": (
                    f"/api/v1/sellers/{contact.seller_id}/webhook-endpoints/{endpoint_id}"
                ),
            },
        }
    return None


def seller_message(
    contact: sellers.SellerContact,
    template: Template,
    context: dict[str, Any],
    *,
    dedupe_key: str,
    event_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """One email row to the seller's contact address (no order: order columns stay NULL)."""
    return {
        "event_id": event_id,
        "dedupe_key": dedupe_key,
        "channel": Channel.EMAIL.value,
        "recipient": contact.email.strip().lower(),
        "template": template.value,
        "locale": SELLER_LOCALE,
        "context": context,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "due_at": now,
        "order_id": None,
        "order_number": None,
        "seller_order_id": None,
        "created_at": now,
        "updated_at": now,
    }
