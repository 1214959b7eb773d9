"""Helpers for the webhook tests: a real HTTP receiver on 127.0.0.1, endpoints, events.

No tests here.

    with Receiver() as receiver:                       # a server thread on a free port
        receiver.secrets = [secret]                     # what it verifies signatures with
        receiver.script = [500, 200]                    # answers to come (then `default`)
        ...
        receiver.unique_ids()                           # Pasar-Delivery-Ids processed once

The receiver is idempotent like a well-behaved one: it processes a delivery id once and
answers 200 to a repeat. It records every raw request, with which secrets verified it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import orjson

from pasar.app import consumers
from pasar.platform.db import Database
from pasar.platform.events import DomainEvent
from pasar.platform.outbox import emit
from pasar.platform.relay import drain
from pasar.platform.settings import Settings
from pasar.platform.signing import HEADER, BadSignature, verify
from pasar.webhooks.domain import signing_key


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    #: The default backlog (5) drops connections when a worker posts 16 at once.
    request_queue_size = 128


@dataclass
class Received:
    delivery_id: str
    event_type: str
    body: dict[str, Any]
    raw: bytes
    signature: str
    #: Indexes into `Receiver.secrets` of every secret that verified the signature.
    verified_by: list[int]
    headers: dict[str, str]
    answered: int


@dataclass
class Receiver:
    #: Secrets to verify with; a request none of them verifies is answered 401.
    secrets: list[str] = field(default_factory=list)
    #: Answers still to give, in order: a status code, or "hang" (sleep `hang_seconds`).
    script: list[int | str] = field(default_factory=list)
    default: int | str = 200
    hang_seconds: float = 3.0
    #: Seconds each answer takes (a slow receiver).
    delay: float = 0.0
    #: The body of every answer (default: a short JSON or text).
    reply: bytes | None = None
    requests: list[Received] = field(default_factory=list)
    #: Delivery ids as calls arrive (before any delay): what was in flight.
    arrivals: list[str] = field(default_factory=list)
    processed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        raw = request.rfile.read(int(request.headers.get("Content-Length", "0")))
        with self.lock:
            self.arrivals.append(request.headers.get("Pasar-Delivery-Id", ""))
        signature = request.headers.get(HEADER, "")
        verified = []
        for index, secret in enumerate(self.secrets):
            try:
                verify(signing_key(secret), raw, signature)
            except BadSignature:
                continue
            verified.append(index)
        with self.lock:
            answer = self.script.pop(0) if self.script else self.default
        if self.delay:
            time.sleep(self.delay)
        if answer == "hang":
            time.sleep(self.hang_seconds)
            answer = 200
        code = int(answer) if verified else 401
        delivery_id = request.headers.get("Pasar-Delivery-Id", "")
        with self.lock:
            self.requests.append(
                Received(
                    delivery_id=delivery_id,
                    event_type=request.headers.get("Pasar-Event-Type", ""),
                    body=orjson.loads(raw),
                    raw=raw,
                    signature=signature,
                    verified_by=verified,
                    headers=dict(request.headers.items()),
                    answered=code,
                )
            )
            if 200 <= code < 300 and delivery_id not in self.processed:
                self.processed.append(delivery_id)
        try:
            body = b'{"received": true}' if code < 300 else b"receiver says no"
            body = self.reply if self.reply is not None else body
            request.send_response(code)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except OSError:  # the caller gave up (a timeout) or was killed
            pass

    def of_type(self, name: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.event_type == name]

    def ids(self) -> list[str]:
        with self.lock:
            return [r.delivery_id for r in self.requests]


async def register(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    url: str,
    event_types: Sequence[str],
    *,
    seller_id: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An endpoint of the seller (or, with no seller, the marketplace's); returns the
    creation answer, secret included."""
    path = (
        "/api/v1/admin/webhook-endpoints"
        if seller_id is None
        else f"/api/v1/sellers/{seller_id}/webhook-endpoints"
    )
    created = await client.post(
        path, json={"url": url, "event_types": list(event_types), **extra}, headers=headers
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def emit_events(database: Database, *events: DomainEvent) -> None:
    async with database.sessionmaker() as session:
        await emit(session, *events)
        await session.commit()


async def relay(database: Database, settings: Settings) -> int:
    """Hand every pending outbox event to the consumers (webhooks plans its deliveries)."""
    return await drain(database, consumers(settings))
