"""checkout's pure rules: parcel weight and cart line checks.

No I/O, no framework, no ORM: the services feed these functions with what the catalog,
sellers and inventory say right now, so every rule here is tested without a database.
Delivery options and promises come from `pasar.fulfillment` (rate shopping over the
configured carriers); checkout only decides what it sends there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pasar.checkout.errors import QuantityLimit

#: What a variant without a recorded weight is assumed to weigh, in grams.
DEFAULT_GRAMS = 500


def group_weight(
    lines: Sequence[tuple[int | None, int]], default_grams: int = DEFAULT_GRAMS
) -> int:
    """Total grams of (weight per unit, quantity) pairs; unknown weights count as the default."""
    return sum((w if w is not None else default_grams) * q for w, q in lines)


# --- cart lines -------------------------------------------------------------------------

UNAVAILABLE = "unavailable"
SELLER_UNAVAILABLE = "seller_unavailable"
PRICE_CHANGED = "price_changed"
INSUFFICIENT_STOCK = "insufficient_stock"
QUANTITY_LIMIT = "quantity_limit"
#: Issues the buyer should see but that do not stop an order (it is placed at today's price).
NON_BLOCKING = frozenset({PRICE_CHANGED})


@dataclass(frozen=True, slots=True)
class LineIssue:
    code: str
    detail: str
    available: int | None = None
    old_price: int | None = None
    new_price: int | None = None

    @property
    def blocking(self) -> bool:
        return self.code not in NON_BLOCKING


def check_quantity(quantity: int, max_quantity: int) -> int:
    if not 1 <= quantity <= max_quantity:
        raise QuantityLimit(
            f"A cart line holds 1 to {max_quantity} units; {quantity} asked.",
            field="quantity",
            max_quantity=max_quantity,
        )
    return quantity


def line_issues(
    *,
    quantity: int,
    seen_price: int,
    unit_price: int | None,
    blocked: str | None,
    available: int,
    max_quantity: int,
) -> tuple[LineIssue, ...]:
    """What is wrong with a line now. `unit_price` None: the offer no longer exists;
    `blocked`: the catalog's reason it cannot be bought ('seller_unavailable', ...)."""
    if unit_price is None or (blocked is not None and blocked != SELLER_UNAVAILABLE):
        return (LineIssue(UNAVAILABLE, "This item is no longer sold."),)
    if blocked == SELLER_UNAVAILABLE:
        return (LineIssue(SELLER_UNAVAILABLE, "The seller is not selling at the moment."),)
    issues = []
    if unit_price != seen_price:
        issues.append(
            LineIssue(
                PRICE_CHANGED,
                "The price changed since the item was added.",
                old_price=seen_price,
                new_price=unit_price,
            )
        )
    if available < quantity:
        detail = f"Only {available} left." if available > 0 else "Out of stock."
        issues.append(LineIssue(INSUFFICIENT_STOCK, detail, available=max(0, available)))
    if quantity > max_quantity:
        issues.append(LineIssue(QUANTITY_LIMIT, f"At most {max_quantity} per line."))
    return tuple(issues)
