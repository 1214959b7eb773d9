"""The load generators' HTTP client: aiohttp on keep-alive connections, bodies as orjson.

The generator shares the machine's two CPUs with the server and PostgreSQL, so its own cost
is taken from what it measures. httpx costs ~2.7 ms of CPU a request here, aiohttp ~0.5 ms
(1,000 sequential `GET /healthz`, `time.process_time`), so the generators use aiohttp and
keep httpx for set-up and checks where speed does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp
import orjson

#: What a request can fail with below HTTP: refused, reset, timed out.
TransportError: tuple[type[BaseException], ...] = (aiohttp.ClientError, TimeoutError, OSError)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    @property
    def is_json(self) -> bool:
        return self.content_type.endswith("json")


class Client:
    """One connection pool of `connections` keep-alive connections to `base`."""

    def __init__(self, base: str, *, connections: int, timeout: float = 60) -> None:
        self._base = base.rstrip("/")
        self._connections = connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Client:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._connections),
            timeout=aiohttp.ClientTimeout(total=self._timeout),
            json_serialize=lambda value: orjson.dumps(value).decode(),
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Reply:
        assert self._session is not None, "use the client in `async with`"
        send_headers = dict(headers or {})
        body = data
        if json is not None:
            body = orjson.dumps(json)
            send_headers.setdefault("Content-Type", "application/json")
        async with self._session.request(
            method, self._base + path, data=body, headers=send_headers, params=params
        ) as response:
            payload = await response.read()
            return Reply(response.status, response.headers.get("Content-Type", ""), payload)

    async def get(self, path: str, *, params: dict[str, str] | None = None) -> Reply:
        return await self.request("GET", path, params=params)
