"""The seller lifecycle as a pure state machine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pasar.sellers.domain import (
    SELLABLE,
    TRANSITIONS,
    SellerAction,
    SellerStatus,
    TransitionRefused,
    next_status,
)


def test_removed_and_rejected_are_final() -> None:
    """No action leads out of removed or rejected."""
    for action in SellerAction:
        for final in (SellerStatus.REMOVED, SellerStatus.REJECTED):
            with pytest.raises(TransitionRefused):
                next_status(final, action, "because")


def test_only_approved_and_warned_sell() -> None:
    """A warning is a notice; suspension stops sales."""
    assert {SellerStatus.APPROVED, SellerStatus.WARNED} == SELLABLE


@given(
    st.lists(st.tuples(st.sampled_from(SellerAction), st.booleans()), max_size=30),
)
def test_any_sequence_stays_within_the_table(steps: list[tuple[SellerAction, bool]]) -> None:
    """Whatever operators click, the status only ever moves along a listed edge."""
    status = SellerStatus.APPLIED
    for action, with_reason in steps:
        try:
            target = next_status(status, action, "r" if with_reason else None)
        except TransitionRefused:
            continue
        assert TRANSITIONS[(status, action)] is target
        status = target
