"""checkout: carts (guest or account), pricing, delivery options and promises, placing orders.

The top of the order journey: it composes catalog, sellers, inventory, orders and payments
through their public services into one transaction per order.
"""

from typing import Any

from fastapi import APIRouter

router = APIRouter()
SUBSCRIPTIONS: dict[str, Any] = {}

__all__ = ["SUBSCRIPTIONS", "router"]
