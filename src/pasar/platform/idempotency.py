"""Idempotency keys: the same key and request return the same result, even when two race.

The key row is inserted in the same transaction as the change it guards. Two racing
requests both try; the unique constraint lets one commit, and the loser rolls back and
replays the winner's stored response. A key reused with a different request is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, cast

import orjson
from fastapi import Header
from sqlalchemy import String, Table, UniqueConstraint, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from pasar.platform.db import Base, id_column
from pasar.platform.errors import Conflict, DomainError
from pasar.platform.time import utcnow

#: The `Idempotency-Key` request header, for routes that create something.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Any unique string; retrying with the same key returns the first result.",
    ),
]


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = "Idempotency key reused"


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = id_column()
    scope: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


_TABLE = cast(Table, IdempotencyRecord.__table__)
#: Built once: every keyed request runs both (Core, no unit of work to flush).
LOOKUP = select(_TABLE.c.fingerprint, _TABLE.c.response).where(
    _TABLE.c.scope == bindparam("scope"), _TABLE.c.key == bindparam("key")
)
STORE = insert(_TABLE)


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def run_idempotent(
    session: AsyncSession,
    *,
    scope: str,
    key: str | None,
    request: Any,
    work: Callable[[], Awaitable[dict[str, Any]]],
    on_lost_race: Callable[[], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """Run `work` and commit once per (scope, key); replay the stored result afterwards.

    `work` makes its changes in `session` without committing and returns a JSON-able result.
    `on_lost_race` undoes what `work` did outside the database (a card authorisation at a
    provider) when an identical request committed first and this one is rolled back.
    """
    if key is None:
        result = await work()
        await session.commit()
        return result
    digest = fingerprint(request)
    stored = await _stored(session, scope, key, digest)
    if stored is not None:
        await session.rollback()
        return stored
    try:
        result = await work()
    except DomainError:
        # An identical request may have committed while this one worked, and this one then
        # failed because of it (the cart it closed, the SKU it took): its result is ours too.
        await session.rollback()
        stored = await _stored(session, scope, key, digest)
        if stored is None:
            raise
        await session.rollback()
        if on_lost_race is not None:
            await on_lost_race()
        return stored
    record = {
        "scope": scope,
        "key": key,
        "fingerprint": digest,
        "response": result,
        "created_at": utcnow(),
    }
    try:
        await session.execute(STORE, record)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        if on_lost_race is not None:
            await on_lost_race()
        stored = await _stored(session, scope, key, digest)
        if stored is None:
            raise
        await session.rollback()
        return stored
    return result


async def _stored(
    session: AsyncSession, scope: str, key: str, digest: str
) -> dict[str, Any] | None:
    row = (await session.execute(LOOKUP, {"scope": scope, "key": key})).first()
    if row is None:
        return None
    if row.fingerprint != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request.",
            field="Idempotency-Key",
        )
    return dict(row.response)
