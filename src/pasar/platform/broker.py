"""Fan-out of outbox events to NATS JetStream, so systems outside Pasar can subscribe.

`NatsFanout` is an outbox consumer: the relay calls it inside the transaction that marks
the batch published, so a batch counts as delivered only once JetStream has acknowledged
(stored) every event of it. A failure raises, and the relay retries with backoff.

A crash between the acks and the commit publishes the batch again; every message carries
`Nats-Msg-Id: pasar-<event id>`, so JetStream's duplicate window (two minutes unless the
stream says otherwise) drops the second copy. Subscribers should still key on the `id`
in the body: a retry later than the window is stored twice.

Each event goes to `<prefix>.<event name>` (`pasar.events.seller_order.shipped`) as JSON
`{"id", "name", "version", "occurred_at", "payload"}`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import orjson
import structlog

from pasar.platform.jobs import StoredEvent

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js import JetStreamContext
    from nats.js.api import PubAck
    from sqlalchemy.ext.asyncio import AsyncSession

log = structlog.get_logger("pasar.broker")

DEFAULT_STREAM = "PASAR_EVENTS"
DEFAULT_PREFIX = "pasar.events"
#: JetStream's de-duplication header (nats-py's `Header.MSG_ID`). nats-py itself is imported
#: only by a worker that publishes: the API server never needs it, and it costs a start-up.
MSG_ID = "Nats-Msg-Id"


class BrokerError(Exception):
    """Events could not be handed to the broker; the relay retries them with backoff."""


class NatsFanout:
    """Publishes each batch of outbox events to JetStream and waits for every ack.

    Connects on first use (a worker with an unreachable broker still starts, and the
    events wait in the outbox) and creates the stream if it is missing; an existing
    stream is left as its operator configured it.

    After the broker fails to answer (unreachable, timed out, no stream), further calls
    fail at once for `cooldown_seconds` instead of reconnecting: the relay retries a
    failed batch event by event, and paying a connect or ack timeout for each of 200
    events would hold the batch's transaction open for minutes.
    """

    def __init__(
        self,
        url: str,
        *,
        stream: str = DEFAULT_STREAM,
        subject_prefix: str = DEFAULT_PREFIX,
        timeout_seconds: float = 5.0,
        connect_timeout_seconds: int = 2,
        cooldown_seconds: float = 5.0,
    ) -> None:
        self.url = url
        self.stream = stream
        self.subject_prefix = subject_prefix.rstrip(".")
        self.timeout_seconds = timeout_seconds
        self.connect_timeout_seconds = connect_timeout_seconds
        self.cooldown_seconds = cooldown_seconds
        self._client: Client | None = None
        self._jetstream: JetStreamContext | None = None
        self._unavailable_until = 0.0
        self._why_unavailable = ""
        self._connecting = asyncio.Lock()

    def subject(self, event_name: str) -> str:
        return f"{self.subject_prefix}.{event_name}"

    async def __call__(self, session: AsyncSession, events: Sequence[StoredEvent]) -> None:
        if not events:
            return
        js = await self._connected()
        outcomes = await asyncio.gather(
            *(self._publish(js, event) for event in events), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                raise outcome  # cancelled: not the broker's failure
        failures = [o for o in outcomes if isinstance(o, Exception)]
        if not failures:
            return
        first = failures[0]
        if not _rejects_only_this_message(first):
            await self._unavailable(f"{type(first).__name__}: {first}")
        raise BrokerError(
            f"{len(failures)} of {len(events)} events not acknowledged by {self.url} "
            f"({type(first).__name__}: {first})"
        ) from first

    async def close(self) -> None:
        client, self._client, self._jetstream = self._client, None, None
        if client is not None and not client.is_closed:
            await client.close()

    async def _publish(self, js: JetStreamContext, event: StoredEvent) -> PubAck:
        body = orjson.dumps(
            {
                "id": event.id,
                "name": event.name,
                "version": event.version,
                "occurred_at": event.occurred_at.isoformat(),
                "payload": event.payload,
            }
        )
        return await js.publish(
            self.subject(event.name),
            body,
            timeout=self.timeout_seconds,
            headers={MSG_ID: f"pasar-{event.id}"},
        )

    async def _connected(self) -> JetStreamContext:
        async with self._connecting:
            if self._client is not None and self._jetstream is not None:
                if not self._client.is_closed:
                    return self._jetstream
                await self.close()  # the server went away: start afresh (and check the stream)
            wait = self._unavailable_until - time.monotonic()
            if wait > 0:
                raise BrokerError(
                    f"broker {self.url} unavailable ({self._why_unavailable}); "
                    f"next try in {wait:.1f} s"
                )
            try:
                import nats

                self._client = await nats.connect(
                    self.url,
                    name="pasar-relay",
                    connect_timeout=self.connect_timeout_seconds,
                    # A lost connection closes the client; the next batch reconnects. nats-py's
                    # own reconnection would buffer publishes that then time out one by one.
                    allow_reconnect=False,
                    max_reconnect_attempts=1,
                    reconnect_time_wait=0,
                    error_cb=_log_client_error,
                )
                self._jetstream = self._client.jetstream(timeout=self.timeout_seconds)
                await self._ensure_stream(self._jetstream)
            except Exception as exc:
                await self._unavailable(f"{type(exc).__name__}: {exc}")
                raise BrokerError(
                    f"cannot reach broker {self.url}: {self._why_unavailable}"
                ) from exc
            log.info("connected to broker", url=self.url, stream=self.stream)
            return self._jetstream

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        import nats.js.errors

        try:
            await js.stream_info(self.stream)
            return
        except nats.js.errors.NotFoundError:
            pass
        subjects = f"{self.subject_prefix}.>"
        try:
            await js.add_stream(name=self.stream, subjects=[subjects])
        except nats.js.errors.BadRequestError as refused:
            try:  # another worker may have created it a moment ago: then use that one
                await js.stream_info(self.stream)
            except nats.js.errors.NotFoundError:
                raise refused from None  # e.g. another stream already takes these subjects
            return
        log.info("created stream", stream=self.stream, subjects=subjects)

    async def _unavailable(self, why: str) -> None:
        self._unavailable_until = time.monotonic() + self.cooldown_seconds
        self._why_unavailable = why
        log.warning("broker unavailable", url=self.url, error=why, cooldown=self.cooldown_seconds)
        try:
            await self.close()
        except Exception:  # closing a broken connection may fail too; it is gone either way
            self._client, self._jetstream = None, None


def _rejects_only_this_message(error: BaseException) -> bool:
    """The broker answered but refused this message (too large, over a stream limit): the
    relay's event-by-event retry sets it aside while the others go through."""
    import nats.errors
    import nats.js.errors

    if isinstance(error, nats.errors.MaxPayloadError):
        return True
    server_trouble = (nats.js.errors.ServiceUnavailableError, nats.js.errors.ServerError)
    return isinstance(error, nats.js.errors.APIError) and not isinstance(error, server_trouble)


async def _log_client_error(error: Exception) -> None:
    # nats-py logs each failed attempt with a full traceback by default; one line is enough.
    log.warning("broker connection error", error=f"{type(error).__name__}: {error}")
