"""Pushing 3PL requests: signed posts with retries, and the sandbox 3PL that ships by itself.

`push_threepl_requests` runs from the sweeps in short steps, so a slow 3PL never holds a
lock or a connection:

1. **claim** (one transaction): a bounded batch of due `pending` requests, locked with
   SKIP LOCKED on PostgreSQL so several workers share the queue. Each is leased (its next
   attempt moves past the HTTP timeout) and its attempt counted. Sandbox requests are
   acknowledged right here; requests whose SellerOrder can no longer ship fail.
2. **post** (no transaction): each webhook request is POSTed to its 3PL, a few at a time,
   signed (`Pasar-Signature`, keyed by the connection's secret) and carrying its stable
   `Idempotency-Key`.
3. **record** (a second transaction): 2xx → `sent`; anything else → `pending` again after
   an exponential backoff with jitter, or `failed` once the attempts are spent.

A worker that dies between 1 and 3 leaves a lease that simply expires: the request goes
out again under the same key, and the 3PL de-duplicates it.

Then the sandbox 3PL ships every request it acknowledged `fulfil_after_minutes` ago: a
shipment on the sandbox carrier, handed over at once, one SellerOrder per transaction.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
import orjson
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pasar import orders
from pasar.fulfillment import threepl
from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.models import ThreePLConnection, ThreePLRequest
from pasar.fulfillment.shipments import PackageSpec
from pasar.platform import backoff
from pasar.platform.errors import DomainError
from pasar.platform.signing import HEADER, sign

Sessions = async_sessionmaker[AsyncSession] | AsyncSession
EVENT_TYPE = "fulfilment.requested"


#: The backoff's first step and its ceiling, in seconds.
BASE_DELAY_SECONDS, MAX_DELAY_SECONDS = 30.0, 3600.0


@dataclass(frozen=True, slots=True)
class PushPolicy:
    """How hard Pasar tries. The defaults ride out a 3PL outage of 2.5 to 5 hours (twelve
    attempts, waits from 30 s doubling to a 1 h ceiling) before a request fails for a human."""

    batch: int = 50
    max_attempts: int = 12
    timeout_seconds: float = 10.0
    concurrency: int = 8
    base_delay_seconds: float = BASE_DELAY_SECONDS
    max_delay_seconds: float = MAX_DELAY_SECONDS

    @property
    def lease(self) -> timedelta:
        """Long enough that no other worker re-sends a request still in flight."""
        return timedelta(seconds=self.timeout_seconds * 3 + 60)


# --- pure rules ------------------------------------------------------------------------------


def backoff_delay(
    attempts: int,
    *,
    base_seconds: float = BASE_DELAY_SECONDS,
    max_seconds: float = MAX_DELAY_SECONDS,
    rand: Callable[[], float] = random.random,
) -> timedelta:
    """The platform's backoff with the 3PL push's steps (30 s doubling to 1 h)."""
    return backoff.backoff_delay(
        attempts, base_seconds=base_seconds, max_seconds=max_seconds, rand=rand
    )


def after_failure(attempts: int, max_attempts: int) -> str:
    """The status a request takes after its `attempts`-th failed attempt."""
    return threepl.FAILED if attempts >= max_attempts else threepl.PENDING


def sandbox_package_grams(units: int) -> int:
    """A plausible box for the sandbox 3PL: 200 g of packing plus 450 g a unit, up to 30 kg."""
    return min(30_000, 200 + 450 * max(units, 1))


def event_id(request_id: int) -> str:
    """Stable for every attempt of one request: the 3PL's de-duplication key."""
    return f"3plreq_{request_id}"


def request_body(request_id: int, payload: dict[str, Any], *, report_url: str) -> bytes:
    return orjson.dumps(
        {
            "id": event_id(request_id),
            "type": EVENT_TYPE,
            "version": 1,
            "report_url": report_url,
            "request": payload,
        }
    )


def request_headers(secret: str, request_id: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        HEADER: sign(secret.encode(), body),
        "Idempotency-Key": event_id(request_id),
        "Pasar-Event-Id": event_id(request_id),
        "Pasar-Event-Type": EVENT_TYPE,
        "User-Agent": "Pasar-3PL-Push/1",
    }


# --- the job ---------------------------------------------------------------------------------


