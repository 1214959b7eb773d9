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

    async def token_for(self, user_id: int) -> dict[str, str]:
        token = new_secret(TOKEN_PREFIX)
        now = utcnow()
        async with self.database.sessionmaker() as session:
            session.add(
                ApiToken(
                    user_id=user_id,
                    token_hash=digest(token),
                    created_at=now,
                    expires_at=now + timedelta(hours=1),
                )
            )
            await session.commit()
        return {"Authorization": f"Bearer {token}"}

    async def seller(self, name: str | None = None, *, approve: bool = True) -> Actor:
        """A seller applied through the real API (and approved by an operator); the
        returned actor is its owner."""
        serial = next(_serial)
        name = name or f"Seller {serial}"
        email = f"owner{serial}@example.com"
        applied = await self.client.post(
            "/api/v1/seller-applications", json=application(name, owner_email=email)
        )
        assert applied.status_code == 201, applied.text
        seller_id = applied.json()["id"]
        operator = await self.operator()
        if approve:
            approved = await self.client.post(
                f"/api/v1/sellers/{seller_id}/status",
                json={"action": "approve"},
                headers=operator.headers,
            )
            assert approved.status_code == 200, approved.text
        staff = await self.client.get(
            f"/api/v1/sellers/{seller_id}/staff", headers=operator.headers
        )
        owner_id = staff.json()[0]["id"]
        return Actor(owner_id, email, await self.token_for(owner_id), seller_id)

    async def seller_staff(self, seller_id: int, *, is_owner: bool = True) -> Actor:
        return await self.user(Role.SELLER_STAFF, seller_id=seller_id, is_owner=is_owner)


def application(name: str, *, owner_email: str, password: str = PASSWORD) -> dict[str, object]:
    """A complete, valid seller application body."""
    return {
        "name": name,
        "legal_entity": f"{name} Ltd",
        "tax_id": "01.234.567.8-901.000",
        "contact_email": owner_email,
        "contact_phone": "+62 21 555 0100",
        "address": {
            "line1": "Jl. Sudirman 1",
            "city": "Jakarta",
            "postal_code": "10210",
            "country": "ID",
        },
        "documents": [{"kind": "business_registration", "url": "https://docs.example.com/nib.pdf"}],
        "policies": {
            "handling_days": 1,
            "ship_from_timezone": "Asia/Jakarta",
            "cut_off_time": "15:00",
            "return_window_days": 14,
            "service_email": owner_email,
        },
        "owner": {"email": owner_email, "password": password, "name": "Owner"},
    }
