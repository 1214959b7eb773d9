"""QR symbols encoded with reportlab's encoder, masked and drawn here for speed.

reportlab's QR widget picks the mask by scoring all eight candidates in pure Python, which
took 13 ms a symbol: most of the time a batch of labels took. The encoding (data, error
correction, placement) stays reportlab's; this module only scores the eight masked
symbols with the penalty rules of ISO/IEC 18004 §7.8.3 on strings and integers, keeps the
lowest, and draws its dark runs as one path.
"""

from __future__ import annotations

import itertools
import math
import re

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.pdfgen.canvas import Canvas

from pasar.fulfillment.documents.barcodes import DOT, on_dot_grid

#: Clear space around the symbol, in modules (ISO/IEC 18004).
QUIET_MODULES = 4
#: A module under this many points is too fine for a thermal label.
MIN_MODULE = 3 * DOT

_RUN = re.compile(r"00000+|11111+")
_DARK = re.compile(r"1+")
_AS_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def qr_rows(value: str) -> list[str]:
    """The symbol at error correction level M (15%), one "0"/"1" string per row, top first."""
    if not value:
        raise ValueError("there is nothing to print as a QR code")
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(value)
    code.version = code.calculate_version()  # type: ignore[no-untyped-call, unused-ignore]
    candidates = []
    for mask in range(8):
        code.makeImpl(False, mask)
        rows = [bytes(row).translate(_AS_DIGITS).decode() for row in code.modules]
        candidates.append((penalty(rows), mask, rows))
    return min(candidates)[2]


def penalty(rows: list[str]) -> int:
    """The ISO/IEC 18004 penalty of a masked symbol: lower scans more reliably."""
    size = len(rows)
    score = 0
    lines = rows + ["".join(column) for column in zip(*rows, strict=True)]
    runs = _RUN.findall(" ".join(lines))
    score += sum(map(len, runs)) - 2 * len(runs)
    padded = "".join(f" 0000{line}0000" for line in lines)
    score += 40 * (padded.count("10111010000") + padded.count("00001011101"))
    full = (1 << size) - 1
    bits = [int(row, 2) for row in rows]
    for upper, lower in itertools.pairwise(bits):
        dark, light = upper & lower, ~(upper | lower) & full
        score += 3 * ((dark & dark >> 1).bit_count() + (light & light >> 1).bit_count())
    total = size * size
    dark_count = sum(row.count("1") for row in rows)
    score += 10 * max(0, (abs(dark_count * 20 - total * 10) + total - 1) // total - 1)
    return score


def draw_qr(
    canvas: Canvas, rows: list[str], *, x: float, y: float, room: float, what: str
) -> float:
    """Draw the symbol and its quiet zone centred in the `room` by `room` square at (x, y).

    Modules are whole printer dots. Returns the side drawn, quiet zone included; raises
    ValueError when the modules would be too fine to scan.
    """
    count = len(rows)
    dots = math.floor(room / (count + 2 * QUIET_MODULES) / DOT)
    if dots * DOT < MIN_MODULE:
        raise ValueError(f"{what} is too long for a QR code {room:.0f} pt wide")
    module = dots * DOT
    side = module * (count + 2 * QUIET_MODULES)
    left = on_dot_grid(x + (room - side) / 2) + QUIET_MODULES * module
    bottom = on_dot_grid(y + (room - side) / 2) + QUIET_MODULES * module
    runs = [
        f"{run.start()} {count - 1 - r} {run.end() - run.start()} 1 re"
        for r, row in enumerate(rows)
        for run in _DARK.finditer(row)
    ]
    canvas.saveState()
    canvas.transform(module, 0, 0, module, left, bottom)
    canvas.addLiteral("\n".join([*runs, "f"]))
    canvas.restoreState()
    return side
