"""checkout's pure rules: parcel weight and cart line checks.

Zones, rates and promises moved to fulfillment (tests/unit/test_fulfillment_*.py).
"""

from __future__ import annotations

import pytest

from pasar.checkout.domain import check_quantity, group_weight, line_issues
from pasar.checkout.errors import QuantityLimit


def test_unknown_weights_count_half_a_kilogram() -> None:
    """A variant without a weight is priced as 500 g per unit."""
    assert group_weight([(None, 3), (200, 2)]) == 1900
    assert group_weight([(None, 3), (200, 2)], default_grams=100) == 700


def test_quantities_are_bounded() -> None:
    """1..max units per line; anything else is refused naming the field."""
    assert check_quantity(20, 20) == 20
    for bad in (0, -1, 21):
        with pytest.raises(QuantityLimit) as refused:
            check_quantity(bad, 20)
        assert refused.value.field == "quantity"


def issue_codes(**facts: object) -> list[str]:
    defaults: dict[str, object] = {
        "quantity": 2,
        "seen_price": 100,
        "unit_price": 100,
        "blocked": None,
        "available": 10,
        "max_quantity": 20,
    }
    return [i.code for i in line_issues(**{**defaults, **facts})]  # type: ignore[arg-type]


def test_a_healthy_line_has_no_issues() -> None:
    """Same price, enough stock, within limits: nothing to say."""
    assert issue_codes() == []


def test_line_issues_name_what_changed() -> None:
    """Each fact that stops or changes the purchase is reported with its code."""
    assert issue_codes(unit_price=None) == ["unavailable"]
    assert issue_codes(blocked="offer_inactive") == ["unavailable"]
    assert issue_codes(blocked="product_inactive") == ["unavailable"]
    assert issue_codes(blocked="seller_unavailable") == ["seller_unavailable"]
    assert issue_codes(unit_price=120) == ["price_changed"]
    assert issue_codes(available=1) == ["insufficient_stock"]
    assert issue_codes(quantity=25, available=30) == ["quantity_limit"]
    assert issue_codes(unit_price=90, available=0) == ["price_changed", "insufficient_stock"]


def test_price_changes_report_both_prices_and_do_not_block() -> None:
    """The buyer sees old and new price; the order may still be placed at the new one."""
    (issue,) = line_issues(
        quantity=1, seen_price=100, unit_price=120, blocked=None, available=5, max_quantity=20
    )
    assert (issue.old_price, issue.new_price, issue.blocking) == (100, 120, False)
    (short,) = line_issues(
        quantity=3, seen_price=100, unit_price=100, blocked=None, available=1, max_quantity=20
    )
    assert (short.available, short.blocking) == (1, True)
