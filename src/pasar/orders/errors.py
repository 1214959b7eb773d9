"""orders' errors (problem types under /problems/<code>)."""

from __future__ import annotations

from pasar.orders.domain import ReasonRequired
from pasar.platform.errors import InvalidInput, NotFound, RateLimited

__all__ = ["OrderNotFound", "ReasonRequired", "SellerOrderNotFound", "ShippingDetailsMissing"]


class OrderNotFound(NotFound):
    code = "order-not-found"
    title = "Order not found"


class SellerOrderNotFound(NotFound):
    code = "seller-order-not-found"
    title = "Seller order not found"


class ShippingDetailsMissing(InvalidInput):
    code = "shipping-details-missing"
    title = "Carrier and tracking number are required"


class LookupLimited(RateLimited):
    code = "order-lookup-limited"
    title = "Too many order lookups"
