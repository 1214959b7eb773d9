"""3PL connections' request and response bodies, and the reports a 3PL sends back.

A connection's secret appears in exactly two answers: the one that created the connection
and the one that rotated it. Every other read leaves it out.

Reports are one body with a `kind` (`shipped`, `tracking`, `delivered`), each naming the
SellerOrder by the number Pasar sent in the request, and a `report_id` the 3PL keeps
stable across its own retries: the same report twice is applied once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from pasar.fulfillment.domain import TrackingStatus, WhereLeft
from pasar.platform.types import Id
from pasar.platform.urls import endpoint_problem

Kind = Literal["webhook", "sandbox"]
RequestStatus = Literal["pending", "sent", "shipped", "delivered", "failed"]


class ThreePLConnectionPut(BaseModel):
    """`webhook`: Pasar posts signed pick/pack requests to `endpoint_url`. `sandbox`: a
    simulated 3PL that acknowledges at once and ships by itself after
    `fulfil_after_minutes`, on the sandbox carrier."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Defaults to the warehouse's operator name.",
    )
    endpoint_url: str | None = Field(default=None, min_length=8, max_length=500)
    fulfil_after_minutes: int = Field(default=30, ge=0, le=7 * 24 * 60)

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = endpoint_problem(value.strip())
        if problem:
            raise ValueError(f"the endpoint URL {problem}")
        return value.strip()

    @model_validator(mode="after")
    def _endpoint_for_webhooks(self) -> ThreePLConnectionPut:
        if self.kind == "webhook" and self.endpoint_url is None:
            raise ValueError("a webhook 3PL needs an endpoint_url")
        if self.kind == "sandbox" and self.endpoint_url is not None:
            raise ValueError("a sandbox 3PL takes no endpoint_url")
        return self


class ThreePLConnectionRead(BaseModel):
    id: int
    warehouse_id: int
    seller_id: int | None
    kind: str
    name: str
    endpoint_url: str | None
    fulfil_after_minutes: int
    #: Where the 3PL posts its reports (signed with the secret).
    report_url: str
    created_at: datetime
    updated_at: datetime
    secret: str | None = Field(
        default=None,
        description="Shown only in the answer that issued it (connecting, rotating). Sign "
        "reports with it; Pasar signs its requests with it.",
    )


class ThreePLRequestRead(BaseModel):
    id: int
    connection_id: int
    warehouse_id: int
    seller_order_id: int
    seller_order_number: str
    status: RequestStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    payload: dict[str, Any]
    created_at: datetime
    updated_at: datetime


# --- reports from the 3PL ----------------------------------------------------------------


class ReportLine(BaseModel):
    """A line of the request by its `order_line_id`, or by `sku`."""

    model_config = ConfigDict(extra="forbid")

    order_line_id: Id | None = None
    sku: str | None = Field(default=None, min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=10_000)

    @model_validator(mode="after")
    def _named(self) -> ReportLine:
        if self.order_line_id is None and self.sku is None:
            raise ValueError("name the line by order_line_id or sku")
        return self


class ReportPackage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weight_grams: int = Field(ge=1, le=1_000_000)
    length_mm: int | None = Field(default=None, ge=1, le=5_000)
    width_mm: int | None = Field(default=None, ge=1, le=5_000)
    height_mm: int | None = Field(default=None, ge=1, le=5_000)


class ReportProof(BaseModel):
    model_config = ConfigDict(extra="forbid")

    where_left: WhereLeft | None = None
    recipient_name: str | None = Field(default=None, max_length=200)
    photo_url: str | None = Field(default=None, max_length=500)
    signature: str | None = Field(default=None, max_length=500)


class ReportEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=80)
    status: TrackingStatus
    code: str = Field(min_length=1, max_length=60)
    description: str = Field(min_length=1, max_length=300)
    location: str | None = Field(default=None, max_length=200)
    occurred_at: AwareDatetime


class _Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_id: str = Field(
        min_length=1, max_length=200, description="Stable across retries; applied once."
    )
    seller_order_number: str = Field(min_length=1, max_length=24)


class ShippedReport(_Report):
    """The 3PL packed the lines (all of this warehouse's, by default) and handed them to
    the carrier under its own label."""

    kind: Literal["shipped"]
    carrier: str = Field(min_length=1, max_length=40)
    service: str | None = Field(default=None, min_length=1, max_length=40)
    tracking_number: str = Field(min_length=1, max_length=100)
    packages: list[ReportPackage] = Field(min_length=1, max_length=20)
    lines: list[ReportLine] | None = Field(default=None, min_length=1, max_length=200)


class TrackingReport(_Report):
    kind: Literal["tracking"]
    tracking_number: str = Field(min_length=1, max_length=100)
    events: list[ReportEvent] = Field(min_length=1, max_length=100)


class DeliveredReport(_Report):
    kind: Literal["delivered"]
    tracking_number: str = Field(min_length=1, max_length=100)
    delivered_at: AwareDatetime
    location: str | None = Field(default=None, max_length=200)
    proof: ReportProof | None = None


ThreePLReport = Annotated[
    ShippedReport | TrackingReport | DeliveredReport, Field(discriminator="kind")
]


class ReportResult(BaseModel):
    """What the report changed; a repeated report answers the first one's result."""

    report_id: str
    seller_order_id: int
    request_status: RequestStatus
    seller_order_status: str
    shipment_id: int | None = None
    tracking_number: str | None = None
    events_recorded: int = 0
