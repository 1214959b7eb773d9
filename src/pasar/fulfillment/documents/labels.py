"""4x6 inch shipping labels: one page per package, laid out the way carriers print them.

From top to bottom: sender and carrier, the recipient in large type, routing and the
package's weight beside a QR code of the public tracking page, the service banner, and the
Code 128 of the tracking number that every scanner on the way reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from reportlab.pdfgen.canvas import Canvas

from pasar.fulfillment.documents.address import DocAddress
from pasar.fulfillment.documents.barcodes import draw_code128
from pasar.fulfillment.documents.fonts import Fonts, fonts
from pasar.fulfillment.documents.label_data import (
    BARCODE_ROOM,
    HEIGHT,
    LABEL_SIZE,
    WIDTH,
    LabelData,
    weight_text,
)
from pasar.fulfillment.documents.pdf import new_canvas
from pasar.fulfillment.documents.qr import draw_qr, qr_rows
from pasar.fulfillment.documents.typeset import Para, draw_block, draw_fitted, fit_block

MARGIN = 10.0


def render_labels(labels: Sequence[LabelData]) -> bytes:
    """One PDF with a 4x6 inch page per label, in the order given."""
    if not labels:
        raise ValueError("there are no labels to render")
    buffer = BytesIO()
    title = labels[0].tracking_number if len(labels) == 1 else "Shipping labels"
    canvas = new_canvas(buffer, page_size=LABEL_SIZE, title=title)
    faces = fonts()
    for label in labels:
        _draw_label(canvas, label, faces)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_label(canvas: Canvas, label: LabelData, f: Fonts) -> None:
    _draw_header(canvas, label, f)
    _draw_recipient(canvas, label.recipient, f)
    _draw_routing(canvas, label, f)
    _draw_banner(canvas, label, f)
    _draw_tracking(canvas, label, f)


def _caption(canvas: Canvas, text: str, x: float, y: float, f: Fonts) -> None:
    canvas.setFont(f.bold, 6.5)
    canvas.drawString(x, y, text)


def _line(canvas: Canvas, x0: float, y0: float, x1: float, y1: float, weight: float) -> None:
    canvas.setLineWidth(weight)
    canvas.line(x0, y0, x1, y1)


def _address_paras(address: DocAddress, f: Fonts, *, name_scale: float, bold: bool) -> list[Para]:
    place_font = f.bold if bold else f.regular
    paras = [Para(address.name, f.bold, name_scale)]
    paras += [Para(line, f.regular) for line in address.street]
    paras += [Para(address.locality, place_font), Para(address.country.upper(), place_font)]
    if address.phone:
        paras.append(Para(f"Tel. {address.phone}", f.regular, 0.85))
    return paras


def _draw_header(canvas: Canvas, label: LabelData, f: Fonts) -> None:
    top, bottom, split = HEIGHT, 352.0, 176.0
    _caption(canvas, "FROM", MARGIN, top - 12, f)
    sender = _address_paras(label.sender, f, name_scale=1.0, bold=False)
    lines = fit_block(
        sender, max_width=split - MARGIN - 8, max_height=top - bottom - 26, largest=8, smallest=5
    )
    draw_block(canvas, lines, x=MARGIN, top=top - 17)
    _line(canvas, split, bottom, split, top, 0.8)
    x, room = split + 8, WIDTH - split - 8 - MARGIN
    fields = (("SHIP DATE", label.ship_date.isoformat()), ("ORDER", label.order_reference))
    draw_fitted(
        canvas,
        label.carrier_name,
        x=x,
        y=top - 28,
        max_width=room,
        font=f.bold,
        largest=20,
        smallest=8,
    )
    for i, (name, value) in enumerate(fields):
        _caption(canvas, name, x, top - 44 - 20 * i, f)
        draw_fitted(
            canvas,
            value,
            x=x,
            y=top - 53 - 20 * i,
            max_width=room,
            font=f.regular,
            largest=8.5,
            smallest=5,
        )
    _line(canvas, 0, bottom, WIDTH, bottom, 1.2)


def _draw_recipient(canvas: Canvas, recipient: DocAddress, f: Fonts) -> None:
    top, bottom = 352.0, 236.0
    _caption(canvas, "SHIP TO", MARGIN, top - 12, f)
    paras = _address_paras(recipient, f, name_scale=1.15, bold=True)
    x = MARGIN + 10
    lines = fit_block(
        paras, max_width=WIDTH - x - MARGIN, max_height=top - bottom - 24, largest=13, smallest=6
    )
    draw_block(canvas, lines, x=x, top=top - 18)
    _line(canvas, 0, bottom, WIDTH, bottom, 2.5)


def _draw_routing(canvas: Canvas, label: LabelData, f: Fonts) -> None:
    top, bottom, split = 236.0, 140.0, 192.0
    if label.routing_code:
        caption, code = "ROUTING", label.routing_code
    else:
        caption = "DESTINATION"
        code = f"{label.recipient.country.upper()} {label.recipient.postal_code}".strip()
    _caption(canvas, caption, MARGIN, top - 12, f)
    draw_fitted(
        canvas,
        code,
        x=MARGIN,
        y=top - 42,
        max_width=split - 2 * MARGIN,
        font=f.bold,
        largest=28,
        smallest=10,
    )
    middle = top - 52
    _line(canvas, 0, middle, split, middle, 0.8)
    cells = [
        ("PACKAGE", f"{label.package_index} of {label.package_count}", 56.0, 15.0),
        ("WEIGHT", weight_text(label.weight_grams), 58.0, 12.0),
    ]
    if label.dimensions is not None:
        cells.append(("DIMENSIONS", str(label.dimensions), split - MARGIN - 114, 8.0))
    x = MARGIN
    for name, value, cell_width, size in cells:
        _caption(canvas, name, x, middle - 11, f)
        draw_fitted(
            canvas,
            value,
            x=x,
            y=bottom + 12,
            max_width=cell_width - 6,
            font=f.bold,
            largest=size,
            smallest=5.5,
        )
        x += cell_width
    _line(canvas, split, bottom, split, top, 0.8)
    room = min(WIDTH - split - 4, top - bottom - 4)
    x = split + (WIDTH - split - room) / 2
    y = bottom + (top - bottom - room) / 2
    draw_qr(canvas, qr_rows(label.tracking_url), x=x, y=y, room=room, what="tracking URL")


def _draw_banner(canvas: Canvas, label: LabelData, f: Fonts) -> None:
    top, bottom = 140.0, 112.0
    canvas.rect(0, bottom, WIDTH, top - bottom, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    service_room = (WIDTH - 2 * MARGIN) * 0.62
    draw_fitted(
        canvas,
        label.service_name.upper(),
        x=MARGIN,
        y=bottom + 9,
        max_width=service_room,
        font=f.bold,
        largest=16,
        smallest=7,
    )
    draw_fitted(
        canvas,
        label.carrier_name,
        x=MARGIN + service_room + 8,
        y=bottom + 10,
        max_width=WIDTH - 2 * MARGIN - service_room - 8,
        font=f.bold,
        largest=10,
        smallest=6,
        align="right",
    )
    canvas.setFillColorRGB(0, 0, 0)


def _draw_tracking(canvas: Canvas, label: LabelData, f: Fonts) -> None:
    top = 112.0
    _caption(canvas, "TRACKING NUMBER", MARGIN, top - 11, f)
    bars_bottom, bars_top = 34.0, top - 16
    draw_code128(
        canvas,
        label.tracking_number,
        center_x=WIDTH / 2,
        y=bars_bottom,
        room=BARCODE_ROOM,
        height=bars_top - bars_bottom,
        what="tracking number",
    )
    draw_fitted(
        canvas,
        label.tracking_number,
        x=MARGIN,
        y=bars_bottom - 15,
        max_width=WIDTH - 2 * MARGIN,
        font=f.bold,
        largest=13,
        smallest=7,
        align="center",
    )
    draw_fitted(
        canvas,
        label.tracking_url,
        x=MARGIN,
        y=6,
        max_width=WIDTH - 2 * MARGIN,
        font=f.regular,
        largest=6,
        smallest=5,
        align="center",
    )
