"""orders: the Order, its SellerOrders, the lifecycle, history, cancellation and views.

Other modules import only this. Every transition is one function here that checks the
state, writes history and emits an event in the caller's transaction.
"""

from typing import Any

from fastapi import APIRouter

router = APIRouter()
SUBSCRIPTIONS: dict[str, Any] = {}

__all__ = ["SUBSCRIPTIONS", "router"]
