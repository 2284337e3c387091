"""Committed text-PDF samples against their golden canonical orders."""

from __future__ import annotations

import jsonschema
import pytest

from connectors.documents.pdf import PdfTextExtractor
from hub.documents import RawDocument
from tests.conftest import SAMPLES
from tests.golden import assert_golden

PDFS = sorted((SAMPLES / "pdf").glob("*.pdf"))


@pytest.mark.parametrize("path", PDFS, ids=[p.stem for p in PDFS])
def test_sample_matches_golden(path, order_schema) -> None:
    raw = RawDocument(path.read_bytes(), path.name)
    [order] = PdfTextExtractor().extract(raw)
    data = order.to_json_dict()
    jsonschema.validate(data, order_schema)
    assert_golden(data, path.with_suffix(".json"))
