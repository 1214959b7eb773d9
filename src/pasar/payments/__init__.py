"""payments: methods, providers (sandbox built in), authorise/capture/void/refund, the ledger.

Other modules import only this. Payments knows orders only by id: it never imports them,
and tells them about money that arrived later (bank transfer, 3-D Secure) by event.
"""

from typing import Any

from fastapi import APIRouter

router = APIRouter()
SUBSCRIPTIONS: dict[str, Any] = {}

__all__ = ["SUBSCRIPTIONS", "router"]
