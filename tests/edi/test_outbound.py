"""Outbound messages: CONTRL, 997, ORDRSP and UBL OrderResponse.

Each generated message is compared with its expected file (checked by hand against
ISO 9735 CONTRL, X12 997, EANCOM ORDRSP and PEPPOL BIS Ordering 3) and read back with
o2c's own readers, so every count and control reference is proven consistent.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.edi.delivery import decisions_from, render_order_response
from connectors.edi.edifact import EdifactExtractor
from connectors.edi.edifact_envelope import EdifactMessage, EnvelopeWalker
from connectors.edi.edifact_syntax import detect_syntax
from connectors.edi.outbound import (
    Envelope,
    LineDecision,
    contrl,
    order_decision,
    ordrsp,
    ubl_order_response,
    x12_997,
)
from connectors.edi.partners import acknowledgement_for
from connectors.edi.ubl import UblOrderExtractor
from connectors.edi.x12 import X12OrderExtractor
from connectors.edi.x12_envelope import X12Walker
from hub import outbox, safe_xml
from hub.documents import RawDocument
from hub.model import Order
from tests.conftest import SAMPLES

EXPECTED = Path(__file__).parent / "golden" / "outbound"
NOW = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def _raw(relative: str) -> RawDocument:
    return RawDocument((SAMPLES / relative).read_bytes(), relative)


def _order() -> Order:
    return EdifactExtractor().extract(_raw("edifact/full_mapping_group.edi"))[0]


def _same_as_expected(payload: bytes, name: str) -> None:
    path = EXPECTED / name
    if not path.exists():
        pytest.fail(f"no expected file {path}")
    assert payload.decode() == path.read_text(encoding="utf-8")


def _edifact_messages(payload: bytes) -> list[EdifactMessage]:
    walker = EnvelopeWalker(io.BytesIO(payload), detect_syntax(payload))
    messages = list(walker.messages())
    assert all(m.problem is None for m in messages)
    return messages


def test_contrl_accepts_and_rejects_each_message_with_its_segment() -> None:
    raw = _raw("edifact/multi_message_with_problems.edi")
    extractor = EdifactExtractor()
    payload = contrl(extractor.header(raw), extractor.results(raw), our_reference="ACK1",
                     prepared=NOW)
    _same_as_expected(payload, "contrl_multi_message.edi")
    (message,) = _edifact_messages(payload)
    assert message.type == "CONTRL"


def test_997_rejects_the_syntax_note_violation_and_reads_back() -> None:
    raw = _raw("x12/edieng_850.SyntaxNotes.ERR.edi")
    payload = x12_997(X12OrderExtractor().results(raw), control=42, prepared=NOW)
    _same_as_expected(payload, "997_syntax_notes.x12")
    (transaction,) = X12Walker(payload.decode()).transactions()
    assert transaction.kind == "997"
    assert transaction.problem is None


def test_997_accepts_both_transactions_of_two_interchanges() -> None:
    raw = _raw("x12/nodex12_850_fat.edi")
    payload = x12_997(X12OrderExtractor().results(raw), control=7, prepared=NOW).decode()
    assert "AK9*A*2*2*2~" in payload


def test_ordrsp_answers_line_by_line_and_reads_back() -> None:
    order = _order()
    decisions = {2: LineDecision(2, "changed", quantity=Decimal(10),
                                 delivery_date=date(2025, 3, 20), reason="only 10 kg left")}
    envelope = Envelope("5498765000019", "5412345000013", "RSP1", NOW)
    payload = ordrsp(order, decisions, envelope=envelope, response_number="RSP-1")
    _same_as_expected(payload, "ordrsp_changed.edi")
    (message,) = _edifact_messages(payload)
    assert (message.type, message.version, message.release) == ("ORDRSP", "D", "96A")


def test_ubl_order_response_parses_safely_with_line_statuses() -> None:
    order = _order()
    decisions = {1: LineDecision(1, "rejected", reason="discontinued")}
    payload = ubl_order_response(order, decisions, response_id="R1", issued=date(2025, 3, 12))
    _same_as_expected(payload, "ubl_order_response.xml")
    root = safe_xml.parse(payload)
    assert root.findtext(f"{CBC}OrderResponseCode") == "CA"
    assert [e.text for e in root.iter(f"{CBC}LineStatusCode")] == ["7", "5"]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [(("accepted", "accepted"), "accepted"), (("rejected", "rejected"), "rejected"),
     (("accepted", "rejected"), "changed"), (("changed", "accepted"), "changed")],
)
def test_order_decision(statuses: tuple[str, str], expected: str) -> None:
    order = _order()
    decisions = {
        n: LineDecision(n, s)  # type: ignore[arg-type]
        for n, s in zip((1, 2), statuses, strict=True)
    }
    assert order_decision(order, decisions) == expected


def _response_message(order: Order, payload: dict[str, object]) -> outbox.Message:
    body = {"order_id": "ORD1", "order": {"order_id": "ORD1", **order.to_json_dict()}, **payload}
    return outbox.Message(1, "order-response", "order-response:ORD1", "ORD1", None,
                          json.dumps(body).encode())


def test_rejected_ubl_order_gets_a_ubl_rejection() -> None:
    (order,) = UblOrderExtractor().extract(_raw("ubl/peppol_bis3_order.xml"))
    rendered = render_order_response(
        _response_message(order, {"decision": "rejected", "reason": "customer blocked"}))
    assert rendered is not None
    payload, extension = rendered
    root = safe_xml.parse(payload)
    assert extension == "xml"
    assert root.findtext(f"{CBC}OrderResponseCode") == "RE"
    assert [e.text for e in root.iter(f"{CBC}Note")] == ["customer blocked"] * 2


def test_x12_order_gets_an_855_that_reads_back() -> None:
    (order,) = X12OrderExtractor().extract(_raw("x12/nodex12_850.edi"))
    rendered = render_order_response(_response_message(order, {
        "decision": "accepted",
        "lines": [{"line_number": 2, "status": "rejected", "reason": "discontinued"},
                  {"line_number": 3, "status": "changed", "quantity": "100"}]}))
    assert rendered is not None
    payload, extension = rendered
    assert extension == "x12"
    (transaction,) = X12Walker(payload.decode()).transactions()
    assert (transaction.kind, transaction.problem) == ("855", None)
    acks = [s[1] for s in transaction.segments if s[0] == "ACK"]
    assert acks == ["IA", "IR", "IQ", "IA", "IA", "IA"]
    assert transaction.segments[1][:4] == ["BAK", "00", "AC", "08292233294"]


def test_per_line_decisions_from_the_workbench() -> None:
    order = _order()
    decisions = decisions_from({"decision": "accepted", "lines": [
        {"line_number": 2, "status": "changed", "quantity": "10", "delivery_date": "2025-03-20"}]},
        order)
    assert decisions[1].status == "accepted"
    assert (decisions[2].status, decisions[2].quantity) == ("changed", Decimal(10))
    assert decisions[2].delivery_date == date(2025, 3, 20)


def test_an_interchange_refused_as_a_whole_gets_a_rejecting_contrl() -> None:
    raw = _raw("edifact/pydifact_wikipedia_de.edi")  # UNZ names the wrong reference
    acknowledgement = acknowledgement_for(raw)
    assert acknowledgement is not None
    text = acknowledgement.payload.decode("latin-1")
    assert "UCI+1+Senderkennung+Empfaengerkennung+4+28'" in text
    (message,) = _edifact_messages(acknowledgement.payload)
    assert message.type == "CONTRL"
