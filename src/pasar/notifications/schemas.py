"""The operator's view of the notification log."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from pasar.notifications.domain import Channel, DeliveryStatus


class NotificationSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: Channel
    recipient: str = Field(description="Email address or phone number.")
    template: str
    locale: str
    status: DeliveryStatus = Field(
        description="pending → sending → sent | logged (kept in the mail log only) | failed; "
        "unknown: the sender stopped mid-send, so it may or may not have gone out."
    )
    subject: str | None
    attempts: int
    due_at: datetime | None = Field(description="Pending: next attempt. Sending: lease end.")
    provider: str | None
    provider_message_id: str | None = Field(description="Email: our Message-ID header.")
    error: str | None
    event_id: int | None
    order_id: int | None
    order_number: str | None
    seller_order_id: int | None
    created_at: datetime
    sent_at: datetime | None


class NotificationDetail(NotificationSummary):
    """With what was (or will be) sent; bodies are empty until the message is rendered,
    just before its first attempt."""

    dedupe_key: str
    body_text: str | None
    body_html: str | None