@asynccontextmanager
async def _transaction(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    """A session for one transaction: a fresh one from a factory, or the one given (which
    then carries several transactions, one after the other)."""
    if isinstance(sessions, AsyncSession):
        try:
            yield sessions
        finally:
            await sessions.rollback()
        return
    async with sessions() as session:
        yield session


def _skip_locked(session: AsyncSession) -> dict[str, Any]:
    return {"skip_locked": True} if session.get_bind().dialect.name == "postgresql" else {}


@dataclass(frozen=True, slots=True)
class _Outgoing:
    request_id: int
    attempts: int
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True, slots=True)
class _Outcome:
    outgoing: _Outgoing
    error: str | None


def _table() -> Table:
    return cast(Table, ThreePLRequest.__table__)


def _set_many() -> Any:
    """One UPDATE run for many rows; each changes only if still the attempt we claimed."""
    t = _table()
    return (
        update(t)
        .where(
            t.c.id == bindparam("b_id"),
            t.c.status == bindparam("b_from"),
            t.c.attempts == bindparam("b_attempts_was"),
        )
        .values(
            status=bindparam("b_status"),
            attempts=bindparam("b_attempts"),
            next_attempt_at=bindparam("b_next"),
            last_error=bindparam("b_error"),
            updated_at=bindparam("b_now"),
        )
    )


async def _claim(
    sessions: Sessions, *, now: datetime, config: FulfillmentConfig, policy: PushPolicy
) -> tuple[int, list[_Outgoing]]:
    r, c = ThreePLRequest, ThreePLConnection
    async with _transaction(sessions) as session:
        rows = (
            await session.execute(
                select(
                    r.id,
                    r.attempts,
                    r.seller_order_id,
                    r.payload,
                    c.id.label("connection_id"),
                    c.kind,
                    c.endpoint_url,
                    c.secret,
                    c.fulfil_after_minutes,
                )
                .join(c, c.id == r.connection_id)
                .where(r.status == threepl.PENDING, r.next_attempt_at <= now, c.is_active.is_(True))
                .order_by(r.next_attempt_at, r.id)
                .limit(policy.batch)
                .with_for_update(of=r, **_skip_locked(session))
            )
        ).all()
        if not rows:
            return 0, []
        ids = sorted({row.seller_order_id for row in rows})
        found = await orders.fulfilment_orders(session, ids=ids, limit=len(ids))
        states = {o.id: o.status for o in found}
        changes: list[dict[str, Any]] = []
        outgoing: list[_Outgoing] = []
        for row in rows:
            change = {
                "b_id": row.id,
                "b_from": threepl.PENDING,
                "b_attempts_was": row.attempts,
                "b_attempts": row.attempts + 1,
                "b_status": threepl.PENDING,
                "b_next": now + policy.lease,
                "b_error": None,
                "b_now": now,
            }
            state = states.get(row.seller_order_id)
            if state not in threepl.SHIPPABLE:
                shown = state.value if state is not None else "gone"
                change.update(
                    b_status=threepl.FAILED,
                    b_attempts=row.attempts,
                    b_next=now,
                    b_error=f"The seller order is {shown}; there is nothing for the 3PL to ship.",
                )
            elif row.kind == "sandbox":
                change.update(
                    b_status=threepl.SENT,
                    b_next=now + timedelta(minutes=row.fulfil_after_minutes),
                )
            else:
                outgoing.append(
                    _Outgoing(
                        request_id=row.id,
                        attempts=row.attempts + 1,
                        url=str(row.endpoint_url),
                        secret=row.secret,
                        body=request_body(
                            row.id,
                            row.payload,
                            report_url=threepl.report_url(config, row.connection_id),
                        ),
                    )
                )
            changes.append(change)
        await session.execute(_set_many(), changes)
        await session.commit()
    return len(rows), outgoing


async def _post_all(
    outgoing: Sequence[_Outgoing],
    *,
    transport: httpx.AsyncBaseTransport | None,
    policy: PushPolicy,
) -> list[_Outcome]:
    limit = asyncio.Semaphore(policy.concurrency)
    async with httpx.AsyncClient(
        transport=transport, timeout=policy.timeout_seconds, follow_redirects=False
    ) as client:

        async def post(item: _Outgoing) -> _Outcome:
            async with limit:
                try:
                    answer = await client.post(
                        item.url,
                        content=item.body,
                        headers=request_headers(item.secret, item.request_id, item.body),
                    )
                except httpx.TimeoutException:
                    return _Outcome(item, f"no answer within {policy.timeout_seconds:g} s")
                except httpx.HTTPError as exc:
                    return _Outcome(item, f"{type(exc).__name__}: {exc}")
            if answer.is_success:
                return _Outcome(item, None)
            # The status only: the body of an endpoint the seller chose is not ours to keep
            # (nor to show them: it could be an internal service's answer).
            return _Outcome(item, f"HTTP {answer.status_code} {answer.reason_phrase}".strip())

        return list(await asyncio.gather(*(post(item) for item in outgoing)))


