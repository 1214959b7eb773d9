"""The typeface every document prints in, and what to print when it lacks a glyph.

Labels carry names and addresses as buyers typed them: Indonesian, accented, now and then
Cyrillic or Chinese. reportlab's built-in Helvetica only knows Latin-1, so documents embed a
TrueType face instead: DejaVu Sans where the system has it (thousands of glyphs), otherwise
Bitstream Vera, which ships inside reportlab, so a document never fails for want of a font.
A character the face cannot draw is printed as its base letter (ő → o) or as "?", never as
an invisible box.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: (regular, bold) files tried in order; the first pair that exists is used.
CANDIDATES: tuple[tuple[Path, Path], ...] = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"),
        Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
    ),
    (
        Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
        Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ),
)
_BUNDLED = Path(reportlab.__file__).parent / "fonts"
FALLBACK = (_BUNDLED / "Vera.ttf", _BUNDLED / "VeraBd.ttf")

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    #: Code points both faces can draw.
    glyphs: frozenset[int] = field(repr=False)


@cache
def fonts() -> Fonts:
    """Register the document faces with reportlab once per process, on first use."""
    regular_path, bold_path = next(
        (pair for pair in CANDIDATES if pair[0].is_file() and pair[1].is_file()), FALLBACK
    )
    regular = TTFont("PasarSans", str(regular_path))
    bold = TTFont("PasarSans-Bold", str(bold_path))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    glyphs = frozenset(regular.face.charToGlyph) & frozenset(bold.face.charToGlyph)
    return Fonts(regular="PasarSans", bold="PasarSans-Bold", glyphs=glyphs)


def printable(text: str) -> str:
    """`text` on one line, with every character the face lacks replaced by a stand-in."""
    glyphs = fonts().glyphs
    flat = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return "".join(_stand_in(char, glyphs) for char in flat)


def _stand_in(char: str, glyphs: frozenset[int]) -> str:
    if ord(char) in glyphs:
        return char
    if unicodedata.category(char).startswith("C"):
        return ""
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if base and all(ord(c) in glyphs for c in base):
        return base
    return "?"
