"""Webhooks' pure rules: catalogue, routing, what a call looks like, retries, sealing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from pasar import fulfillment, orders
from pasar.platform.signing import BadSignature, verify
from pasar.webhooks import domain
from pasar.webhooks.domain import SendPolicy, after_failure, project, sellers_of
from pasar.webhooks.sealing import SealBroken, seal, unseal

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PLACED = {
    "order_id": 17,
    "number": "PSR-1",
    "buyer_user_id": 5,
    "email": "buyer@example.com",
    "currency": "IDR",
    "total_amount": 300,
    "payment_method": "card",
    "seller_order_ids": [41, 42],
    "seller_ids": [3, 4],
}


def test_the_catalogue_names_every_seller_order_status() -> None:
    """A new SellerOrder status must be added to the catalogue (or this fails)."""
    listed = {t.name for t in domain.CATALOGUE if t.name.startswith("seller_order.")}
    assert listed == {f"seller_order.{s.value}" for s in orders.Status}


def test_the_catalogue_names_real_shipment_events() -> None:
    names = {
        cls.name
        for cls in vars(fulfillment.events).values()
        if isinstance(cls, type) and getattr(cls, "name", "").startswith("shipment.")
    }
    listed = {t.name for t in domain.CATALOGUE if t.name.startswith("shipment.")}
    assert listed == names - {"shipment.event"}


def test_an_event_belongs_to_its_seller_or_each_of_an_orders_sellers() -> None:
    assert sellers_of("order.placed", PLACED) == [3, 4]
    assert sellers_of("shipment.created", {"seller_id": 9}) == [9]
    assert sellers_of("webhook_endpoint.disabled", {"seller_id": None}) == []


def test_a_seller_sees_only_its_part_of_an_order() -> None:
    """No buyer email, order total or other sellers; its own SellerOrder id."""
    assert project("order.placed", PLACED, 4) == {
        "order_id": 17,
        "number": "PSR-1",
        "currency": "IDR",
        "payment_method": "card",
        "seller_id": 4,
        "seller_order_id": 42,
    }
    assert project("order.placed", PLACED, None) == PLACED
    assert project("shipment.created", {"seller_id": 4, "x": 1}, 4) == {"seller_id": 4, "x": 1}


def test_a_signature_with_two_keys_verifies_under_either() -> None:
    body = domain.request_body(
        delivery_id=7, event_id=3, name="order.placed", occurred_at=NOW, data={"a": 1}
    )
    now = 1_800_000_000
    header = domain.signature([b"new", b"old"], body, timestamp=now)
    assert verify(b"new", body, header, now=now) == now
    assert verify(b"old", body, header, now=now) == now
    with pytest.raises(BadSignature):
        verify(b"other", body, header, now=now)
    with pytest.raises(BadSignature):
        verify(b"new", body + b" ", header, now=now)


def test_the_body_and_headers_carry_a_stable_delivery_id() -> None:
    body = domain.request_body(
        delivery_id=7, event_id=3, name="order.placed", occurred_at=NOW, data={"a": 1}
    )
    assert orjson.loads(body) == {
        "id": "whd_7",
        "event_id": "evt_3",
        "type": "order.placed",
        "created_at": "2026-11-22T12:00:00+00:00",
        "data": {"a": 1},
    }
    headers = domain.request_headers(
        delivery_id=7, name="order.placed", body=body, keys=[b"k"], timestamp=1
    )
    assert headers["Pasar-Delivery-Id"] == "whd_7"
    assert headers["Pasar-Event-Type"] == "order.placed"
    assert headers["User-Agent"].startswith("Pasar-Webhooks/")


def test_retries_back_off_to_an_hour_and_fail_after_about_a_day() -> None:
    policy = SendPolicy()
    waits = []
    for attempts in range(1, policy.max_attempts):
        status, at = after_failure(attempts, policy, now=NOW, rand=lambda: 1.0)
        assert status == domain.PENDING
        assert at is not None
        waits.append(at - NOW)
    assert waits[0] == timedelta(seconds=10)
    assert waits[1] == timedelta(seconds=20)
    assert max(waits) == timedelta(hours=1)
    longest = sum(waits, timedelta())
    shortest = sum(
        (
            domain.backoff_delay(a, base_seconds=10, max_seconds=3600, rand=lambda: 0.0)
            for a in range(1, policy.max_attempts)
        ),
        timedelta(),
    )
    assert timedelta(hours=12) < shortest < longest < timedelta(hours=30)
    assert after_failure(policy.max_attempts, policy, now=NOW) == (domain.FAILED, None)


def test_the_lease_outlasts_a_whole_batch_of_slow_calls() -> None:
    policy = SendPolicy(timeout_seconds=10, batch=32, concurrency=16)
    assert policy.lease > timedelta(seconds=2 * 10)


def test_an_endpoint_is_disabled_only_after_failing_for_the_whole_window() -> None:
    day = timedelta(hours=24)
    assert not domain.should_disable(None, now=NOW, after=day)
    assert not domain.should_disable(NOW - timedelta(hours=23), now=NOW, after=day)
    assert domain.should_disable(NOW - day, now=NOW, after=day)


def test_a_sealed_secret_opens_only_under_the_same_marketplace_secret() -> None:
    sealed = seal("master", "whsec_abc")
    assert "whsec_abc" not in sealed
    assert unseal("master", sealed) == "whsec_abc"
    assert seal("master", "whsec_abc") != sealed  # a fresh nonce each time
    with pytest.raises(SealBroken):
        unseal("other master", sealed)
    version, data = sealed.split(".", 1)
    altered = data[:-2] + ("A" if data[-2] != "A" else "B") + data[-1]
    with pytest.raises(SealBroken):
        unseal("master", f"{version}.{altered}")


def test_unknown_types_are_named() -> None:
    assert domain.unknown_types(["order.placed", "x.y", "a.b"]) == ["a.b", "x.y"]
