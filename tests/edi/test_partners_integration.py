"""EDI partners end to end: ingest, acknowledgement in the outbox, files in the partner's
folder; order responses rendered from the release robot's outbox messages.

Runs on SQLite and, under ``make test``, on PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from connectors.edi.delivery import ORDER_RESPONSE, senders
from connectors.edi.partners import ACKNOWLEDGEMENT
from connectors.intake import OrderHandler
from hub import outbox
from hub.db import Database
from hub.documents import RawDocument
from hub.intake import ingest
from hub.orders import canonical
from hub.tables import EdiPartnerRow, OrderRow, OutboxRow
from tests.conftest import SAMPLES

BUYER = "5412345000013"


def _partner(db: Database, folder: Path, *, acknowledgement: bool = True) -> None:
    with db.session() as session:
        session.add(EdiPartnerRow(partner_id=BUYER, customer_id="C001", syntax="edifact",
                                  version="D96A", acknowledgement=acknowledgement,
                                  order_response=True, outbox=str(folder)))


def _ingest(db: Database, relative: str) -> object:
    raw = RawDocument((SAMPLES / relative).read_bytes(), Path(relative).name, channel="edi")
    return ingest(db, raw, handlers=[OrderHandler()])


def test_interchange_with_bad_messages_is_acknowledged_message_by_message(
    db: Database, tmp_path: Path
) -> None:
    _partner(db, tmp_path / "partner")
    report = _ingest(db, "edifact/multi_message_with_problems.edi")
    assert report.created == {"orders": 2}  # type: ignore[attr-defined]
    assert len(report.problems) == 5  # type: ignore[attr-defined]
    with db.session() as session:
        kinds = list(session.scalars(select(OutboxRow.kind)))
    assert kinds == [ACKNOWLEDGEMENT]
    assert outbox.dispatch(db, senders(db, tmp_path / "outbox"))["sent"] == 1
    (written,) = (tmp_path / "partner").iterdir()
    text = written.read_text(encoding="latin-1")
    assert "UCI+MX1+5412345000013:14+5498765000019:14+7'" in text
    assert "UCM+A4+ORDERS:D:96A:UN:EAN008+4+29'" in text
    assert "UCM+A7+ORDERS:D:96A:UN:EAN008+7'" in text


def test_no_acknowledgement_for_a_partner_that_wants_none(db: Database, tmp_path: Path) -> None:
    _partner(db, tmp_path / "partner", acknowledgement=False)
    _ingest(db, "edifact/multi_message_with_problems.edi")
    with db.session() as session:
        assert list(session.scalars(select(OutboxRow.kind))) == []


def test_the_same_interchange_twice_is_acknowledged_once(db: Database, tmp_path: Path) -> None:
    _partner(db, tmp_path / "partner")
    _ingest(db, "edifact/multi_message_with_problems.edi")
    _ingest(db, "edifact/multi_message_with_problems.edi")
    with db.session() as session:
        assert len(list(session.scalars(select(OutboxRow.id)))) == 1


def test_x12_partner_gets_a_997(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        session.add(EdiPartnerRow(partner_id="4405197800", syntax="x12", acknowledgement=True,
                                  order_response=False, outbox=str(tmp_path / "x12")))
    _ingest(db, "x12/nodex12_850.edi")
    outbox.dispatch(db, senders(db, tmp_path / "outbox"))
    (written,) = (tmp_path / "x12").iterdir()
    assert "AK9*A*1*1*1~" in written.read_text()


def test_order_response_is_rendered_as_ordrsp_in_the_partner_folder(
    db: Database, tmp_path: Path
) -> None:
    _partner(db, tmp_path / "partner", acknowledgement=False)
    _ingest(db, "edifact/full_mapping_group.edi")
    with db.session() as session:
        row = session.scalars(
            select(OrderRow).where(OrderRow.buyer_order_number == "PO-2025-0001",
                                   OrderRow.document_type == "order")).one()
        placed = {"order_id": row.id, **canonical(session, row).to_json_dict()}
        payload = {"order_id": row.id, "decision": "accepted", "reason": None, "order": placed,
                   "lines": [{"line_number": 2, "status": "changed", "quantity": "10"}]}
        outbox.put(session, kind=ORDER_RESPONSE, dedupe_key=f"{ORDER_RESPONSE}:{row.id}",
                   subject_id=row.id, payload=json.dumps(payload).encode(), target=BUYER)
    assert outbox.dispatch(db, senders(db, tmp_path / "outbox"))["sent"] == 1
    (written,) = (tmp_path / "partner").iterdir()
    text = written.read_text(encoding="latin-1")
    assert "BGM+231+R" in text and "RFF+ON:PO-2025-0001'" in text
    assert "LIN+1+5+4006381333931:EN'" in text
    assert "LIN+2+3+4006381333948:EN'" in text and "QTY+21:10:KGM'" in text


def test_an_interchange_refused_whole_gets_a_rejecting_contrl(
    db: Database, tmp_path: Path
) -> None:
    _partner(db, tmp_path / "partner")
    sample = (SAMPLES / "edifact/multi_message_with_problems.edi").read_bytes()
    truncated = sample[: sample.rindex(b"UNZ")]  # the interchange ends without UNZ
    report = ingest(db, RawDocument(truncated, "truncated.edi", channel="edi"),
                    handlers=[OrderHandler()])
    assert report.status == "failed"
    assert outbox.dispatch(db, senders(db, tmp_path / "outbox"))["sent"] == 1
    (written,) = (tmp_path / "partner").iterdir()
    text = written.read_text(encoding="latin-1")
    uci = text.split("UCI+", 1)[1].split("'", 1)[0]
    assert "CONTRL" in text
    assert uci.split("+")[3] == "4"  # action 4: the interchange is rejected
