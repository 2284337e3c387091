"""Text-PDF orders of every generated layout read back to the values they print."""

from __future__ import annotations

import pytest

from connectors.documents.pdf import PdfTextExtractor
from hub.documents import RawDocument
from tests.fax_ocr.corpus import LAYOUTS, make_spec
from tests.fax_ocr.render import render_pdf
from tests.fax_ocr.scoring import header_values, line_values

SEEDS = range(8)


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_pdf_reads_back(seed: int, order_schema: dict) -> None:
    import jsonschema

    spec = make_spec(seed)
    raw = RawDocument(render_pdf(spec), f"order-{seed}.pdf", channel="email")
    extractor = PdfTextExtractor()
    assert extractor.identify(raw)
    [order] = extractor.extract(raw)
    data = order.to_json_dict()
    jsonschema.validate(data, order_schema)
    expected = spec.expected()
    assert header_values(data) == {k: expected[k] for k in header_values(data)}
    assert line_values(data) == [
        (line["seller_item_code"], line["quantity"], line["unit_price"])
        for line in expected["lines"]
    ]
    assert data["source"] == {**data["source"], "channel": "email", "format": "pdf-text"}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_arithmetic_checks_confirm_lines_and_total(layout: str) -> None:
    spec = make_spec(3, layout)
    [order] = PdfTextExtractor().extract(RawDocument(render_pdf(spec), "po.pdf"))
    assert order.confidence["total_amount"] == 1.0
    for index in range(len(order.lines)):
        assert order.confidence[f"lines[{index}].quantity"] == 1.0
        assert order.confidence[f"lines[{index}].unit_price"] == 1.0
    assert order.low_confidence == []  # type: ignore[attr-defined]


def test_evidence_boxes_are_page_fractions() -> None:
    spec = make_spec(1, "en_classic")
    [order] = PdfTextExtractor().extract(RawDocument(render_pdf(spec), "po.pdf"))
    evidence = order.evidence  # type: ignore[attr-defined]
    assert set(evidence) == set(order.confidence)
    for entry in evidence.values():
        x0, y0, x1, y1 = entry["box"]
        assert entry["page"] == 1
        assert 0 <= x0 < x1 <= 1
        assert 0 <= y0 < y1 <= 1
    # the order number is printed in the upper right quarter of the page
    box = evidence["buyer_order_number"]["box"]
    assert box[0] > 0.5
    assert box[3] < 0.25


def test_lines_table_continued_on_a_second_page() -> None:
    from decimal import Decimal

    from tests.fax_ocr.render import Sheet, fr_number, fr_quantity

    spec = make_spec(21, "fr_classic")
    lines = spec.lines * 6
    sheet = Sheet()
    sheet.text(40, 50, spec.buyer["name"], 14, bold=True)
    sheet.text(330, 75, f"N° de commande : {spec.number}")

    def header(y: float) -> None:
        for x, label, align in ((40, "Réf.", "left"), (110, "Désignation", "left"),
                                (360, "Qté", "right"), (470, "PU HT", "right"),
                                (555, "Montant HT", "right")):
            sheet.text(x, y, label, bold=True, align=align)

    y = 240.0
    header(y)
    for line in lines:
        if y > 780:
            sheet.text(40, 820, "Suite page suivante")
            sheet.canvas.showPage()
            y = 60
            header(y)
        y += 18
        sheet.text(40, y, line["code"])
        sheet.text(110, y, line["description"])
        sheet.text(360, y, fr_quantity(line["quantity"]), align="right")
        sheet.text(470, y, fr_number(line["price"]), align="right")
        sheet.text(555, y, fr_number(line["amount"]), align="right")
    total = sum((line["amount"] for line in lines), Decimal(0))
    sheet.text(380, y + 20, "Total HT", bold=True)
    sheet.text(555, y + 20, fr_number(total), align="right")
    [order] = PdfTextExtractor().extract(RawDocument(sheet.done(), "two-pages.pdf"))
    assert [line.seller_item_code for line in order.lines] == [line["code"] for line in lines]
    assert {order.evidence[f"lines[{i}].quantity"]["page"] for i in (0, 41)} == {1, 2}  # type: ignore[attr-defined]
    assert order.total_amount == total
    assert order.confidence["total_amount"] == 1.0
