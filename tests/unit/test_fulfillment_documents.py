"""fulfillment's printable documents, read back as a carrier, a packer and a picker would.

Text comes back through pypdf, pixels through PDFium at a thermal printer's 203 dpi, and
barcodes through two independent decoders (zxing-cpp always, zbar when installed).
"""

from __future__ import annotations

import dataclasses
import runpy
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

import pasar.fulfillment.documents as documents
from pasar.fulfillment.documents import (
    LabelData,
    OrderQuantity,
    PickItem,
    PickList,
    SlipLine,
    build_pick_rows,
    render_labels,
    render_packing_slips,
    render_pick_list,
)
from pasar.fulfillment.documents.fonts import printable
from pasar.fulfillment.documents.qr import qr_rows
from tests.documents_support import (
    address,
    barcode_boxes,
    char_boxes,
    decode,
    label,
    overlaps,
    page_image,
    page_sizes,
    page_texts,
    pdf_page_to_png,
    slip,
    warehouse,
    zbar_decode,
)

LABEL_POINTS = (288.0, 432.0)
SCRIPTS = Path(__file__).parents[2] / "scripts"


# --- shipping labels -------------------------------------------------------------------


def test_labels_pdf_has_one_4x6_inch_page_per_label() -> None:
    """Each label is its own 288 x 432 pt page, in the order given."""
    pdf = render_labels([label(1), label(2), label(3)])
    assert page_sizes(pdf) == [LABEL_POINTS] * 3
    assert [label(n).tracking_number in text for n, text in enumerate(page_texts(pdf), 1)] == [
        True
    ] * 3


def test_label_prints_tracking_number_recipient_service_and_package_count() -> None:
    """A sorter reads the tracking number, the recipient, the service and "1 of 2"."""
    text = page_texts(render_labels([label(7)]))[0]
    for expected in (
        "PSR0000000000007",
        "Siti Nurhaliza Rahayu",
        "Jakarta Selatan, DKI Jakarta 12190",
        "REGULAR",
        "Pasar Express",
        "1 of 2",
        "1.25 kg",
        "SO-2026-000007",
        "2026-03-14",
        "Gudang Batik Sekar Jagad",
    ):
        assert expected in text


def test_every_label_scans_to_its_own_tracking_number_and_link() -> None:
    """Each page's Code 128 is exactly its tracking number and its QR exactly its link."""
    labels = [label(n) for n in (11, 12, 13)]
    pdf = render_labels(labels)
    for page, data in enumerate(labels):
        found = decode(page_image(pdf, page))
        assert found == {"Code128": [data.tracking_number], "QRCode": [data.tracking_url]}


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (zbar-tools) not installed")
def test_zbar_reads_the_same_barcodes_as_zxing() -> None:
    """A second, independent decoder agrees on both symbols of every page."""
    labels = [label(21), label(22, tracking_number="1Z999AA10123456784")]
    pdf = render_labels(labels)
    for page, data in enumerate(labels):
        found = zbar_decode(pdf_page_to_png(pdf, page))
        assert found == {"CODE-128": [data.tracking_number], "QR-Code": [data.tracking_url]}


@pytest.mark.parametrize(
    "tracking_number",
    [
        "1Z999AA10123456784",  # UPS
        "9400111899223197428490",  # USPS, 22 digits
        "RR123456789ID",  # UPU S10, Pos Indonesia
        "JNT7777777777ABCDEFGHIJKLMNOP",  # long alphanumeric: narrowest bars
        "a-b_c.d/e+f%g$h",  # punctuation and lower case
    ],
)
def test_tracking_numbers_of_every_shape_scan(tracking_number: str) -> None:
    """Short, numeric, mixed and long numbers all fit the width and decode exactly."""
    pdf = render_labels([label(tracking_number=tracking_number)])
    assert decode(page_image(pdf, 0))["Code128"] == [tracking_number]


@pytest.mark.parametrize("length", [30, 60, 120, 200, 300])
def test_tracking_links_of_every_length_scan(length: int) -> None:
    """QR symbols from version 2 to the longest link allowed decode exactly."""
    url = "https://pasar.example.com/t/" + "k" * (length - 28)
    pdf = render_labels([label(tracking_url=url)])
    assert decode(page_image(pdf, 0))["QRCode"] == [url]


