"""Stock arithmetic and the reservation policy. Pure: no I/O, no framework, no ORM.

A stock level is (on_hand, reserved) for one offer in one warehouse; `available` is the
difference. Every change is a `Delta` on both numbers, and the same deltas are written to
the movement ledger, so the ledger sums to the level by construction. The invariants
(0 <= reserved <= on_hand) are checked here for the model and enforced again by the
database (a guarded UPDATE plus CHECK constraints), which is what holds under concurrency.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from pasar.inventory.errors import InsufficientStock, InvalidQuantity


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    RESERVATION = "reservation"
    RELEASE = "release"
    SALE = "sale"
    RETURN = "return"


class OwnerKind(StrEnum):
    """Who runs a warehouse. Marketplace-run ones (no seller) hold many sellers' stock."""

    SELLER = "seller"
    MARKETPLACE = "marketplace"
    THIRD_PARTY = "3pl"


class SyncMode(StrEnum):
    ABSOLUTE = "absolute"
    DELTA = "delta"


class StockRuleBroken(ValueError):
    """A change would break 0 <= reserved <= on_hand."""


@dataclass(frozen=True, slots=True)
class Delta:
    on_hand: int = 0
    reserved: int = 0

    def __add__(self, other: Delta) -> Delta:
        return Delta(self.on_hand + other.on_hand, self.reserved + other.reserved)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class Level:
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def valid(self) -> bool:
        return 0 <= self.reserved <= self.on_hand

    def apply(self, delta: Delta) -> Level:
        after = Level(self.on_hand + delta.on_hand, self.reserved + delta.reserved)
        if not after.valid:
            raise StockRuleBroken(
                f"on hand {after.on_hand}, reserved {after.reserved}: "
                "breaks 0 <= reserved <= on hand"
            )
        return after


def _positive(quantity: int) -> int:
    if quantity <= 0:
        raise InvalidQuantity("Quantity must be a positive whole number.", field="quantity")
    return quantity


def delta_for(kind: MovementKind, quantity: int) -> Delta:
    """The level change of a movement of `quantity` units; adjustments carry a signed delta."""
    if kind is MovementKind.ADJUSTMENT:
        if quantity == 0:
            raise InvalidQuantity("An adjustment changes stock by a non-zero amount.")
        return Delta(on_hand=quantity)
    q = _positive(quantity)
    return {
        MovementKind.RECEIPT: Delta(on_hand=q),
        MovementKind.RETURN: Delta(on_hand=q),
        MovementKind.RESERVATION: Delta(reserved=q),
        MovementKind.RELEASE: Delta(reserved=-q),
        MovementKind.SALE: Delta(on_hand=-q, reserved=-q),
    }[kind]


def sync_delta(level: Level, mode: SyncMode, quantity: int) -> Delta:
    """On-hand change a sync item asks for: to an absolute count, or by a signed delta."""
    if mode is SyncMode.ABSOLUTE:
        if quantity < 0:
            raise StockRuleBroken("an absolute stock level cannot be negative")
        return Delta(on_hand=quantity - level.on_hand)
    return Delta(on_hand=quantity)


def crossed_low(before: int, after: int, threshold: int | None) -> bool:
    """True when availability falls to or below the threshold from above it."""
    return threshold is not None and before > threshold >= after


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def validate_cut_off(value: str) -> str:
    """Local 24-hour HH:MM after which orders ship the next business day."""
    if not _HHMM.match(value):
        raise ValueError("cut-off time must be HH:MM (24-hour, local to the warehouse)")
    return value


# --- reservation policy -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """Reserve `quantity` of an offer, from `warehouse_id` if given, else wherever it is."""

    offer_id: int
    quantity: int
    warehouse_id: int | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    stock_id: int
    offer_id: int
    warehouse_id: int
    available: int


@dataclass(frozen=True, slots=True)
class Allocation:
    stock_id: int
    offer_id: int
    warehouse_id: int
    quantity: int


def allocate(lines: Sequence[Line], candidates: Iterable[Candidate]) -> list[Allocation]:
    """Choose where each line's units come from, or raise InsufficientStock for the first short.

    Policy: a line is taken whole from one warehouse when any can cover it (the one with the
    most available, ties to the lowest stock id), so an order ships in as few parcels as
    possible; otherwise it is split across warehouses, largest first. Lines are served in
    order and see what earlier lines took, so all-or-nothing holds across the whole order.
    """
    everything = sorted(candidates, key=lambda c: c.stock_id)
    left = {c.stock_id: c.available for c in everything}
    by_offer: dict[int, list[Candidate]] = {}
    for c in everything:
        by_offer.setdefault(c.offer_id, []).append(c)
    taken: list[Allocation] = []
    for line in lines:
        _positive(line.quantity)
        pool = [
            c
            for c in by_offer.get(line.offer_id, [])
            if line.warehouse_id is None or c.warehouse_id == line.warehouse_id
        ]
        pool.sort(key=lambda c: (-left[c.stock_id], c.stock_id))
        total = sum(max(left[c.stock_id], 0) for c in pool)
        if total < line.quantity:
            raise InsufficientStock(
                f"Offer {line.offer_id}: {line.quantity} requested, {total} available.",
                offer_id=line.offer_id,
                requested=line.quantity,
                available=total,
            )
        whole = [c for c in pool if left[c.stock_id] >= line.quantity]
        chosen = whole[:1] or pool
        need = line.quantity
        for c in chosen:
            take = min(need, left[c.stock_id])
            if take <= 0:
                continue
            left[c.stock_id] -= take
            taken.append(Allocation(c.stock_id, c.offer_id, c.warehouse_id, take))
            need -= take
            if need == 0:
                break
    return taken
