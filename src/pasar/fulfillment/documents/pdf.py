"""One way to start a PDF, so every document is reproducible and says what it is."""

from __future__ import annotations

from io import BytesIO

from reportlab.pdfgen.canvas import Canvas

from pasar.fulfillment.documents.fonts import fonts
from pasar.fulfillment.documents.paper import PageSize


def new_canvas(buffer: BytesIO, *, page_size: PageSize, title: str) -> Canvas:
    """A compressed canvas whose bytes depend only on what is drawn on it.

    `invariant` leaves out the creation time and random file id, so the same input gives
    the same bytes: documents can be cached, compared and tested byte for byte.
    """
    fonts()
    canvas = Canvas(buffer, pagesize=page_size, invariant=True, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Pasar")
    return canvas
