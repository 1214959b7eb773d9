"""checkout: carts (guest or account), pricing, delivery options and promises, placing orders.

The top of the order journey: it composes catalog, sellers, inventory, orders and payments
through their public services into one transaction per order. `price_cart` is the one
read every step relies on: the cart as it would be bought right now.
`offer_promises` quotes the same delivery rule for product pages, before any address.
A signed-in buyer's address book (`add_address`, `default_address`, ...) fills checkout in.
"""

from typing import Any

from pasar.checkout.address_book import (
    MAX_ADDRESSES,
    add_address,
    default_address,
    delete_address,
    get_address,
    list_addresses,
    make_default,
    save_contact,
    update_address,
)
from pasar.checkout.address_book_router import router as address_book_router
from pasar.checkout.batches_router import router as batches_router
from pasar.checkout.carts import add_line, change_line, choose_delivery, create_cart, set_contact
from pasar.checkout.config import CheckoutConfig
from pasar.checkout.deps import checkout_clock, checkout_config
from pasar.checkout.domain import LineIssue
from pasar.checkout.errors import (
    AddressBookFull,
    AddressNotFound,
    CartClosed,
    CartFull,
    CartLineNotFound,
    CartNeedsUser,
    CartNotFound,
    CartNotReady,
    DefaultAddressNeeded,
    InvalidDeliveryChoice,
    OfferNotPurchasable,
    QuantityLimit,
    TotalChanged,
)
from pasar.checkout.placing import PlaceOrder, place_order
from pasar.checkout.placing_router import router as placing_router
from pasar.checkout.pricing import mark_ordered, price_cart
from pasar.checkout.promises import Destination, OfferPromise, delivery_regions, offer_promises
from pasar.checkout.reorder import cart_from_order
from pasar.checkout.router import carts_router
from pasar.checkout.schemas import (
    AddressUpdate,
    SavedAddressCreate,
    SavedAddressRead,
    SavedAddressUpdate,
)
from pasar.checkout.store import load_cart
from pasar.checkout.views import Contact, DeliveryOption, PricedCart, PricedGroup, PricedLine
from pasar.platform.routing import GuardedRouter

router = GuardedRouter()
router.include_router(carts_router)
router.include_router(placing_router)
router.include_router(address_book_router)
router.include_router(batches_router)
SUBSCRIPTIONS: dict[str, Any] = {}

__all__ = [
    "MAX_ADDRESSES",
    "SUBSCRIPTIONS",
    "AddressBookFull",
    "AddressNotFound",
    "AddressUpdate",
    "CartClosed",
    "CartFull",
    "CartLineNotFound",
    "CartNeedsUser",
    "CartNotFound",
    "CartNotReady",
    "CheckoutConfig",
    "Contact",
    "DefaultAddressNeeded",
    "DeliveryOption",
    "Destination",
    "InvalidDeliveryChoice",
    "LineIssue",
    "OfferNotPurchasable",
    "OfferPromise",
    "PlaceOrder",
    "PricedCart",
    "PricedGroup",
    "PricedLine",
    "QuantityLimit",
    "SavedAddressCreate",
    "SavedAddressRead",
    "SavedAddressUpdate",
    "TotalChanged",
    "add_address",
    "add_line",
    "cart_from_order",
    "change_line",
    "checkout_clock",
    "checkout_config",
    "choose_delivery",
    "create_cart",
    "default_address",
    "delete_address",
    "delivery_regions",
    "get_address",
    "list_addresses",
    "load_cart",
    "make_default",
    "mark_ordered",
    "offer_promises",
    "place_order",
    "price_cart",
    "router",
    "save_contact",
    "set_contact",
    "update_address",
]
