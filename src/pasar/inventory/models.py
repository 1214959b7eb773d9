"""inventory's tables. Offers and sellers are other modules' rows, referenced by id only.

`stock_levels` is the hot table: one row per (offer, warehouse), changed only by guarded
UPDATEs that keep the CHECK constraints true. `stock_movements` is the append-only ledger
whose deltas sum to each row's numbers. `stock_thresholds` is inventory's copy of each
offer's low-stock threshold (catalog owns the value), so "which offers run low" is one
grouped query.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, BigId, id_column


class Warehouse(Base):
    """A stock location. `seller_id` NULL means the marketplace runs it (itself or via a 3PL)."""

    __tablename__ = "warehouses"
    __table_args__ = (
        CheckConstraint("owner_kind IN ('seller', 'marketplace', '3pl')", name="owner_kind"),
        CheckConstraint("owner_kind <> 'marketplace' OR seller_id IS NULL", name="marketplace"),
        CheckConstraint("owner_kind <> 'seller' OR seller_id IS NOT NULL", name="seller"),
        CheckConstraint("owner_key = coalesce(seller_id, 0)", name="owner_key"),
        UniqueConstraint("owner_key", "code"),
    )

    id: Mapped[int] = id_column()
    seller_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    #: seller_id, or 0 for the marketplace: NULLs never clash in a UNIQUE, zeros do.
    owner_key: Mapped[int] = mapped_column(BigInteger)
    owner_kind: Mapped[str] = mapped_column(String(20))
    operator_name: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    time_zone: Mapped[str] = mapped_column(String(64))
    cut_off_time: Mapped[str] = mapped_column(String(5))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class StockLevel(Base):
    """Warehouses are deactivated, never deleted; the cascades only serve test teardown."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("offer_id", "warehouse_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_non_negative"),
        CheckConstraint("reserved >= 0", name="reserved_non_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        Index("ix_stock_levels_seller_offer", "seller_id", "offer_id"),
    )

    id: Mapped[int] = id_column()
    offer_id: Mapped[int] = mapped_column(BigInteger)
    warehouse_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("warehouses.id", ondelete="CASCADE"), index=True
    )
    seller_id: Mapped[int] = mapped_column(BigInteger)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]


class StockMovement(Base):
    """One ledger entry: what changed on_hand and reserved, who did it, and why."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        Index("ix_stock_movements_seller_id_id", "seller_id", "id"),
        CheckConstraint(
            "kind IN ('receipt', 'adjustment', 'reservation', 'release', 'sale', 'return')",
            name="kind",
        ),
    )

    id: Mapped[int] = id_column()
    stock_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("stock_levels.id", ondelete="CASCADE"), index=True
    )
    seller_id: Mapped[int] = mapped_column(BigInteger)
    offer_id: Mapped[int] = mapped_column(BigInteger)
    warehouse_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    on_hand_delta: Mapped[int] = mapped_column(Integer)
    reserved_delta: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime]


class StockThreshold(Base):
    __tablename__ = "stock_thresholds"

    offer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seller_id: Mapped[int] = mapped_column(BigInteger, index=True)
    threshold: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
