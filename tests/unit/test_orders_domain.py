"""The lifecycle table: every move from every state, by every actor."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from pasar.orders.domain import (
    MOVES,
    Action,
    Actor,
    ReasonRequired,
    Status,
    is_overdue,
    new_order_number,
    plan,
    summary_status,
)
from pasar.platform.errors import IllegalTransition, PermissionDenied

S = Status

#: The lifecycle of DESIGN.md, written out edge by edge (independently of MOVES).
EDGES = {
    (S.RECEIVED, S.VERIFIED),
    (S.VERIFIED, S.PROCESSING),
    (S.PROCESSING, S.SHIPPED),
    (S.SHIPPED, S.DELIVERED),
    (S.DELIVERED, S.COMPLETED),
    (S.SHIPPED, S.DELIVERY_FAILED),
    (S.DELIVERY_FAILED, S.SHIPPED),
    (S.DELIVERY_FAILED, S.RETURNED_TO_SELLER),
    (S.RECEIVED, S.CANCELLED),
    (S.VERIFIED, S.CANCELLED),
    (S.PROCESSING, S.CANCELLED),
}


def test_moves_are_exactly_the_design_lifecycle() -> None:
    edges = {(src, move.target) for move in MOVES.values() for src in move.sources}
    assert edges == EDGES


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("current", list(Status))
def test_every_state_and_action(action: Action, current: Status) -> None:
    move = MOVES[action]
    actor = sorted(move.actors)[0]
    if current in move.sources and not (
        action is Action.CANCEL and actor is Actor.BUYER and current is S.PROCESSING
    ):
        assert plan(action, current, actor, reason="because") is move.target
    else:
        with pytest.raises(IllegalTransition):
            plan(action, current, actor, reason="because")


def test_buyer_cancels_only_before_processing() -> None:
    assert plan(Action.CANCEL, S.VERIFIED, Actor.BUYER) is S.CANCELLED
    with pytest.raises(IllegalTransition, match="only the seller or the marketplace"):
        plan(Action.CANCEL, S.PROCESSING, Actor.BUYER)


@pytest.mark.parametrize("actor", [Actor.SELLER, Actor.OPERATOR, Actor.SYSTEM])
def test_cancelling_for_the_buyer_needs_a_reason(actor: Actor) -> None:
    with pytest.raises(ReasonRequired):
        plan(Action.CANCEL, S.PROCESSING, actor, reason="  ")
    assert plan(Action.CANCEL, S.PROCESSING, actor, reason="out of stock") is S.CANCELLED


@pytest.mark.parametrize(
    ("action", "actor"),
    [
        (Action.VERIFY, Actor.SELLER),
        (Action.PROCESS, Actor.BUYER),
        (Action.SHIP, Actor.BUYER),
        (Action.DELIVER, Actor.SELLER),
        (Action.COMPLETE, Actor.SELLER),
    ],
)
def test_wrong_actor_is_refused(action: Action, actor: Actor) -> None:
    source = sorted(MOVES[action].sources)[0]
    with pytest.raises(PermissionDenied):
        plan(action, source, actor, reason="x")


def test_summary_is_the_least_advanced_live_part() -> None:
    assert summary_status([S.SHIPPED, S.VERIFIED, S.CANCELLED]) is S.VERIFIED
    assert summary_status([S.COMPLETED, S.DELIVERED]) is S.DELIVERED
    assert summary_status([S.CANCELLED, S.CANCELLED]) is S.CANCELLED
    assert summary_status([S.CANCELLED, S.COMPLETED]) is S.COMPLETED


def test_order_numbers_are_readable_and_distinct() -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    numbers = {new_order_number(now) for _ in range(2000)}
    assert len(numbers) == 2000
    assert all(re.fullmatch(r"P261122-[0-9A-HJKMNP-TV-Z]{8}", n) for n in numbers)


def test_overdue_only_while_holding_stock() -> None:
    today = date(2026, 11, 22)
    assert is_overdue(S.PROCESSING, date(2026, 11, 21), today)
    assert not is_overdue(S.PROCESSING, today, today)
    assert not is_overdue(S.SHIPPED, date(2026, 11, 1), today)
