"""Posting export: applied cash and the lettrage journal, written once per application."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from hub import audit, clock
from hub.db import Database
from hub.tables import BankTransactionRow, PaymentApplicationRow
from matching.importer import import_statements
from matching.posting import post_applications, write_postings
from matching.statements import parse
from tests.statements.builders import mt940


def _transactions(db: Database) -> list[str]:
    content = mt940([("240102", "1500.00", "R1"), ("240102", "80.00", "R2")])
    with db.session() as session:
        result = import_statements(session, parse(content, "s.sta"), document_sha256="0" * 64)
    return result.transaction_ids


def _apply(db: Database, transaction_id: str, invoice: str, amount: str, status: str,
           reason: str = "reference F2024-1 in remittance") -> None:
    with db.session() as session:
        session.add(PaymentApplicationRow(
            transaction_id=transaction_id, invoice_id=invoice, applied_amount=Decimal(amount),
            kind="invoice", status=status, rule="reference", reason=reason, confidence=0.97,
            rank=0, proposed_by="robot:match", approved_by=None, created_at=clock.now(),
            decided_at=None, posted_at=None,
        ))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_applied_cash_and_lettrage_written_once(db: Database, tmp_path: Path) -> None:
    first, second = _transactions(db)
    _apply(db, first, "F2024-1", "1000.00", "auto")
    _apply(db, first, "F2024-2", "450.00", "confirmed", "short payment: bank charges 50.00")
    _apply(db, second, "F2024-9", "80.00", "suggested")  # not confirmed: not posted
    with db.session() as session:
        batch = post_applications(session)
    assert batch is not None
    assert batch.transactions_posted == [first]
    out = tmp_path / "outbox"
    assert write_postings(db, out)["sent"] == 2
    cash = _read(out / f"cash-posting-{batch.posting_id}.csv")
    lettrage = _read(out / f"lettrage-{batch.posting_id}.csv")
    assert [(r["transaction_id"], r["invoice_id"], r["applied_amount"], r["amount"])
            for r in cash] == [("R1", "F2024-1", "1000", "1500"), ("R1", "F2024-2", "450", "1500")]
    assert [(r["invoice_id"], r["applied_amount"], r["remainder"], r["reason"])
            for r in lettrage] == [
        ("F2024-1", "1000", "500", "reference F2024-1 in remittance"),
        ("F2024-2", "450", "50", "short payment: bank charges 50.00"),
    ]
    with db.session() as session:
        assert post_applications(session) is None  # nothing new: posted once
        rows = session.execute(select(BankTransactionRow.id, BankTransactionRow.status))
        statuses = dict(list(rows))
        assert statuses == {first: "posted", second: "imported"}
        events = audit.history(session, "bank_transaction", first)
        assert [(e.action, e.actor) for e in events] == [("post", "robot:match")]
    assert write_postings(db, out)["sent"] == 0
    assert len(list(out.iterdir())) == 2


def test_confirming_later_posts_only_the_new_application(db: Database, tmp_path: Path) -> None:
    first, second = _transactions(db)
    _apply(db, first, "F2024-1", "1500.00", "auto")
    with db.session() as session:
        post_applications(session)
    _apply(db, second, "F2024-9", "80.00", "confirmed")
    with db.session() as session:
        batch = post_applications(session, transaction_ids=[second])
    assert batch is not None
    assert len(batch.application_ids) == 1
    write_postings(db, tmp_path)
    lettrage = _read(tmp_path / f"lettrage-{batch.posting_id}.csv")
    assert [(r["transaction_id"], r["remainder"]) for r in lettrage] == [("R2", "0")]


def test_a_failed_transaction_posts_nothing(db: Database) -> None:
    (first, _second) = _transactions(db)
    _apply(db, first, "F2024-1", "1500.00", "auto")
    try:
        with db.session() as session:
            assert post_applications(session) is not None
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with db.session() as session:
        batch = post_applications(session)
    assert batch is not None  # the rolled-back claim left the application unposted
    assert len(batch.application_ids) == 1
