"""fulfillment: shipments and packages, pick lists, packing slips, labels, carriers, tracking, 3PL.

Other modules import only this. Checkout asks it for delivery options (rate shopping over
the configured carriers); sellers ship through it; carriers and 3PLs report back to it,
and it moves SellerOrders through `orders.transition`. The jobs (`advance_sandbox`,
`detect_delays`, `push_threepl_requests`) run from the app's sweeps.
"""

from pasar.fulfillment.carriers import *  # noqa: F403  (the carriers' public surface)
from pasar.fulfillment.carriers import __all__ as _carriers_all
from pasar.fulfillment.config import FulfillmentConfig
from pasar.fulfillment.delays import detect_delays
from pasar.fulfillment.domain import TrackingStatus, WhereLeft
from pasar.fulfillment.printing import labels_pdf, pick_list_pdf
from pasar.fulfillment.router import router as shipments_router
from pasar.fulfillment.sandbox_runner import advance_sandbox
from pasar.fulfillment.seller_scores import (
    NEW_SELLER_DELIVERIES,
    SellerScore,
    score_window_start,
    seller_on_time_rates,
)
from pasar.fulfillment.seller_scores import router as seller_scores_router
from pasar.fulfillment.shipments import (
    LineSpec,
    PackageSpec,
    cancel_shipment,
    create_shipment,
    hand_over,
    label_cancellable,
)
from pasar.fulfillment.subscriptions import SUBSCRIPTIONS as _FOLLOW
from pasar.fulfillment.threepl import SUBSCRIPTIONS as _ROUTE
from pasar.fulfillment.threepl import connect as connect_threepl
from pasar.fulfillment.threepl import connection_of as threepl_connection
from pasar.fulfillment.threepl import disconnect as disconnect_threepl
from pasar.fulfillment.threepl import report_url as threepl_report_url
from pasar.fulfillment.threepl import rotate_secret as rotate_threepl_secret
from pasar.fulfillment.threepl_push import push_threepl_requests
from pasar.fulfillment.threepl_router import router as threepl_router
from pasar.fulfillment.threepl_schemas import ThreePLConnectionPut
from pasar.fulfillment.tracking import order_tracking, record_tracking
from pasar.fulfillment.tracking_router import router as tracking_router
from pasar.fulfillment.views import list_shipments, read_shipment
from pasar.platform.routing import GuardedRouter

router = GuardedRouter()
SUBSCRIPTIONS = {**_ROUTE, **_FOLLOW}
router.include_router(shipments_router)
router.include_router(tracking_router)
router.include_router(threepl_router)
router.include_router(seller_scores_router)

__all__ = [
    *_carriers_all,
    "SUBSCRIPTIONS",
    "NEW_SELLER_DELIVERIES",
    "FulfillmentConfig",
    "LineSpec",
    "PackageSpec",
    "SellerScore",
    "ThreePLConnectionPut",
    "TrackingStatus",
    "WhereLeft",
    "advance_sandbox",
    "cancel_shipment",
    "connect_threepl",
    "create_shipment",
    "detect_delays",
    "disconnect_threepl",
    "hand_over",
    "label_cancellable",
    "labels_pdf",
    "list_shipments",
    "order_tracking",
    "pick_list_pdf",
    "push_threepl_requests",
    "read_shipment",
    "record_tracking",
    "rotate_threepl_secret",
    "router",
    "threepl_connection",
    "threepl_report_url",
    "score_window_start",
    "seller_on_time_rates",
]