async def _record(
    sessions: Sessions, outcomes: Sequence[_Outcome], *, now: datetime, policy: PushPolicy
) -> None:
    changes = []
    for outcome in outcomes:
        item = outcome.outgoing
        change = {
            "b_id": item.request_id,
            "b_from": threepl.PENDING,
            "b_attempts_was": item.attempts,
            "b_attempts": item.attempts,
            "b_status": threepl.SENT,
            "b_next": now,
            "b_error": None,
            "b_now": now,
        }
        if outcome.error is not None:
            status = after_failure(item.attempts, policy.max_attempts)
            retry_at = now
            if status == threepl.PENDING:
                retry_at = now + backoff_delay(
                    item.attempts,
                    base_seconds=policy.base_delay_seconds,
                    max_seconds=policy.max_delay_seconds,
                )
            change.update(
                b_status=status,
                b_next=retry_at,
                b_error=threepl.clip(f"attempt {item.attempts}: {outcome.error}"),
            )
        changes.append(change)
    if not changes:
        return
    async with _transaction(sessions) as session:
        await session.execute(_set_many(), changes)
        await session.commit()


async def _sandbox_ships(
    sessions: Sessions, *, now: datetime, config: FulfillmentConfig, policy: PushPolicy
) -> int:
    """The sandbox 3PL at work: each due request becomes a shipment, one per transaction,
    so one SellerOrder that cannot ship (cancelled meanwhile) stops no other."""
    r, c = ThreePLRequest, ThreePLConnection
    sandbox = config.carriers.sandbox
    carrier = sandbox.code if sandbox is not None else config.carriers.default_code
    done = 0
    for _ in range(policy.batch):
        async with _transaction(sessions) as session:
            found = (
                await session.execute(
                    select(r, c)
                    .join(c, c.id == r.connection_id)
                    .where(
                        r.status == threepl.SENT,
                        r.next_attempt_at <= now,
                        c.kind == "sandbox",
                        c.is_active.is_(True),
                    )
                    .order_by(r.next_attempt_at, r.id)
                    .limit(1)
                    .with_for_update(of=r, **_skip_locked(session))
                    .execution_options(populate_existing=True)
                )
            ).first()
            if found is None:
                return done
            request, connection = found
            request_id = request.id
            units = sum(int(line["quantity"]) for line in request.payload["lines"])
            try:
                await threepl.ship_for_3pl(
                    session,
                    connection=connection,
                    request=request,
                    packages=[PackageSpec(sandbox_package_grams(units))],
                    lines=None,
                    carrier=carrier,
                    service=None,
                    tracking_number=None,
                    now=now,
                    config=config,
                )
                await session.execute(
                    update(r)
                    .where(r.id == request_id)
                    .values(status=threepl.SHIPPED, last_error=None, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
                await session.commit()
            except DomainError as exc:
                await session.rollback()
                await session.execute(
                    update(r)
                    .where(r.id == request_id, r.status == threepl.SENT)
                    .values(
                        status=threepl.FAILED,
                        last_error=threepl.clip(f"The sandbox 3PL could not ship: {exc.detail}"),
                        updated_at=now,
                    )
                    .execution_options(synchronize_session=False)
                )
                await session.commit()
            done += 1
    return done


async def push_threepl_requests(
    sessions: Sessions,
    *,
    now: datetime,
    config: FulfillmentConfig,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: PushPolicy | None = None,
) -> int:
    """One pass: send what is due, record the answers, let the sandbox 3PL ship.

    `sessions` is a session factory (each step gets its own session) or one session that
    the steps use one transaction after another. Returns how many requests moved.
    """
    policy = policy or PushPolicy()
    claimed, outgoing = await _claim(sessions, now=now, config=config, policy=policy)
    if outgoing:
        outcomes = await _post_all(outgoing, transport=transport, policy=policy)
        await _record(sessions, outcomes, now=now, policy=policy)
    shipped = await _sandbox_ships(sessions, now=now, config=config, policy=policy)
    return claimed + shipped
