"""The transactional outbox: an event is stored with the change that caused it, or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, id_column
from pasar.platform.events import Dispatcher, DomainEvent
from pasar.platform.time import utcnow


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(index=True)


async def emit(session: AsyncSession, *events: DomainEvent) -> None:
    """Record events in the caller's transaction and run their in-process subscribers."""
    if not events:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {"name": e.name, "version": e.version, "payload": e.payload(), "occurred_at": now}
        for e in events
    ]
    await session.execute(insert(OutboxEvent), rows)
    dispatcher: Dispatcher | None = session.info.get("dispatcher")
    if dispatcher is None:
        return
    batches: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        batches.setdefault(row["name"], []).append(row["payload"])
    for name, payloads in batches.items():
        for handler in dispatcher.handlers(name):
            await handler(session, payloads)
