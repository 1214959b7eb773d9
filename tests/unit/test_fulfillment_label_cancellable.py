"""When a shipping label may still be voided: the rule `cancel_shipment` enforces and the
seller portal asks before offering "Cancel label"."""

from __future__ import annotations

from datetime import UTC, datetime

from pasar.fulfillment import TrackingStatus, label_cancellable


def test_a_label_waiting_for_the_carrier_can_be_cancelled() -> None:
    assert label_cancellable(TrackingStatus.LABEL_CREATED.value, None)


def test_a_parcel_handed_over_or_moving_cannot() -> None:
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert not label_cancellable(TrackingStatus.LABEL_CREATED.value, now)
    assert not label_cancellable(TrackingStatus.IN_TRANSIT.value, None)
    assert not label_cancellable("cancelled", None)
