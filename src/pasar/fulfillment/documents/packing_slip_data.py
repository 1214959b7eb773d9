"""What a packing slip lists, checked when it is built so that drawing it cannot fail.

Kept apart from the drawing (`packing_slip`) so that importing the app does not load
reportlab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pasar.fulfillment.documents.address import DocAddress
from pasar.fulfillment.documents.barcodes import check_code128

DEFAULT_RETURN_NOTE = (
    "Something not right? You can return items within the seller's return window: start a"
    " return from your order page and keep this slip for the parcel. Please do not send"
    " items back without a return authorisation."
)


@dataclass(frozen=True, kw_only=True)
class SlipLine:
    sku: str
    title: str
    quantity: int

    def __post_init__(self) -> None:
        if not self.sku.strip():
            raise ValueError("a packing slip line needs a SKU")
        if self.quantity <= 0:
            raise ValueError(f"{self.sku}: quantity must be positive, not {self.quantity}")


@dataclass(frozen=True, kw_only=True)
class PackingSlip:
    """The contents of one SellerOrder's shipment, as the packer and the buyer read them."""

    marketplace_name: str
    seller_name: str
    seller_order_number: str
    #: The buyer's Order, of which this SellerOrder is one seller's part.
    order_number: str
    order_date: date
    ship_to: DocAddress
    #: The warehouse the parcel leaves from; its `name` is the warehouse's.
    ship_from: DocAddress
    lines: tuple[SlipLine, ...]
    #: The buyer, when the parcel goes to someone else (a gift).
    buyer_name: str | None = None
    #: The 3PL or marketplace that ships for the seller; None when the seller ships itself.
    fulfilled_by: str | None = None
    return_note: str = DEFAULT_RETURN_NOTE

    def __post_init__(self) -> None:
        check_code128(self.seller_order_number, "seller order number")
        for field in ("marketplace_name", "seller_name", "order_number"):
            if not getattr(self, field).strip():
                raise ValueError(f"a packing slip needs a {field}; it is empty")
        if not self.lines:
            raise ValueError(f"packing slip {self.seller_order_number} has no lines")

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)
