"""Endpoint secrets at rest: sealed under a key derived from the marketplace secret.

Pasar must be able to sign with an endpoint's secret, so it cannot keep only a hash; it
keeps the secret encrypted instead (Fernet: AES-128-CBC with HMAC-SHA256, from the
`cryptography` package), under a key that lives outside the database (`PASAR_SECRET_KEY`,
or the secret file beside the database). A database dump alone lets nobody sign as Pasar.
Changing the marketplace secret makes every sealed secret unreadable: endpoints then need
a rotation.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from pasar.platform.signing import derive_key

PURPOSE = "webhooks.endpoint-secrets"
VERSION = "f1"


class SealBroken(ValueError):
    """The sealed value was not sealed under this marketplace secret (or was altered)."""


@lru_cache(maxsize=4)
def _fernet(master: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(master, PURPOSE)))


def seal(master: str, secret: str) -> str:
    return f"{VERSION}.{_fernet(master).encrypt(secret.encode()).decode()}"


def unseal(master: str, sealed: str) -> str:
    version, _, token = sealed.partition(".")
    if version != VERSION:
        raise SealBroken("unknown sealing version")
    try:
        return _fernet(master).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SealBroken("sealed under another marketplace secret, or altered") from None
