"""Seller webhooks' pure rules: the event catalogue, who receives an event, what a call
looks like, and the retry schedule. No I/O here; `planning` and `sending` do that.

Who receives an event:

- a **seller endpoint** (owned by seller S) gets the events it subscribed to that belong
  to S: the payload's `seller_id`, or S among `seller_ids` (an order with several
  sellers). It sees only its own part of an order (`project`).
- an **operator endpoint** (no seller: a 3PL, an ERP) gets the events it subscribed to,
  of every seller, with the full payload.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from pasar.platform.backoff import backoff_delay
from pasar.platform.signing import HEADER

#: Delivery states: `pending` (due at `next_attempt_at`), `delivered` (a 2xx came back),
#: `failed` (the attempts are spent; a redelivery makes it pending again).
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
STATUSES = (PENDING, DELIVERED, FAILED)

SECRET_PREFIX = "whsec_"
USER_AGENT = "Pasar-Webhooks/1"
#: How long the secret replaced by a rotation keeps signing alongside the new one.
ROTATION_GRACE = timedelta(hours=24)
#: How much of a receiver's answer the delivery log keeps.
RESPONSE_BODY_LIMIT = 1024
#: Endpoints one owner (a seller, or the marketplace) may register.
MAX_ENDPOINTS = 20


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    description: str
    example: dict[str, Any]


_SELLER_ORDER_STATUSES = (
    "received",
    "verified",
    "processing",
    "shipped",
    "delivered",
    "completed",
    "cancelled",
    "delivery_failed",
    "returned_to_seller",
)
_SELLER_ORDER_EXAMPLE: dict[str, Any] = {
    "seller_order_id": 42,
    "order_id": 17,
    "seller_id": 3,
    "number": "PSR-7KQ2-1",
    "from_status": "verified",
    "to_status": "processing",
    "actor": "seller",
    "reason": None,
}
_SHIPMENT_EXAMPLE: dict[str, Any] = {
    "shipment_id": 9,
    "seller_order_id": 42,
    "order_id": 17,
    "seller_id": 3,
    "carrier": "sandbox",
    "tracking_number": "SBX123456789",
}
_PAYMENT_EXAMPLE: dict[str, Any] = {
    "payment_id": 5,
    "order_id": 17,
    "seller_order_id": 42,
    "seller_id": 3,
    "method": "card",
    "amount": 125000,
    "currency": "IDR",
}


def _types() -> tuple[EventType, ...]:
    found = [
        EventType(
            "order.placed",
            "A buyer placed an order that includes your items (your SellerOrder in it).",
            {
                "order_id": 17,
                "number": "PSR-7KQ2",
                "currency": "IDR",
                "payment_method": "card",
                "seller_id": 3,
                "seller_order_id": 42,
            },
        ),
    ]
    found += [
        EventType(
            f"seller_order.{status}",
            f"A SellerOrder moved to `{status}`.",
            {**_SELLER_ORDER_EXAMPLE, "to_status": status},
        )
        for status in _SELLER_ORDER_STATUSES
    ]
    found += [
        EventType(
            "shipment.created",
            "A shipment was created and labelled; it waits for the carrier.",
            {**_SHIPMENT_EXAMPLE, "package_count": 1},
        ),
        EventType("shipment.handed_over", "The carrier took the parcel.", dict(_SHIPMENT_EXAMPLE)),
        EventType(
            "shipment.cancelled", "A shipment was cancelled (its label voided).", _SHIPMENT_EXAMPLE
        ),
        EventType(
            "shipment.status_changed",
            "A carrier scan moved the shipment's normalised status.",
            {
                **_SHIPMENT_EXAMPLE,
                "from_status": "in_transit",
                "to_status": "out_for_delivery",
                "location": "Jakarta",
                "description": "With the courier",
            },
        ),
        EventType(
            "shipment.delivered",
            "The parcel was delivered.",
            {**_SHIPMENT_EXAMPLE, "where_left": "front_door", "on_time": True},
        ),
        EventType(
            "shipment.delayed",
            "The shipment is likely to miss its promised date.",
            {
                **_SHIPMENT_EXAMPLE,
                "reason": "no_scan",
                "detail": "No carrier scan for 48 hours.",
                "promised_date": "2026-11-25",
                "expected_date": "2026-11-27",
            },
        ),
        EventType(
            "inventory.stock_low",
            "An offer's available stock fell to or below its low-stock threshold.",
            {"offer_id": 11, "seller_id": 3, "available": 2, "threshold": 5},
        ),
        EventType(
            "payment.captured",
            "Your share of a payment was captured (card on shipping, cash on delivery).",
            _PAYMENT_EXAMPLE,
        ),
        EventType(
            "payment.refunded", "Your captured share was refunded to the buyer.", _PAYMENT_EXAMPLE
        ),
        EventType(
            "payment.voided",
            "Your authorised, uncaptured share was released.",
            _PAYMENT_EXAMPLE,
        ),
        EventType(
            "offer.created",
            "An offer was created.",
            {
                "offer_id": 11,
                "seller_id": 3,
                "variant_id": 7,
                "product_id": 4,
                "price_amount": 125000,
                "currency": "IDR",
            },
        ),
        EventType(
            "offer.updated",
            "An offer's terms, status or stock settings changed (`fields` names them).",
            {"offer_id": 11, "seller_id": 3, "fields": ["status"]},
        ),
        EventType(
            "offer.price_changed",
            "An offer's price changed.",
            {
                "offer_id": 11,
                "seller_id": 3,
                "product_id": 4,
                "old_price_amount": 125000,
                "new_price_amount": 119000,
                "currency": "IDR",
            },
        ),
        EventType(
            "webhook_endpoint.disabled",
            "One of your webhook endpoints was disabled after failing for too long.",
            {
                "endpoint_id": 2,
                "seller_id": 3,
                "url": "https://erp.example.com/pasar",
                "reason": "No successful delivery for 24 hours (last: HTTP 500).",
            },
        ),
    ]
    return tuple(found)


#: Every event type an endpoint may subscribe to, in the order the API lists them.
CATALOGUE: tuple[EventType, ...] = _types()
EVENT_TYPES: Mapping[str, EventType] = {t.name: t for t in CATALOGUE}

#: Events whose payload names the SellerOrder but not its seller (looked up when planning).
NEEDS_SELLER_LOOKUP = frozenset({"payment.captured", "payment.refunded", "payment.voided"})


def unknown_types(names: Iterable[str]) -> list[str]:
    return sorted({n for n in names if n not in EVENT_TYPES})


def sellers_of(name: str, payload: Mapping[str, Any]) -> list[int]:
    """The sellers an event belongs to (empty: a marketplace-wide event)."""
    if name == "order.placed":
        return [int(s) for s in payload.get("seller_ids") or ()]
    seller = payload.get("seller_id")
    return [int(seller)] if isinstance(seller, int) else []


def project(name: str, payload: Mapping[str, Any], seller_id: int | None) -> dict[str, Any]:
    """What an endpoint of `seller_id` (None: an operator endpoint) may see of an event.

    An order with several sellers is one event; each seller sees its own SellerOrder and
    not the buyer's email, the order's total or the other sellers.
    """
    if seller_id is None or name != "order.placed":
        return dict(payload)
    own = None
    for so_id, so_seller in zip(
        payload.get("seller_order_ids") or (), payload.get("seller_ids") or (), strict=False
    ):
        if so_seller == seller_id:
            own = so_id
            break
    return {
        "order_id": payload.get("order_id"),
        "number": payload.get("number"),
        "currency": payload.get("currency"),
        "payment_method": payload.get("payment_method"),
        "seller_id": seller_id,
        "seller_order_id": own,
    }


# --- one call --------------------------------------------------------------------------------


def delivery_ref(delivery_id: int) -> str:
    """The `Pasar-Delivery-Id` (and the body's `id`): the same on every retry and redelivery."""
    return f"whd_{delivery_id}"


def event_ref(event_id: int) -> str:
    """The event's id: the same for every endpoint that receives it."""
    return f"evt_{event_id}"


def request_body(
    *, delivery_id: int, event_id: int, name: str, occurred_at: datetime, data: Mapping[str, Any]
) -> bytes:
    return orjson.dumps(
        {
            "id": delivery_ref(delivery_id),
            "event_id": event_ref(event_id),
            "type": name,
            "created_at": occurred_at.isoformat(),
            "data": data,
        }
    )


def signature(keys: Sequence[bytes], body: bytes, *, timestamp: int) -> str:
    """`t=<unix>,v1=<mac>[,v1=<mac>]`: one v1 per key, so during a rotation a receiver
    holding either the old or the new secret can verify (platform.signing.verify)."""
    if not keys:
        raise ValueError("a signature needs at least one key")
    signed = f"{timestamp}.".encode() + body
    macs = [hmac.new(key, signed, hashlib.sha256).hexdigest() for key in keys]
    return ",".join([f"t={timestamp}", *(f"v1={mac}" for mac in macs)])


def request_headers(
    *, delivery_id: int, name: str, body: bytes, keys: Sequence[bytes], timestamp: int
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        HEADER: signature(keys, body, timestamp=timestamp),
        "Pasar-Delivery-Id": delivery_ref(delivery_id),
        "Pasar-Event-Type": name,
        "User-Agent": USER_AGENT,
    }


def signing_key(secret: str) -> bytes:
    """Receivers verify with HMAC-SHA256 keyed by the whole secret string, `whsec_` and all."""
    return secret.encode()


# --- retries ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendPolicy:
    """How hard Pasar tries. 36 attempts, waits from 10 s doubling to a 1 h ceiling (with
    jitter): a delivery fails for good after roughly 13 to 26 hours of trying."""

    timeout_seconds: float = 10.0
    batch: int = 32
    concurrency: int = 16
    max_attempts: int = 36
    base_delay_seconds: float = 10.0
    max_delay_seconds: float = 3600.0
    disable_after: timedelta = timedelta(hours=24)

    @property
    def lease(self) -> timedelta:
        """Longer than a claimed batch can take to post (rounds of `concurrency` calls, each
        bounded by the timeout), so no other worker re-sends a call still in flight."""
        rounds = -(-self.batch // self.concurrency)
        return timedelta(seconds=rounds * self.timeout_seconds + max(5.0, self.timeout_seconds))


def after_failure(
    attempts: int, policy: SendPolicy, *, now: datetime, rand: Callable[[], float] = random.random
) -> tuple[str, datetime | None]:
    """The status and next attempt of a delivery after its `attempts`-th failure."""
    if attempts >= policy.max_attempts:
        return FAILED, None
    delay = backoff_delay(
        attempts,
        base_seconds=policy.base_delay_seconds,
        max_seconds=policy.max_delay_seconds,
        rand=rand,
    )
    return PENDING, now + delay


def should_disable(failing_since: datetime | None, *, now: datetime, after: timedelta) -> bool:
    """An endpoint is disabled once it has failed, with no success since, for `after`."""
    return failing_since is not None and now - failing_since >= after


def is_success(status_code: int) -> bool:
    return 200 <= status_code < 300


def printable(text: str) -> str:
    """Text PostgreSQL will store: a receiver's answer may hold NUL characters."""
    return text.replace("\x00", "\ufffd")


def clip(text: str, limit: int = 500) -> str:
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
