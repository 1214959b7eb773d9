"""The timeline's pure rules: which scan decides a parcel's status, what a SellerOrder's
parcels mean for it, and when a parcel is at risk of missing its promise."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pasar.fulfillment.domain import FINAL, TrackingStatus, WhereLeft
from pasar.fulfillment.timeline import (
    CANCELLED,
    Delay,
    DelayReason,
    OrderOutcome,
    ParcelFacts,
    Scan,
    assess_delay,
    decide,
    delay_reason,
    end_of_day,
    first_name,
    hands_over,
    is_news,
    local_today,
    order_outcome,
    status_label,
    supersedes,
    where_left_label,
)

T = TrackingStatus
NOON = datetime(2026, 11, 24, 12, tzinfo=UTC)
SILENCE = timedelta(hours=48)


def at(hours: float) -> datetime:
    return NOON + timedelta(hours=hours)


def facts(*, zone: str = "UTC", **changes: object) -> ParcelFacts:
    """A parcel shipped from a warehouse in `zone`: its deadlines end its days there."""
    base: dict[str, object] = {
        "status": T.IN_TRANSIT.value,
        "ship_by": date(2026, 11, 24),
        "promised_date": date(2026, 11, 27),
        "expected_date": date(2026, 11, 27),
        "last_event_at": NOON,
        "delay_reason": None,
    }
    base.update(changes)
    base.setdefault("pickup_deadline", end_of_day(base["ship_by"], zone))  # type: ignore[arg-type]
    base.setdefault("promise_deadline", end_of_day(base["promised_date"], zone))  # type: ignore[arg-type]
    return ParcelFacts(**base)  # type: ignore[arg-type]


# --- which scan decides ------------------------------------------------------------------


def test_a_newer_scan_replaces_the_status() -> None:
    """The newest scan decides, whatever its status."""
    assert supersedes(Scan(T.IN_TRANSIT, at(2)), Scan(T.PICKED_UP, at(1)))


def test_an_older_scan_arriving_late_does_not() -> None:
    """A hub scan that turns up after a newer one is history, not news."""
    assert not supersedes(Scan(T.IN_TRANSIT, at(1)), Scan(T.OUT_FOR_DELIVERY, at(2)))


def test_a_final_status_is_never_undone() -> None:
    """Delivered stays delivered, even when a newer in-transit scan arrives."""
    assert not supersedes(Scan(T.IN_TRANSIT, at(9)), Scan(T.DELIVERED, at(2)))
    assert not supersedes(Scan(T.RETURNED_TO_SENDER, at(9)), Scan(T.DELIVERED, at(2)))


def test_a_final_scan_wins_even_with_an_older_stamp() -> None:
    """Carriers' clocks disagree, but a parcel is not in transit after its delivery."""
    assert supersedes(Scan(T.DELIVERED, at(1)), Scan(T.OUT_FOR_DELIVERY, at(2)))


def test_at_the_same_instant_the_further_along_status_wins() -> None:
    """Two scans stamped alike: out for delivery beats in transit."""
    assert supersedes(Scan(T.OUT_FOR_DELIVERY, at(1)), Scan(T.IN_TRANSIT, at(1)))
    assert not supersedes(Scan(T.IN_TRANSIT, at(1)), Scan(T.OUT_FOR_DELIVERY, at(1)))


def test_decide_picks_the_newest_of_an_out_of_order_batch() -> None:
    """A batch in any order ends at its newest scan."""
    scans = [Scan(T.OUT_FOR_DELIVERY, at(3)), Scan(T.PICKED_UP, at(1)), Scan(T.IN_TRANSIT, at(2))]
    assert decide(Scan(T.LABEL_CREATED, at(0)), scans) == 0


def test_decide_keeps_the_current_status_when_nothing_is_newer() -> None:
    """Repeats and older scans leave the status where it is."""
    assert decide(Scan(T.IN_TRANSIT, at(5)), [Scan(T.PICKED_UP, at(1))]) is None
    assert decide(Scan(T.DELIVERED, at(5)), [Scan(T.IN_TRANSIT, at(9))]) is None


statuses = st.sampled_from(list(TrackingStatus))
instants = st.integers(min_value=0, max_value=1000).map(lambda h: at(h))
scans_ = st.builds(Scan, statuses, instants)


@given(st.lists(scans_, min_size=1, max_size=12), st.randoms())
def test_the_outcome_does_not_depend_on_arrival_order(scans: list[Scan], rnd: object) -> None:
    """Whatever order a carrier sends the same scans in, the parcel ends in the same status."""
    start = Scan(T.LABEL_CREATED, at(-1))
    shuffled = list(scans)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]

    def end(batch: list[Scan]) -> T:
        index = decide(start, batch)
        return start.status if index is None else batch[index].status

    def one_by_one(batch: list[Scan]) -> T:
        current = start
        for scan in batch:
            if decide(current, [scan]) == 0:
                current = scan
        return current.status

    assert end(scans) == end(shuffled)
    finals = [s for s in scans if s.status in FINAL]
    if not finals:
        assert one_by_one(shuffled) == end(scans)
    else:
        assert one_by_one(shuffled) in FINAL


