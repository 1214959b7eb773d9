"""What the operator endpoints return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from pasar.operations.service import EventStatus


class EventSummary(BaseModel):
    id: int
    name: str = Field(examples=["seller_order.shipped"])
    version: int
    status: EventStatus
    occurred_at: datetime
    published_at: datetime | None
    attempts: int = Field(description="Failed deliveries so far.")
    next_attempt_at: datetime | None = Field(description="When a failed event is tried again.")
    last_error: str | None
    dead_at: datetime | None = Field(description="Set once the attempts are spent.")


class EventDetail(EventSummary):
    payload: dict[str, Any]


class EventStatsRead(BaseModel):
    pending: int = Field(description="Events not yet delivered (including those retrying).")
    retrying: int = Field(description="Pending events that have failed at least once.")
    dead: int = Field(description="Dead-lettered events waiting for a replay.")
    oldest_pending_at: datetime | None = Field(
        description="When the oldest pending event happened: the relay's lag."
    )
    dead_by_name: dict[str, int]
    broker_backlog: int = Field(
        description="Events delivered here but still waiting for the event broker (NATS)."
    )


class ReplayResult(BaseModel):
    replayed: int


class JobRun(BaseModel):
    job: str = Field(examples=["orders.expire_unpaid"])
    period_start: datetime
    status: str = Field(description="running, done or failed.")
    worker: str = Field(description="host:pid of the worker that ran it.")
    started_at: datetime
    finished_at: datetime | None
    handled: int | None = Field(description="What the run did (rows handled); -1 if it failed.")
    error: str | None
