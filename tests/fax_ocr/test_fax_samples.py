"""Committed fax samples (fine G4, standard G3) against their golden orders.

The golden files were checked by hand against the values the generator printed; the
test also checks that no value differing from the printed one carries confidence >= 0.9.
"""

from __future__ import annotations

import jsonschema
import pytest

from connectors.base import Registry
from connectors.fax_ocr.extractor import FaxOcrExtractor
from hub.documents import RawDocument
from hub.model import Order
from tests.conftest import SAMPLES
from tests.fax_ocr.corpus import make_spec, reference
from tests.fax_ocr.make_samples import FAX_SAMPLES
from tests.golden import assert_golden

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module")
def extractor() -> FaxOcrExtractor:
    registry = Registry([FaxOcrExtractor], reference=reference())
    return registry.extractors["fax-ocr"]  # type: ignore[return-value]


@pytest.fixture(scope="module")
def orders(extractor: FaxOcrExtractor) -> dict[str, Order]:
    read = {}
    for name in FAX_SAMPLES:
        path = SAMPLES / "fax" / f"{name}.tif"
        raw = RawDocument(path.read_bytes(), path.name)
        assert extractor.identify(raw)
        [read[name]] = extractor.extract(raw)
    return read


@pytest.mark.parametrize("name", sorted(FAX_SAMPLES))
def test_fax_sample_matches_golden(name: str, orders, order_schema) -> None:
    path = SAMPLES / "fax" / f"{name}.tif"
    data = orders[name].to_json_dict()
    jsonschema.validate(data, order_schema)
    assert data["source"]["channel"] == "fax"
    assert data["source"]["format"] == "tiff-scan"
    assert_golden(data, path.with_suffix(".json"))


@pytest.mark.parametrize("name", sorted(FAX_SAMPLES))
def test_no_wrong_value_is_confident(name: str, orders) -> None:
    seed, layout, _, _ = FAX_SAMPLES[name]
    expected = make_spec(seed, layout).expected()
    order = orders[name]
    data = order.to_json_dict()
    for field in ("buyer_order_number", "order_date", "requested_delivery_date", "total_amount"):
        if data[field] != expected[field]:
            assert order.confidence.get(field, 0) < 0.9, field
    for index, line in enumerate(data["lines"]):
        truth = expected["lines"][index] if index < len(expected["lines"]) else {}
        for field in ("seller_item_code", "quantity", "unit_price", "line_amount"):
            if line[field] != truth.get(field):
                assert order.confidence.get(f"lines[{index}].{field}", 0) < 0.9, (index, field)
    assert set(order.evidence) == set(order.confidence)
