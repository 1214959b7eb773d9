"""Fan-out of outbox events to NATS JetStream (placeholder: filled in by issue 5's broker work)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pasar.platform.jobs import StoredEvent

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


class NatsFanout:
    def __init__(self, url: str) -> None:
        self.url = url

    async def __call__(self, session: AsyncSession, events: Sequence[StoredEvent]) -> None:
        raise NotImplementedError("NATS fan-out is not built yet")

    async def close(self) -> None:
        return None
