"""Endpoint secrets at rest: sealed under a key derived from the marketplace secret.

Pasar must be able to sign with an endpoint's secret, so it cannot keep only a hash; it
keeps the secret encrypted instead, under a key that lives outside the database
(`PASAR_SECRET_KEY`, or the secret file beside the database). A database dump alone
therefore lets nobody sign as Pasar.

The cipher is built from HMAC-SHA256 alone (the standard library has no AES): a keystream
HMAC(k_enc, nonce || counter) XORed with the secret, then HMAC(k_mac, nonce || ciphertext)
over the result (encrypt-then-MAC). A random 16-byte nonce per sealing keeps keystreams
apart. Changing the marketplace secret makes every sealed secret unreadable: endpoints then
need a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from pasar.platform.signing import derive_key

PURPOSE = "webhooks.endpoint-secrets"
VERSION = "s1"
_NONCE, _TAG = 16, 16


class SealBroken(ValueError):
    """The sealed value was not sealed under this marketplace secret (or was altered)."""


def _keys(master: str) -> tuple[bytes, bytes]:
    root = derive_key(master, PURPOSE)
    return (
        hmac.new(root, b"encrypt", hashlib.sha256).digest(),
        hmac.new(root, b"authenticate", hashlib.sha256).digest(),
    )


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    return b"".join(
        hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest() for i in range(blocks)
    )[:length]


def seal(master: str, secret: str, *, nonce: bytes | None = None) -> str:
    enc, mac = _keys(master)
    nonce = nonce if nonce is not None else os.urandom(_NONCE)
    plain = secret.encode()
    cipher = bytes(a ^ b for a, b in zip(plain, _stream(enc, nonce, len(plain)), strict=True))
    tag = hmac.new(mac, nonce + cipher, hashlib.sha256).digest()[:_TAG]
    return f"{VERSION}.{base64.urlsafe_b64encode(nonce + tag + cipher).decode()}"


def unseal(master: str, sealed: str) -> str:
    version, _, data = sealed.partition(".")
    if version != VERSION:
        raise SealBroken("unknown sealing version")
    try:
        raw = base64.urlsafe_b64decode(data.encode())
    except ValueError:
        raise SealBroken("not a sealed value") from None
    nonce, tag, cipher = raw[:_NONCE], raw[_NONCE : _NONCE + _TAG], raw[_NONCE + _TAG :]
    enc, mac = _keys(master)
    expected = hmac.new(mac, nonce + cipher, hashlib.sha256).digest()[:_TAG]
    if len(nonce) != _NONCE or not hmac.compare_digest(expected, tag):
        raise SealBroken("sealed under another marketplace secret, or altered")
    plain = bytes(a ^ b for a, b in zip(cipher, _stream(enc, nonce, len(cipher)), strict=True))
    return plain.decode()
