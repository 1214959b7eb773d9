"""The seller lifecycle as a pure state machine.

    applied ──approve──▶ approved ──warn──▶ warned ──clear_warning──▶ approved
       │                    │  ▲              │
     reject            suspend  reinstate   suspend
       ▼                    ▼  │              ▼
    rejected             suspended ◀──────────┘
                            │
    approved | warned | suspended ──remove──▶ removed   (terminal)

Only approved and warned sellers are sellable: a warning is a notice, not a penalty.
"""

from __future__ import annotations

from enum import StrEnum


class SellerStatus(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    WARNED = "warned"
    SUSPENDED = "suspended"
    REMOVED = "removed"


class SellerAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    WARN = "warn"
    CLEAR_WARNING = "clear_warning"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REMOVE = "remove"


S, A = SellerStatus, SellerAction

TRANSITIONS: dict[tuple[SellerStatus, SellerAction], SellerStatus] = {
    (S.APPLIED, A.APPROVE): S.APPROVED,
    (S.APPLIED, A.REJECT): S.REJECTED,
    (S.APPROVED, A.WARN): S.WARNED,
    (S.WARNED, A.WARN): S.WARNED,
    (S.WARNED, A.CLEAR_WARNING): S.APPROVED,
    (S.APPROVED, A.SUSPEND): S.SUSPENDED,
    (S.WARNED, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.REINSTATE): S.APPROVED,
    (S.APPROVED, A.REMOVE): S.REMOVED,
    (S.WARNED, A.REMOVE): S.REMOVED,
    (S.SUSPENDED, A.REMOVE): S.REMOVED,
}

#: Actions an operator must justify: the seller is told why.
NEEDS_REASON = frozenset({A.REJECT, A.WARN, A.SUSPEND, A.REMOVE})

SELLABLE = frozenset({S.APPROVED, S.WARNED})


class TransitionRefused(Exception):
    """The action is not allowed from the current status (or lacks its reason)."""


def next_status(current: SellerStatus, action: SellerAction, reason: str | None) -> SellerStatus:
    target = TRANSITIONS.get((current, action))
    if target is None:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is current) or ["none"]
        raise TransitionRefused(
            f"Cannot {action.value} a seller that is {current.value}; "
            f"allowed: {', '.join(allowed)}."
        )
    if action in NEEDS_REASON and not (reason and reason.strip()):
        raise TransitionRefused(f"A reason is required to {action.value} a seller.")
    return target


def allowed_actions(status: SellerStatus) -> list[SellerAction]:
    """What an operator may do to a seller in `status`, in the order of `SellerAction`."""
    return [a for a in SellerAction if (status, a) in TRANSITIONS]


def is_sellable(status: SellerStatus) -> bool:
    return status in SELLABLE
