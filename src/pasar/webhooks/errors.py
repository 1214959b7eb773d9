"""webhooks' errors (problem+json types under /problems/<code>).

NotFound
├── WebhookEndpointNotFound   webhook-endpoint-not-found   absent, or another owner's
└── WebhookDeliveryNotFound   webhook-delivery-not-found
Conflict
└── TooManyWebhookEndpoints   too-many-webhook-endpoints
"""

from __future__ import annotations

from pasar.platform.errors import Conflict, NotFound


class WebhookEndpointNotFound(NotFound):
    code = "webhook-endpoint-not-found"
    title = "Webhook endpoint not found"


class WebhookDeliveryNotFound(NotFound):
    code = "webhook-delivery-not-found"
    title = "Webhook delivery not found"


class TooManyWebhookEndpoints(Conflict):
    code = "too-many-webhook-endpoints"
    title = "Too many webhook endpoints"
