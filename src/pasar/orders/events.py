"""orders' events: `order.placed`, then one `seller_order.<status>` per transition.

Consumers (notifications, webhooks, analytics, fulfilment) key on the SellerOrder id and
the target status, so redelivery is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pasar.orders.domain import Status
from pasar.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(DomainEvent):
    name: ClassVar[str] = "order.placed"

    order_id: int
    number: str
    buyer_user_id: int | None
    email: str
    currency: str
    total_amount: int
    payment_method: str
    seller_order_ids: list[int]
    seller_ids: list[int]


@dataclass(frozen=True, kw_only=True)
class SellerOrderChanged(DomainEvent):
    """Base of the per-status events; `name` is `seller_order.<to_status>`."""

    name: ClassVar[str] = "seller_order.changed"

    seller_order_id: int
    order_id: int
    seller_id: int
    number: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None


def _named(status: Status) -> type[SellerOrderChanged]:
    return type(
        f"SellerOrder{status.value.title().replace('_', '')}",
        (SellerOrderChanged,),
        {"name": f"seller_order.{status.value}", "__module__": __name__},
    )


#: The event class announcing a move into each status.
CHANGED: dict[Status, type[SellerOrderChanged]] = {s: _named(s) for s in Status}
