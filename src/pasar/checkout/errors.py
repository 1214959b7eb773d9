"""checkout's errors, each with a stable problem code.

NotFound
├── CartNotFound              cart-not-found          absent, or another user's cart
├── CartLineNotFound          cart-line-not-found     no such line in this cart
└── AddressNotFound           address-not-found       no such saved address of this buyer
InvalidInput
├── QuantityLimit             quantity-limit          outside 1..max units per line
├── InvalidDeliveryChoice     invalid-delivery-choice seller not in the cart, service not offered
└── DefaultAddressNeeded      default-address-needed  unsetting the default: choose another instead
Conflict
├── CartClosed                cart-closed             the cart was ordered or merged
├── CartFull                  cart-full               the cart already has the most lines allowed
├── OfferNotPurchasable       offer-not-purchasable   inactive offer or product, unsellable seller
├── CartNotReady              cart-not-ready          placing refused: see `blockers`
├── TotalChanged              total-changed           placing refused: the total is not the one seen
└── AddressBookFull           address-book-full       the buyer already keeps the most addresses
PermissionDenied
└── CartNeedsUser             cart-needs-user         an API key cannot own or claim a cart

Unknown offers are the catalog's `OfferNotFound` (offer-not-found).
"""

from pasar.platform.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class CartNotFound(NotFound):
    code = "cart-not-found"
    title = "Cart not found"


class CartLineNotFound(NotFound):
    code = "cart-line-not-found"
    title = "Cart line not found"


class QuantityLimit(InvalidInput):
    code = "quantity-limit"
    title = "Quantity out of range"


class InvalidDeliveryChoice(InvalidInput):
    code = "invalid-delivery-choice"
    title = "Invalid delivery choice"


class CartClosed(Conflict):
    code = "cart-closed"
    title = "Cart closed"


class CartFull(Conflict):
    code = "cart-full"
    title = "Cart full"


class OfferNotPurchasable(Conflict):
    code = "offer-not-purchasable"
    title = "Offer not purchasable"


class CartNeedsUser(PermissionDenied):
    code = "cart-needs-user"
    title = "Carts belong to people"


class CartNotReady(Conflict):
    code = "cart-not-ready"
    title = "Cart not ready"


class TotalChanged(Conflict):
    code = "total-changed"
    title = "Total changed"


class AddressNotFound(NotFound):
    code = "address-not-found"
    title = "Saved address not found"


class DefaultAddressNeeded(InvalidInput):
    code = "default-address-needed"
    title = "A default address is needed"


class AddressBookFull(Conflict):
    code = "address-book-full"
    title = "Address book full"
