"""Test actors: operators, buyers and seller staff with ready bearer headers.

Accounts are written straight into the database with one password hash computed per run,
because argon2 is deliberately slow; logging in through the API is tested on its own.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import httpx

from pasar.identity.domain import TOKEN_PREFIX, Role
from pasar.identity.models import ApiToken, User
from pasar.identity.secrets import digest, hash_password, new_secret
from pasar.platform.db import Database
from pasar.platform.time import utcnow

PASSWORD = "correct-horse-battery"
_serial = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass(frozen=True)
class Actor:
    user_id: int
    email: str
    headers: dict[str, str]
    seller_id: int | None = None


class Actors:
    def __init__(self, client: httpx.AsyncClient, database: Database) -> None:
        self.client = client
        self.database = database

    async def user(
        self,
        role: Role,
        *,
        seller_id: int | None = None,
        is_owner: bool = False,
        email: str | None = None,
    ) -> Actor:
        email = email or f"{role.value}{next(_serial)}@example.com"
        token = new_secret(TOKEN_PREFIX)
        now = utcnow()
        async with self.database.sessionmaker() as session:
            user = User(
                email=email,
                name=email.split("@")[0],
                password_hash=password_hash(),
                role=role.value,
                seller_id=seller_id,
                is_owner=is_owner,
                created_at=now,
            )
            session.add(user)
            await session.flush()
            session.add(
                ApiToken(
                    user_id=user.id,
                    token_hash=digest(token),
                    created_at=now,
                    expires_at=now + timedelta(hours=1),
                )
            )
            await session.commit()
            user_id = user.id
        return Actor(user_id, email, {"Authorization": f"Bearer {token}"}, seller_id)

    async def operator(self) -> Actor:
        return await self.user(Role.OPERATOR)

    async def buyer(self) -> Actor:
        return await self.user(Role.BUYER)

    async def seller_staff(self, seller_id: int, *, is_owner: bool = True) -> Actor:
        return await self.user(Role.SELLER_STAFF, seller_id=seller_id, is_owner=is_owner)
