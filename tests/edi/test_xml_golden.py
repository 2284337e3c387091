"""Golden files for UBL and Order-X orders, own samples and the shared ones.

Expected files were written from the samples and checked against UBL 2.1 Order,
PEPPOL BIS Ordering 3 and Order-X 1.0 (CII D20B): see the notes in each file.
"""

from __future__ import annotations

from pathlib import Path

import facturx
import pytest

from connectors.base import Extractor
from connectors.edi.orderx import OrderXExtractor, level
from connectors.edi.ubl import UblOrderExtractor
from hub import safe_xml
from tests.conftest import SAMPLES, SHARED_SAMPLES
from tests.edi.support import assert_valid_orders, outcome, read
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
OWN_UBL = sorted((SAMPLES / "ubl").glob("*.xml"))
SHARED = [
    (UblOrderExtractor, "ubl_order/oca_UBL-Order-2.1-Example.xml"),
    (UblOrderExtractor, "ubl_order/oca_UBL-Order-2.0-Example.xml"),
    (UblOrderExtractor, "ubl_order/oca_UBL-Order-2.0-Example_no-party-name.xml"),
    (OrderXExtractor, "orderx/orderx_basic.xml"),
    (OrderXExtractor, "orderx/orderx_comfort.xml"),
]


@pytest.mark.parametrize("path", OWN_UBL, ids=lambda p: p.name)
def test_own_ubl_sample_matches_golden(path: Path, order_schema: dict[str, object]) -> None:
    extractor = UblOrderExtractor()
    raw = read(path)
    assert extractor.identify(raw)
    assert not OrderXExtractor().identify(raw)
    result = outcome(extractor, raw)
    assert_valid_orders(result, order_schema)
    assert_golden(result, path.with_suffix(".json"))


@pytest.mark.parametrize(("kind", "relative"), SHARED, ids=[s[1] for s in SHARED])
def test_shared_xml_sample_matches_golden(
    kind: type[Extractor], relative: str, order_schema: dict[str, object]
) -> None:
    path = SHARED_SAMPLES / relative
    if not path.exists():
        pytest.skip(f"shared samples absent: {path}")
    extractor = kind()
    raw = read(path)
    assert extractor.identify(raw)
    result = outcome(extractor, raw)
    assert_valid_orders(result, order_schema)
    assert_golden(result, GOLDEN / f"{path.name}.json")


@pytest.mark.parametrize("name", ["orderx_basic.xml", "orderx_comfort.xml"])
def test_orderx_profile_agrees_with_the_factur_x_library(name: str) -> None:
    path = SHARED_SAMPLES / "orderx" / name
    if not path.exists():
        pytest.skip(f"shared samples absent: {path}")
    root = safe_xml.parse(path.read_bytes())
    assert facturx.get_flavor(root) == "order-x"
    assert facturx.get_level(root) == level(root)
    assert facturx.xml_check_xsd(path.read_bytes(), flavor="order-x", level=level(root))
