"""Carriers: quoting, labels, tracking codes; rate shopping and delivery promises.

Pure code (no database, no HTTP): checkout shops rates here, shipments buy labels here,
the tracking router hands carriers' webhooks here, and the demo plays the sandbox's
scripted tracking events.
"""

from pasar.fulfillment.carriers.base import (
    LEVEL_NAMES,
    MON_FRI,
    MON_SAT,
    MON_WED_FRI,
    Carrier,
    Label,
    LabelRequest,
    Parcel,
    Pickup,
    Place,
    Proof,
    Quote,
    ServiceLevel,
    TrackingUpdate,
)
from pasar.fulfillment.carriers.config import load_carriers
from pasar.fulfillment.carriers.defaults import DEFAULT_CARRIERS
from pasar.fulfillment.carriers.errors import (
    InvalidCarriersFile,
    InvalidParcel,
    MalformedCarrierWebhook,
    RouteNotServed,
    UnknownCarrierService,
    UnknownTrackingNumber,
)
from pasar.fulfillment.carriers.promise import (
    Origin,
    Promise,
    add_business_days,
    is_business_day,
    parse_cut_off,
    promise,
    slowest,
)
from pasar.fulfillment.carriers.rate_table import (
    Band,
    RateService,
    RateTableCarrier,
    RemoteArea,
    Surcharges,
    Zone,
    ZoneRate,
)
from pasar.fulfillment.carriers.registry import Carriers
from pasar.fulfillment.carriers.same_day import DistanceBand, SameDayCourier, ServedCity
from pasar.fulfillment.carriers.sandbox import SandboxCarrier
from pasar.fulfillment.carriers.shopping import (
    ShippingOption,
    Tag,
    holds_for_the_minute,
    shop_rates,
    weight_class,
)
from pasar.fulfillment.carriers.webhooks import CodeBook, event_payload

__all__ = [
    "DEFAULT_CARRIERS",
    "LEVEL_NAMES",
    "MON_FRI",
    "MON_SAT",
    "MON_WED_FRI",
    "Band",
    "Carrier",
    "Carriers",
    "CodeBook",
    "DistanceBand",
    "InvalidCarriersFile",
    "InvalidParcel",
    "Label",
    "LabelRequest",
    "MalformedCarrierWebhook",
    "Origin",
    "Parcel",
    "Pickup",
    "Place",
    "Promise",
    "Proof",
    "Quote",
    "RateService",
    "RateTableCarrier",
    "RemoteArea",
    "RouteNotServed",
    "SameDayCourier",
    "SandboxCarrier",
    "ServedCity",
    "ServiceLevel",
    "ShippingOption",
    "Surcharges",
    "Tag",
    "TrackingUpdate",
    "UnknownCarrierService",
    "UnknownTrackingNumber",
    "Zone",
    "ZoneRate",
    "add_business_days",
    "event_payload",
    "holds_for_the_minute",
    "is_business_day",
    "load_carriers",
    "parse_cut_off",
    "promise",
    "shop_rates",
    "slowest",
    "weight_class",
]
