"""Pick lists on paper: one walk through a warehouse collecting everything a batch needs.

Prints the rows `pick_list_data.build_pick_rows` adds up, in walking order, with a tick
box each, so the picker can work from paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from reportlab.pdfgen.canvas import Canvas

from pasar.fulfillment.documents.fonts import Fonts, fonts, printable
from pasar.fulfillment.documents.paper import A4, PageSize
from pasar.fulfillment.documents.pdf import new_canvas
from pasar.fulfillment.documents.pick_list_data import PickList, PickRow
from pasar.fulfillment.documents.typeset import (
    LEADING,
    draw_fitted,
    ellipsize,
    paginate,
    wrap_capped,
)

MARGIN = 36.0
HEADER = 78.0
TABLE_HEAD = 20.0
FOOTER = 24.0
BODY_SIZE = 9.0
ORDERS_SIZE = 7.5
MAX_CELL_LINES = 4
MAX_ORDER_LINES = 12


def render_pick_list(pick_list: PickList, *, page_size: PageSize = A4) -> bytes:
    """The pick list as a PDF: header with totals, one tick-box row per stop, signatures."""
    buffer = BytesIO()
    title = f"Pick list {pick_list.warehouse_name} {pick_list.pick_date.isoformat()}"
    canvas = new_canvas(buffer, page_size=page_size, title=title)
    _PickPages(canvas, pick_list, fonts(), page_size).draw()
    canvas.save()
    return buffer.getvalue()


@dataclass
class _Cells:
    row: PickRow
    title: list[str]
    orders: list[str]

    @property
    def height(self) -> float:
        title = len(self.title) * BODY_SIZE * LEADING
        orders = len(self.orders) * ORDERS_SIZE * LEADING
        return max(title, orders, 16.0) + 10


class _PickPages:
    def __init__(self, canvas: Canvas, pick_list: PickList, f: Fonts, page_size: PageSize) -> None:
        self.canvas, self.pick_list, self.f = canvas, pick_list, f
        self.width, self.height = page_size
        content = self.width - 2 * MARGIN
        # tick box, location, SKU, item, quantity, orders
        widths = (24.0, content * 0.13, content * 0.17, content * 0.30, content * 0.08)
        self.cols = [MARGIN]
        for w in widths:
            self.cols.append(self.cols[-1] + w)
        self.orders_width = self.width - MARGIN - self.cols[5]

    def draw(self) -> None:
        f = self.f
        cells = [
            _Cells(
                row,
                wrap_capped(
                    row.title, f.regular, BODY_SIZE, self.cols[4] - self.cols[3] - 8, MAX_CELL_LINES
                ),
                self._order_lines(row),
            )
            for row in self.pick_list.rows
        ]
        table_top = self.height - MARGIN - HEADER
        room = table_top - TABLE_HEAD - MARGIN - FOOTER
        pages = paginate([c.height for c in cells], first=room, rest=room, closing=70)
        for number, indices in enumerate(pages, start=1):
            self._header(number, len(pages))
            y = self._table(table_top, [cells[i] for i in indices])
            if number == len(pages):
                self._closing(y)
            self.canvas.showPage()

    def _order_lines(self, row: PickRow) -> list[str]:
        """One line per order, so the picker can sort units into the orders' totes."""
        shown = (
            row.orders if len(row.orders) <= MAX_ORDER_LINES else row.orders[: MAX_ORDER_LINES - 1]
        )
        lines = [
            ellipsize(
                printable(f"{o.seller_order_number} \N{MULTIPLICATION SIGN}{o.quantity}"),
                self.f.regular,
                ORDERS_SIZE,
                self.orders_width,
            )
            for o in shown
        ]
        if len(shown) < len(row.orders):
            lines.append(f"+ {len(row.orders) - len(shown)} more orders")
        return lines

    def _header(self, number: int, count: int) -> None:
        c, f, pl = self.canvas, self.f, self.pick_list
        top = self.height - MARGIN
        c.setFont(f.bold, 20)
        c.drawString(MARGIN, top - 20, "Pick list")
        draw_fitted(
            c,
            pl.warehouse_name,
            x=MARGIN,
            y=top - 38,
            max_width=self.width * 0.55,
            font=f.bold,
            largest=12,
            smallest=7,
        )
        c.setFont(f.regular, 10)
        right = self.width - MARGIN
        c.drawRightString(right, top - 16, pl.pick_date.isoformat())
        if pl.batch_name:
            draw_fitted(
                c,
                pl.batch_name,
                x=self.width * 0.6,
                y=top - 30,
                max_width=right - self.width * 0.6,
                font=f.regular,
                largest=10,
                smallest=6,
                align="right",
            )
        orders, units, stops = pl.order_count, pl.unit_count, len(pl.rows)
        summary = (
            f"{orders} order{'s' if orders != 1 else ''} · {units} unit{'s' if units != 1 else ''}"
            f" · {stops} pick{'s' if stops != 1 else ''}"
        )
        c.setFont(f.bold, 10)
        c.drawString(MARGIN, top - 56, summary)
        c.setLineWidth(1.2)
        c.line(MARGIN, top - HEADER + 10, right, top - HEADER + 10)
        c.setFont(f.regular, 7.5)
        c.setFillGray(0.35)
        c.drawString(MARGIN, MARGIN, f"{pl.warehouse_name} · {pl.pick_date.isoformat()}")
        c.drawRightString(right, MARGIN, f"Page {number} of {count}")
        c.setFillGray(0)

    def _table(self, top: float, cells: Sequence[_Cells]) -> float:
        c, f = self.canvas, self.f
        c.setFillGray(0.92)
        c.rect(MARGIN, top - TABLE_HEAD, self.width - 2 * MARGIN, TABLE_HEAD, stroke=0, fill=1)
        c.setFillGray(0)
        c.setFont(f.bold, 7.5)
        for col, name in zip(
            self.cols[1:], ("LOCATION", "SKU", "ITEM", "QTY", "FOR ORDERS"), strict=True
        ):
            c.drawString(col, top - 13, name)
        y = top - TABLE_HEAD
        previous: str | None = None
        for index, cell in enumerate(cells):
            row = cell.row
            if index and row.location != previous:
                c.setLineWidth(1)
                c.line(MARGIN, y, self.width - MARGIN, y)
            previous = row.location
            baseline = y - 6 - BODY_SIZE
            c.setLineWidth(0.8)
            c.rect(self.cols[0] + 4, baseline - 2, 11, 11, stroke=1, fill=0)
            draw_fitted(
                c,
                row.location or "—",
                x=self.cols[1],
                y=baseline,
                max_width=self.cols[2] - self.cols[1] - 6,
                font=f.bold,
                largest=BODY_SIZE + 1,
                smallest=6,
            )
            draw_fitted(
                c,
                row.sku,
                x=self.cols[2],
                y=baseline,
                max_width=self.cols[3] - self.cols[2] - 6,
                font=f.regular,
                largest=BODY_SIZE,
                smallest=6,
            )
            c.setFont(f.regular, BODY_SIZE)
            for i, text in enumerate(cell.title):
                c.drawString(self.cols[3], baseline - i * BODY_SIZE * LEADING, text)
            c.setFont(f.bold, 13)
            c.drawString(self.cols[4], baseline - 1, str(row.quantity))
            c.setFont(f.regular, ORDERS_SIZE)
            for i, text in enumerate(cell.orders):
                c.drawString(self.cols[5], baseline - i * ORDERS_SIZE * LEADING, text)
            y -= cell.height
            c.setLineWidth(0.4)
            c.setStrokeGray(0.7)
            c.line(MARGIN, y, self.width - MARGIN, y)
            c.setStrokeGray(0)
        if not cells:
            c.setFont(f.regular, 10)
            c.drawString(MARGIN, y - 20, "Nothing to pick.")
            y -= 30
        return y

    def _closing(self, top: float) -> None:
        c, f = self.canvas, self.f
        y = top - 44
        third = (self.width - 2 * MARGIN) / 3
        c.setLineWidth(0.6)
        for i, name in enumerate(("Picked by", "Date and time", "Checked by")):
            x = MARGIN + i * third
            c.line(x, y, x + third - 16, y)
            c.setFont(f.regular, 7.5)
            c.drawString(x, y - 10, name)
