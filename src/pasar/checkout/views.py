"""The priced cart, as values: what a buyer sees and what placing an order relies on.

Pure (no I/O, no ORM). `pricing.price_cart` builds these from the cart's rows and the
other modules' answers; `blockers` says what still stands between the cart and an order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pasar.checkout.domain import LineIssue
from pasar.fulfillment import ShippingOption

#: A delivery option as checkout offers it: fulfillment's rate-shopping result, as is.
DeliveryOption = ShippingOption


@dataclass(frozen=True, slots=True)
class Contact:
    email: str
    phone: str
    name: str
    line1: str
    line2: str | None
    city: str
    region: str
    postal_code: str
    country: str
    #: The buyer's language for notifications; None: the marketplace's default.
    language: str | None = None
    #: Text messages at the key moments (shipped, delivered, ...), besides email.
    sms_updates: bool = False

    def shipping_address(self) -> dict[str, str | None]:
        """Where the parcel goes (contact details apart), as orders store it."""
        return {
            "name": self.name,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "region": self.region,
            "postal_code": self.postal_code,
            "country": self.country,
        }


@dataclass(frozen=True, slots=True)
class PricedLine:
    line_id: int
    offer_id: int
    seller_id: int
    product_id: int
    variant_id: int
    title: str
    sku: str
    image_url: str | None
    quantity: int
    unit_price: int
    seen_price: int
    line_total: int
    weight_grams: int
    fulfilled_by: str
    issues: tuple[LineIssue, ...]
    condition: str = "new"

    @property
    def blocking(self) -> bool:
        return any(i.blocking for i in self.issues)


@dataclass(frozen=True, slots=True)
class PricedGroup:
    """One seller's part of the cart: one parcel, one delivery choice."""

    seller_id: int
    seller_name: str
    lines: tuple[PricedLine, ...]
    items_total: int
    options: tuple[DeliveryOption, ...]
    chosen: DeliveryOption | None
    issues: tuple[str, ...]

    @property
    def shipping(self) -> int:
        return self.chosen.price if self.chosen is not None else 0

    @property
    def promised_date(self) -> date | None:
        return self.chosen.promised_date if self.chosen is not None else None


@dataclass(frozen=True, slots=True)
class PricedCart:
    cart_id: int
    token: str
    user_id: int | None
    status: str
    currency: str
    contact: Contact | None
    groups: tuple[PricedGroup, ...]
    items_total: int
    shipping_total: int
    grand_total: int
    ready: bool
    blockers: tuple[str, ...]
    order_id: int | None = None

    @property
    def lines(self) -> tuple[PricedLine, ...]:
        return tuple(line for g in self.groups for line in g.lines)


def blockers(
    *, status: str, contact: Contact | None, groups: Sequence[PricedGroup]
) -> tuple[str, ...]:
    """Everything that stops this cart becoming an order, in the order a buyer fixes them."""
    found: list[str] = []
    if status != "open":
        found.append(f"The cart is {status}.")
    if not groups:
        found.append("The cart is empty.")
    for group in groups:
        for line in group.lines:
            found.extend(f"{line.title}: {i.detail}" for i in line.issues if i.blocking)
    if contact is None and groups:
        found.append("Add a contact and delivery address.")
    for group in groups:
        found.extend(f"{group.seller_name} {issue}." for issue in group.issues)
        if contact is not None and group.options and group.chosen is None:
            found.append(f"Choose a delivery option for {group.seller_name}.")
    return tuple(found)