def test_long_names_and_addresses_stay_on_the_page_and_off_the_barcodes() -> None:
    """Overlong text shrinks, wraps or is cut; it never leaves the page or covers a symbol."""
    data = label(
        31,
        recipient=address(
            name="Raden Ayu Siti Nurhaliza Kusumawardhani Prameswari Binti Haji Abdullah " * 2,
            line1="Jl. " + "Panjang Sekali " * 20,
            line2="Blok " * 30,
            region="Daerah Khusus Ibukota Jakarta Raya",
            phone="+62 812 " * 5,
        ),
        sender=warehouse(name="PT Toko Batik Sekar Jagad Yogyakarta Sejahtera Abadi " * 3),
        carrier_name="PT Global Jet Express (J&T Express Indonesia) Cabang Kebayoran",
        service_name="Same Day Delivery Premium Extra Guaranteed Before Noon",
        routing_code="CGK-JKS-KBY-01-SENAYAN-0042-AND-MORE",
        order_reference="SO-2026-000031-SPLIT-PACKAGE-A-VERY-LONG-REFERENCE",
        package_index=10,
        package_count=12,
    )
    pdf = render_labels([data])
    image = page_image(pdf, 0)
    symbols = barcode_boxes(image)
    assert set(symbols) == {"Code128", "QRCode"}
    bars = symbols["Code128"]
    bar_band = (0.0, bars[1], LABEL_POINTS[0], bars[3])
    qr = symbols["QRCode"]
    qr_zone = (qr[0] - 6, qr[1] - 6, qr[2] + 6, qr[3] + 6)
    boxes = char_boxes(pdf, 0)
    assert len(boxes) > 200
    for char, box in boxes:
        assert box[0] >= 3, (char, box)
        assert box[2] <= LABEL_POINTS[0] - 3, (char, box)
        assert box[1] >= 3, (char, box)
        assert box[3] <= LABEL_POINTS[1] - 3, (char, box)
        assert not overlaps(box, bar_band), (char, box)
        assert not overlaps(box, qr_zone), (char, box)
    assert decode(image) == {"Code128": [data.tracking_number], "QRCode": [data.tracking_url]}


def test_accented_and_indonesian_names_print_as_given() -> None:
    """Names outside ASCII come back as text, not as boxes or question marks."""
    names = ["Dewi Ayu Lestari", "José Ramírez Núñez", "Zoë Ærø-Łódź", "Ñandú Çelik"]
    labels = [label(40 + i, recipient=address(name=name)) for i, name in enumerate(names)]
    texts = page_texts(render_labels(labels))
    assert [name in text for name, text in zip(names, texts, strict=True)] == [True] * 4


def test_scripts_the_font_lacks_degrade_without_breaking_the_label() -> None:
    """Chinese names print as "?", accents the face lacks as base letters; barcodes still scan."""
    assert printable("李小龍") == "???"
    assert printable("Jl. Sudirman\n\tNo. 1") == "Jl. Sudirman No. 1"
    data = label(50, recipient=address(name="李小龍 Bruce Lee Ǖ"))
    pdf = render_labels([data])
    assert "Bruce Lee" in page_texts(pdf)[0]
    assert decode(page_image(pdf, 0))["Code128"] == [data.tracking_number]


def test_an_empty_tracking_number_is_refused() -> None:
    """Nothing is printed for a package that has no tracking number yet."""
    with pytest.raises(ValueError, match="tracking number is empty"):
        label(tracking_number="")


@pytest.mark.parametrize(
    ("tracking_number", "reason"),
    [
        ("PSR 0001", "printable ASCII without spaces"),
        ("PSR\u00c40001", "printable ASCII without spaces"),
        ("PSR0001\n", "printable ASCII without spaces"),
        ("A" * 40, "too long for a barcode"),
    ],
)
def test_tracking_numbers_a_barcode_cannot_carry_are_refused(
    tracking_number: str, reason: str
) -> None:
    """A number the barcode would alter or could not fit is refused up front."""
    with pytest.raises(ValueError, match=reason):
        label(tracking_number=tracking_number)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"package_index": 3, "package_count": 2}, "package 3 of 2"),
        ({"package_index": 0}, "package 0 of 2"),
        ({"weight_grams": 0}, "weight must be positive"),
        ({"tracking_url": "pasar.example.com/t/1"}, "http"),
        ({"tracking_url": "https://x.example/" + "a" * 300}, "longer than 300"),
        ({"carrier_name": " "}, "carrier_name"),
    ],
)
def test_impossible_labels_are_refused(changes: dict[str, object], reason: str) -> None:
    """Inconsistent label data fails when built, not halfway through a batch."""
    with pytest.raises(ValueError, match=reason):
        label(**changes)


def test_an_address_needs_a_name_street_city_and_country() -> None:
    """A recipient nobody could deliver to is refused."""
    with pytest.raises(ValueError, match="needs a city"):
        address(city="")


def test_rendering_nothing_is_refused() -> None:
    """An empty batch is a caller's mistake, not an empty PDF."""
    with pytest.raises(ValueError, match="no labels"):
        render_labels([])


def test_the_same_labels_render_to_the_same_bytes() -> None:
    """Output depends only on input, so documents can be cached and compared."""
    labels = [label(60), label(61)]
    assert render_labels(labels) == render_labels(list(labels))


