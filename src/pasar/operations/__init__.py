"""operations: the operator's view of the machinery: outbox events, dead letters, scheduled jobs."""

from pasar.operations.router import router
from pasar.operations.service import (
    EventStats,
    EventStatus,
    EventView,
    get_event,
    list_events,
    recent_runs,
    replay,
    replay_dead,
    stats,
)

__all__ = [
    "EventStats",
    "EventStatus",
    "EventView",
    "get_event",
    "list_events",
    "recent_runs",
    "replay",
    "replay_dead",
    "router",
    "stats",
]
