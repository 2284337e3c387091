"""Statements into the database through ``o2c ingest``'s intake: once each, quarantined
when bad (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from hub.db import Database
from hub.documents import RawDocument
from hub.intake import IngestReport, ingest
from hub.settings import Settings
from hub.tables import BankTransactionRow, DocumentRow, StatementRow
from matching.importer import StatementHandler
from tests.conftest import SAMPLES
from tests.statements.builders import mt940

OURS = "NL91ABNA0417164300"


def _ingest(db: Database, content: bytes, name: str = "statement.sta",
            accounts: list[str] | None = None) -> IngestReport:
    settings = Settings({"cash": {"accounts": accounts}} if accounts is not None else {})
    return ingest(db, RawDocument(content=content, name=name),
                  handlers=[StatementHandler(settings)])


def _rows(db: Database) -> list[BankTransactionRow]:
    with db.session() as session:
        return list(session.scalars(select(BankTransactionRow).order_by(
            BankTransactionRow.booking_date, BankTransactionRow.bank_reference)))


def test_sample_imports_once(db: Database) -> None:
    content = (SAMPLES / "cfonb120" / "silarhi_complex-test.txt").read_bytes()
    first = _ingest(db, content, "complex.txt")
    assert (first.status, first.format, first.created) == (
        "extracted", "cfonb120", {"transactions": 5})
    again = _ingest(db, content, "complex.txt")
    assert again.status == "duplicate"
    rows = _rows(db)
    assert len(rows) == 5
    assert {r.status for r in rows} == {"imported"}
    assert sorted(r.amount for r in rows)[0] == Decimal("-5000.00")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(StatementRow)) == 8


def test_same_statement_in_another_file_adds_nothing(db: Database) -> None:
    entries = [("240102", "150.00", "R1"), ("240102", "-20.50", "R2")]
    content = mt940(entries)
    assert _ingest(db, content).created == {"transactions": 2}
    resent = _ingest(db, content.replace(b"\r\n", b"\n"), "resent.sta")
    assert (resent.status, resent.created, resent.already) == (
        "extracted", {"transactions": 0}, {"transactions": 2})
    assert len(_rows(db)) == 2


def test_overlapping_statements_give_each_transaction_once(db: Database) -> None:
    daily = mt940([("240102", "150.00", "R1"), ("240102", "-20.50", "R2")], reference="D1")
    monthly = mt940(
        [("240102", "150.00", "R1"), ("240102", "-20.50", "R2"), ("240103", "99.99", "R3")],
        reference="M1",
    )
    _ingest(db, daily, "daily.sta")
    report = _ingest(db, monthly, "monthly.sta")
    assert (report.created, report.already) == ({"transactions": 1}, {"transactions": 2})
    assert [r.bank_reference for r in _rows(db)] == ["R1", "R2", "R3"]


def test_equal_entries_without_reference_are_kept_apart(db: Database) -> None:
    twice = [("240102", "-4.20", "NONREF"), ("240102", "-4.20", "NONREF")]
    _ingest(db, mt940(twice, reference="A"), "a.sta")
    overlap = _ingest(db, mt940([*twice, ("240103", "1.00", "X")], reference="B"), "b.sta")
    assert overlap.created == {"transactions": 1}
    assert [r.bank_reference for r in _rows(db)] == ["NONREF", "NONREF#2", "X"]


def test_statement_for_an_unknown_account_is_quarantined(db: Database) -> None:
    content = mt940([("240102", "150.00", "R1")], account="DE89370400440532013000")
    report = _ingest(db, content, accounts=[OURS])
    assert report.status == "failed"
    assert report.error == (
        "line 2: statement STMT1/1/1 is for account DE89370400440532013000, which is not"
        " one of ours ([cash] accounts)"
    )
    with db.session() as session:
        document = session.scalars(select(DocumentRow)).one()
        assert (document.status, document.error_code) == ("failed", "UNKNOWN_ACCOUNT")
    assert _rows(db) == []


def test_known_account_written_with_spaces_is_accepted(db: Database) -> None:
    content = mt940([("240102", "150.00", "R1")])
    report = _ingest(db, content, accounts=["nl91 abna 0417 1643 00"])
    assert report.status == "extracted"


def test_unbalanced_statement_is_quarantined_with_nothing_written(db: Database) -> None:
    content = mt940([("240102", "150.00", "R1")], closing="1200.00")
    report = _ingest(db, content)
    assert report.status == "failed"
    assert "does not balance" in (report.error or "")
    with db.session() as session:
        assert session.scalars(select(DocumentRow)).one().error_code == "BAD_BALANCE"
        assert session.scalar(select(func.count()).select_from(StatementRow)) == 0
    assert _rows(db) == []


def test_o2c_ingest_command_reads_statements(tmp_path: Path) -> None:
    config = tmp_path / "o2c.toml"
    config.write_text(f'[cash]\naccounts = ["{OURS}"]\n', encoding="utf-8")
    ours = tmp_path / "ours.sta"
    ours.write_bytes(mt940([("240102", "150.00", "R1")]))
    theirs = tmp_path / "theirs.sta"
    theirs.write_bytes(mt940([("240102", "9.00", "R9")], account="DE89370400440532013000"))
    env = {**os.environ, "O2C_DATABASE_URL": f"sqlite:///{tmp_path / 'o2c.db'}",
           "O2C_CONFIG": str(config)}
    done = subprocess.run([str(Path(sys.executable).parent / "o2c"), "ingest", str(ours),
                           str(theirs)], capture_output=True, text=True, env=env, check=False,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (
        f"{theirs}: line 2: statement STMT1/1/1 is for account DE89370400440532013000, which"
        " is not one of ours ([cash] accounts)"
    )
    assert "Traceback" not in done.stderr
    database = Database(f"sqlite:///{tmp_path / 'o2c.db'}")
    try:
        assert [r.bank_reference for r in _rows(database)] == ["R1"]
    finally:
        database.dispose()


def test_every_sample_that_passes_its_checks_imports_once(db: Database) -> None:
    from hub.errors import BadDocument
    from matching.importer import import_statements
    from matching.statements import parse
    from tests.statements.helpers import local_samples

    imported = 0
    for path in local_samples():
        try:
            statements = parse(path.read_bytes(), path.name)
        except BadDocument:
            continue  # fixtures that do not balance are covered by test_samples
        expected = sum(len(s.transactions) for s in statements)
        with db.session() as session:
            first = import_statements(session, statements, document_sha256=path.name)
        with db.session() as session:
            again = import_statements(session, statements, document_sha256=path.name)
        # Some samples repeat another's entries (genkgo's v8 files): "already" then.
        assert first.created + first.already == expected, path.name
        assert (again.created, again.already) == (0, expected), path.name
        imported += first.created
    assert len(_rows(db)) == imported > 100
