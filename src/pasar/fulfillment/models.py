"""fulfillment's tables. SellerOrders, order lines and warehouses are other modules' rows, by id.

A shipment is one parcel journey: from one warehouse, by one carrier and service, under
one tracking number, carrying some quantity of some lines of one SellerOrder (split
shipments are several rows). Its packages are the boxes, each with its own label.
Tracking events are append-only and unique per (shipment, event key), so a carrier that
repeats itself changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, BigId, id_column


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        Index("ix_shipments_seller_created", "seller_id", "created_at"),
        Index("ix_shipments_open", "status", "last_event_at"),
    )

    id: Mapped[int] = id_column()
    seller_order_id: Mapped[int] = mapped_column(BigInteger, index=True)
    seller_order_number: Mapped[str] = mapped_column(String(24))
    order_id: Mapped[int] = mapped_column(BigInteger, index=True)
    seller_id: Mapped[int] = mapped_column(BigInteger)
    warehouse_id: Mapped[int] = mapped_column(BigInteger)
    carrier: Mapped[str] = mapped_column(String(40))
    service: Mapped[str] = mapped_column(String(40))
    service_name: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100), unique=True)
    #: A TrackingStatus value, or "cancelled" for a label voided before hand-over.
    status: Mapped[str] = mapped_column(String(30))
    label_cost: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    ship_by: Mapped[date] = mapped_column(Date)
    promised_date: Mapped[date] = mapped_column(Date)
    #: When the ship-by and promised days end in the warehouse's time zone (its midnight
    #: after them): the instants delay detection and "on time" compare against.
    pickup_deadline: Mapped[datetime]
    promise_deadline: Mapped[datetime]
    #: The carrier's current estimate; starts as the promise, moves with scans and delays.
    expected_date: Mapped[date] = mapped_column(Date)
    proof: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Why the shipment is flagged as at risk of missing its promise, and when it was.
    delay_reason: Mapped[str | None] = mapped_column(String(40))
    delay_detail: Mapped[str | None] = mapped_column(String(300))
    delayed_at: Mapped[datetime | None]
    handed_over_at: Mapped[datetime | None]
    #: Set when its SellerOrder's delivery failed: a reship's parcels replace this one.
    superseded_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_event_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        UniqueConstraint("shipment_id", "order_line_id"),
    )

    id: Mapped[int] = id_column()
    shipment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    seller_order_id: Mapped[int] = mapped_column(BigInteger, index=True)
    order_line_id: Mapped[int] = mapped_column(BigInteger)
    sku: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(400))
    quantity: Mapped[int] = mapped_column(Integer)


class Package(Base):
    __tablename__ = "packages"
    __table_args__ = (
        CheckConstraint("weight_grams > 0", name="weight_positive"),
        UniqueConstraint("shipment_id", "seq"),
    )

    id: Mapped[int] = id_column()
    shipment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    weight_grams: Mapped[int] = mapped_column(Integer)
    length_mm: Mapped[int | None] = mapped_column(Integer)
    width_mm: Mapped[int | None] = mapped_column(Integer)
    height_mm: Mapped[int | None] = mapped_column(Integer)


class TrackingEvent(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("shipment_id", "event_key"),)

    id: Mapped[int] = id_column()
    shipment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    event_key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)


class ThreePLConnection(Base):
    """A warehouse operated by a third-party logistics provider, and how to reach it."""

    __tablename__ = "threepl_connections"

    id: Mapped[int] = id_column()
    warehouse_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    seller_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    #: "sandbox" fulfils by itself after a delay; "webhook" posts signed requests.
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    endpoint_url: Mapped[str | None] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    fulfil_after_minutes: Mapped[int] = mapped_column(Integer, default=30)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ThreePLRequest(Base):
    """One pick/pack request to a 3PL: pushed with retries until it is acknowledged."""

    __tablename__ = "threepl_requests"
    __table_args__ = (
        UniqueConstraint("connection_id", "seller_order_id"),
        Index("ix_threepl_requests_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = id_column()
    connection_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("threepl_connections.id", ondelete="CASCADE")
    )
    seller_order_id: Mapped[int] = mapped_column(BigInteger)
    seller_order_number: Mapped[str] = mapped_column(String(24))
    #: pending → sent (acknowledged by the 3PL) → shipped → delivered; or failed.
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
