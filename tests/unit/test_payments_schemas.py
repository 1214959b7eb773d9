"""The `payment` object of the place-order body: validation and keeping card data secret."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

import pasar.payments
from pasar.payments import CardDetails, PaymentDetails
from pasar.platform.time import utcnow


def card(**overrides: Any) -> dict[str, Any]:
    body = {
        "number": "4242 4242 4242 4242",
        "exp_month": 12,
        "exp_year": utcnow().year + 1,
        "cvc": "123",
    }
    return body | overrides


def test_the_number_is_kept_secret_everywhere() -> None:
    """Never in a repr, a dump or a JSON dump; only brand and last four are exposed."""
    details = PaymentDetails.model_validate({"method": "card", "card": card()})
    assert details.card is not None
    assert (details.card.brand, details.card.last4) == ("visa", "4242")
    for text in (repr(details), str(details.model_dump()), details.model_dump_json()):
        assert "4242424242424242" not in text
        assert "123" not in text


def test_validation_errors_do_not_echo_the_number() -> None:
    """A Luhn failure says what is wrong without repeating what was typed."""
    with pytest.raises(ValidationError) as raised:
        CardDetails.model_validate(card(number="4242 4242 4242 4241"))
    assert "4242424242424241" not in str(raised.value)
    assert "4242 4242 4242 4241" not in str(raised.value)
    assert raised.value.errors()[0]["loc"] == ("number",)


def test_this_month_is_still_valid_last_month_is_expired() -> None:
    """Expiry is the end of the month printed on the card."""
    now = utcnow()
    CardDetails.model_validate(card(exp_month=now.month, exp_year=now.year))
    last = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    with pytest.raises(ValidationError, match="expired"):
        CardDetails.model_validate(card(exp_month=last[1], exp_year=last[0]))


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"method": "card"}, ("card",)),
        ({"method": "bank_transfer", "card": card()}, ("card",)),
        ({"method": "card", "card": card(number=4242424242424242)}, ("card", "number")),
        ({"method": "card", "card": card(cvc=123)}, ("card", "cvc")),
        ({"method": "card", "card": card(holder="x" * 101)}, ("card", "holder")),
    ],
)
def test_card_details_are_required_for_and_only_for_cards(
    body: dict[str, Any], loc: tuple[str, ...]
) -> None:
    """Errors point at the field the buyer must fix."""
    with pytest.raises(ValidationError) as raised:
        PaymentDetails.model_validate(body)
    assert [e["loc"] for e in raised.value.errors()] == [loc]


def test_bank_transfer_and_cod_need_no_card() -> None:
    for method in ("bank_transfer", "cod"):
        assert PaymentDetails.model_validate({"method": method}).card is None


def test_public_exports_are_deliberate() -> None:
    """Adding or removing an export is a visible, reviewed change."""
    assert set(pasar.payments.__all__) == {
        "SUBSCRIPTIONS", "CHALLENGE_PATH", "Allocation", "AllocationStatus", "AllocationView",
        "Authorisation",
        "CardDetails", "ChallengeCompleted", "ChallengeNotFound", "CodNotAvailable",
        "EntryKind", "InvalidWebhook", "LedgerEntryView", "MalformedWebhook", "PaymentCaptured",
        "PaymentConfig", "PaymentDeclined", "PaymentDetails", "PaymentFailed", "PaymentMethod",
        "PaymentNotFound", "PaymentRefunded", "PaymentStarted", "PaymentStateConflict",
        "PaymentStatus", "PaymentValidated", "PaymentView", "PaymentVoided",
        "TransferAmountMismatch", "answer_challenge", "authorise", "cancel_allocation",
        "capture", "collect_cash",
        "commission_for", "describe_challenge", "expire", "ledger", "payment_views",
        "record_payment", "router", "SettledPayment", "record_settled",
        "simulate_transfer", "void_authorisation",
    }  # fmt: skip
    assert all(hasattr(pasar.payments, name) for name in pasar.payments.__all__)
    assert pasar.payments.SUBSCRIPTIONS == {}
