"""operations: the operator's view of the machinery: outbox events, dead letters, scheduled jobs."""

from pasar.operations.router import router

__all__ = ["router"]
