"""The transactional outbox: an event is stored with the change that caused it, or not at all.

A row is *pending* until a relay has handed it to every consumer (`published_at`), or
*dead* once its attempts are spent (`dead_at`), waiting for an operator to replay it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Index, String, Table, Text, insert, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, id_column
from pasar.platform.events import Dispatcher, DomainEvent
from pasar.platform.time import utcnow

PENDING = text("published_at IS NULL AND dead_at IS NULL")


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        # The relay's claim reads only pending rows, in id order: this stays small however
        # long the published history grows.
        Index("ix_outbox_events_pending", "id", postgresql_where=PENDING, sqlite_where=PENDING),
    )

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    dead_at: Mapped[datetime | None] = mapped_column(index=True)


#: Built once, on the table (Core, not the ORM's bulk path): every write of the app ends here.
_INSERT = insert(cast(Table, OutboxEvent.__table__))


async def emit(session: AsyncSession, *events: DomainEvent) -> None:
    """Record events in the caller's transaction and run their in-process subscribers."""
    if not events:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {"name": e.name, "version": e.version, "payload": e.payload(), "occurred_at": now}
        for e in events
    ]
    await session.execute(_INSERT, rows)
    dispatcher: Dispatcher | None = session.info.get("dispatcher")
    if dispatcher is None:
        return
    batches: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        batches.setdefault(row["name"], []).append(row["payload"])
    for name, payloads in batches.items():
        for handler in dispatcher.handlers(name):
            await handler(session, payloads)
