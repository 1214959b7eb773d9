"""fulfillment's shared vocabulary: the normalised tracking statuses and shipment states.

Every carrier speaks its own codes; Pasar speaks these. A carrier adapter maps its codes
here, and everything downstream (timelines, delay detection, the SellerOrder's lifecycle)
reads only this set.
"""

from __future__ import annotations

from enum import StrEnum


class TrackingStatus(StrEnum):
    LABEL_CREATED = "label_created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"


#: Statuses after which a parcel has left the seller's hands.
MOVING = frozenset(
    {
        TrackingStatus.PICKED_UP,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.OUT_FOR_DELIVERY,
        TrackingStatus.DELIVERY_ATTEMPTED,
        TrackingStatus.EXCEPTION,
    }
)
#: Statuses no later event can change.
FINAL = frozenset({TrackingStatus.DELIVERED, TrackingStatus.RETURNED_TO_SENDER})


class WhereLeft(StrEnum):
    """Where a parcel was left, as proof of delivery states it."""

    HANDED_TO_RECIPIENT = "handed_to_recipient"
    FRONT_DOOR = "front_door"
    LOCKED_MAILBOX = "locked_mailbox"
    NEIGHBOUR = "neighbour"
    RECEPTION = "reception"
    PARCEL_LOCKER = "parcel_locker"
