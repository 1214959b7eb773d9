"""Bounded scalar types shared by every schema and route.

Ids are 64-bit in the database; an unbounded Python int in a path, query or body would
overflow the driver and surface as a 500. Bounding them here turns it into a 422.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

MAX_ID = 2**63 - 1
MAX_INT32 = 2**31 - 1

#: A database id: positive and within BIGINT.
Id = Annotated[int, Ge(1), Le(MAX_ID)]
#: A stock quantity or delta: within the INTEGER columns that hold it.
Quantity = Annotated[int, Ge(0), Le(MAX_INT32)]
Delta = Annotated[int, Ge(-MAX_INT32), Le(MAX_INT32)]
