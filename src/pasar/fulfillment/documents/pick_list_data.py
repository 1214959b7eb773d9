"""What a pick list holds, and how a batch's items become its rows in walking order.

`build_pick_rows` is the pure part the API also returns as JSON: the batch's items added
up per bin location and SKU, in walking order (locations in natural order, so bin A-2
comes before A-10; items without a location last). Kept apart from the drawing
(`pick_list`) so that the JSON endpoint and importing the app do not load reportlab.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True, kw_only=True)
class PickItem:
    """One line of one SellerOrder to be picked, where it is stored."""

    warehouse_id: int
    #: The bin or shelf, when the warehouse records one.
    location: str | None
    sku: str
    title: str
    quantity: int
    seller_order_number: str


@dataclass(frozen=True, kw_only=True)
class OrderQuantity:
    seller_order_number: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class PickRow:
    """One stop on the walk: take `quantity` of `sku` from `location`, for these orders."""

    location: str | None
    sku: str
    title: str
    quantity: int
    orders: tuple[OrderQuantity, ...]


@dataclass(frozen=True, kw_only=True)
class PickList:
    warehouse_id: int
    warehouse_name: str
    pick_date: date
    rows: tuple[PickRow, ...]
    #: What the batch is, e.g. "Due today".
    batch_name: str = ""

    @property
    def order_count(self) -> int:
        return len({o.seller_order_number for row in self.rows for o in row.orders})

    @property
    def unit_count(self) -> int:
        return sum(row.quantity for row in self.rows)


def build_pick_rows(items: Iterable[PickItem]) -> list[PickRow]:
    """Add the items up per (location, SKU) and sort them into walking order.

    A pick list covers one warehouse, so items from several are refused rather than mixed.
    """
    items = list(items)
    warehouses = {item.warehouse_id for item in items}
    if len(warehouses) > 1:
        raise ValueError(f"a pick list covers one warehouse, not {sorted(warehouses)}")
    titles: dict[tuple[str | None, str], str] = {}
    per_order: dict[tuple[str | None, str], dict[str, int]] = defaultdict(dict)
    for item in items:
        if not item.sku.strip():
            raise ValueError(f"an item of {item.seller_order_number} has no SKU")
        if item.quantity <= 0:
            raise ValueError(f"{item.sku} for {item.seller_order_number}: quantity {item.quantity}")
        key = ((item.location or "").strip() or None, item.sku)
        titles.setdefault(key, item.title)
        orders = per_order[key]
        orders[item.seller_order_number] = orders.get(item.seller_order_number, 0) + item.quantity
    rows = [
        PickRow(
            location=location,
            sku=sku,
            title=titles[location, sku],
            quantity=sum(orders.values()),
            orders=tuple(
                OrderQuantity(seller_order_number=number, quantity=quantity)
                for number, quantity in sorted(orders.items(), key=lambda o: natural_key(o[0]))
            ),
        )
        for (location, sku), orders in per_order.items()
    ]
    return sorted(rows, key=_walking_order)


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sorts "A-2" before "A-10": digit runs compare as numbers, the rest ignoring case."""
    parts = (part for part in _DIGITS.split(text) if part)
    key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in parts)
    return (*key, (2, 0, text))


def _walking_order(
    row: PickRow,
) -> tuple[bool, tuple[tuple[int, int, str], ...], tuple[tuple[int, int, str], ...]]:
    return (row.location is None, natural_key(row.location or ""), natural_key(row.sku))
