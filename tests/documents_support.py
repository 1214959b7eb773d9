"""Reading printed documents back: text with pypdf, pixels with pypdfium2, barcodes with zxing-cpp
and zbar. Plus sample documents to render. Test-only: production code rasterises nothing.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2 as pdfium
import zxingcpp
from PIL import Image

from pasar.fulfillment.documents import (
    Dimensions,
    DocAddress,
    LabelData,
    PackingSlip,
    SlipLine,
)

Box = tuple[float, float, float, float]

#: Pixels per point when rasterising for the decoders: 203 dpi, a thermal label printer.
SCALE = 203 / 72


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return [(float(page.mediabox.width), float(page.mediabox.height)) for page in pages]


def page_image(pdf: bytes, page: int, *, scale: float = SCALE) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        image: Image.Image = document[page].render(scale=scale).to_pil()
    finally:
        document.close()
    return image


def pdf_page_to_png(pdf: bytes, page: int, *, scale: float = SCALE) -> bytes:
    buffer = io.BytesIO()
    page_image(pdf, page, scale=scale).save(buffer, format="PNG")
    return buffer.getvalue()


def decode(image: Image.Image) -> dict[str, list[str]]:
    """What zxing-cpp reads in the image, by symbology ("Code128", "QRCode")."""
    found: dict[str, list[str]] = {}
    for barcode in zxingcpp.read_barcodes(image):
        found.setdefault(barcode.format.name, []).append(barcode.text)
    return found


def barcode_boxes(image: Image.Image, *, scale: float = SCALE) -> dict[str, Box]:
    """Where zxing-cpp found each symbology, as (left, bottom, right, top) in PDF points."""
    height = image.height / scale
    boxes: dict[str, Box] = {}
    for barcode in zxingcpp.read_barcodes(image):
        p = barcode.position
        xs = [q.x / scale for q in (p.top_left, p.top_right, p.bottom_left, p.bottom_right)]
        ys = [
            height - q.y / scale for q in (p.top_left, p.top_right, p.bottom_left, p.bottom_right)
        ]
        boxes[barcode.format.name] = (min(xs), min(ys), max(xs), max(ys))
    return boxes


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def zbar_decode(png: bytes) -> dict[str, list[str]]:
    """What the system's zbarimg reads in the PNG, by symbology ("CODE-128", "QR-Code")."""
    zbarimg = shutil.which("zbarimg")
    assert zbarimg is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.png"
        path.write_bytes(png)
        result = subprocess.run(
            [zbarimg, "--quiet", str(path)], capture_output=True, text=True, check=False
        )
    found: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        symbology, _, text = line.partition(":")
        found.setdefault(symbology, []).append(text)
    return found


def char_boxes(pdf: bytes, page: int) -> list[tuple[str, Box]]:
    """Every character drawn on the page with its box (left, bottom, right, top) in points."""
    document = pdfium.PdfDocument(pdf)
    try:
        text_page = document[page].get_textpage()
        boxes = []
        for index in range(text_page.count_chars()):
            char = text_page.get_text_range(index, 1)
            if char.strip():
                boxes.append((char, text_page.get_charbox(index)))
    finally:
        document.close()
    return boxes


def address(**changes: Any) -> DocAddress:
    base = DocAddress(
        name="Siti Nurhaliza Rahayu",
        line1="Jl. Jend. Sudirman Kav. 52-53",
        line2="Kel. Senayan, Kec. Kebayoran Baru",
        city="Jakarta Selatan",
        region="DKI Jakarta",
        postal_code="12190",
        country="ID",
        phone="+62 812 3456 7890",
    )
    return dataclasses.replace(base, **changes)


def warehouse(**changes: Any) -> DocAddress:
    base = DocAddress(
        name="Gudang Batik Sekar Jagad",
        line1="Jl. Malioboro No. 52",
        city="Yogyakarta",
        region="DI Yogyakarta",
        postal_code="55271",
        country="ID",
        phone="+62 274 512345",
    )
    return dataclasses.replace(base, **changes)


def label(number: int = 1, /, **changes: Any) -> LabelData:
    tracking = f"PSR{number:013d}"
    base = LabelData(
        tracking_number=tracking,
        tracking_url=f"https://pasar.example.com/track/{tracking}",
        carrier_name="Pasar Express",
        service_name="Regular",
        sender=warehouse(),
        recipient=address(),
        weight_grams=1250,
        dimensions=Dimensions(length_mm=300, width_mm=200, height_mm=105),
        package_index=1,
        package_count=2,
        order_reference=f"SO-2026-{number:06d}",
        ship_date=date(2026, 3, 14),
    )
    return dataclasses.replace(base, **changes)


def slip(line_count: int = 3, /, **changes: Any) -> PackingSlip:
    base = PackingSlip(
        marketplace_name="Pasar",
        seller_name="Batik Sekar Jagad",
        seller_order_number="SO-2026-000123",
        order_number="PO-2026-000077",
        order_date=date(2026, 3, 13),
        ship_to=address(),
        ship_from=warehouse(),
        lines=tuple(
            SlipLine(sku=f"BTK-{i:04d}", title=f"Kemeja batik tulis motif {i}", quantity=1 + i % 3)
            for i in range(1, line_count + 1)
        ),
    )
    return dataclasses.replace(base, **changes)
