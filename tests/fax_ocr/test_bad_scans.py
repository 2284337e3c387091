"""Scans that must end as an exception with their reason, and the formats besides TIFF."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from connectors.base import Registry
from connectors.documents.pdf import PdfTextExtractor
from connectors.fax_ocr.extractor import FaxOcrExtractor, OcrSettings
from connectors.fax_ocr.ocr import OcrTimeout
from hub.documents import RawDocument
from hub.errors import BadDocument, NotAnOrder
from tests.fax_ocr.corpus import make_spec, reference
from tests.fax_ocr.degrade import FINE, fax_order, fax_tiff, rasterise
from tests.fax_ocr.render import cover_sheet_pdf, letter_pdf, render_pdf

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry([PdfTextExtractor, FaxOcrExtractor], reference=reference())


def _extract(registry: Registry, content: bytes, name: str = "fax.tif") -> list:
    return registry.extract(RawDocument(content, name))


def test_blank_pages(registry: Registry) -> None:
    blank = Image.new("1", (1728, 2292), 1)
    with pytest.raises(BadDocument, match="every page is blank"):
        _extract(registry, fax_tiff([blank, blank]))


def test_letter_is_not_an_order(registry: Registry) -> None:
    with pytest.raises(NotAnOrder, match=r"fax.tif: .*holds no order"):
        _extract(registry, fax_order(letter_pdf(), "Boulangerie Martin", 3))


def test_cover_sheet_is_not_an_order(registry: Registry) -> None:
    with pytest.raises(NotAnOrder):
        _extract(registry, fax_order(cover_sheet_pdf(), "Garage Dupont", 4))


def test_upside_down_page_is_turned_and_read(registry: Registry) -> None:
    spec = make_spec(9, "en_classic")
    [order] = _extract(registry, fax_order(render_pdf(spec), "X", 9, upside_down=True))
    assert order.buyer_order_number == spec.number
    assert order.evidence["buyer_order_number"]["turn"] == 180


def test_sideways_page_is_turned_and_read(registry: Registry) -> None:
    spec = make_spec(9, "en_classic")
    page = rasterise(render_pdf(spec), FINE)[0].convert("1").rotate(90, expand=True)
    [order] = _extract(registry, fax_tiff([page]))
    assert order.buyer_order_number == spec.number
    assert order.evidence["buyer_order_number"]["turn"] == 90


def test_unreadable_page(registry: Registry) -> None:
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    for i in range(0, 2000, 37):  # scribbles: ink, but no text either way up
        draw.arc((100 + i % 500, i, 900 + i % 700, i + 300), 10, 300, fill=0, width=5)
    with pytest.raises(BadDocument, match="page 1: page does not read"):
        _extract(registry, fax_tiff([image.convert("1")]))


def test_ocr_time_limit() -> None:
    extractor = FaxOcrExtractor()
    extractor.settings = OcrSettings(page_timeout=0.05)
    tiff = fax_order(render_pdf(make_spec(6)), "X", 6)
    with pytest.raises(OcrTimeout, match=r"page 1: OCR passed its 0.05 s limit"):
        extractor.extract(RawDocument(tiff, "slow.tif"))


def test_image_only_pdf_and_png_are_read_by_ocr_only(registry: Registry) -> None:
    spec = make_spec(10, "fr_compact")
    page = rasterise(render_pdf(spec), FINE)[0].convert("1")
    pdf, png = io.BytesIO(), io.BytesIO()
    page.save(pdf, format="PDF", resolution=204)
    page.save(png, format="PNG")
    for content, name, format in ((pdf.getvalue(), "scan.pdf", "pdf-scan"),
                                  (png.getvalue(), "photo.png", "image-scan")):
        raw = RawDocument(content, name, channel="email")
        assert registry.identify(raw).name == "fax-ocr"
        [order] = registry.extract(raw)
        assert order.buyer_order_number == spec.number
        assert order.source.format == format
        assert order.source.channel == "email"


def test_text_pdf_is_never_claimed_by_ocr(registry: Registry) -> None:
    raw = RawDocument(render_pdf(make_spec(1)), "po.pdf")
    assert registry.identify(raw).name == "pdf-text"
