"""Keyset pagination: an opaque cursor holds the last row's sort key, so page N costs page 1.

Offsets scan and discard; at millions of rows they get slower with every page. A cursor is
base64url JSON of the last row's sort values, and the next page asks for rows after it.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

from pasar.platform.errors import InvalidInput

Limit = Annotated[int, Query(ge=1, le=100, description="Page size (1-100).")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, arity: int) -> list[Any] | None:
    """Return the sort values in the cursor, or raise InvalidInput for a forged/stale one."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise InvalidInput("The cursor is not one this API issued.", field="cursor") from None
    if not isinstance(values, list) or len(values) != arity or not all(map(_plain, values)):
        raise InvalidInput("The cursor does not match this listing.", field="cursor")
    return values


def _plain(value: Any) -> bool:
    """Cursor values are sort keys: short strings, finite numbers within BIGINT, or null."""
    if value is None or isinstance(value, float):
        return value is None or math.isfinite(value)
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and len(value) <= 512


def decode_id_cursor(cursor: str | None) -> int | None:
    """The id in a one-id cursor (lists ordered by id), or InvalidInput for anything else:
    a string where an id belongs would otherwise reach PostgreSQL as a type error."""
    values = decode_cursor(cursor, arity=1)
    if values is None:
        return None
    value = values[0]
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("The cursor does not match this listing.", field="cursor")
    return value
