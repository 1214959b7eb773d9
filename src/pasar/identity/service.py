"""identity use cases. Each writing function commits its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.identity.domain import API_KEY_PREFIX, TOKEN_PREFIX, Principal, Role
from pasar.identity.errors import (
    ApiKeyNotFound,
    EmailTaken,
    InvalidCredentials,
    UserNotFound,
    WeakPassword,
)
from pasar.identity.models import ApiToken, SellerApiKey, User
from pasar.identity.secrets import (
    digest,
    dummy_hash,
    hash_password_off_loop,
    new_secret,
    verify_password_off_loop,
)
from pasar.platform.errors import PermissionDenied
from pasar.platform.time import utcnow

MIN_PASSWORD = 8


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


@dataclass(frozen=True)
class IssuedApiKey:
    key: str
    record: SellerApiKey


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"Use at least {MIN_PASSWORD} characters.", field="password")


async def add_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    role: Role,
    name: str = "",
    phone: str | None = None,
    seller_id: int | None = None,
    is_owner: bool = False,
    password_hash: str | None = None,
) -> User:
    """Add a user inside the caller's transaction (other modules compose this).

    `password_hash` (an argon2 hash made by this module) is for bulk imports and the demo,
    which would otherwise spend ~100 ms of CPU per account; the API never accepts one.
    """
    if password_hash is None:
        _check_password(password)
    normalised = email.strip().lower()
    taken = await session.scalar(select(User.id).where(User.email == normalised))
    if taken is not None:
        raise EmailTaken(f"{normalised} already has an account.", field="email")
    user = User(
        email=normalised,
        name=name,
        phone=phone,
        password_hash=password_hash or await hash_password_off_loop(password),
        role=role.value,
        seller_id=seller_id,
        is_owner=is_owner,
        created_at=utcnow(),
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise EmailTaken(f"{normalised} already has an account.", field="email") from None
    return user


async def register_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    role: Role = Role.BUYER,
    name: str = "",
    phone: str | None = None,
) -> User:
    """Sign up a buyer, or (called by an operator) a support agent or operator."""
    user = await add_user(
        session, email=email, password=password, role=role, name=name, phone=phone
    )
    await session.commit()
    return user


async def login(session: AsyncSession, *, email: str, password: str, ttl: timedelta) -> IssuedToken:
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        await verify_password_off_loop(password, dummy_hash())
        raise InvalidCredentials("Email or password is wrong.")
    if not await verify_password_off_loop(password, user.password_hash) or not user.is_active:
        raise InvalidCredentials("Email or password is wrong.")
    token = new_secret(TOKEN_PREFIX)
    now = utcnow()
    session.add(
        ApiToken(user_id=user.id, token_hash=digest(token), created_at=now, expires_at=now + ttl)
    )
    await session.commit()
    return IssuedToken(token=token, expires_at=now + ttl, user=user)


async def revoke_token(session: AsyncSession, *, token: str) -> None:
    await session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == digest(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await session.commit()


async def resolve(session: AsyncSession, credential: str) -> Principal | None:
    """Turn a bearer credential (user token or seller API key) into a Principal."""
    if credential.startswith(TOKEN_PREFIX):
        row = (
            await session.execute(
                select(User.id, User.role, User.seller_id, User.is_owner)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(
                    ApiToken.token_hash == digest(credential),
                    ApiToken.revoked_at.is_(None),
                    ApiToken.expires_at > utcnow(),
                    User.is_active.is_(True),
                )
            )
        ).first()
        if row is None:
            return None
        return Principal(
            role=Role(row.role), user_id=row.id, seller_id=row.seller_id, is_owner=row.is_owner
        )
    if credential.startswith(API_KEY_PREFIX):
        key = (
            await session.execute(
                select(SellerApiKey.id, SellerApiKey.seller_id).where(
                    SellerApiKey.key_hash == digest(credential),
                    SellerApiKey.revoked_at.is_(None),
                )
            )
        ).first()
        if key is None:
            return None
        return Principal(
            role=Role.SELLER_STAFF, user_id=None, seller_id=key.seller_id, api_key_id=key.id
        )
    return None


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"No user {user_id}.")
    return user


async def list_staff(session: AsyncSession, *, seller_id: int) -> list[User]:
    rows = await session.scalars(select(User).where(User.seller_id == seller_id).order_by(User.id))
    return list(rows)


async def add_staff(
    session: AsyncSession,
    *,
    principal: Principal,
    seller_id: int,
    email: str,
    password: str,
    name: str,
    is_owner: bool = False,
) -> User:
    if not principal.manages(seller_id):
        raise PermissionDenied("Only the seller's owners and operators manage staff.")
    user = await add_user(
        session,
        email=email,
        password=password,
        name=name,
        role=Role.SELLER_STAFF,
        seller_id=seller_id,
        is_owner=is_owner,
    )
    await session.commit()
    return user


async def remove_staff(
    session: AsyncSession, *, principal: Principal, seller_id: int, user_id: int
) -> None:
    if not principal.manages(seller_id):
        raise PermissionDenied("Only the seller's owners and operators manage staff.")
    user = await session.get(User, user_id)
    if user is None or user.seller_id != seller_id:
        raise UserNotFound(f"No staff member {user_id} at this seller.")
    if user.is_owner:
        owners = await session.scalar(
            select(func.count()).where(
                User.seller_id == seller_id, User.is_owner.is_(True), User.is_active.is_(True)
            )
        )
        if (owners or 0) <= 1:
            raise PermissionDenied("A seller keeps at least one owner.")
    user.is_active = False
    await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await session.commit()


async def create_api_key(
    session: AsyncSession, *, principal: Principal, seller_id: int, name: str
) -> IssuedApiKey:
    if not principal.manages(seller_id):
        raise PermissionDenied("Only the seller's owners and operators create API keys.")
    key = new_secret(API_KEY_PREFIX)
    record = SellerApiKey(
        seller_id=seller_id,
        name=name,
        prefix=key[:12],
        key_hash=digest(key),
        created_by=principal.user_id,
        created_at=utcnow(),
    )
    session.add(record)
    await session.commit()
    return IssuedApiKey(key=key, record=record)


async def list_api_keys(session: AsyncSession, *, seller_id: int) -> list[SellerApiKey]:
    rows = await session.scalars(
        select(SellerApiKey).where(SellerApiKey.seller_id == seller_id).order_by(SellerApiKey.id)
    )
    return list(rows)


async def revoke_api_key(
    session: AsyncSession, *, principal: Principal, seller_id: int, key_id: int
) -> None:
    if not principal.manages(seller_id):
        raise PermissionDenied("Only the seller's owners and operators revoke API keys.")
    record = await session.get(SellerApiKey, key_id)
    if record is None or record.seller_id != seller_id:
        raise ApiKeyNotFound(f"No API key {key_id} at this seller.")
    record.revoked_at = record.revoked_at or utcnow()
    await session.commit()
