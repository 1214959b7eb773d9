"""Events webhooks emits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pasar.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDisabled(DomainEvent):
    """An endpoint failed for `webhook_disable_after_hours` without a success and was
    switched off; its owner is told (notifications, the owner's other endpoints)."""

    name: ClassVar[str] = "webhook_endpoint.disabled"

    endpoint_id: int
    seller_id: int | None
    url: str
    reason: str
