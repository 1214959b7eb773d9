"""webhooks: signed HTTP calls to the endpoints sellers and 3PLs register, per event type.

Placeholder wiring: filled in by issue 5's webhooks work.
"""

from fastapi import APIRouter

from pasar.platform.jobs import Consumer, Drain, Job

router = APIRouter()
CONSUMERS: dict[str, Consumer] = {}
DRAINS: tuple[Drain, ...] = ()
JOBS: tuple[Job, ...] = ()

__all__ = ["CONSUMERS", "DRAINS", "JOBS", "router"]