def test_only_carrier_scans_hand_a_parcel_over() -> None:
    """A label is not a hand-over; a pick-up or any later scan is."""
    assert not hands_over(T.LABEL_CREATED)
    assert all(hands_over(s) for s in TrackingStatus if s is not T.LABEL_CREATED)


# --- what a SellerOrder's parcels mean -----------------------------------------------------


def test_an_order_is_delivered_only_when_every_live_parcel_is() -> None:
    """Split shipments: one delivered parcel of two is not a delivered SellerOrder."""
    assert order_outcome(["delivered", "in_transit"]) is OrderOutcome.UNDER_WAY
    assert order_outcome(["delivered", "delivered"]) is OrderOutcome.DELIVERED


def test_cancelled_labels_do_not_hold_an_order_back() -> None:
    """A voided label is not a parcel the buyer waits for."""
    assert order_outcome(["delivered", CANCELLED]) is OrderOutcome.DELIVERED
    assert order_outcome([CANCELLED]) is OrderOutcome.UNDER_WAY


def test_a_returned_parcel_fails_the_delivery() -> None:
    """Returned to sender fails the SellerOrder's delivery, even if another parcel arrived."""
    assert order_outcome(["returned_to_sender"]) is OrderOutcome.FAILED
    assert order_outcome(["delivered", "returned_to_sender"]) is OrderOutcome.FAILED


def test_attempts_and_exceptions_do_not_move_the_order() -> None:
    """A failed attempt or a hold-up is shown on the timeline, not acted upon."""
    assert order_outcome(["delivery_attempted"]) is OrderOutcome.UNDER_WAY
    assert order_outcome(["exception"]) is OrderOutcome.UNDER_WAY


# --- delays --------------------------------------------------------------------------------


def test_an_uncollected_label_is_flagged_once_its_ship_by_day_ends() -> None:
    """Not picked up: fine on the ship-by day (a UTC warehouse here), flagged the day after."""
    parcel = facts(status=T.LABEL_CREATED.value, ship_by=date(2026, 11, 24))
    assert (
        delay_reason(parcel, now=datetime(2026, 11, 24, 23, 59, tzinfo=UTC), silence=SILENCE)
        is None
    )
    late = datetime(2026, 11, 25, 0, 1, tzinfo=UTC)
    assert delay_reason(parcel, now=late, silence=SILENCE) is DelayReason.NOT_PICKED_UP


def test_the_days_end_at_the_warehouses_midnight() -> None:
    """A day ends at local midnight: 17:00 UTC the same day in Jakarta (UTC+7), 08:00 UTC
    the next day in Los Angeles (UTC-8 in November)."""
    assert end_of_day(date(2026, 11, 24), "Asia/Jakarta") == datetime(2026, 11, 24, 17, tzinfo=UTC)
    assert end_of_day(date(2026, 11, 24), "America/Los_Angeles") == datetime(
        2026, 11, 25, 8, tzinfo=UTC
    )
    assert end_of_day(date(2026, 11, 24), "UTC") == datetime(2026, 11, 25, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "ends"),
    [
        ("Asia/Jakarta", datetime(2026, 11, 24, 17, tzinfo=UTC)),
        ("America/Los_Angeles", datetime(2026, 11, 25, 8, tzinfo=UTC)),
    ],
)
def test_an_uncollected_label_is_flagged_at_the_warehouses_midnight(
    zone: str, ends: datetime
) -> None:
    """Not picked up as soon as the ship-by day ends where the warehouse is, and not before:
    not 7 hours late in Jakarta, not 8 hours early in Los Angeles."""
    parcel = facts(zone=zone, status=T.LABEL_CREATED.value, ship_by=date(2026, 11, 24))
    before = ends - timedelta(minutes=1)
    assert delay_reason(parcel, now=before, silence=SILENCE) is None
    assert delay_reason(parcel, now=ends, silence=SILENCE) is DelayReason.NOT_PICKED_UP


def test_a_promise_is_missed_at_the_warehouses_midnight() -> None:
    """Jakarta's promised day is over at 17:00 UTC, while it is still that day in UTC."""
    ends = datetime(2026, 11, 27, 17, tzinfo=UTC)
    parcel = facts(zone="Asia/Jakarta", last_event_at=ends - timedelta(hours=1))
    assert delay_reason(parcel, now=ends - timedelta(seconds=1), silence=SILENCE) is None
    assert delay_reason(parcel, now=ends, silence=SILENCE) is DelayReason.PROMISE_PASSED


