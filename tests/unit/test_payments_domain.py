"""Payment rules without a database: cards, commission, and what each operation moves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pasar.payments import Allocation, AllocationStatus, PaymentMethod, commission_for
from pasar.payments.cards import card_brand, is_expired, luhn_valid, normalise_number
from pasar.payments.domain import EntryKind, Share, plan_cancel, plan_capture, plan_collect
from pasar.payments.errors import PaymentStateConflict

S = AllocationStatus


@pytest.mark.parametrize(
    "number",
    [
        "4242424242424242",
        "4000000000000002",
        "4000000000009995",
        "4000000000003220",
        "5555555555554444",
        "378282246310005",
    ],
)
def test_the_test_cards_pass_the_luhn_check(number: str) -> None:
    """Every documented test number is a well-formed card number."""
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4242424242424241", "1234567812345678", "42x2", ""])
def test_typos_fail_the_luhn_check(number: str) -> None:
    """One wrong digit (or a non-digit) is caught before reaching a provider."""
    assert not luhn_valid(number)


def test_normalising_strips_spaces_and_refuses_the_rest() -> None:
    """People type spaces; dashes, letters and short numbers are refused."""
    assert normalise_number("4242 4242 4242 4242") == "4242424242424242"
    for bad in ("4242-4242-4242-4242", "4242", "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢", "4" * 20):
        with pytest.raises(ValueError, match="card number"):
            normalise_number(bad)


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3566002020360505", "jcb"),
        ("6200000000000005", "unionpay"),
        ("36227206271667", "diners"),
        ("9999999999999995", "unknown"),
    ],
)
def test_brand_comes_from_the_issuer_prefix(number: str, brand: str) -> None:
    """Only the brand and last four digits are kept, so the brand must be right."""
    assert card_brand(number) == brand


def test_a_card_is_good_through_its_expiry_month() -> None:
    """Expiry 05/2030 is valid all of May 2030 and expired from June."""
    may = datetime(2030, 5, 31, 23, 59, tzinfo=UTC)
    june = datetime(2030, 6, 1, tzinfo=UTC)
    assert not is_expired(5, 2030, may)
    assert is_expired(5, 2030, june)


@pytest.mark.parametrize(
    ("items", "bps", "commission"),
    [(10_000, 1000, 1000), (5, 1000, 1), (4, 1000, 0), (15, 1000, 2), (1, 5000, 1), (0, 1000, 0)],
)
def test_commission_rounds_half_up(items: int, bps: int, commission: int) -> None:
    """10% of 15 cents is 1.5 -> 2; of 4 cents 0.4 -> 0; half a cent goes to the platform."""
    assert commission_for(items, bps) == commission


@given(st.integers(0, 10**13), st.integers(0, 10_000))
def test_commission_is_never_more_than_the_items(items: int, bps: int) -> None:
    """Whatever the rate, 0 <= commission <= items, and it is within half a cent of exact."""
    commission = commission_for(items, bps)
    assert 0 <= commission <= items
    assert abs(commission * 10_000 - items * bps) <= 5_000


def test_an_allocation_nets_the_commission_and_refuses_nonsense() -> None:
    """Shipping passes through to the seller: net = items + shipping - commission."""
    assert Allocation(seller_order_id=1, seller_id=2, amount=1100, commission=100).net == 1000
    with pytest.raises(ValueError, match="commission"):
        Allocation(seller_order_id=1, seller_id=2, amount=100, commission=101)


def test_capture_takes_the_whole_authorised_card_share_once() -> None:
    """Card: captured in full on shipping; a second capture has nothing to do."""
    share = Share(PaymentMethod.CARD, S.AUTHORISED, 700)
    move = plan_capture(share)
    assert move is not None
    assert (move.kind, move.amount) == (EntryKind.CAPTURED, 700)
    assert plan_capture(move.apply(share)) is None


@pytest.mark.parametrize(
    "share",
    [
        Share(PaymentMethod.CARD, S.PENDING, 700),
        Share(PaymentMethod.BANK_TRANSFER, S.PENDING, 700),
        Share(PaymentMethod.CARD, S.CANCELLED, 700, voided=700),
    ],
)
def test_unpaid_or_cancelled_shares_cannot_be_captured(share: Share) -> None:
    """Shipping what was never paid for, or was cancelled, is refused loudly."""
    with pytest.raises(PaymentStateConflict):
        plan_capture(share)


def test_bank_transfer_and_cash_need_nothing_on_shipping() -> None:
    """The transfer was received already; cash is collected on delivery."""
    assert plan_capture(Share(PaymentMethod.BANK_TRANSFER, S.PAID, 700, captured=700)) is None
    assert plan_capture(Share(PaymentMethod.COD, S.ACCEPTED, 700)) is None


def test_cancel_voids_authorised_refunds_captured_and_moves_nothing_unpaid() -> None:
    """Exactly the share's money goes back, by the way it came."""
    void = plan_cancel(Share(PaymentMethod.CARD, S.AUTHORISED, 700))
    refund = plan_cancel(Share(PaymentMethod.BANK_TRANSFER, S.PAID, 700, captured=700))
    nothing = plan_cancel(Share(PaymentMethod.COD, S.ACCEPTED, 700))
    moves = [(m.kind, m.amount, m.status) if m else None for m in (void, refund, nothing)]
    assert moves == [
        (EntryKind.VOIDED, 700, S.CANCELLED),
        (EntryKind.REFUNDED, 700, S.CANCELLED),
        (None, 0, S.CANCELLED),
    ]
    assert plan_cancel(Share(PaymentMethod.COD, S.CANCELLED, 700)) is None


OPERATIONS = {"capture": plan_capture, "collect": plan_collect, "cancel": plan_cancel}
START = {
    PaymentMethod.CARD: S.AUTHORISED,
    PaymentMethod.BANK_TRANSFER: S.PAID,
    PaymentMethod.COD: S.ACCEPTED,
    PaymentMethod.EXTERNAL: S.PAID,
}


@given(
    st.sampled_from(list(PaymentMethod)),
    st.integers(0, 10**9),
    st.lists(st.sampled_from(sorted(OPERATIONS)), max_size=8),
)
def test_any_sequence_of_operations_keeps_the_share_invariants(
    method: PaymentMethod, amount: int, operations: list[str]
) -> None:
    """captured + voided <= amount and refunded <= captured, whatever happens in any order;
    money only moves once per operation kind."""
    paid_up_front = (PaymentMethod.BANK_TRANSFER, PaymentMethod.EXTERNAL)
    captured = amount if method in paid_up_front else 0
    share = Share(method, START[method], amount, captured=captured)
    moved: list[EntryKind] = []
    for name in operations:
        try:
            move = OPERATIONS[name](share)
        except PaymentStateConflict:
            continue
        if move is None:
            continue
        share = move.apply(share)
        assert share.holds()
        if move.kind is not None:
            moved.append(move.kind)
    assert len(moved) == len(set(moved))
    if share.status is S.CANCELLED:
        assert share.captured == share.refunded
