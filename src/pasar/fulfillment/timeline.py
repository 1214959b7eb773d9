"""A parcel's timeline as pure rules: which scan decides its status, what its parcels mean
for the SellerOrder, and when it is at risk of missing its promise.

Carriers report late, twice and out of order. A shipment's status is the status of its
newest scan (ties broken by how far along the status is), except that a final status —
delivered, returned to sender — is never undone: a hub scan that turns up after the
delivery is history, not news.

Delay reasons, most serious first. Days are the warehouse's days, like the promise
itself (`carriers.promise`): a day "has passed" once midnight after it has struck in the
warehouse's time zone, an instant stored on the shipment when it is created
(`pickup_deadline`, `promise_deadline`; see `end_of_day`):

    promise_passed          not delivered and the promised day has passed (the last resort)
    not_picked_up           label bought, no carrier scan by the end of the ship-by day
    no_scan                 moving, but no carrier event for `silence` hours
    expected_after_promise  the carrier's own estimate is after the promised day

A flag is announced once. A shipment already flagged is flagged again only for a
different reason that is news: a parcel picked up late that then goes silent, or a
promise that has now been missed. `expected_after_promise` is never raised on a flagged
shipment, because its expected date is then Pasar's own estimate, not the carrier's.

Nothing here imports SQLAlchemy or FastAPI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pasar.fulfillment.domain import FINAL, MOVING, TrackingStatus, WhereLeft

T = TrackingStatus

#: How far along a parcel is; breaks ties between scans stamped with the same instant.
#: Every status has its own rank, so a batch decides the same whatever order it came in.
PROGRESS: dict[TrackingStatus, int] = {
    T.LABEL_CREATED: 0,
    T.PICKED_UP: 1,
    T.IN_TRANSIT: 2,
    T.EXCEPTION: 3,
    T.OUT_FOR_DELIVERY: 4,
    T.DELIVERY_ATTEMPTED: 5,
    T.RETURNED_TO_SENDER: 6,
    T.DELIVERED: 7,
}

#: What a buyer reads for each status.
STATUS_LABELS: dict[TrackingStatus, str] = {
    T.LABEL_CREATED: "Label created",
    T.PICKED_UP: "Picked up",
    T.IN_TRANSIT: "In transit",
    T.OUT_FOR_DELIVERY: "Out for delivery",
    T.DELIVERY_ATTEMPTED: "Delivery attempted",
    T.DELIVERED: "Delivered",
    T.EXCEPTION: "Held up",
    T.RETURNED_TO_SENDER: "Returned to sender",
}

WHERE_LEFT_LABELS: dict[WhereLeft, str] = {
    WhereLeft.HANDED_TO_RECIPIENT: "Handed to the recipient",
    WhereLeft.FRONT_DOOR: "Left at the front door",
    WhereLeft.LOCKED_MAILBOX: "Left in a locked mailbox",
    WhereLeft.NEIGHBOUR: "Left with a neighbour",
    WhereLeft.RECEPTION: "Left at reception",
    WhereLeft.PARCEL_LOCKER: "Left in a parcel locker",
}

#: A shipment's status column holds this for a label voided before hand-over.
CANCELLED = "cancelled"


def status_label(status: str) -> str:
    """The buyer's words for a status column value (unknown values are shown as they are)."""
    if status == CANCELLED:
        return "Cancelled"
    try:
        return STATUS_LABELS[TrackingStatus(status)]
    except ValueError:
        return status.replace("_", " ").capitalize()


def where_left_label(where: str | None) -> str | None:
    if not where:
        return None
    try:
        return WHERE_LEFT_LABELS[WhereLeft(where)]
    except ValueError:
        return where.replace("_", " ").capitalize()


def first_name(full_name: str | None) -> str | None:
    """ "Budi Santoso" → "Budi": the public page names the recipient, not the household."""
    if not full_name or not full_name.strip():
        return None
    return full_name.strip().split()[0]


# --- which scan decides the status -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scan:
    status: TrackingStatus
    occurred_at: datetime


def supersedes(new: Scan, current: Scan) -> bool:
    """Does `new` replace `current` as the shipment's status?

    Final statuses stay; a final scan wins over any non-final one, even an older-stamped
    one (carriers' clocks disagree, but a parcel is not in transit after its delivery).
    Otherwise the newer scan wins, and at the same instant the further-along one.
    """
    if current.status in FINAL:
        return False
    if new.status in FINAL:
        return True
    return (new.occurred_at, PROGRESS[new.status]) > (
        current.occurred_at,
        PROGRESS[current.status],
    )


def decide(current: Scan, scans: Sequence[Scan]) -> int | None:
    """Which of `scans` decides the status once they join a shipment at `current` (its
    index), or None when the current status stands."""
    decided, index = current, None
    for i in sorted(
        range(len(scans)), key=lambda i: (scans[i].occurred_at, PROGRESS[scans[i].status])
    ):
        if supersedes(scans[i], decided):
            decided, index = scans[i], i
    return index


def hands_over(status: TrackingStatus) -> bool:
    """A scan in this status means the carrier has the parcel (the seller handed it over)."""
    return status in MOVING or status in FINAL


# --- what a SellerOrder's parcels mean for it --------------------------------------------


class OrderOutcome(StrEnum):
    """What the parcels of one SellerOrder say about it, given their statuses."""

    UNDER_WAY = "under_way"
    DELIVERED = "delivered"
    FAILED = "failed"


