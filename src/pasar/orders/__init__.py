"""orders: the Order, its SellerOrders, the lifecycle, history, cancellation and views.

Other modules import only this. Every transition is one function here that checks the
state, writes history and emits an event in the caller's transaction. Payments tell
orders about money that arrives later through events (`SUBSCRIPTIONS`). Notifications
read what to tell buyers through `order_notices`, `unpaid_orders` and
`delivered_unconfirmed` (set-based, no locks).
"""

from pasar.orders.batch import (
    BatchPlacement,
    Claim,
    claim_imports,
    place_many,
    release_imports,
)
from pasar.orders.domain import Action, Actor, Status
from pasar.orders.errors import OrderNotFound, ReasonRequired, SellerOrderNotFound
from pasar.orders.events import CHANGED, OrderPlaced, SellerOrderChanged
from pasar.orders.fulfilment import (
    FulfilmentLine,
    FulfilmentOrder,
    HeldStock,
    fulfilment_orders,
)
from pasar.orders.notices import (
    NoticeLine,
    NoticePart,
    OrderNotice,
    delivered_unconfirmed,
    order_notices,
    unpaid_orders,
)
from pasar.orders.placing import (
    LineDraft,
    OrderDraft,
    PlacedOrder,
    PlacedSellerOrder,
    SellerOrderDraft,
    place,
)
from pasar.orders.router import CARRIER_WEBHOOK_PURPOSE, router
from pasar.orders.schemas import OrderRead
from pasar.orders.service import (
    access_for,
    act,
    buyer_order,
    complete_delivered,
    expire_unpaid,
    on_payment_failed,
    on_payment_validated,
)
from pasar.orders.service import lookup as lookup_order
from pasar.orders.transitions import GUEST, SYSTEM, Caller, Shipping, transition
from pasar.orders.views import (
    DayTotal,
    list_orders,
    list_seller_orders,
    placed_per_day,
    read_order,
    read_order_by_number,
    read_seller_order,
)
from pasar.orders.views import counts as seller_order_counts

SUBSCRIPTIONS = {
    "payment.validated": on_payment_validated,
    "payment.failed": on_payment_failed,
}

__all__ = [
    "CARRIER_WEBHOOK_PURPOSE",
    "CHANGED",
    "GUEST",
    "SUBSCRIPTIONS",
    "SYSTEM",
    "Action",
    "Actor",
    "BatchPlacement",
    "Caller",
    "Claim",
    "DayTotal",
    "FulfilmentLine",
    "FulfilmentOrder",
    "HeldStock",
    "LineDraft",
    "NoticeLine",
    "NoticePart",
    "OrderDraft",
    "OrderNotFound",
    "OrderNotice",
    "OrderPlaced",
    "OrderRead",
    "PlacedOrder",
    "PlacedSellerOrder",
    "ReasonRequired",
    "SellerOrderChanged",
    "SellerOrderDraft",
    "SellerOrderNotFound",
    "Shipping",
    "Status",
    "access_for",
    "act",
    "buyer_order",
    "claim_imports",
    "complete_delivered",
    "delivered_unconfirmed",
    "expire_unpaid",
    "fulfilment_orders",
    "list_orders",
    "list_seller_orders",
    "lookup_order",
    "order_notices",
    "place",
    "place_many",
    "placed_per_day",
    "read_order",
    "read_order_by_number",
    "read_seller_order",
    "release_imports",
    "router",
    "seller_order_counts",
    "transition",
    "unpaid_orders",
]
