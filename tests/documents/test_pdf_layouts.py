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
