"""What carriers refuse, as problem types under /problems/<code>.

InvalidInput
├── InvalidParcel           invalid-parcel            negative weight, zero side
├── UnknownCarrierService   unknown-carrier-service   the carrier has no such service
├── RouteNotServed          route-not-served          the service does not go there
├── MalformedCarrierWebhook malformed-carrier-webhook payload not in the carrier's shape
└── InvalidCarriersFile     invalid-carriers-file     the carriers TOML cannot be used
NotFound
└── UnknownTrackingNumber   unknown-tracking-number   not one of this carrier's numbers
"""

from __future__ import annotations

from pasar.platform.errors import InvalidInput, NotFound


class InvalidParcel(InvalidInput):
    code = "invalid-parcel"
    title = "Invalid parcel"


class UnknownCarrierService(InvalidInput):
    code = "unknown-carrier-service"
    title = "The carrier has no such service"


class RouteNotServed(InvalidInput):
    code = "route-not-served"
    title = "The carrier does not serve this route"


class MalformedCarrierWebhook(InvalidInput):
    code = "malformed-carrier-webhook"
    title = "Malformed carrier webhook"


class InvalidCarriersFile(InvalidInput):
    code = "invalid-carriers-file"
    title = "Invalid carriers file"


class UnknownTrackingNumber(NotFound):
    code = "unknown-tracking-number"
    title = "Unknown tracking number"
