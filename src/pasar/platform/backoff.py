"""Retry schedules for work that is stored and retried later (outbox events, webhooks, mail).

A retry that must survive a restart is a row with a `next_attempt_at`, and this is the one
rule every such row follows.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta


def backoff_delay(
    attempts: int,
    *,
    base_seconds: float,
    max_seconds: float,
    rand: Callable[[], float] = random.random,
) -> timedelta:
    """Wait before the attempt after `attempts` failures: exponential, capped, with "equal
    jitter" (between half and all of the step), so a recovering receiver is not hit by every
    retry at the same second, yet each still waits at least half its step."""
    if attempts < 1:
        raise ValueError("a backoff follows at least one failed attempt")
    step = min(max_seconds, base_seconds * 2 ** min(attempts - 1, 62))
    return timedelta(seconds=step / 2 + rand() * step / 2)
