"""Page sizes in PDF points, defined here so the documents' data needs no reportlab.

The values are reportlab's own (`reportlab.lib.units`, `reportlab.lib.pagesizes`), written
the same way so they are equal to the last bit.
"""

from __future__ import annotations

PageSize = tuple[float, float]

INCH = 72.0
CM = INCH / 2.54
MM = CM * 0.1
A4: PageSize = (210 * MM, 297 * MM)
