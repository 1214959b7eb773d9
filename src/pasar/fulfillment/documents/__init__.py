"""Printable fulfilment documents: shipping labels, packing slips and pick lists, as PDF.

Pure functions of frozen dataclasses in, PDF bytes out: no database and no web framework,
so the API, the seller portal, a 3PL connector and the tests all render the same documents.

The dataclasses live in reportlab-free modules (`*_data`); the renderers are imported on
the first render. reportlab takes seconds of CPU to import, and every server start,
worker, CLI call and test process imports this package without printing anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from pasar.fulfillment.documents.address import DocAddress
from pasar.fulfillment.documents.label_data import Dimensions, LabelData
from pasar.fulfillment.documents.packing_slip_data import PackingSlip, SlipLine
from pasar.fulfillment.documents.paper import A4, PageSize
from pasar.fulfillment.documents.pick_list_data import (
    OrderQuantity,
    PickItem,
    PickList,
    PickRow,
    build_pick_rows,
)

__all__ = [
    "Dimensions",
    "DocAddress",
    "LabelData",
    "OrderQuantity",
    "PackingSlip",
    "PickItem",
    "PickList",
    "PickRow",
    "SlipLine",
    "build_pick_rows",
    "render_labels",
    "render_packing_slips",
    "render_pick_list",
]


def render_labels(labels: Sequence[LabelData]) -> bytes:
    """One PDF with a 4x6 inch page per label, in the order given.

    The renderer (and reportlab with it) is imported on the first call, not with the package.
    """
    from pasar.fulfillment.documents.labels import render_labels as render

    return render(labels)


def render_packing_slips(slips: Sequence[PackingSlip], *, page_size: PageSize = A4) -> bytes:
    """One PDF, each slip starting on a new page and taking as many pages as its lines need.

    The renderer (and reportlab with it) is imported on the first call, not with the package.
    """
    from pasar.fulfillment.documents.packing_slip import render_packing_slips as render

    return render(slips, page_size=page_size)


def render_pick_list(pick_list: PickList, *, page_size: PageSize = A4) -> bytes:
    """The pick list as a PDF: header with totals, one tick-box row per stop, signatures.

    The renderer (and reportlab with it) is imported on the first call, not with the package.
    """
    from pasar.fulfillment.documents.pick_list import render_pick_list as render

    return render(pick_list, page_size=page_size)