def test_a_new_estimate_counts_from_the_warehouses_today() -> None:
    """Right after Jakarta's midnight it is already the next day there: an uncollected
    parcel's estimate is that day plus its transit, not UTC's day plus its transit."""
    parcel = facts(
        zone="Asia/Jakarta",
        status=T.LABEL_CREATED.value,
        ship_by=date(2026, 11, 24),
        promised_date=date(2026, 11, 27),
    )
    now = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 00:30 on the 25th in Jakarta
    assert local_today(parcel, now=now) == date(2026, 11, 25)
    delay = assess_delay(parcel, now=now, silence=SILENCE)
    assert delay is not None
    assert delay.expected_date == date(2026, 11, 28)
    la = facts(zone="America/Los_Angeles")
    assert local_today(la, now=datetime(2026, 11, 25, 7, 59, tzinfo=UTC)) == date(2026, 11, 24)


def test_a_silent_parcel_is_flagged_after_the_silence() -> None:
    """No scan for `silence` hours while moving."""
    parcel = facts(last_event_at=NOON)
    assert delay_reason(parcel, now=at(47), silence=SILENCE) is None
    assert delay_reason(parcel, now=at(48), silence=SILENCE) is DelayReason.NO_SCAN


def test_a_carrier_estimate_after_the_promise_is_flagged() -> None:
    """The carrier expects to deliver after the promised day."""
    parcel = facts(expected_date=date(2026, 11, 28))
    assert delay_reason(parcel, now=NOON, silence=SILENCE) is DelayReason.EXPECTED_AFTER_PROMISE


def test_a_passed_promise_is_the_last_resort() -> None:
    """Not delivered the day after the promise: promise passed, whatever else applies."""
    parcel = facts(status=T.LABEL_CREATED.value, promised_date=date(2026, 11, 23))
    assert delay_reason(parcel, now=NOON, silence=SILENCE) is DelayReason.PROMISE_PASSED


def test_finished_and_cancelled_parcels_are_never_flagged() -> None:
    """Delivered, returned and voided parcels are not late."""
    for status in ("delivered", "returned_to_sender", CANCELLED):
        parcel = facts(status=status, promised_date=date(2026, 11, 1), last_event_at=at(-999))
        assert delay_reason(parcel, now=NOON, silence=SILENCE) is None


def test_a_flag_is_news_once() -> None:
    """The same reason again is no news; a missed promise always is; Pasar's own estimate
    does not raise `expected_after_promise` on a flagged parcel."""
    assert is_news(DelayReason.NO_SCAN, None)
    assert not is_news(DelayReason.NO_SCAN, "no_scan")
    assert is_news(DelayReason.NO_SCAN, "not_picked_up")
    assert is_news(DelayReason.PROMISE_PASSED, "no_scan")
    assert not is_news(DelayReason.EXPECTED_AFTER_PROMISE, "not_picked_up")


def test_assess_gives_a_later_estimate_and_a_detail() -> None:
    """An uncollected parcel is re-estimated: today plus the transit it was given."""
    parcel = facts(
        status=T.LABEL_CREATED.value,
        ship_by=date(2026, 11, 24),
        promised_date=date(2026, 11, 27),
        expected_date=date(2026, 11, 27),
    )
    delay = assess_delay(parcel, now=datetime(2026, 11, 26, 9, tzinfo=UTC), silence=SILENCE)
    assert isinstance(delay, Delay)
    assert delay.reason is DelayReason.NOT_PICKED_UP
    assert delay.expected_date == date(2026, 11, 29)
    assert "2026-11-24" in delay.detail
    assert len(delay.detail) <= 300


def test_assess_says_nothing_for_an_already_flagged_reason() -> None:
    """A second run on the same facts flags nothing."""
    parcel = facts(last_event_at=at(-72), delay_reason="no_scan")
    assert assess_delay(parcel, now=NOON, silence=SILENCE) is None


@pytest.mark.parametrize(
    ("where", "label"),
    [(WhereLeft.LOCKED_MAILBOX.value, "Left in a locked mailbox"), (None, None)],
)
def test_where_left_reads_as_words(where: str | None, label: str | None) -> None:
    """Proof of delivery is shown in words."""
    assert where_left_label(where) == label


def test_only_the_recipients_first_name_is_public() -> None:
    """ "Budi Santoso" is shown as "Budi"."""
    assert first_name("  Budi Santoso ") == "Budi"
    assert first_name("") is None
    assert first_name(None) is None


def test_every_status_has_words() -> None:
    """Buyers never read a raw status code."""
    for status in TrackingStatus:
        assert "_" not in status_label(status.value)
    assert status_label(CANCELLED) == "Cancelled"


def test_the_timeline_rules_are_pure() -> None:
    """timeline.py imports neither the ORM nor the web framework (it is tested without them)."""
    import ast
    from pathlib import Path

    import pasar.fulfillment.timeline as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        for name in (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    }
    assert imported.isdisjoint({"sqlalchemy", "fastapi", "starlette"})
