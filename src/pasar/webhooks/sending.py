"""Sending: due deliveries become signed POSTs, each outcome committed on its own.

One pass (`send_due`, the `webhooks.send` drain every worker runs):

1. **claim** (one short transaction): a bounded batch of due `pending` deliveries of
   enabled endpoints, locked with SKIP LOCKED on PostgreSQL so workers share the queue.
   Each is leased (`next_attempt_at` moves past the time the batch can take) and its
   attempt counted; then commit.
2. **post** (no transaction, a few at a time): the body and `Pasar-Delivery-Id` are the
   same on every attempt; the signature is fresh (its timestamp is checked by receivers).
   The whole call, answer included, is bounded by `webhook_timeout_seconds`; redirects are
   not followed.
3. **record** (one transaction *per delivery*, as soon as its answer is in): the attempt
   is logged; 2xx → `delivered`; anything else → `pending` after a backoff with jitter,
   or `failed` once the attempts are spent. The endpoint's health follows: a success
   clears `failing_since`; a failure `webhook_disable_after_hours` after it disables the
   endpoint and emits `webhook_endpoint.disabled`.

A worker killed between 1 and 3 leaves leases that expire: only the calls it had in
flight go out again, under the same delivery id, for the receiver to de-duplicate. An
outcome recorded late (after another worker took the delivery over) changes nothing: the
update holds only while the delivery is still at the attempt this worker claimed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.platform.db import Database
from pasar.platform.outbox import emit
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from pasar.webhooks.domain import (
    DELIVERED,
    FAILED,
    PENDING,
    RESPONSE_BODY_LIMIT,
    SendPolicy,
    after_failure,
    clip,
    is_success,
    printable,
    request_body,
    request_headers,
    should_disable,
    signing_key,
)
from pasar.webhooks.events import WebhookEndpointDisabled
from pasar.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from pasar.webhooks.sealing import SealBroken, unseal

log = structlog.get_logger("pasar.webhooks")

Clock = Callable[[], datetime]

#: A success refreshes `last_success_at` at most this often (hot endpoints, few writes).
SUCCESS_REFRESH = timedelta(minutes=1)


def policy_from(settings: Settings) -> SendPolicy:
    return SendPolicy(
        timeout_seconds=settings.webhook_timeout_seconds,
        disable_after=timedelta(hours=settings.webhook_disable_after_hours),
    )


@dataclass(frozen=True, slots=True)
class _Outgoing:
    delivery_id: int
    attempts: int
    endpoint_id: int
    url: str
    event_type: str
    body: bytes
    keys: tuple[bytes, ...]
    #: Set when the call cannot even be made (an unreadable secret).
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class _Answer:
    status_code: int | None
    duration_ms: int
    error: str | None
    body: str | None


async def send_due(
    database: Database,
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: SendPolicy | None = None,
    clock: Clock = utcnow,
) -> int:
    """One pass: claim, post and record a batch; returns how many deliveries were claimed
    (0: nothing is due)."""
    policy = policy or policy_from(settings)
    claimed, outgoing = await _claim(database, settings.secret, policy=policy, now=clock())
    if not outgoing:
        return claimed
    limit = asyncio.Semaphore(policy.concurrency)
    async with httpx.AsyncClient(
        transport=transport, timeout=policy.timeout_seconds, follow_redirects=False
    ) as client:

        async def one(item: _Outgoing) -> None:
            async with limit:
                answer = await _post(client, item, policy)
            try:
                await _record(database, item, answer, policy=policy, now=clock())
            except Exception:  # the lease expires and the delivery goes out again
                log.exception("recording a webhook outcome failed", delivery=item.delivery_id)

        await asyncio.gather(*(one(item) for item in outgoing))
    return claimed


async def run(database: Database, settings: Settings) -> int:
    """The drain every worker runs."""
    return await send_due(database, settings)


def _skip_locked(session: AsyncSession) -> dict[str, Any]:
    return {"skip_locked": True} if session.get_bind().dialect.name == "postgresql" else {}


async def _claim(
    database: Database, master: str, *, policy: SendPolicy, now: datetime
) -> tuple[int, list[_Outgoing]]:
    d, e = WebhookDelivery, WebhookEndpoint
    async with database.sessionmaker() as session, session.begin():
        rows = (
            await session.execute(
                select(
                    d.id,
                    d.attempts,
                    d.event_id,
                    d.event_type,
                    d.occurred_at,
                    d.payload,
                    e.id.label("endpoint_id"),
                    e.url,
                    e.secret_sealed,
                    e.previous_secret_sealed,
                    e.previous_secret_expires_at,
                )
                .join(e, e.id == d.endpoint_id)
                .where(d.status == PENDING, d.next_attempt_at <= now, e.enabled.is_(True))
                .order_by(d.next_attempt_at, d.id)
                .limit(policy.batch)
                .with_for_update(of=d, **_skip_locked(session))
            )
        ).all()
        if not rows:
            return 0, []
        # Spent without an outcome on record (each attempt's recording failed): give up
        # rather than post it every lease for ever.
        spent = [row.id for row in rows if row.attempts >= policy.max_attempts]
        live = [row for row in rows if row.attempts < policy.max_attempts]
        if spent:
            await session.execute(
                update(d)
                .where(d.id.in_(spent))
                .values(
                    status=FAILED,
                    next_attempt_at=now,
                    last_error="gave up: the outcomes of its attempts could not be recorded",
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        if live:
            await session.execute(
                update(d)
                .where(d.id.in_([row.id for row in live]))
                .values(attempts=d.attempts + 1, next_attempt_at=now + policy.lease, updated_at=now)
                .execution_options(synchronize_session=False)
            )
    return len(rows), [_outgoing(row, master, now) for row in live]


def _outgoing(row: Any, master: str, now: datetime) -> _Outgoing:
    body = request_body(
        delivery_id=row.id,
        event_id=row.event_id,
        name=row.event_type,
        occurred_at=row.occurred_at,
        data=row.payload,
    )
    item = _Outgoing(
        delivery_id=row.id,
        attempts=row.attempts + 1,
        endpoint_id=row.endpoint_id,
        url=row.url,
        event_type=row.event_type,
        body=body,
        keys=(),
    )
    try:
        keys = [signing_key(unseal(master, row.secret_sealed))]
        expires = row.previous_secret_expires_at
        if row.previous_secret_sealed and expires is not None and expires > now:
            keys.append(signing_key(unseal(master, row.previous_secret_sealed)))
    except SealBroken:
        return replace(item, problem="the endpoint's secret cannot be read; rotate it")
    return replace(item, keys=tuple(keys))


async def _post(client: httpx.AsyncClient, item: _Outgoing, policy: SendPolicy) -> _Answer:
    if item.problem is not None:
        return _Answer(None, 0, item.problem, None)
    headers = request_headers(
        delivery_id=item.delivery_id,
        name=item.event_type,
        body=item.body,
        keys=item.keys,
        timestamp=int(time.time()),
    )
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        async with (
            asyncio.timeout(policy.timeout_seconds),
            client.stream("POST", item.url, content=item.body, headers=headers) as answer,
        ):
            text = await _first_bytes(answer)
            code = answer.status_code
    except (TimeoutError, httpx.TimeoutException):
        return _Answer(None, took(), f"no answer within {policy.timeout_seconds:g} s", None)
    except Exception as exc:  # a refused connection, a bad URL: an attempt like any other
        return _Answer(None, took(), clip(f"{type(exc).__name__}: {exc}"), None)
    error = None if is_success(code) else clip(f"HTTP {code} {answer.reason_phrase}".strip())
    return _Answer(code, took(), error, text)


async def _first_bytes(answer: httpx.Response) -> str | None:
    """The first kilobyte of the answer; the rest is never downloaded."""
    kept = b""
    async for chunk in answer.aiter_bytes():
        kept += chunk
        if len(kept) >= RESPONSE_BODY_LIMIT:
            break
    if not kept:
        return None
    return printable(kept[:RESPONSE_BODY_LIMIT].decode("utf-8", errors="replace"))


async def _record(
    database: Database, item: _Outgoing, answer: _Answer, *, policy: SendPolicy, now: datetime
) -> None:
    d, e = WebhookDelivery, WebhookEndpoint
    async with database.sessionmaker() as session, session.begin():
        if await session.scalar(select(d.id).where(d.id == item.delivery_id)) is None:
            return  # its endpoint was removed meanwhile
        await session.execute(
            insert(WebhookAttempt).values(
                delivery_id=item.delivery_id,
                attempted_at=now,
                status_code=answer.status_code,
                duration_ms=answer.duration_ms,
                error=answer.error,
                response_body=answer.body,
            )
        )
        ours = (d.id == item.delivery_id, d.status == PENDING, d.attempts == item.attempts)
        if answer.error is None:
            await session.execute(
                update(d)
                .where(*ours)
                .values(
                    status=DELIVERED,
                    delivered_at=now,
                    next_attempt_at=now,
                    last_status_code=answer.status_code,
                    last_error=None,
                    updated_at=now,
                )
            )
            await session.execute(
                update(e)
                .where(
                    e.id == item.endpoint_id,
                    or_(
                        e.failing_since.is_not(None),
                        e.last_success_at.is_(None),
                        e.last_success_at < now - SUCCESS_REFRESH,
                    ),
                )
                .values(failing_since=None, last_success_at=now)
            )
            return
        status, retry_at = after_failure(item.attempts, policy, now=now)
        await session.execute(
            update(d)
            .where(*ours)
            .values(
                status=status,
                next_attempt_at=retry_at or now,
                last_status_code=answer.status_code,
                last_error=clip(f"attempt {item.attempts}: {answer.error}"),
                updated_at=now,
            )
        )
        await session.execute(
            update(e)
            .where(e.id == item.endpoint_id, e.failing_since.is_(None))
            .values(failing_since=now)
        )
        await _disable_if_failing(session, item, answer, policy=policy, now=now)


async def _disable_if_failing(
    session: AsyncSession, item: _Outgoing, answer: _Answer, *, policy: SendPolicy, now: datetime
) -> None:
    e = WebhookEndpoint
    found = (
        await session.execute(
            select(e.seller_id, e.url, e.failing_since).where(
                e.id == item.endpoint_id, e.enabled.is_(True)
            )
        )
    ).first()
    after = policy.disable_after
    if found is None or not should_disable(found.failing_since, now=now, after=after):
        return
    hours = after.total_seconds() / 3600
    reason = clip(
        f"No successful delivery for {hours:g} hours (since {found.failing_since:%Y-%m-%d %H:%M} "
        f"UTC); last error: {answer.error}"
    )
    done = await session.execute(
        update(e)
        .where(
            e.id == item.endpoint_id,
            e.enabled.is_(True),
            e.failing_since <= now - after,
        )
        .values(enabled=False, disabled_at=now, disabled_reason=reason, updated_at=now)
    )
    if getattr(done, "rowcount", 0) != 1:
        return  # another worker disabled it first, and told
    log.warning("webhook endpoint disabled", endpoint=item.endpoint_id, reason=reason)
    await emit(
        session,
        WebhookEndpointDisabled(
            endpoint_id=item.endpoint_id, seller_id=found.seller_id, url=found.url, reason=reason
        ),
    )
