"""3PL rules without a database: backoff, endpoints, what a request carries, how it is signed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pasar.fulfillment.threepl import lines_held_in, request_payload
from pasar.fulfillment.threepl_push import (
    after_failure,
    backoff_delay,
    request_body,
    request_headers,
    sandbox_package_grams,
)
from pasar.fulfillment.threepl_schemas import endpoint_problem
from pasar.orders import FulfilmentLine, FulfilmentOrder, HeldStock, Status
from pasar.platform.signing import HEADER, BadSignature, verify


def test_backoff_doubles_from_its_base_up_to_its_ceiling() -> None:
    """Without jitter's upper half, the waits are 15 s, 30 s, 60 s ... and stop at half the cap."""
    low = [backoff_delay(n, rand=lambda: 0.0).total_seconds() for n in range(1, 10)]
    assert low == [15, 30, 60, 120, 240, 480, 960, 1800, 1800]
    high = [backoff_delay(n, rand=lambda: 1.0).total_seconds() for n in range(1, 4)]
    assert high == [30, 60, 120]


@given(st.integers(min_value=1, max_value=10_000), st.floats(min_value=0, max_value=1))
def test_backoff_always_waits_between_half_and_all_of_its_step(attempts: int, r: float) -> None:
    """Jitter never shortens a wait below half its step nor past the ceiling (huge counts too)."""
    wait = backoff_delay(attempts, base_seconds=30, max_seconds=3600, rand=lambda: r)
    step = min(3600, 30 * 2 ** min(attempts - 1, 62))
    assert timedelta(seconds=step / 2) <= wait <= timedelta(seconds=step)


def test_backoff_needs_a_failed_attempt() -> None:
    """There is nothing to back off from before the first attempt."""
    with pytest.raises(ValueError, match="at least one"):
        backoff_delay(0)


def test_a_request_fails_only_after_its_last_attempt() -> None:
    """Attempts below the budget stay pending; the last one fails the request."""
    assert [after_failure(n, 3) for n in (1, 2, 3, 4)] == ["pending", "pending", "failed", "failed"]


def test_sandbox_boxes_weigh_what_their_units_do() -> None:
    """Packing plus 450 g a unit, never nothing, never more than a carrier takes."""
    assert sandbox_package_grams(1) == 650
    assert sandbox_package_grams(3) == 1550
    assert sandbox_package_grams(0) == 650
    assert sandbox_package_grams(10_000) == 30_000


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://3pl.example.com/pasar", True),
        ("https://3pl.example.com:8443/in?x=1", True),
        ("http://localhost:8080/in", True),
        ("http://127.0.0.1:9000/in", True),
        ("http://3pl.example.com/in", False),
        ("http://10.0.0.5/in", False),
        ("https://10.0.0.5/in", False),
        ("https://192.168.1.20/in", False),
        ("https://169.254.169.254/latest/meta-data/", False),
        ("https://[fe80::1]/in", False),
        ("https://8.8.8.8/in", True),
        ("https://127.0.0.1:8443/in", True),
        ("ftp://3pl.example.com/in", False),
        ("https://user:pw@3pl.example.com/in", False),
        ("https://3pl.example.com:99999/in", False),
        ("https:///in", False),
        ("3pl.example.com/in", False),
    ],
)
def test_endpoints_are_https_or_loopback_http(url: str, ok: bool) -> None:
    """Requests travel over https; plain http only to this machine; no private networks;
    no credentials in URLs."""
    assert (endpoint_problem(url) is None) is ok


def _order(held: tuple[HeldStock, ...]) -> FulfilmentOrder:
    return FulfilmentOrder(
        id=7,
        number="P261122-AAAAAAAA-1",
        order_id=3,
        order_number="P261122-AAAAAAAA",
        seller_id=5,
        seller_name="Toko Lima",
        status=Status.VERIFIED,
        email="buyer@example.com",
        phone="+6281234567890",
        address={"name": "Budi", "line1": "Jl. Merdeka 1", "city": "Bandung", "country": "ID"},
        delivery_service="standard",
        planned_carrier="pasar-post",
        ship_by=date(2026, 11, 23),
        promised_date=date(2026, 11, 26),
        placed_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
        lines=(
            FulfilmentLine(11, 101, 1001, "KOPI-1", "Kopi", 3, "seller"),
            FulfilmentLine(12, 102, 1002, "TEH-1", "Teh", 2, "seller"),
        ),
        held=held,
    )


def test_a_warehouse_gets_only_the_units_it_holds() -> None:
    """A SellerOrder split over two warehouses gives each 3PL its own units."""
    order = _order((HeldStock(101, 1, 2), HeldStock(101, 2, 1), HeldStock(102, 2, 2)))
    assert [(line.sku, q) for line, q in lines_held_in(order, 1)] == [("KOPI-1", 2)]
    assert [(line.sku, q) for line, q in lines_held_in(order, 2)] == [("KOPI-1", 1), ("TEH-1", 2)]
    assert lines_held_in(order, 3) == []


def test_the_request_payload_has_what_a_3pl_needs_and_no_buyer_email() -> None:
    """Number, address with phone, lines with SKU/title/quantity, dates and service."""
    payload = request_payload(_order((HeldStock(101, 1, 3),)), 1)
    assert payload is not None
    assert payload["seller_order_number"] == "P261122-AAAAAAAA-1"
    assert payload["ship_to"] == {
        "name": "Budi",
        "line1": "Jl. Merdeka 1",
        "city": "Bandung",
        "country": "ID",
        "phone": "+6281234567890",
    }
    assert payload["lines"] == [
        {"order_line_id": 11, "sku": "KOPI-1", "title": "Kopi", "quantity": 3}
    ]
    assert (payload["ship_by"], payload["promised_date"]) == ("2026-11-23", "2026-11-26")
    assert (payload["delivery_service"], payload["carrier"]) == ("standard", "pasar-post")
    assert "buyer@example.com" not in orjson.dumps(payload).decode()
    assert request_payload(_order((HeldStock(101, 1, 3),)), 2) is None


def test_requests_are_signed_with_the_connection_secret_and_keyed_by_request() -> None:
    """The signature verifies under the secret only; every attempt carries the same key."""
    body = request_body(42, {"lines": []}, report_url="https://pasar.example/api/v1/3pl/1/reports")
    headers = request_headers("s3cret", 42, body)
    verify(b"s3cret", body, headers[HEADER])
    with pytest.raises(BadSignature):
        verify(b"other", body, headers[HEADER])
    assert headers["Idempotency-Key"] == headers["Pasar-Event-Id"] == "3plreq_42"
    assert request_headers("s3cret", 42, body)["Idempotency-Key"] == "3plreq_42"
    assert orjson.loads(body)["id"] == "3plreq_42"
