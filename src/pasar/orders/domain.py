"""The SellerOrder lifecycle as data: who may make which move from which state. Pure.

    received ─▶ verified ─▶ processing ─▶ shipped ─▶ delivered ─▶ completed
       │            │            │            └─▶ delivery_failed ─▶ shipped (reship)
       └────────────┴────────────┴─▶ cancelled                  └─▶ returned_to_seller

Each move names the roles that may make it. "buyer" is the order's buyer (an account or a
guest holding the signed link); "seller" is the seller's own staff or API key; "operator"
is the marketplace; "system" is the platform itself (payments arriving, deadlines, carrier
reports). The service applies a move only after `plan` accepted it, so the rules live here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pasar.platform.errors import IllegalTransition, InvalidInput, PermissionDenied


class Status(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DELIVERY_FAILED = "delivery_failed"
    RETURNED_TO_SELLER = "returned_to_seller"


class Actor(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    OPERATOR = "operator"
    SYSTEM = "system"


class Action(StrEnum):
    VERIFY = "verify"
    PROCESS = "process"
    SHIP = "ship"
    DELIVER = "deliver"
    FAIL_DELIVERY = "fail_delivery"
    RESHIP = "reship"
    RETURN_TO_SELLER = "return_to_seller"
    COMPLETE = "complete"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class Move:
    sources: frozenset[Status]
    target: Status
    actors: frozenset[Actor]
    needs_reason: frozenset[Actor] = frozenset()


def _move(
    sources: set[Status],
    target: Status,
    actors: set[Actor],
    needs_reason: set[Actor] | None = None,
) -> Move:
    return Move(frozenset(sources), target, frozenset(actors), frozenset(needs_reason or ()))


S, A = Status, Actor
MOVES: dict[Action, Move] = {
    Action.VERIFY: _move({S.RECEIVED}, S.VERIFIED, {A.SYSTEM}),
    Action.PROCESS: _move({S.VERIFIED}, S.PROCESSING, {A.SELLER, A.OPERATOR}),
    # The system ships too: a carrier's pick-up scan, or a 3PL, proves the hand-over.
    Action.SHIP: _move({S.PROCESSING}, S.SHIPPED, {A.SELLER, A.OPERATOR, A.SYSTEM}),
    Action.DELIVER: _move({S.SHIPPED}, S.DELIVERED, {A.OPERATOR, A.SYSTEM}),
    Action.FAIL_DELIVERY: _move({S.SHIPPED}, S.DELIVERY_FAILED, {A.OPERATOR, A.SYSTEM}),
    Action.RESHIP: _move({S.DELIVERY_FAILED}, S.SHIPPED, {A.SELLER, A.OPERATOR, A.SYSTEM}),
    Action.RETURN_TO_SELLER: _move(
        {S.DELIVERY_FAILED}, S.RETURNED_TO_SELLER, {A.SELLER, A.OPERATOR}
    ),
    Action.COMPLETE: _move({S.DELIVERED}, S.COMPLETED, {A.BUYER, A.OPERATOR, A.SYSTEM}),
    # The buyer may cancel only before the seller starts work; sellers and the operator
    # until it ships, with a reason (a seller's cancellation counts against it later).
    Action.CANCEL: Move(
        frozenset({S.RECEIVED, S.VERIFIED, S.PROCESSING}),
        S.CANCELLED,
        frozenset({A.BUYER, A.SELLER, A.OPERATOR, A.SYSTEM}),
        frozenset({A.SELLER, A.OPERATOR, A.SYSTEM}),
    ),
}

BUYER_CANCELLABLE = frozenset({S.RECEIVED, S.VERIFIED})

#: States in which stock is still held for the SellerOrder (released on cancel).
HOLDS_STOCK = frozenset({S.RECEIVED, S.VERIFIED, S.PROCESSING})
#: Lifecycle order, for the Order's summary status (its least advanced live SellerOrder).
STAGES = (S.RECEIVED, S.VERIFIED, S.PROCESSING, S.SHIPPED, S.DELIVERY_FAILED, S.DELIVERED)
FINAL = frozenset({S.COMPLETED, S.CANCELLED, S.RETURNED_TO_SELLER})


def plan(action: Action, current: Status, actor: Actor, *, reason: str | None = None) -> Status:
    """The state `action` leads to from `current`, or the error explaining why not."""
    move = MOVES[action]
    if actor not in move.actors:
        raise PermissionDenied(f"A {actor.value} may not {action.value.replace('_', ' ')}.")
    if action is Action.CANCEL and actor is Actor.BUYER and current not in BUYER_CANCELLABLE:
        raise IllegalTransition(
            f"This part of the order is already {current.value}; only the seller or the "
            "marketplace can cancel it now.",
            current=current.value,
        )
    if current not in move.sources:
        allowed = ", ".join(sorted(s.value for s in move.sources))
        raise IllegalTransition(
            f"Cannot {action.value.replace('_', ' ')} a {current.value} order "
            f"(only from: {allowed}).",
            current=current.value,
        )
    if actor in move.needs_reason and not (reason and reason.strip()):
        raise ReasonRequired(
            f"A {actor.value} must give a reason to {action.value}.", field="reason"
        )
    return move.target


class ReasonRequired(InvalidInput):
    code = "reason-required"
    title = "A reason is required"


def summary_status(statuses: list[Status]) -> Status:
    """The Order's one-word status: its least advanced live part, else how it ended."""
    live = [s for s in statuses if s not in FINAL]
    if live:
        return min(live, key=STAGES.index)
    if all(s is S.CANCELLED for s in statuses):
        return S.CANCELLED
    if S.COMPLETED in statuses:
        return S.COMPLETED
    return S.RETURNED_TO_SELLER


# Crockford base32 without look-alikes: readable over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_order_number(now: datetime) -> str:
    """`P261122-7K3M9Q2X`: the date helps people, 40 random bits make it unguessable-ish.

    Access never depends on the number alone (a signed link or an account is required).
    """
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"P{now:%y%m%d}-{suffix}"


def is_overdue(status: Status, ship_by: date, today: date) -> bool:
    """Not yet handed to the carrier after the promised ship-by day."""
    return status in HOLDS_STOCK and ship_by < today
