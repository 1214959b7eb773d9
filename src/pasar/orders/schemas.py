"""orders' API shapes. Buyers see what they bought and who sells it; sellers also see the
buyer's delivery details and their commission; nobody sees another party's money."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from pasar.orders.domain import Status


class SellerRef(BaseModel):
    id: int
    name: str


class LineRead(BaseModel):
    offer_id: int
    product_id: int
    variant_id: int
    title: str
    sku: str
    fulfilled_by: str = Field(description="`seller` or `marketplace`: who packs and ships it.")
    quantity: int
    unit_amount: int
    line_amount: int


class HistoryRead(BaseModel):
    from_status: Status | None
    to_status: Status
    actor: str = Field(description="buyer, seller, operator or system")
    reason: str | None
    at: datetime


class DeliveryRead(BaseModel):
    service: str
    name: str
    shipping_amount: int
    ship_by: date = Field(description="The seller hands the parcel to the carrier by this day.")
    promised_date: date = Field(description="The buyer was promised delivery by this day.")


class SellerOrderRead(BaseModel):
    id: int
    number: str
    seller: SellerRef
    status: Status
    currency: str
    items_amount: int
    shipping_amount: int
    total_amount: int
    delivery: DeliveryRead
    carrier: str | None
    tracking_number: str | None
    delivery_proof: dict[str, Any] | None
    cancel_reason: str | None
    cancelled_by: str | None
    overdue: bool = Field(description="Not shipped although its ship-by day has passed.")
    buyer_can_cancel: bool = Field(description="The buyer may still cancel this part.")
    buyer_can_confirm: bool = Field(description="Delivered: the buyer may confirm receipt.")
    placed_at: datetime
    verified_at: datetime | None
    processing_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    lines: list[LineRead]
    history: list[HistoryRead]


class BuyerDetails(BaseModel):
    email: str
    phone: str
    address: dict[str, Any]


class SellerOrderDetail(SellerOrderRead):
    """A SellerOrder as its seller (and the operator) sees it."""

    order_id: int
    order_number: str
    buyer: BuyerDetails
    payment_method: str
    commission_amount: int
    net_amount: int = Field(description="What the seller is owed: total less commission.")


class PaymentSummary(BaseModel):
    method: str
    status: str
    amount: int
    captured: int
    refunded: int
    due_at: datetime | None
    card_brand: str | None
    card_last4: str | None
    next_action: dict[str, Any] | None
    instructions: dict[str, Any] | None


class OrderRead(BaseModel):
    id: int
    number: str
    status: Status = Field(description="The least advanced live part of the order.")
    placed_at: datetime
    email: str
    phone: str
    address: dict[str, Any]
    currency: str
    items_amount: int
    shipping_amount: int
    total_amount: int
    payment_method: str
    language: str = Field(description="The language of the buyer's notifications.")
    sms_updates: bool = Field(description="The buyer gets text messages at key moments.")
    payment_due_at: datetime | None
    payment: PaymentSummary | None
    seller_orders: list[SellerOrderRead]
    access_token: str | None = Field(
        default=None,
        description="For guests: open the order with `?access=<token>`. Keep it private.",
    )


class OrderDetail(OrderRead):
    """The operator's view: every SellerOrder with commission and history."""

    seller_orders: list[SellerOrderDetail]  # type: ignore[assignment]


class OrderSummary(BaseModel):
    id: int
    number: str
    status: Status
    placed_at: datetime
    currency: str
    total_amount: int
    payment_method: str
    seller_count: int


class OrderLookup(BaseModel):
    number: str = Field(min_length=1, max_length=20)
    email: str = Field(min_length=3, max_length=320)


class OrderAccess(BaseModel):
    number: str
    access_token: str
    url: str


class ReasonBody(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class RequiredReason(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ShipBody(BaseModel):
    carrier: str = Field(min_length=1, max_length=100)
    tracking_number: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9\-]+$")


class DeliveryProof(BaseModel):
    left_at: str | None = Field(
        default=None, max_length=100, description='Where it was left: "front door", "neighbour"'
    )
    recipient_name: str | None = Field(default=None, max_length=200)
    photo_url: str | None = Field(default=None, max_length=2000)
    signature: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class DeliverBody(BaseModel):
    proof: DeliveryProof | None = None


class DeliveryReport(BaseModel):
    """A carrier's (or 3PL's) signed report that a parcel was delivered or could not be."""

    id: str = Field(min_length=1, max_length=100, description="The carrier's event id.")
    tracking_number: str = Field(min_length=1, max_length=100)
    outcome: str = Field(pattern="^(delivered|failed)$")
    reason: str | None = Field(default=None, max_length=500)
    proof: DeliveryProof | None = None


class OrderCounts(BaseModel):
    """A seller's (or the marketplace's) queue at a glance."""

    by_status: dict[str, int]
    overdue: int = Field(description="Holding stock past their ship-by day.")
    to_ship_today: int = Field(description="Verified or processing, due to ship by today.")
