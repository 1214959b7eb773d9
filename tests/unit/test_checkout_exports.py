"""checkout's public surface is exactly what the order journey and the app rely on."""

from __future__ import annotations

from fastapi import FastAPI

import pasar.checkout


def test_public_exports_are_deliberate() -> None:
    """Adding or removing an export is a visible, reviewed change."""
    assert set(pasar.checkout.__all__) == {
        "SUBSCRIPTIONS", "AddressUpdate", "CartClosed", "CartFull", "CartLineNotFound",
        "CartNeedsUser", "CartNotFound", "CartNotReady", "CheckoutConfig", "Contact",
        "DeliveryOption", "InvalidDeliveryChoice", "LineIssue", "OfferNotPurchasable",
        "PlaceOrder", "PricedCart", "PricedGroup", "PricedLine", "QuantityLimit",
        "add_line", "cart_from_order", "change_line", "choose_delivery", "create_cart",
        "place_order", "set_contact",
        "TotalChanged", "checkout_clock", "checkout_config", "load_cart", "mark_ordered",
        "price_cart", "router", "Destination", "OfferPromise", "delivery_regions",
        "offer_promises", "MAX_ADDRESSES", "AddressBookFull", "AddressNotFound",
        "DefaultAddressNeeded", "SavedAddressCreate", "SavedAddressRead", "SavedAddressUpdate",
        "add_address", "default_address", "delete_address", "get_address", "list_addresses",
        "make_default", "save_contact", "update_address",
    }  # fmt: skip
    assert all(hasattr(pasar.checkout, name) for name in pasar.checkout.__all__)


def test_the_router_can_take_more_routers() -> None:
    """Placing orders mounts its own router beside the carts router."""
    app = FastAPI()
    app.include_router(pasar.checkout.router)
    assert "/api/v1/carts/{token}" in app.openapi()["paths"]
