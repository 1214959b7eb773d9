"""Authorising at placement, over HTTP, the way checkout's place-order body carries it.

Checkout's endpoint is not here yet, so each test mounts a small route whose body has the
same `payment` object and which calls the real `authorise` with the app's settings: the
field paths and problem documents are exactly what buyers will see.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel

from pasar.payments import (
    PaymentConfig,
    PaymentDetails,
    authorise,
    void_authorisation,
)
from pasar.platform.settings import Settings
from pasar.platform.time import utcnow
from tests.api.test_payments_support import (
    DECLINED,
    INSUFFICIENT,
    SUCCESS,
    THREE_DS,
    card,
    config_of,
    details,
)

ROUTE = "/test/place-order"


class PlaceOrder(BaseModel):
    amount: int
    payment: PaymentDetails


async def _place(body: PlaceOrder, request: Request) -> dict[str, Any]:
    auth = await authorise(
        body.payment,
        amount=body.amount,
        currency="USD",
        reference="PSR-TEST",
        config=PaymentConfig.from_settings(request.app.state.settings),
        now=utcnow(),
    )
    return {k: v for k, v in dataclasses.asdict(auth).items() if k != "action_token"}


@pytest.fixture
def pay(app: FastAPI, client: httpx.AsyncClient) -> Any:
    app.add_api_route(ROUTE, _place, methods=["POST"])

    async def post(payment: dict[str, Any], amount: int = 5000) -> httpx.Response:
        return await client.post(ROUTE, json={"amount": amount, "payment": payment})

    return post


async def test_the_success_card_is_authorised_keeping_only_brand_and_last4(pay: Any) -> None:
    """4242…: authorised and validated at once; the number itself is nowhere in the result."""
    response = await pay({"method": "card", "card": card(SUCCESS)})
    assert response.status_code == 200, response.text
    auth = response.json()
    assert (auth["status"], auth["validated"], auth["card_brand"], auth["card_last4"]) == (
        "authorised",
        True,
        "visa",
        "4242",
    )
    assert auth["provider"] == "sandbox"
    assert auth["provider_ref"].startswith("sbx_ch_")
    assert "4242424242424242" not in response.text


@pytest.mark.parametrize(
    ("number", "reason"), [(DECLINED, "card_declined"), (INSUFFICIENT, "insufficient_funds")]
)
async def test_declining_cards_are_402_with_the_reason(
    pay: Any, client: httpx.AsyncClient, number: str, reason: str
) -> None:
    """Declines are problem+json 402 `payment-declined` naming why."""
    response = await pay({"method": "card", "card": card(number)})
    assert response.status_code == 402
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert (problem["type"], problem["reason"], problem["field"]) == (
        "/problems/payment-declined",
        reason,
        "payment.card",
    )
    assert (await client.get("/problems/payment-declined")).status_code == 200


async def test_the_three_ds_card_requires_an_action_before_a_deadline(
    pay: Any, settings: Settings
) -> None:
    """4000…3220: not validated yet; the buyer must answer the challenge at next_action.url."""
    response = await pay({"method": "card", "card": card(THREE_DS)})
    auth = response.json()
    assert (auth["status"], auth["validated"]) == ("requires_action", False)
    assert auth["next_action"]["type"] == "three_ds_challenge"
    assert auth["next_action"]["url"].startswith("/api/v1/payments/challenges/")
    assert len(auth["next_action"]["url"].rsplit("/", 1)[1]) >= 22  # >= 128 random bits
    assert auth["due_at"] is not None


async def test_any_other_luhn_valid_card_is_authorised(pay: Any) -> None:
    """Mastercard test number, typed with spaces: authorised, brand detected."""
    response = await pay({"method": "card", "card": card("5555 5555 5555 4444")})
    assert (response.json()["status"], response.json()["card_brand"]) == (
        "authorised",
        "mastercard",
    )


@pytest.mark.parametrize(
    ("payment", "field"),
    [
        ({"method": "card", "card": card("4242 4242 4242 4241")}, "payment.card.number"),
        ({"method": "card", "card": card("4242-4242")}, "payment.card.number"),
        ({"method": "card", "card": card(exp_year=2020)}, "payment.card.exp_year"),
        ({"method": "card", "card": card(exp_month=13)}, "payment.card.exp_month"),
        ({"method": "card", "card": card(cvc="12")}, "payment.card.cvc"),
        ({"method": "card", "card": card(cvc="12a")}, "payment.card.cvc"),
        ({"method": "card"}, "payment.card"),
        ({"method": "cod", "card": card()}, "payment.card"),
        ({"method": "cheque"}, "payment.method"),
    ],
)
async def test_bad_card_details_are_422_naming_the_field(
    pay: Any, payment: dict[str, Any], field: str
) -> None:
    """Typos, expired cards and missing cards are problem+json 422 with the field path."""
    response = await pay(payment)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert "4242" not in response.text


async def test_cash_on_delivery_is_accepted_up_to_the_limit(pay: Any, settings: Settings) -> None:
    """COD at the limit is accepted (validated); one cent more is 422 on payment.method."""
    accepted = await pay({"method": "cod"}, amount=settings.cod_limit)
    assert (accepted.json()["status"], accepted.json()["validated"]) == ("accepted", True)
    refused = await pay({"method": "cod"}, amount=settings.cod_limit + 1)
    assert refused.status_code == 422
    problem = refused.json()
    assert (problem["type"], problem["field"], problem["limit"]) == (
        "/problems/cod-not-available",
        "payment.method",
        settings.cod_limit,
    )


async def test_bank_transfer_waits_with_instructions_and_a_deadline(
    pay: Any, settings: Settings
) -> None:
    """A fresh virtual account per order, the exact amount and when it must arrive."""
    first = (await pay({"method": "bank_transfer"}, amount=7000)).json()
    second = (await pay({"method": "bank_transfer"}, amount=7000)).json()
    assert (first["status"], first["validated"]) == ("pending", False)
    instructions = first["instructions"]
    assert (instructions["amount"], instructions["currency"]) == (7000, "USD")
    assert instructions["virtual_account"] != second["instructions"]["virtual_account"]
    assert instructions["due_at"] == first["due_at"]


async def test_void_authorisation_is_the_compensation_for_every_method(
    settings: Settings,
) -> None:
    """If the order transaction fails after authorising, the hold is released (no database)."""
    config = config_of(settings)
    for method in ("card", "bank_transfer", "cod"):
        auth = await authorise(
            details(method),
            amount=100,
            currency="USD",
            reference="PSR-X",
            config=config,
            now=utcnow(),
        )
        await void_authorisation(auth, config=config)
