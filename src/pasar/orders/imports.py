"""Orders that came from a trusted channel: (channel, external id) -> the order placed.

The UNIQUE constraint is the idempotency of order batches: a second batch carrying the same
external id finds the first order instead of placing another, even when the two race.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, id_column


class OrderImport(Base):
    __tablename__ = "order_imports"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = id_column()
    channel: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    number: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
