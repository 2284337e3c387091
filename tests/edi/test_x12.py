"""X12 850: golden files for every sample, any separators, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.edi.x12 import X12OrderExtractor
from hub.documents import RawDocument
from hub.errors import BadDocument
from tests.conftest import SAMPLES, SHARED_SAMPLES
from tests.edi.support import assert_valid_orders, outcome, read
from tests.golden import assert_golden

FOLDER = SAMPLES / "x12"
CASES = sorted(FOLDER.glob("*.edi"))
OK = (FOLDER / "nodex12_850.edi").read_text()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_sample_matches_golden(path: Path, order_schema: dict[str, object]) -> None:
    extractor = X12OrderExtractor()
    raw = read(path)
    assert extractor.identify(raw)
    result = outcome(extractor, raw)
    assert_valid_orders(result, order_schema)
    assert_golden(result, path.with_suffix(".json"))


def test_newline_terminated_file_reads_like_the_tilde_one() -> None:
    extractor = X12OrderExtractor()
    tilde = extractor.extract(read(FOLDER / "nodex12_850.edi"))[0].to_json_dict()
    newline = extractor.extract(read(FOLDER / "nodex12_850_2.edi"))[0].to_json_dict()
    for order in (tilde, newline):
        order["source"]["sha256"] = ""
    assert tilde == newline


def _problem(text: str) -> BadDocument:
    extractor = X12OrderExtractor()
    with pytest.raises(BadDocument) as caught:
        extractor.extract(RawDocument(text.encode(), "po.edi"))
    return caught.value


@pytest.mark.parametrize(
    ("change", "location", "reason"),
    [
        (("SE*33*", "SE*32*"), "segment 35 (SE), transaction 000000010", "SE counts '32'"),
        (("PO1*2*220*", "PO1*2*2x0*"), "segment 18 (PO1), transaction 000000010",
         "quantity '2x0' is not a number"),
        (("DTM*002*20101214", "DTM*002*20101314"), "segment 8 (DTM), transaction 000000010",
         "invalid date 2010-13-14"),
        (("PO1*2*220*", "PO1*1*220*"), "segment 18 (PO1), transaction 000000010",
         "duplicate line number 1"),
        (("ST*850*", "ST*810*"), "segment 3 (ST), transaction 000000010",
         "transaction set 810 is not an 850 order"),
        (("CTT*6", "CTT*5"), "segment 33 (CTT), transaction 000000010", "CTT counts 5 lines"),
    ],
)
def test_bad_transaction_names_the_segment(
    change: tuple[str, str], location: str, reason: str
) -> None:
    error = _problem(OK.replace(*change))
    assert error.location == location
    assert error.reason.startswith(reason)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (OK[: OK.index("IEA")], "IEA missing"),
        (OK[: OK.index("SE*")], "SE missing"),
        (OK.replace("IEA*1*", "IEA*2*"), "IEA counts '2' groups"),
        (OK.replace("GE*1*1421", "GE*1*9999"), "GE control number"),
        (OK[:50], "truncated inside ISA"),
    ],
)
def test_bad_interchange_is_refused(text: str, reason: str) -> None:
    assert reason in _problem(text).reason


def test_850_agrees_with_the_node_x12_oracle() -> None:
    """node-x12's expected mapping of 850.edi (MIT, shared samples) against ours."""
    oracle_path = SHARED_SAMPLES / "x12_850" / "expected" / "nodex12_850_map_result.json"
    if not oracle_path.exists():
        pytest.skip(f"shared samples absent: {oracle_path}")
    oracle = json.loads(oracle_path.read_text())
    (order,) = X12OrderExtractor().extract(read(FOLDER / "nodex12_850.edi"))
    assert order.source.document_ref == f"000003438/{oracle['ControlNumber']}"
    assert order.buyer_order_number == oracle["OrderNumber"]
    ship_to = oracle["ShipTo"]
    assert order.ship_to is not None and order.ship_to.address is not None
    assert order.ship_to.name == ship_to["Name"]
    assert order.ship_to.buyer_assigned_id == ship_to["Destination"]
    assert order.ship_to.address.street == ship_to["Address"]
    assert order.ship_to.address.city == ship_to["City"]
    assert order.ship_to.address.postal_code == ship_to["Zip"]
    assert f"N4 state {ship_to['State']}" in order.notes
    assert [str(line.quantity) for line in order.lines] == [
        line["Quantity"] for line in oracle["OrderLines"]]
