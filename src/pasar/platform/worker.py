"""A worker: the relay, the drains and the scheduler, each in its own loop, until stopped.

`pasar worker` runs one per process (any number, on any host, against PostgreSQL);
`pasar serve` embeds one per server process unless `PASAR_EMBEDDED_WORKER=false`. Every
loop claims its work in the database, so workers never need to know about each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import structlog

from pasar.platform.db import Database
from pasar.platform.jobs import Consumer, Drain, Job
from pasar.platform.relay import RelayPolicy, relay_once
from pasar.platform.scheduler import run_due
from pasar.platform.settings import Settings

log = structlog.get_logger("pasar.worker")

#: How often the scheduler looks for a period nobody has claimed.
SCHEDULER_TICK_SECONDS = 1.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Worker:
    database: Database
    settings: Settings
    consumers: Sequence[Consumer]
    drains: Sequence[Drain] = ()
    jobs: Sequence[Job] = ()
    name: str = field(default_factory=worker_name)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        """Run every loop until `stop()`; a loop's failure is logged and the loop goes on."""
        policy = RelayPolicy(
            batch_size=self.settings.relay_batch_size,
            max_attempts=self.settings.relay_max_attempts,
        )

        async def relay() -> int:
            return await relay_once(self.database, self.consumers, policy=policy)

        loops = [self._loop("relay", relay)]
        for drain in self.drains:
            loops.append(self._loop(drain.name, self._bind(drain)))
        if self.jobs:
            loops.append(self._schedule())
        log.info("worker started", worker=self.name, loops=len(loops))
        await asyncio.gather(*loops)
        log.info("worker stopped", worker=self.name)

    async def run_once(self) -> dict[str, int]:
        """Do everything due now and return (cron-style use, the demo, tests): relay until
        no event is pending, run each drain until idle, run the jobs whose period is free."""
        policy = RelayPolicy(
            batch_size=self.settings.relay_batch_size,
            max_attempts=self.settings.relay_max_attempts,
        )
        done = {"relay": 0}
        while handled := await relay_once(self.database, self.consumers, policy=policy):
            done["relay"] += handled
        for drain in self.drains:
            done[drain.name] = 0
            while handled := await drain.run(self.database, self.settings):
                done[drain.name] += handled
                # what a drain sends may cause events (a disabled endpoint): relay them too
                while more := await relay_once(self.database, self.consumers, policy=policy):
                    done["relay"] += more
        done.update(await run_due(self.database, self.settings, self.jobs, worker=self.name))
        return done

    def stop(self) -> None:
        self.stopping.set()

    async def close(self) -> None:
        """Release what the consumers hold open (a broker connection)."""
        for consume in self.consumers:
            close = getattr(consume, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()

    def _bind(self, drain: Drain) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            return await drain.run(self.database, self.settings)

        return run

    async def _loop(self, name: str, step: Callable[[], Awaitable[int]]) -> None:
        """Repeat `step` while it finds work; when idle (or failing), wait before asking again."""
        while not self.stopping.is_set():
            try:
                handled = await step()
            except Exception:
                log.exception("worker loop failed", loop=name, worker=self.name)
                handled = 0
            if handled == 0:
                await self._pause(self.settings.worker_poll_seconds)

    async def _schedule(self) -> None:
        while not self.stopping.is_set():
            try:
                ran = await run_due(self.database, self.settings, self.jobs, worker=self.name)
                if any(ran.values()):
                    log.info("scheduled jobs ran", worker=self.name, **ran)
            except Exception:
                log.exception("scheduler failed", worker=self.name)
            await self._pause(SCHEDULER_TICK_SECONDS)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)
