"""sellers' tables: accounts, due-diligence documents, policies, status history."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, id_column


class Seller(Base):
    __tablename__ = "sellers"
    __table_args__ = (Index("ix_sellers_status_id", "status", "id"),)

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    legal_entity: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(64))
    contact_email: Mapped[str] = mapped_column(String(320))
    contact_phone: Mapped[str] = mapped_column(String(40))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20))
    status_reason: Mapped[str | None] = mapped_column(Text)
    is_first_party: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]


class SellerPolicy(Base):
    """How the seller works: drives delivery promises and return eligibility later."""

    __tablename__ = "seller_policies"

    seller_id: Mapped[int] = mapped_column(
        ForeignKey("sellers.id", ondelete="CASCADE"), primary_key=True
    )
    handling_days: Mapped[int]
    ship_from_timezone: Mapped[str] = mapped_column(String(64))
    cut_off_time: Mapped[time] = mapped_column(Time())
    return_window_days: Mapped[int]
    service_email: Mapped[str] = mapped_column(String(320))
    service_phone: Mapped[str | None] = mapped_column(String(40))
    service_hours: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class SellerDocument(Base):
    __tablename__ = "seller_documents"

    id: Mapped[int] = id_column()
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    review_note: Mapped[str | None] = mapped_column(Text)
    uploaded_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)


class SellerStatusChange(Base):
    """Append-only history: who moved the seller where, when, and why."""

    __tablename__ = "seller_status_changes"

    id: Mapped[int] = id_column()
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_user_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
