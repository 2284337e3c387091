"""An order change applied to its order: what the EDI channel extracts is exactly what the
validation robot's change rule needs (the original PO number, line numbers, actions)."""

from __future__ import annotations

from decimal import Decimal

from connectors.edi.edifact import EdifactExtractor
from connectors.edi.ubl import UblOrderExtractor
from hub.documents import RawDocument
from robots.validation_changes import apply_change
from tests.conftest import SAMPLES

DELETE_LINE_2 = (
    "UNB+UNOC:3+5412345000013:14+5498765000019:14+250311:0900+CHG2'"
    "UNH+1+ORDCHG:D:96A:UN:EAN008'BGM+230+CHG-0002+4'DTM+137:20250311:102'"
    "RFF+ON:PO-2025-0001'NAD+BY+5412345000013::9'"
    "LIN+2+2+4006381333948:EN'QTY+21:12.5:KGM'UNS+S'UNT+9+1'UNZ+1+CHG2'"
)


def _edifact(content: bytes) -> list:
    return EdifactExtractor().extract(RawDocument(content, "x.edi"))


def test_ordchg_changes_the_quantity_of_its_order_line() -> None:
    original, change, _cancel = _edifact((SAMPLES / "edifact" / "full_mapping_group.edi")
                                         .read_bytes())
    assert change.document_type == "order_change"
    assert change.buyer_order_number == original.buyer_order_number == "PO-2025-0001"
    changed = apply_change(original, change)
    assert changed is not None
    assert [(line.line_number, line.quantity) for line in changed.lines] == [
        (1, Decimal(30)), (2, Decimal("12.5"))]
    assert changed.lines[0].unit_price == Decimal("7.50")


def test_ordchg_deleting_a_line_removes_it() -> None:
    original = _edifact((SAMPLES / "edifact" / "full_mapping_group.edi").read_bytes())[0]
    (change,) = _edifact(DELETE_LINE_2.encode())
    assert change.lines[0].model_extra == {"action": "delete"}
    changed = apply_change(original, change)
    assert changed is not None
    assert [line.line_number for line in changed.lines] == [1]


def test_ubl_order_change_applies_to_the_peppol_order() -> None:
    extractor = UblOrderExtractor()
    (original,) = extractor.extract(
        RawDocument((SAMPLES / "ubl" / "peppol_bis3_order.xml").read_bytes(), "o.xml"))
    (change,) = extractor.extract(
        RawDocument((SAMPLES / "ubl" / "order_change_prefixed.xml").read_bytes(), "c.xml"))
    changed = apply_change(original, change)
    assert changed is not None
    assert changed.lines[0].quantity == Decimal(30)
    assert changed.lines[1].quantity == Decimal("12.5")
