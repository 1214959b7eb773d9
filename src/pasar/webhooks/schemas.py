"""Webhook endpoints, deliveries and the event catalogue over HTTP.

An endpoint's secret appears in exactly two answers: the one that created the endpoint and
the one that rotated its secret (and in an identical retry of either, under the same
`Idempotency-Key`). Every other read leaves it out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pasar.platform.urls import endpoint_problem
from pasar.webhooks.domain import unknown_types

DeliveryStatus = Literal["pending", "delivered", "failed"]


def _url(value: str) -> str:
    value = value.strip()
    problem = endpoint_problem(value)
    if problem:
        raise ValueError(f"the endpoint URL {problem}")
    return value


def _event_types(value: list[str]) -> list[str]:
    unknown = unknown_types(value)
    if unknown:
        raise ValueError(
            f"unknown event types: {', '.join(unknown)} (see GET /api/v1/webhook-event-types)"
        )
    return sorted(set(value))


class WebhookEndpointCreate(BaseModel):
    """Where to post, and which events (names from `GET /api/v1/webhook-event-types`)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=500, examples=["https://erp.example.com/pasar"])
    event_types: list[str] = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return _url(value)

    @field_validator("event_types")
    @classmethod
    def _check_types(cls, value: list[str]) -> list[str]:
        return _event_types(value)


class WebhookEndpointUpdate(BaseModel):
    """Change any of these; `enabled: true` re-enables a disabled endpoint, and its pending
    deliveries go out at once."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=8, max_length=500)
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=100)
    enabled: bool | None = None
    description: str | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else _url(value)

    @field_validator("event_types")
    @classmethod
    def _check_types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _event_types(value)


class WebhookEndpointRead(BaseModel):
    id: int
    #: None: a marketplace-wide endpoint (an operator's), receiving every seller's events.
    seller_id: int | None
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_at: datetime | None = Field(
        description="When it was disabled (after failing too long, or by request)."
    )
    disabled_reason: str | None
    failing_since: datetime | None = Field(
        description="The first failed attempt since the last success."
    )
    last_success_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="Until then, calls also carry a signature by the secret a rotation replaced."
    )
    created_at: datetime
    updated_at: datetime
    secret: str | None = Field(
        default=None,
        description="Shown only in the answer that issued it (creating, rotating). Verify "
        "`Pasar-Signature` with HMAC-SHA256 keyed by this whole string.",
    )


class WebhookDeliveryRead(BaseModel):
    id: int
    #: The `Pasar-Delivery-Id` header and the body's `id`: the same on every attempt.
    delivery_id: str
    endpoint_id: int
    event_id: int
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When it is next tried, if pending.")
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookAttemptRead(BaseModel):
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None
    response_body: str | None = Field(description="The first kilobyte of the answer.")


class WebhookDeliveryDetail(WebhookDeliveryRead):
    data: dict[str, Any] = Field(description="The event's payload as this endpoint receives it.")
    attempt_log: list[WebhookAttemptRead] = Field(description="Every attempt, oldest first.")


class WebhookEventTypeRead(BaseModel):
    type: str
    description: str
    example: dict[str, Any] = Field(description="An example of the body's `data`.")
