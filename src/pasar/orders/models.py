"""orders' tables. Sellers, offers, users and payments are other modules' rows, by id only.

`seller_orders` is the hot table: sellers list their own by (seller_id, status, placed_at),
the sweeps find due ones by (status, payment_due_at) and (status, delivered_at). The stock
a SellerOrder holds is kept on it as JSON (`reservations`): it is read and written only
with its row, so a separate table would cost an INSERT per order for nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, BigId, id_column


class Order(Base):
    """The buyer's purchase: one checkout, one payment, many SellerOrders."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total_amount = items_amount + shipping_amount", name="total"),
        Index("ix_orders_buyer", "buyer_user_id", "id"),
        Index("ix_orders_payment_due", "payment_due_at"),
    )

    id: Mapped[int] = id_column()
    number: Mapped[str] = mapped_column(String(20), unique=True)
    buyer_user_id: Mapped[int | None] = mapped_column(BigInteger)
    email: Mapped[str] = mapped_column(String(320), index=True)
    phone: Mapped[str] = mapped_column(String(40))
    address: Mapped[dict[str, Any]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    items_amount: Mapped[int] = mapped_column(BigInteger)
    shipping_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    payment_method: Mapped[str] = mapped_column(String(20))
    #: The buyer's language for notifications ("en", "id"), chosen at checkout.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    #: The buyer asked for text messages at the key moments (shipped, delivered, ...).
    sms_updates: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Set while payment is awaited (bank transfer, 3-D Secure); cleared when it arrives.
    payment_due_at: Mapped[datetime | None]
    #: Indexed for the operator's "orders per day" and "orders today" numbers.
    placed_at: Mapped[datetime] = mapped_column(index=True)


class SellerOrder(Base):
    """One seller's part of an Order: the unit of fulfilment, with its own lifecycle."""

    __tablename__ = "seller_orders"
    __table_args__ = (
        Index("ix_seller_orders_seller_status", "seller_id", "status", "placed_at"),
        Index("ix_seller_orders_seller_placed", "seller_id", "placed_at"),
        Index("ix_seller_orders_status_delivered", "status", "delivered_at"),
        CheckConstraint("total_amount = items_amount + shipping_amount", name="seller_order_total"),
    )

    id: Mapped[int] = id_column()
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(24), unique=True)
    seller_id: Mapped[int] = mapped_column(BigInteger)
    seller_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    items_amount: Mapped[int] = mapped_column(BigInteger)
    shipping_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    commission_amount: Mapped[int] = mapped_column(BigInteger)
    delivery_service: Mapped[str] = mapped_column(String(40))
    delivery_name: Mapped[str] = mapped_column(String(100))
    ship_by: Mapped[date] = mapped_column(Date)
    promised_date: Mapped[date] = mapped_column(Date)
    reservations: Mapped[list[dict[str, int]]] = mapped_column(JSON)
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100), index=True)
    delivery_proof: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    cancelled_by: Mapped[str | None] = mapped_column(String(20))
    placed_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]
    processing_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class OrderLine(Base):
    """What was bought, frozen at the price paid: later catalog changes never rewrite it."""

    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = id_column()
    seller_order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("seller_orders.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(BigInteger)
    product_id: Mapped[int] = mapped_column(BigInteger)
    variant_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(400))
    sku: Mapped[str] = mapped_column(String(100))
    fulfilled_by: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int]
    unit_amount: Mapped[int] = mapped_column(BigInteger)
    line_amount: Mapped[int] = mapped_column(BigInteger)


class OrderHistory(Base):
    """Every transition: who, when, from, to, why. Append-only."""

    __tablename__ = "order_history"

    id: Mapped[int] = id_column()
    seller_order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("seller_orders.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(20))
    actor_ref: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime]
