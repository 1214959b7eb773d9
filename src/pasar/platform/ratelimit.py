"""Rate limits on top of the `limits` library (moving window; memory or Redis storage)."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from pasar.platform.errors import RateLimited


class RateLimiter:
    def __init__(self, rule: str, storage_uri: str = "memory://") -> None:
        self.item = parse(rule)
        self.limiter = MovingWindowRateLimiter(storage_from_string(_async_uri(storage_uri)))

    async def hit(self, *key: str) -> None:
        """Count one attempt for `key`, or raise RateLimited once the window is full."""
        if await self.limiter.hit(self.item, *key):
            return
        stats = await self.limiter.get_window_stats(self.item, *key)
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(f"Too many attempts; try again in {retry} seconds.", retry_after=retry)

    async def clear(self, *key: str) -> None:
        await self.limiter.clear(self.item, *key)


def _async_uri(uri: str) -> str:
    """`limits` picks its asyncio storage from an `async+` scheme prefix."""
    return uri if uri.startswith("async+") else f"async+{uri}"
