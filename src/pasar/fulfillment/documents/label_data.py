"""What a shipping label prints, checked when it is built so that drawing it cannot fail.

Kept apart from the drawing (`labels`) so that importing the app does not load reportlab.
Building a label does load its Code 128 encoder, to check that the tracking number fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pasar.fulfillment.documents.address import DocAddress
from pasar.fulfillment.documents.barcodes import code128_module
from pasar.fulfillment.documents.paper import INCH, PageSize

LABEL_SIZE: PageSize = (4 * INCH, 6 * INCH)
WIDTH, HEIGHT = LABEL_SIZE
#: Width the Code 128 symbol may take, its quiet zones included.
BARCODE_ROOM = WIDTH - 12
#: Longest tracking link the QR code carries at a module size thermal printers render.
MAX_URL_LENGTH = 300


@dataclass(frozen=True, kw_only=True)
class Dimensions:
    """Outside measurements of the package, in millimetres."""

    length_mm: int
    width_mm: int
    height_mm: int

    def __post_init__(self) -> None:
        if min(self.length_mm, self.width_mm, self.height_mm) <= 0:
            raise ValueError(f"package dimensions must be positive, not {self}")

    def __str__(self) -> str:
        sides = (self.length_mm, self.width_mm, self.height_mm)
        return "\N{MULTIPLICATION SIGN}".join(f"{Decimal(side) / 10:f}" for side in sides) + " cm"


@dataclass(frozen=True, kw_only=True)
class LabelData:
    """Everything printed on one package's label, validated here so rendering cannot fail."""

    tracking_number: str
    #: The public page where anyone holding the parcel can follow it.
    tracking_url: str
    carrier_name: str
    service_name: str
    sender: DocAddress
    recipient: DocAddress
    weight_grams: int
    #: The SellerOrder number the package belongs to.
    order_reference: str
    ship_date: date
    package_index: int = 1
    package_count: int = 1
    dimensions: Dimensions | None = None
    #: The carrier's sort code (hub, route); without one the destination is printed large.
    routing_code: str | None = None

    def __post_init__(self) -> None:
        code128_module(self.tracking_number, room=BARCODE_ROOM, what="tracking number")
        url = self.tracking_url
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"tracking URL must be an http(s) link, not {url!r}")
        if not all("!" <= char <= "~" for char in url):
            raise ValueError(f"tracking URL {url!r} must be printable ASCII without spaces")
        if len(url) > MAX_URL_LENGTH:
            raise ValueError(f"tracking URL is longer than {MAX_URL_LENGTH} characters")
        for field in ("carrier_name", "service_name", "order_reference"):
            if not getattr(self, field).strip():
                raise ValueError(f"a label needs a {field}; it is empty")
        if self.weight_grams <= 0:
            raise ValueError(f"package weight must be positive, not {self.weight_grams} g")
        if not 1 <= self.package_index <= self.package_count:
            raise ValueError(f"package {self.package_index} of {self.package_count} does not exist")


def weight_text(grams: int) -> str:
    """Grams under a kilogram, kilograms with two decimals from there."""
    if grams < 1000:
        return f"{grams} g"
    return f"{(Decimal(grams) / 1000).quantize(Decimal('0.01'))} kg"
