"""Fitting text into fixed boxes: wrap, shrink, and cut with an ellipsis as a last resort.

A label is a fixed 4x6 inches and a table cell a fixed width, while addresses and titles
are as long as people make them. Every string drawn goes through here, so none can run
off the page or over a barcode's quiet zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from pasar.fulfillment.documents.fonts import printable

ELLIPSIS = "…"
#: Baseline-to-baseline distance as a multiple of the font size.
LEADING = 1.2


def width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Greedy word wrap; a word wider than the box is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if width(candidate, font, size) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while len(word) > 1 and width(word, font, size) > max_width:
            cut = _longest_prefix(word, font, size, max_width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def wrap_capped(text: str, font: str, size: float, max_width: float, max_lines: int) -> list[str]:
    """Word wrap into at most `max_lines` lines, the last cut with an ellipsis if need be."""
    lines = wrap(printable(text), font, size, max_width)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    kept[-1] = ellipsize(kept[-1] + ELLIPSIS, font, size, max_width)
    return kept


def paginate(
    heights: Sequence[float], *, first: float, rest: float, closing: float
) -> list[list[int]]:
    """Which rows go on which page, for tables whose header repeats on every page.

    `first` and `rest` are the room for rows on the first and later pages; the closing
    block (totals, notes, signatures) follows the last row, on a page of its own only
    when it does not fit under it. Every row must fit an empty page.
    """
    pages: list[list[int]] = [[]]
    room = first
    for index, height in enumerate(heights):
        if height > room and pages[-1]:
            pages.append([])
            room = rest
        pages[-1].append(index)
        room -= height
    if closing > room:
        pages.append([])
    return pages


def ellipsize(text: str, font: str, size: float, max_width: float) -> str:
    """`text`, cut short with an ellipsis if it is wider than the box."""
    if width(text, font, size) <= max_width:
        return text
    cut = _longest_prefix(text, font, size, max_width - width(ELLIPSIS, font, size))
    return text[:cut].rstrip() + ELLIPSIS


def fit_size(text: str, font: str, max_width: float, *, largest: float, smallest: float) -> float:
    """The largest size, down to `smallest`, at which `text` fits on one line."""
    natural = width(text, font, largest)
    if natural <= max_width:
        return largest
    return max(smallest, largest * max_width / natural)


def draw_fitted(
    canvas: Canvas,
    text: str,
    *,
    x: float,
    y: float,
    max_width: float,
    font: str,
    largest: float,
    smallest: float,
    align: str = "left",
) -> None:
    """One line shrunk to fit, and ellipsized if even the smallest size is too wide."""
    clean = printable(text)
    size = fit_size(clean, font, max_width, largest=largest, smallest=smallest)
    clean = ellipsize(clean, font, size, max_width)
    canvas.setFont(font, size)
    if align == "right":
        canvas.drawRightString(x + max_width, y, clean)
    elif align == "center":
        canvas.drawCentredString(x + max_width / 2, y, clean)
    else:
        canvas.drawString(x, y, clean)


@dataclass(frozen=True)
class Para:
    """A paragraph of a block: its text, face, and size relative to the block's base size."""

    text: str
    font: str
    scale: float = 1.0


@dataclass(frozen=True)
class Line:
    text: str
    font: str
    size: float
    #: Distance from the top of the block down to this line's baseline.
    drop: float


def fit_block(
    paras: Sequence[Para], *, max_width: float, max_height: float, largest: float, smallest: float
) -> list[Line]:
    """Wrap the paragraphs at the largest base size whose lines fit the box.

    Below `smallest` text stops shrinking: lines that still do not fit are dropped and the
    last one kept ends in an ellipsis, so the block never leaves its box.
    """
    paras = [Para(printable(p.text), p.font, p.scale) for p in paras]
    paras = [p for p in paras if p.text]
    size = largest
    while True:
        lines = _lay_out(paras, max_width, size)
        if not lines or lines[-1].drop + _descent(lines[-1]) <= max_height or size <= smallest:
            break
        size = max(smallest, size - 0.5)
    kept = [line for line in lines if line.drop + _descent(line) <= max_height]
    if len(kept) < len(lines) and kept:
        last = kept[-1]
        text = ellipsize(last.text + ELLIPSIS, last.font, last.size, max_width)
        kept[-1] = Line(text, last.font, last.size, last.drop)
    return kept


def draw_block(canvas: Canvas, lines: Sequence[Line], *, x: float, top: float) -> None:
    for line in lines:
        canvas.setFont(line.font, line.size)
        canvas.drawString(x, top - line.drop, line.text)


def _lay_out(paras: Sequence[Para], max_width: float, size: float) -> list[Line]:
    lines: list[Line] = []
    drop = 0.0
    for para in paras:
        para_size = size * para.scale
        for text in wrap(para.text, para.font, para_size, max_width):
            drop += para_size * (0.8 if not lines else LEADING)
            lines.append(Line(text, para.font, para_size, drop))
    return lines


def _descent(line: Line) -> float:
    return line.size * 0.25


def _longest_prefix(text: str, font: str, size: float, max_width: float) -> int:
    """How many leading characters of `text` fit in `max_width` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if width(text[:middle], font, size) <= max_width:
            low = middle
        else:
            high = middle - 1
    return low
