"""What every carrier does the same way when buying or voiding a label."""

from __future__ import annotations

from collections.abc import Mapping

from pasar.fulfillment.carriers.base import Carrier, LabelRequest, Quote, ServiceLevel
from pasar.fulfillment.carriers.errors import (
    RouteNotServed,
    UnknownCarrierService,
    UnknownTrackingNumber,
)


def pick_quote(
    carrier: Carrier, request: LabelRequest, services: Mapping[str, ServiceLevel]
) -> Quote:
    """The quote a label is bought at: the service named by its code, or else by the level
    the buyer chose (`standard`), so a SellerOrder's delivery service is enough to ship."""
    wanted = request.service.strip()
    codes = [wanted] if wanted in services else [c for c, lv in services.items() if lv == wanted]
    if not codes:
        raise UnknownCarrierService(
            f"{carrier.name} has no service {wanted!r}; it offers {', '.join(services)}.",
            field="service",
        )
    quotes = [
        q
        for q in carrier.quote(
            request.origin, request.destination, request.parcels, currency=request.currency
        )
        if q.service in codes
    ]
    if not quotes:
        route = f"{request.origin.country.upper()} to {request.destination.country.upper()}"
        raise RouteNotServed(
            f"{carrier.name} {wanted} does not deliver this shipment ({route}, "
            f"{request.destination.city or request.destination.region or 'no city'}).",
            field="service",
        )
    return min(quotes, key=lambda q: (q.price, q.transit_days))


def check_ours(carrier_name: str, prefix: str, tracking_number: str) -> None:
    """Refuse a number this carrier never issued (a cancel sent to the wrong carrier)."""
    if not tracking_number.startswith(prefix) or len(tracking_number) <= len(prefix):
        raise UnknownTrackingNumber(
            f"{tracking_number!r} is not a {carrier_name} tracking number.",
            field="tracking_number",
        )
