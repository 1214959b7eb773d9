"""Printable fulfilment documents: shipping labels, packing slips and pick lists, as PDF.

Pure functions of frozen dataclasses in, PDF bytes out: no database and no web framework,
so the API, the seller portal, a 3PL connector and the tests all render the same documents.
"""

from pasar.fulfillment.documents.address import DocAddress
from pasar.fulfillment.documents.labels import Dimensions, LabelData, render_labels
from pasar.fulfillment.documents.packing_slip import PackingSlip, SlipLine, render_packing_slips
from pasar.fulfillment.documents.pick_list import (
    OrderQuantity,
    PickItem,
    PickList,
    PickRow,
    build_pick_rows,
    render_pick_list,
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
