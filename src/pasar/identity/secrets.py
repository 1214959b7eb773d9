"""Password hashing (argon2 via pwdlib) and opaque tokens stored only as SHA-256."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from functools import lru_cache

from pwdlib import PasswordHash


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher().verify(password, password_hash)


async def hash_password_off_loop(password: str) -> str:
    """Argon2 takes ~100 ms of CPU by design; keep it off the event loop."""
    return await asyncio.to_thread(hash_password, password)


async def verify_password_off_loop(password: str, password_hash: str) -> bool:
    return await asyncio.to_thread(verify_password, password, password_hash)


#: Verifying against this when the email is unknown keeps login time independent of it.
@lru_cache(maxsize=1)
def dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
