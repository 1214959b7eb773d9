"""webhooks: signed HTTP calls to the endpoints sellers and operators register, per event type.

- `CONSUMERS["webhooks.plan"]`: the relay hands it every event; each one a subscribed,
  enabled endpoint should receive becomes a pending delivery (`planning.py`).
- `DRAINS`: every worker sends due deliveries, signed, retried with backoff, and disables
  endpoints that keep failing (`sending.py`).
- `router`: endpoints, the delivery log and redelivery, and the public event catalogue.
"""

from fastapi import APIRouter

from pasar.platform.jobs import Consumer, Drain, Job
from pasar.webhooks import sending
from pasar.webhooks.domain import CATALOGUE, EVENT_TYPES, EventType
from pasar.webhooks.events import WebhookEndpointDisabled
from pasar.webhooks.planning import plan_deliveries
from pasar.webhooks.router import router as _router
from pasar.webhooks.schemas import (
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
)
from pasar.webhooks.sending import send_due
from pasar.webhooks.service import (
    create_endpoint,
    delete_endpoint,
    get_endpoint,
    list_deliveries,
    list_endpoints,
    redeliver,
    rotate_secret,
    update_endpoint,
)

router: APIRouter = _router
CONSUMERS: dict[str, Consumer] = {"webhooks.plan": plan_deliveries}
DRAINS: tuple[Drain, ...] = (Drain(name="webhooks.send", run=sending.run),)
JOBS: tuple[Job, ...] = ()

__all__ = [
    "CATALOGUE",
    "CONSUMERS",
    "DRAINS",
    "EVENT_TYPES",
    "JOBS",
    "EventType",
    "WebhookDeliveryRead",
    "WebhookEndpointCreate",
    "WebhookEndpointDisabled",
    "WebhookEndpointRead",
    "WebhookEndpointUpdate",
    "create_endpoint",
    "delete_endpoint",
    "get_endpoint",
    "list_deliveries",
    "list_endpoints",
    "plan_deliveries",
    "redeliver",
    "rotate_secret",
    "router",
    "send_due",
    "update_endpoint",
]