def test_qr_symbols_keep_a_module_size_a_printer_can_draw() -> None:
    """The longest allowed link still encodes into a symbol that fits with its quiet zone."""
    rows = qr_rows("https://pasar.example.com/t/" + "k" * 272)
    assert len(rows) == len(rows[0]) <= 77
    assert set("".join(rows)) == {"0", "1"}


def test_sample_label_script_writes_a_png(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev script the issue notes use still renders its sample."""
    target = tmp_path / "label.png"
    monkeypatch.setattr(sys, "argv", ["render_label_png.py", str(target)])
    runpy.run_path(str(SCRIPTS / "render_label_png.py"), run_name="__main__")
    assert target.read_bytes().startswith(b"\x89PNG")


# --- packing slips ---------------------------------------------------------------------


def test_packing_slip_lists_its_lines_parties_and_return_note() -> None:
    """The buyer sees every line, who sold it, who shipped it and how to send it back."""
    data = slip(3, fulfilled_by="Pasar Fulfilment Center", buyer_name="Budi Santoso")
    text = page_texts(render_packing_slips([data]))[0]
    for expected in (
        "Pasar",
        "SO-2026-000123",
        "PO-2026-000077",
        "2026-03-13",
        "Batik Sekar Jagad",
        "Pasar Fulfilment Center",
        "Budi Santoso",
        "Siti Nurhaliza Rahayu",
        "Gudang Batik Sekar Jagad",
        "BTK-0001",
        "Kemeja batik tulis motif 3",
        "RETURNS",
        "6 units in 3 lines",
    ):
        assert expected in text


def test_packing_slip_barcode_scans_to_the_seller_order_number() -> None:
    """Scanning the slip calls up the SellerOrder."""
    pdf = render_packing_slips([slip(2)])
    assert decode(page_image(pdf, 0))["Code128"] == ["SO-2026-000123"]


def test_a_sixty_line_slip_paginates_with_its_header_on_every_page() -> None:
    """Every line is printed once; each page repeats the order and its barcode."""
    pdf = render_packing_slips([slip(60)])
    texts = page_texts(pdf)
    assert len(texts) >= 2
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {len(texts)}" in text
        assert decode(page_image(pdf, number - 1, scale=2))["Code128"] == ["SO-2026-000123"]
    everything = "\n".join(texts)
    assert [everything.count(f"BTK-{i:04d}\n") for i in range(1, 61)] == [1] * 60
    assert "units in 60 lines" in texts[-1]
    assert all("RETURNS" not in text for text in texts[:-1])


def test_each_slip_starts_a_page_in_the_page_size_asked_for() -> None:
    """Slips never share a page, and Letter paper is honoured."""
    short, long = slip(2), slip(60, seller_order_number="SO-2026-000124")
    pages = len(page_sizes(render_packing_slips([long])))
    pdf = render_packing_slips([short, long], page_size=(612.0, 792.0))
    assert page_sizes(pdf) == [(612.0, 792.0)] * (1 + pages)
    assert "SO-2026-000124" not in page_texts(pdf)[0]


def test_long_item_titles_wrap_inside_their_column() -> None:
    """A title of many words wraps and stays on the page."""
    title = "Kain batik tulis sutra halus motif parang rusak barong " * 6
    pdf = render_packing_slips([slip(lines=(SlipLine(sku="BTK-9", title=title, quantity=1),))])
    width, height = page_sizes(pdf)[0]
    for char, box in char_boxes(pdf, 0):
        assert box[0] >= 0, char
        assert box[2] <= width, char
        assert box[1] >= 0, char
        assert box[3] <= height, char


def test_impossible_slips_are_refused() -> None:
    """A slip with nothing in it, or a line of zero units, is a caller's mistake."""
    with pytest.raises(ValueError, match="has no lines"):
        slip(lines=())
    with pytest.raises(ValueError, match="quantity must be positive"):
        SlipLine(sku="BTK-1", title="Batik", quantity=0)


# --- pick lists ------------------------------------------------------------------------


def _item(
    location: str | None, sku: str, quantity: int, order: str, warehouse_id: int = 1
) -> PickItem:
    return PickItem(
        warehouse_id=warehouse_id,
        location=location,
        sku=sku,
        title=f"Title of {sku}",
        quantity=quantity,
        seller_order_number=order,
    )


def test_pick_rows_add_up_a_sku_across_orders() -> None:
    """One stop per bin and SKU, with the total and what each order needs."""
    rows = build_pick_rows(
        [
            _item("A-2", "BTK-2", 1, "SO-3"),
            _item("A-2", "BTK-2", 3, "SO-1"),
            _item("A-2", "BTK-2", 2, "SO-1"),
        ]
    )
    assert len(rows) == 1
    assert rows[0].quantity == 6
    assert rows[0].orders == (
        OrderQuantity(seller_order_number="SO-1", quantity=5),
        OrderQuantity(seller_order_number="SO-3", quantity=1),
    )


def test_pick_rows_follow_locations_then_skus_with_unlocated_items_last() -> None:
    """Bins in natural order (A-2 before A-10), SKUs within a bin, items without a bin last."""
    rows = build_pick_rows(
        [
            _item(None, "ZZ-1", 1, "SO-1"),
            _item("A-10", "AA-1", 1, "SO-1"),
            _item("A-2", "CC-1", 1, "SO-2"),
            _item(" ", "BB-1", 1, "SO-2"),
            _item("A-2", "BB-9", 1, "SO-3"),
            _item("B-1", "AA-1", 1, "SO-3"),
        ]
    )
    assert [(row.location, row.sku) for row in rows] == [
        ("A-2", "BB-9"),
        ("A-2", "CC-1"),
        ("A-10", "AA-1"),
        ("B-1", "AA-1"),
        (None, "BB-1"),
        (None, "ZZ-1"),
    ]


def test_pick_rows_refuse_mixed_warehouses_and_empty_quantities() -> None:
    """A pick list is one walk through one warehouse, for units that exist."""
    with pytest.raises(ValueError, match="one warehouse"):
        build_pick_rows([_item("A-1", "X", 1, "SO-1"), _item("A-1", "X", 1, "SO-2", 2)])
    with pytest.raises(ValueError, match="quantity 0"):
        build_pick_rows([_item("A-1", "X", 0, "SO-1")])


def _pick_list(items: list[PickItem]) -> PickList:
    return PickList(
        warehouse_id=1,
        warehouse_name="Gudang Yogyakarta (YOG-1)",
        pick_date=date(2026, 3, 14),
        rows=tuple(build_pick_rows(items)),
        batch_name="Due today",
    )


def test_pick_list_pdf_lists_the_rows_in_walking_order_with_totals() -> None:
    """The header counts orders and units; the rows read in the order they are walked."""
    pick_list = _pick_list(
        [
            _item(None, "KOPI-01", 4, "SO-2026-000123"),
            _item("A-10", "BTK-0001", 2, "SO-2026-000123"),
            _item("A-2", "BTK-0002", 1, "SO-2026-000124"),
            _item("A-2", "BTK-0002", 3, "SO-2026-000125"),
        ]
    )
    assert (pick_list.order_count, pick_list.unit_count) == (3, 10)
    text = page_texts(render_pick_list(pick_list))[0]
    assert "Gudang Yogyakarta (YOG-1)" in text
    assert "2026-03-14" in text
    assert "3 orders · 10 units · 3 picks" in text
    positions = [text.index(sku) for sku in ("BTK-0002", "BTK-0001", "KOPI-01")]
    assert positions == sorted(positions)
    assert "SO-2026-000124 \N{MULTIPLICATION SIGN}1" in text
    assert "SO-2026-000125 \N{MULTIPLICATION SIGN}3" in text
    assert "Picked by" in text


def test_a_long_pick_list_paginates() -> None:
    """Every stop is printed once across pages that each carry the header."""
    items = [_item(f"R-{i // 5}", f"SKU-{i:03d}", 1 + i % 4, f"SO-{i % 17}") for i in range(150)]
    texts = page_texts(render_pick_list(_pick_list(items)))
    assert len(texts) > 1
    everything = "\n".join(texts)
    assert [everything.count(f"\nSKU-{i:03d}\n") for i in range(150)] == [1] * 150
    assert all("Pick list" in text and "FOR ORDERS" in text for text in texts)
    assert "Picked by" in texts[-1]


def test_an_empty_pick_list_says_so() -> None:
    """A day with nothing due still prints a page that says there is nothing to pick."""
    text = page_texts(render_pick_list(_pick_list([])))[0]
    assert "Nothing to pick." in text
    assert "0 orders · 0 units · 0 picks" in text


# --- the package ------------------------------------------------------------------------


def test_public_exports_are_deliberate() -> None:
    """Adding or removing an export is a visible, reviewed change."""
    assert set(documents.__all__) == {
        "Dimensions", "DocAddress", "LabelData", "OrderQuantity", "PackingSlip", "PickItem",
        "PickList", "PickRow", "SlipLine", "build_pick_rows", "render_labels",
        "render_packing_slips", "render_pick_list",
    }  # fmt: skip
    assert all(hasattr(documents, name) for name in documents.__all__)


def test_documents_are_plain_frozen_data() -> None:
    """Inputs are immutable values, safe to build once and render from any thread."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        label().weight_grams = 2  # type: ignore[misc]
    assert isinstance(label(), LabelData)
