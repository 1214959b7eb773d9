"""notifications: buyer emails and text messages, from domain events.

Placeholder wiring: filled in by issue 5's notifications work.
"""

from fastapi import APIRouter

from pasar.platform.jobs import Consumer, Drain, Job

router = APIRouter()
CONSUMERS: dict[str, Consumer] = {}
DRAINS: tuple[Drain, ...] = ()
JOBS: tuple[Job, ...] = ()

__all__ = ["CONSUMERS", "DRAINS", "JOBS", "router"]
