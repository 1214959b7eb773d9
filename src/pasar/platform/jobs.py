"""What a worker runs besides the relay: drains (every worker, all the time) and scheduled
jobs (once per period across all workers). Modules export them as `DRAINS` and `JOBS`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from pasar.platform.db import Database
    from pasar.platform.settings import Settings


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An outbox event as a consumer receives it."""

    id: int
    name: str
    version: int
    payload: dict[str, Any]
    occurred_at: datetime


#: Runs inside the relay's transaction for a batch of events (any names: it filters).
#: It must be idempotent (an event may come again after a crash) and should be set-based.
Consumer = Callable[["AsyncSession", Sequence[StoredEvent]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Drain:
    """Work every worker process does concurrently, claiming rows with SKIP LOCKED.

    `run` handles one bounded batch and returns how many items it handled; 0 means idle,
    and the worker waits `worker_poll_seconds` before asking again.
    """

    name: str
    run: Callable[[Database, Settings], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Job:
    """A scheduled job: runs once per period of `every`, whichever worker claims it first."""

    name: str
    every: Callable[[Settings], timedelta | None]  # None: disabled by the settings
    run: Callable[[Database, Settings, datetime], Awaitable[int]]


def flatten(groups: Sequence[Sequence[Any]]) -> list[Any]:
    return [item for group in groups for item in group]
