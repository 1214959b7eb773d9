"""Code 128 symbols sized so that they scan, drawn with reportlab's own encoder.

A barcode that looks right but does not scan stops a parcel at the first hub. So the
module (narrowest bar) is a whole number of dots of a 203 dpi thermal printer, the most
common label printer, and never under two of them; the quiet zone of ten modules on each
side is kept clear; and the value is checked first, because reportlab's Code 128 silently
drops characters it cannot encode and would print a barcode of a different number.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

#: One dot of a 203 dpi printer, in points.
DOT = 72 / 203
MIN_MODULE = 2 * DOT
MAX_MODULE = 4 * DOT
#: Clear space each side of a Code 128 symbol, in modules (ISO/IEC 15417).
QUIET_MODULES = 10


def on_dot_grid(position: float) -> float:
    """The nearest position on a 203 dpi printer's dot grid, so bar edges fall between dots."""
    return round(position / DOT) * DOT


def check_code128(value: str, what: str) -> None:
    """Refuse a value that Code 128 cannot carry exactly as given."""
    if not value:
        raise ValueError(f"{what} is empty: there is nothing to print as a barcode")
    bad = sorted({char for char in value if not "!" <= char <= "~"})
    if bad:
        raise ValueError(
            f"{what} {value!r} cannot be a Code 128 barcode: only printable ASCII without"
            f" spaces is allowed, not {', '.join(repr(c) for c in bad)}"
        )


def code128_bars(value: str) -> tuple[list[tuple[int, int]], int]:
    """reportlab's encoding of `value` as (start, width) of each bar, in modules, and the
    symbol's whole width in modules (quiet zones excluded).

    The encoder is imported here, not with the module: label data checks that its tracking
    number fits the barcode, and importing that data must not load reportlab.
    """
    from reportlab.graphics.barcode.code128 import Code128

    symbol = Code128(value, barWidth=1, quiet=0)
    symbol.wrap(0, 0)
    bars: list[tuple[int, int]] = []
    position = 0
    for element in str(symbol.decomposed):
        width = ord(element.lower()) - ord("a") + 1
        if element.isupper():
            bars.append((position, width))
        position += width
    return bars, position


def code128_module(value: str, *, room: float, what: str) -> float:
    """The widest whole-dot module at which the symbol and its quiet zones fit in `room`.

    Raises ValueError when even the narrowest readable module would not fit.
    """
    check_code128(value, what)
    modules = code128_bars(value)[1] + 2 * QUIET_MODULES
    dots = min(math.floor(room / modules / DOT), round(MAX_MODULE / DOT))
    if dots * DOT < MIN_MODULE:
        raise ValueError(
            f"{what} {value!r} is too long for a barcode {room:.0f} pt wide:"
            f" it needs {modules * MIN_MODULE:.0f} pt at the narrowest readable bar"
        )
    return dots * DOT


def draw_code128(
    canvas: Canvas, value: str, *, center_x: float, y: float, room: float, height: float, what: str
) -> float:
    """Draw the symbol about `center_x` within `room` (quiet zones included).

    Bars are drawn from reportlab's encoding in whole modules from a start on the dot
    grid, so every edge falls between two dots. reportlab's own widget adds up float
    widths; PDFium rounded the drift outwards and a two-dot bar grew to three, enough to
    make long numbers unreadable at 203 dpi. Returns the width of the bars.
    """
    module = code128_module(value, room=room, what=what)
    bars, modules = code128_bars(value)
    canvas.saveState()
    canvas.transform(module, 0, 0, 1, on_dot_grid(center_x - modules * module / 2), y)
    canvas.addLiteral(
        "\n".join(
            [
                *(f"{start} 0 {width} {height:.3f} re" for start, width in bars),
                "f",
            ]
        )
    )
    canvas.restoreState()
    return modules * module