def order_outcome(statuses: Sequence[str]) -> OrderOutcome:
    """The statuses of a SellerOrder's shipments (cancelled ones are ignored) → its outcome.

    Delivered only when every live parcel is; failed as soon as one comes back to the
    seller (the buyer will not get everything; the seller reships or takes it back).
    """
    live = [s for s in statuses if s != CANCELLED]
    if not live:
        return OrderOutcome.UNDER_WAY
    if T.RETURNED_TO_SENDER.value in live:
        return OrderOutcome.FAILED
    if all(s == T.DELIVERED.value for s in live):
        return OrderOutcome.DELIVERED
    return OrderOutcome.UNDER_WAY


# --- delays ------------------------------------------------------------------------------


DAY = timedelta(days=1)


class DelayReason(StrEnum):
    PROMISE_PASSED = "promise_passed"
    NOT_PICKED_UP = "not_picked_up"
    NO_SCAN = "no_scan"
    EXPECTED_AFTER_PROMISE = "expected_after_promise"


#: What buyers read for each reason (support also gets the specific `detail`).
DELAY_MESSAGES: dict[DelayReason, str] = {
    DelayReason.PROMISE_PASSED: "The promised delivery date has passed. We are on it.",
    DelayReason.NOT_PICKED_UP: "The carrier has not collected this parcel from the seller yet.",
    DelayReason.NO_SCAN: "The carrier has not reported progress on this parcel for a while.",
    DelayReason.EXPECTED_AFTER_PROMISE: (
        "The carrier now expects to deliver after the promised date."
    ),
}


def delay_message(reason: str | None) -> str | None:
    if not reason:
        return None
    try:
        return DELAY_MESSAGES[DelayReason(reason)]
    except ValueError:
        return "This parcel may arrive later than promised."


def end_of_day(day: date, time_zone: str) -> datetime:
    """The instant `day` ends in `time_zone` (its local midnight after), as aware UTC.

    A promise is made in the warehouse's days, so it is kept or missed at the warehouse's
    midnight: 17:00 UTC the same day in Jakarta, 08:00 UTC the next day in Los Angeles.
    """
    after = datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(time_zone))
    return after.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ParcelFacts:
    """What delay detection needs to know about one shipment.

    The deadlines are the instants its ship-by and promised days end (`end_of_day` in the
    warehouse's time zone); the dates are kept for the words and the transit estimate.
    """

    status: str
    ship_by: date
    promised_date: date
    pickup_deadline: datetime
    promise_deadline: datetime
    expected_date: date
    last_event_at: datetime
    delay_reason: str | None


@dataclass(frozen=True, slots=True)
class Delay:
    reason: DelayReason
    detail: str
    expected_date: date


def delay_reason(facts: ParcelFacts, *, now: datetime, silence: timedelta) -> DelayReason | None:
    """The most serious reason this shipment may miss its promise, if any."""
    if facts.status == CANCELLED or facts.status in {s.value for s in FINAL}:
        return None
    if now >= facts.promise_deadline:
        return DelayReason.PROMISE_PASSED
    if facts.status == T.LABEL_CREATED.value and now >= facts.pickup_deadline:
        return DelayReason.NOT_PICKED_UP
    if facts.status in {s.value for s in MOVING} and now - facts.last_event_at >= silence:
        return DelayReason.NO_SCAN
    if facts.expected_date > facts.promised_date:
        return DelayReason.EXPECTED_AFTER_PROMISE
    return None


def local_today(facts: ParcelFacts, *, now: datetime) -> date:
    """The warehouse's date at `now`, counted in whole days from the end of the promised
    day (the zone is not stored; a daylight-saving change moves this by at most an hour)."""
    return facts.promised_date + DAY * (1 + (now - facts.promise_deadline) // DAY)


def is_news(reason: DelayReason, current: str | None) -> bool:
    """Flag (and announce) `reason` on a shipment currently flagged `current`?"""
    if current is None:
        return True
    return reason.value != current and reason is not DelayReason.EXPECTED_AFTER_PROMISE


def assess_delay(facts: ParcelFacts, *, now: datetime, silence: timedelta) -> Delay | None:
    """The delay to flag now, with its detail and a new expected date; None if no news."""
    reason = delay_reason(facts, now=now, silence=silence)
    if reason is None or not is_news(reason, facts.delay_reason):
        return None
    today = local_today(facts, now=now)
    expected = facts.expected_date
    promised = facts.promised_date.isoformat()
    if reason is DelayReason.PROMISE_PASSED:
        expected = max(expected, today + DAY)
        detail = f"Not delivered by the promised {promised}; now {facts.status.replace('_', ' ')}."
    elif reason is DelayReason.NOT_PICKED_UP:
        # The carrier collects today at the earliest, then needs the transit it was given.
        transit = max(facts.promised_date - facts.ship_by, DAY)
        expected = max(expected, today + transit)
        detail = (
            f"No carrier scan by the end of the ship-by day {facts.ship_by.isoformat()} "
            f"(warehouse time); promised {promised}."
        )
    elif reason is DelayReason.NO_SCAN:
        expected = max(expected, today + DAY)
        hours = int((now - facts.last_event_at).total_seconds() // 3600)
        detail = (
            f"No carrier scan for {hours} hours (last {facts.last_event_at:%Y-%m-%d %H:%M} UTC); "
            f"promised {promised}."
        )
    else:
        detail = f"The carrier expects {expected.isoformat()}, after the promised {promised}."
    return Delay(reason, detail[:300], expected)
