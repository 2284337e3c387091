"""Golden files: every EDIFACT sample against its expected canonical JSON.

Expected files were written by hand from the samples and checked segment by segment
against UN/EDIFACT D96A/D01B ORDERS and EANCOM: see the notes in each case.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.edi.edifact import EdifactExtractor
from hub.documents import RawDocument
from tests.conftest import SAMPLES, SHARED_SAMPLES
from tests.edi.support import assert_valid_orders, outcome, read
from tests.golden import assert_golden

OWN = SAMPLES / "edifact"
SHARED = SHARED_SAMPLES / "edifact_orders"
GOLDEN = Path(__file__).parent / "golden"

OWN_CASES = sorted(p.name for p in OWN.glob("*.edi"))
# AGPL samples stay in the shared folder; their expected JSON lives here.
SHARED_CASES = [
    "oca_Retail_EDIFACT_ORDERS_sample1.txt",
    "oca_Retail_EDIFACT_ORDERS_sample2.txt",
    "oca_test_orders_no_PRI_segments.txt",
    "oca_test_orders_no_ean_in_LIN_segments.txt",
]


@pytest.fixture
def extractor() -> EdifactExtractor:
    return EdifactExtractor()


@pytest.mark.parametrize("name", OWN_CASES)
def test_own_sample_matches_golden(
    name: str, extractor: EdifactExtractor, order_schema: dict[str, object]
) -> None:
    raw = read(OWN / name)
    assert extractor.identify(raw)
    result = outcome(extractor, raw)
    assert_valid_orders(result, order_schema)
    assert_golden(result, (OWN / name).with_suffix(".json"))


@pytest.mark.parametrize("name", SHARED_CASES)
def test_shared_sample_matches_golden(
    name: str, extractor: EdifactExtractor, order_schema: dict[str, object]
) -> None:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared samples absent: {path}")
    raw = read(path)
    assert extractor.identify(raw)
    result = outcome(extractor, raw)
    assert_valid_orders(result, order_schema)
    assert_golden(result, GOLDEN / f"{name}.json")


def test_no_pri_sample_maps_once_its_unt_count_is_corrected(
    extractor: EdifactExtractor, order_schema: dict[str, object]
) -> None:
    """The OCA sample states UNT+267 for 21 segments: refused as sent (golden above),
    read in full once the count is right, so its mapping is checked too."""
    path = SHARED / "oca_test_orders_no_PRI_segments.txt"
    if not path.exists():
        pytest.skip(f"shared samples absent: {path}")
    content = path.read_bytes().replace(b"UNT+267+", b"UNT+21+")
    result = outcome(extractor, RawDocument(content, path.name, channel="edi"))
    assert_valid_orders(result, order_schema)
    assert_golden(result, GOLDEN / "oca_test_orders_no_PRI_segments.unt-corrected.json")
