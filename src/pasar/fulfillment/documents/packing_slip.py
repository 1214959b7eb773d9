"""Packing slips: what is in this box, for whom, from whom, and how to send it back.

One slip per SellerOrder shipment. The packer ticks each line as it goes in; the buyer
reads who sold and who shipped it; the warehouse scans the SellerOrder's Code 128 to call
the order up. Long orders continue on further pages with the header repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from reportlab.pdfgen.canvas import Canvas

from pasar.fulfillment.documents.address import DocAddress
from pasar.fulfillment.documents.barcodes import draw_code128
from pasar.fulfillment.documents.fonts import Fonts, fonts
from pasar.fulfillment.documents.packing_slip_data import PackingSlip, SlipLine
from pasar.fulfillment.documents.paper import A4, PageSize
from pasar.fulfillment.documents.pdf import new_canvas
from pasar.fulfillment.documents.typeset import (
    LEADING,
    Para,
    draw_block,
    draw_fitted,
    fit_block,
    paginate,
    wrap_capped,
)

MARGIN = 40.0
HEADER = 64.0
DETAILS = 118.0
TABLE_HEAD = 20.0
FOOTER = 24.0
BODY_SIZE = 9.5
MAX_TITLE_LINES = 4


def render_packing_slips(slips: Sequence[PackingSlip], *, page_size: PageSize = A4) -> bytes:
    """One PDF, each slip starting on a new page and taking as many pages as its lines need."""
    if not slips:
        raise ValueError("there are no packing slips to render")
    buffer = BytesIO()
    title = slips[0].seller_order_number if len(slips) == 1 else "Packing slips"
    canvas = new_canvas(buffer, page_size=page_size, title=f"Packing slip {title}")
    faces = fonts()
    for slip in slips:
        _SlipPages(canvas, slip, faces, page_size).draw()
    canvas.save()
    return buffer.getvalue()


@dataclass
class _Row:
    line: SlipLine
    title: list[str]

    @property
    def height(self) -> float:
        return max(1, len(self.title)) * BODY_SIZE * LEADING + 10


class _SlipPages:
    """The pages of one slip: layout measured first, so each page can say "2 of 3"."""

    def __init__(self, canvas: Canvas, slip: PackingSlip, f: Fonts, page_size: PageSize) -> None:
        self.canvas, self.slip, self.f = canvas, slip, f
        self.width, self.height = page_size
        content = self.width - 2 * MARGIN
        #: Column x positions: tick box, quantity, SKU, item title.
        self.cols = (MARGIN, MARGIN + 24, MARGIN + 64, MARGIN + 64 + content * 0.26)
        self.title_width = self.width - MARGIN - self.cols[3]
        self.note = wrap_capped(slip.return_note, f.regular, 8.5, content - 16, 6)

    def draw(self) -> None:
        rows = [
            _Row(
                line,
                wrap_capped(
                    line.title, self.f.regular, BODY_SIZE, self.title_width, MAX_TITLE_LINES
                ),
            )
            for line in self.slip.lines
        ]
        table_top_first = self.height - MARGIN - HEADER - DETAILS - TABLE_HEAD
        table_top_rest = self.height - MARGIN - HEADER - TABLE_HEAD
        bottom = MARGIN + FOOTER
        closing = 30 + len(self.note) * 8.5 * LEADING + 60
        pages = paginate(
            [row.height for row in rows],
            first=table_top_first - bottom,
            rest=table_top_rest - bottom,
            closing=closing,
        )
        for number, indices in enumerate(pages, start=1):
            self._header(number, len(pages))
            top = self.height - MARGIN - HEADER
            if number == 1:
                self._details(top)
                top -= DETAILS
            if indices or number == 1:
                top = self._table(top, [rows[i] for i in indices])
            if number == len(pages):
                self._closing(top)
            self.canvas.showPage()

    def _header(self, number: int, count: int) -> None:
        c, f, slip = self.canvas, self.f, self.slip
        top = self.height - MARGIN
        draw_fitted(
            c,
            slip.marketplace_name,
            x=MARGIN,
            y=top - 20,
            max_width=self.width * 0.45,
            font=f.bold,
            largest=20,
            smallest=10,
        )
        c.setFillGray(0.35)
        c.setFont(f.regular, 10)
        c.drawString(
            MARGIN, top - 36, "Packing slip" if number == 1 else "Packing slip (continued)"
        )
        c.setFillGray(0)
        room = min(250.0, self.width * 0.45)
        center = self.width - MARGIN - room / 2
        draw_code128(
            c,
            slip.seller_order_number,
            center_x=center,
            y=top - 40,
            room=room,
            height=38,
            what="seller order number",
        )
        c.setFont(f.bold, 9)
        c.drawCentredString(center, top - 51, slip.seller_order_number)
        c.setLineWidth(1.2)
        c.line(MARGIN, top - HEADER + 6, self.width - MARGIN, top - HEADER + 6)
        c.setFont(f.regular, 7.5)
        c.setFillGray(0.35)
        c.drawString(MARGIN, MARGIN, f"{slip.marketplace_name} · {slip.seller_order_number}")
        c.drawRightString(self.width - MARGIN, MARGIN, f"Page {number} of {count}")
        c.setFillGray(0)

    def _details(self, top: float) -> None:
        c, f, slip = self.canvas, self.f, self.slip
        column = (self.width - 2 * MARGIN) / 3
        blocks = [
            ("SHIP TO", _address(slip.ship_to, f)),
            ("SHIP FROM", _address(slip.ship_from, f)),
        ]
        for i, (caption, paras) in enumerate(blocks):
            x = MARGIN + i * column
            _caption(c, caption, x, top - 14, f)
            lines = fit_block(
                paras, max_width=column - 14, max_height=DETAILS - 34, largest=9.5, smallest=6.5
            )
            draw_block(c, lines, x=x, top=top - 20)
        facts = [
            ("Order", slip.order_number),
            ("Seller order", slip.seller_order_number),
            ("Order date", slip.order_date.isoformat()),
            ("Sold by", slip.seller_name),
            ("Fulfilled by", slip.fulfilled_by or slip.seller_name),
        ]
        if slip.buyer_name:
            facts.append(("Buyer", slip.buyer_name))
        x = MARGIN + 2 * column
        _caption(c, "ORDER", x, top - 14, f)
        for i, (name, value) in enumerate(facts):
            y = top - 30 - i * 13
            c.setFont(f.regular, 8)
            c.setFillGray(0.35)
            c.drawString(x, y, name)
            c.setFillGray(0)
            draw_fitted(
                c, value, x=x + 58, y=y, max_width=column - 58, font=f.bold, largest=8.5, smallest=6
            )

    def _table(self, top: float, rows: Sequence[_Row]) -> float:
        c, f = self.canvas, self.f
        c.setFillGray(0.92)
        c.rect(MARGIN, top - TABLE_HEAD, self.width - 2 * MARGIN, TABLE_HEAD, stroke=0, fill=1)
        c.setFillGray(0)
        _caption(c, "QTY", self.cols[1], top - 13, f)
        _caption(c, "SKU", self.cols[2], top - 13, f)
        _caption(c, "ITEM", self.cols[3], top - 13, f)
        y = top - TABLE_HEAD
        sku_width = self.cols[3] - self.cols[2] - 10
        for row in rows:
            baseline = y - 5 - BODY_SIZE
            c.setLineWidth(0.7)
            c.rect(self.cols[0] + 4, baseline - 1, 9, 9, stroke=1, fill=0)
            c.setFont(f.bold, 11)
            c.drawRightString(self.cols[2] - 14, baseline, str(row.line.quantity))
            draw_fitted(
                c,
                row.line.sku,
                x=self.cols[2],
                y=baseline,
                max_width=sku_width,
                font=f.regular,
                largest=BODY_SIZE,
                smallest=6,
            )
            c.setFont(f.regular, BODY_SIZE)
            for i, text in enumerate(row.title):
                c.drawString(self.cols[3], baseline - i * BODY_SIZE * LEADING, text)
            y -= row.height
            c.setLineWidth(0.4)
            c.setStrokeGray(0.7)
            c.line(MARGIN, y, self.width - MARGIN, y)
            c.setStrokeGray(0)
        return y

    def _closing(self, top: float) -> None:
        c, f, slip = self.canvas, self.f, self.slip
        lines = len(slip.lines)
        c.setFont(f.bold, 10)
        units = f"{slip.units} unit{'s' if slip.units != 1 else ''}"
        c.drawRightString(
            self.width - MARGIN, top - 16, f"{units} in {lines} line{'s' if lines != 1 else ''}"
        )
        box_top = top - 30
        box_height = len(self.note) * 8.5 * LEADING + 24
        c.setLineWidth(0.8)
        c.roundRect(MARGIN, box_top - box_height, self.width - 2 * MARGIN, box_height, 4)
        _caption(c, "RETURNS", MARGIN + 8, box_top - 12, f)
        c.setFont(f.regular, 8.5)
        for i, text in enumerate(self.note):
            c.drawString(MARGIN + 8, box_top - 24 - i * 8.5 * LEADING, text)
        c.setFont(f.regular, 9)
        thanks = f"Thank you for shopping with {slip.seller_name} on {slip.marketplace_name}."
        draw_fitted(
            c,
            thanks,
            x=MARGIN,
            y=box_top - box_height - 22,
            max_width=self.width - 2 * MARGIN,
            font=f.regular,
            largest=9,
            smallest=6,
            align="center",
        )


def _caption(canvas: Canvas, text: str, x: float, y: float, f: Fonts) -> None:
    canvas.setFont(f.bold, 7.5)
    canvas.drawString(x, y, text)


def _address(address: DocAddress, f: Fonts) -> list[Para]:
    paras = [Para(address.name, f.bold)]
    paras += [Para(line, f.regular) for line in (*address.street, address.locality)]
    paras.append(Para(address.country.upper(), f.regular))
    if address.phone:
        paras.append(Para(f"Tel. {address.phone}", f.regular, 0.9))
    return paras
