"""Render a sample shipping label to a PNG, to see what sellers will print.

    python scripts/render_label_png.py /tmp/label.png [--dpi 203]

A dev script: it rasterises with pypdfium2, which only the dev extras install.
"""

from __future__ import annotations

import argparse
from datetime import date
from io import BytesIO

import pypdfium2 as pdfium

from pasar.fulfillment.documents import Dimensions, DocAddress, LabelData, render_labels

SAMPLE = LabelData(
    tracking_number="PSR0012345678901",
    tracking_url="https://pasar.example.com/track/PSR0012345678901",
    carrier_name="Pasar Express",
    service_name="Regular",
    sender=DocAddress(
        name="Toko Batik Sekar Jagad",
        line1="Jl. Malioboro No. 52",
        city="Yogyakarta",
        region="DI Yogyakarta",
        postal_code="55271",
        country="ID",
        phone="+62 274 512345",
    ),
    recipient=DocAddress(
        name="Siti Nurhaliza Rahayu",
        line1="Jl. Jend. Sudirman Kav. 52-53, RT 001/RW 002",
        line2="Kel. Senayan, Kec. Kebayoran Baru",
        city="Jakarta Selatan",
        region="DKI Jakarta",
        postal_code="12190",
        country="ID",
        phone="+62 812 3456 7890",
    ),
    weight_grams=1250,
    dimensions=Dimensions(length_mm=300, width_mm=200, height_mm=105),
    package_index=1,
    package_count=2,
    order_reference="SO-2026-000123",
    ship_date=date(2026, 3, 14),
    routing_code="CGK-JKS 01",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="where to write the PNG")
    parser.add_argument("--dpi", type=float, default=203, help="203 is a thermal label printer")
    args = parser.parse_args()
    pdf = pdfium.PdfDocument(render_labels([SAMPLE]))
    image = pdf[0].render(scale=args.dpi / 72).to_pil()
    buffer = BytesIO()
    image.save(buffer, format="PNG", dpi=(args.dpi, args.dpi))
    with open(args.output, "wb") as file:
        file.write(buffer.getvalue())
    print(f"wrote {args.output} ({image.width}x{image.height} px at {args.dpi:g} dpi)")


if __name__ == "__main__":
    main()
