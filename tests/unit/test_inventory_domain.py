"""inventory's pure stock arithmetic and reservation policy, without a database."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pasar.inventory.domain import (
    Candidate,
    Delta,
    Level,
    Line,
    MovementKind,
    StockRuleBroken,
    SyncMode,
    allocate,
    crossed_low,
    delta_for,
    sync_delta,
    validate_cut_off,
)
from pasar.inventory.errors import InsufficientStock, InvalidQuantity


def test_available_is_on_hand_minus_reserved() -> None:
    """Available units are what is on the shelf and not promised to an order."""
    assert Level(on_hand=10, reserved=3).available == 7


def test_each_movement_kind_moves_the_right_numbers() -> None:
    """Reserve holds, release frees, a sale removes held units, receipts and returns add."""
    level = Level(10, 0)
    level = level.apply(delta_for(MovementKind.RESERVATION, 4))
    assert level == Level(10, 4)
    level = level.apply(delta_for(MovementKind.RELEASE, 1))
    assert level == Level(10, 3)
    level = level.apply(delta_for(MovementKind.SALE, 3))
    assert level == Level(7, 0)
    level = level.apply(delta_for(MovementKind.RETURN, 2)).apply(delta_for(MovementKind.RECEIPT, 1))
    assert level == Level(10, 0)
    assert level.apply(delta_for(MovementKind.ADJUSTMENT, -10)) == Level(0, 0)


def test_reserving_more_than_available_breaks_the_rule() -> None:
    """reserved may never exceed on hand."""
    with pytest.raises(StockRuleBroken):
        Level(5, 3).apply(delta_for(MovementKind.RESERVATION, 3))


def test_on_hand_cannot_drop_below_reserved() -> None:
    """An adjustment cannot take away units already promised to orders."""
    with pytest.raises(StockRuleBroken):
        Level(5, 3).apply(delta_for(MovementKind.ADJUSTMENT, -3))


def test_quantities_must_be_positive() -> None:
    """Zero or negative counts are refused for every kind but a signed adjustment."""
    with pytest.raises(InvalidQuantity):
        delta_for(MovementKind.RESERVATION, 0)
    with pytest.raises(InvalidQuantity):
        delta_for(MovementKind.ADJUSTMENT, 0)


def test_absolute_sync_sets_on_hand_and_delta_sync_adds() -> None:
    """An absolute sync replaces the count; a delta sync moves it."""
    assert sync_delta(Level(10, 2), SyncMode.ABSOLUTE, 4) == Delta(on_hand=-6)
    assert sync_delta(Level(10, 2), SyncMode.DELTA, -4) == Delta(on_hand=-4)
    with pytest.raises(StockRuleBroken):
        sync_delta(Level(1, 0), SyncMode.ABSOLUTE, -1)


def test_low_stock_fires_only_on_the_downward_crossing() -> None:
    """Dropping to the threshold flags once; staying low or rising does not re-flag."""
    assert crossed_low(6, 5, 5)
    assert not crossed_low(5, 4, 5)
    assert not crossed_low(4, 9, 5)
    assert not crossed_low(9, 0, None)


def test_cut_off_is_local_24_hour_time() -> None:
    """Cut-offs are HH:MM."""
    assert validate_cut_off("14:30") == "14:30"
    for bad in ("24:00", "9:00", "14:60", "2pm"):
        with pytest.raises(ValueError):
            validate_cut_off(bad)


def test_a_line_comes_whole_from_the_warehouse_with_most_available() -> None:
    """One parcel when possible: the fullest warehouse that can cover the line."""
    candidates = [Candidate(1, 7, 100, 3), Candidate(2, 7, 200, 8), Candidate(3, 7, 300, 5)]
    (taken,) = allocate([Line(7, 4)], candidates)
    assert (taken.warehouse_id, taken.quantity) == (200, 4)


def test_a_line_splits_only_when_no_warehouse_holds_it_all() -> None:
    """Too big for any one warehouse: largest first, across several."""
    candidates = [Candidate(1, 7, 100, 3), Candidate(2, 7, 200, 4)]
    taken = allocate([Line(7, 6)], candidates)
    assert [(a.warehouse_id, a.quantity) for a in taken] == [(200, 4), (100, 2)]


def test_a_named_warehouse_is_the_only_source() -> None:
    """A line pinned to a warehouse never takes from another."""
    candidates = [Candidate(1, 7, 100, 3), Candidate(2, 7, 200, 9)]
    with pytest.raises(InsufficientStock) as caught:
        allocate([Line(7, 4, warehouse_id=100)], candidates)
    assert caught.value.offer_id == 7
    assert caught.value.available == 3


def test_later_lines_see_what_earlier_lines_took() -> None:
    """Two lines of one offer cannot both take the same units."""
    candidates = [Candidate(1, 7, 100, 5)]
    with pytest.raises(InsufficientStock):
        allocate([Line(7, 3), Line(7, 3)], candidates)


@st.composite
def candidate_sets(draw: st.DrawFn) -> list[Candidate]:
    sizes = draw(st.lists(st.integers(0, 20), min_size=0, max_size=4))
    return [Candidate(i + 1, 1, 100 + i, n) for i, n in enumerate(sizes)]


class StockModel(RuleBasedStateMachine):
    """Random sequences of movements on one level keep the invariants and the ledger."""

    def __init__(self) -> None:
        super().__init__()
        self.level = Level()
        self.ledger: list[Delta] = []

    def _try(self, kind: MovementKind, quantity: int) -> None:
        delta = delta_for(kind, quantity)
        try:
            self.level = self.level.apply(delta)
        except StockRuleBroken:
            return
        self.ledger.append(delta)

    @rule(quantity=st.integers(1, 20))
    def receive(self, quantity: int) -> None:
        self._try(MovementKind.RECEIPT, quantity)

    @rule(delta=st.integers(-20, 20).filter(bool))
    def adjust(self, delta: int) -> None:
        self._try(MovementKind.ADJUSTMENT, delta)

    @rule(quantity=st.integers(1, 20))
    def reserve(self, quantity: int) -> None:
        self._try(MovementKind.RESERVATION, quantity)

    @precondition(lambda self: self.level.reserved > 0)
    @rule(data=st.data())
    def release_or_ship(self, data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from([MovementKind.RELEASE, MovementKind.SALE]))
        self._try(kind, data.draw(st.integers(1, self.level.reserved)))

    @rule(quantity=st.integers(1, 20))
    def customer_return(self, quantity: int) -> None:
        self._try(MovementKind.RETURN, quantity)

    @rule(quantity=st.integers(1, 25), candidates=candidate_sets())
    def allocation_never_exceeds_available(
        self, quantity: int, candidates: list[Candidate]
    ) -> None:
        try:
            taken = allocate([Line(1, quantity)], candidates)
        except InsufficientStock:
            assert sum(c.available for c in candidates) < quantity
            return
        assert sum(a.quantity for a in taken) == quantity
        left = {c.stock_id: c.available for c in candidates}
        for a in taken:
            left[a.stock_id] -= a.quantity
        assert min(left.values()) >= 0

    @invariant()
    def levels_hold(self) -> None:
        assert self.level.on_hand >= 0
        assert 0 <= self.level.reserved <= self.level.on_hand

    @invariant()
    def ledger_sums_to_level(self) -> None:
        total = sum(self.ledger, Delta())
        assert (total.on_hand, total.reserved) == (self.level.on_hand, self.level.reserved)


TestStockModel = StockModel.TestCase
