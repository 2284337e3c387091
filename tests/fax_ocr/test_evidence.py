"""Evidence crops cut from the raw document with the boxes found at extraction."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from connectors.documents.pdf import PdfTextExtractor
from connectors.fax_ocr.evidence import render_crop, render_crops
from hub.documents import RawDocument
from tests.conftest import SAMPLES


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_crop_of_a_text_pdf_field() -> None:
    path = SAMPLES / "pdf" / "fr_classic.pdf"
    raw = RawDocument(path.read_bytes(), path.name)
    [order] = PdfTextExtractor().extract(raw)
    crop = _image(render_crop(raw, order.evidence["buyer_order_number"]))  # type: ignore[attr-defined]
    # a one-line field: much wider than tall, a small part of the page
    assert crop.width > 3 * crop.height
    assert crop.width < 600


@pytest.mark.ocr
def test_crops_of_a_fax_come_from_the_golden_boxes() -> None:
    path = SAMPLES / "fax" / "fr_classic_fine.tif"
    evidence = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["evidence"]
    raw = RawDocument(path.read_bytes(), path.name)
    crops = {field: _image(png) for field, _, png in render_crops(raw, evidence)}
    assert set(crops) == set(evidence)
    quantity = crops["lines[0].quantity"]
    assert quantity.mode == "1"
    assert quantity.height < 80
    assert quantity.getextrema() == (0, 255)  # ink on paper, not an empty region
