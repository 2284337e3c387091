"""The match robot over the database, and learning from finance decisions (integration)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.db import Database
from hub.settings import Settings
from hub.tables import (
    AuditEventRow,
    BankTransactionRow,
    CustomerRow,
    OpenItemRow,
    PayerAliasRow,
    PaymentApplicationRow,
)
from matching import learning, robot
from matching.importer import import_statements
from matching.statements.model import BankTransaction, Statement
from tests.matching.builders import ACME_IBAN, OUR_IBAN

D = Decimal


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("O2C_OUTBOX", raising=False)
    return Settings({"hub": {"outbox": str(tmp_path / "outbox")}})


def master_data(db: Database) -> None:
    with db.session() as s:
        s.add_all([
            CustomerRow(customer_id="C001", name="Acme Industries SAS", ibans=[ACME_IBAN],
                        email_domains=[], currency="EUR", sales_rep="marie"),
            CustomerRow(customer_id="C002", name="Bolt GmbH", ibans=[], email_domains=[],
                        currency="EUR", sales_rep="jan"),
        ])
        for invoice_id, customer, amount in [
            ("FA-2026-000101", "C001", "1200.00"), ("FA-2026-000102", "C001", "300.00"),
            ("FA-2026-000201", "C002", "980.00"), ("FA-2026-000202", "C002", "120.00"),
            ("FA-2026-000203", "C002", "120.00"), ("FA-2026-000204", "C002", "640.00"),
        ]:
            s.add(OpenItemRow(invoice_id=invoice_id, customer_id=customer,
                              issue_date=date(2026, 10, 1), due_date=date(2026, 10, 31),
                              currency="EUR", amount=D(amount), open_amount=D(amount),
                              reference=None))


def import_lines(
    db: Database, ref: str, *lines: tuple[str, str | None, str | None, str | None]
) -> None:
    txs = [BankTransaction(account=OUR_IBAN, bank_reference=f"{ref}-{k}",
                           booking_date=date(2026, 11, 2), amount=D(amount), currency="EUR",
                           payer_name=name, payer_iban=iban, remittance=text)
           for k, (amount, name, iban, text) in enumerate(lines)]
    total = sum((t.amount for t in txs), D(0))
    statement = Statement(account=OUR_IBAN, statement_ref=ref, format="camt.053",
                          currency="EUR", statement_date=date(2026, 11, 2),
                          opening_balance=D(0), closing_balance=total, transactions=txs)
    with db.session() as s:
        import_statements(s, [statement], document_sha256=ref.ljust(64, "0"))


def transaction_id(db: Database, reference: str) -> str:
    with db.session() as s:
        return str(s.scalar(select(BankTransactionRow.id).where(
            BankTransactionRow.bank_reference == reference)))


def decide(db: Database, tx_id: str, amounts: dict[str, Decimal]) -> None:
    with db.session() as s:
        learning.split_payment(s, tx_id, amounts, actor="alice")


def statuses(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {t.bank_reference: t.status for t in s.scalars(select(BankTransactionRow))}


def open_amount(db: Database, invoice_id: str) -> Decimal:
    with db.session() as s:
        return s.get(OpenItemRow, invoice_id).open_amount  # type: ignore[union-attr]


def test_robot_moves_transactions_through_their_states(db: Database, settings: Settings):
    master_data(db)
    import_lines(
        db, "S1",
        ("1200.00", "ACME INDUSTRIES", ACME_IBAN, "Facture FA-2026-000101"),
        ("120.00", "BOLT GMBH", None, "VIREMENT"),
        ("-15.00", None, None, "FRAIS TENUE DE COMPTE"),
        ("900.00", "BOLT GMBH", None, "FA-2026-000201 deduction damaged goods"),
    )
    counts = robot.run(db, settings)
    assert counts["auto"] == 2
    assert counts["suggested"] == 1
    assert counts["unmatched"] == 1
    found = statuses(db)
    # Automatic applications are posted at once (the posting export moves them on).
    assert found["S1-0"] == "posted"
    assert found["S1-1"] == "suggested"
    assert found["S1-2"] == "unmatched"
    assert open_amount(db, "FA-2026-000101") == D(0)
    assert open_amount(db, "FA-2026-000201") == D("80.00")
    assert open_amount(db, "FA-2026-000202") == D("120.00")
    with db.session() as s:
        disputes = s.scalars(select(PaymentApplicationRow).where(
            PaymentApplicationRow.kind == "deduction")).all()
        assert [(d.invoice_id, d.applied_amount, d.status) for d in disputes] == [
            ("FA-2026-000201", D("80.00"), "dispute")]
        assert "deduction of 80.00" in disputes[0].reason
        assert "sales rep jan" in disputes[0].reason
        events = s.scalar(select(func.count()).select_from(AuditEventRow).where(
            AuditEventRow.entity_type == "bank_transaction", AuditEventRow.action == "match"))
        assert events == 4
    files = sorted(p.name for p in (Path(settings.core.outbox) / "cash").iterdir())
    assert any("cash-posting" in f for f in files)
    assert robot.run(db, settings)["auto"] == 0  # a second run changes nothing
    assert open_amount(db, "FA-2026-000101") == D(0)


def test_finance_decision_is_learned_by_the_next_statement(db: Database, settings: Settings):
    master_data(db)
    import_lines(db, "S1", ("640.00", "BLT HOLDING INTERNATIONAL", None, "CONTRAT K-7781"))
    robot.run(db, settings)
    assert statuses(db)["S1-0"] != "posted"
    with db.session() as s:
        tx = s.scalar(select(BankTransactionRow).where(BankTransactionRow.bank_reference == "S1-0"))
        learning.reassign(s, tx.id, ["FA-2026-000204"], actor="alice")  # type: ignore[union-attr]
    assert open_amount(db, "FA-2026-000204") == D(0)
    with db.session() as s:
        aliases = s.scalars(select(PayerAliasRow)).all()
        assert [(a.customer_id, a.payer_name) for a in aliases] == [
            ("C002", "BLT HOLDING INTERNATIONAL")]
    # Same payer, no reference: the alias now names the customer, the amount the invoice.
    import_lines(db, "S2", ("980.00", "BLT HOLDING INTERNATIONAL", None, "VIREMENT"),
                 ("300.00", "ACME TREASURY SERVICES", None, "CONTRAT K-7781"))
    robot.run(db, settings)
    found = statuses(db)
    assert found["S2-0"] == "posted"
    assert open_amount(db, "FA-2026-000201") == D(0)
    # The contract number Bolt writes is a habit of Bolt's, not of whoever else writes it.
    assert found["S2-1"] != "posted"


def test_contract_number_habit_identifies_the_customer(db: Database, settings: Settings):
    master_data(db)
    import_lines(db, "S1", ("640.00", "PAYER ONE", None, "CONTRAT K-7781"))
    robot.run(db, settings)
    with db.session() as s:
        tx = s.scalar(select(BankTransactionRow).where(BankTransactionRow.bank_reference == "S1-0"))
        learning.reassign(s, tx.id, ["FA-2026-000204"], actor="alice")  # type: ignore[union-attr]
    import_lines(db, "S2", ("980.00", "SOMEBODY ELSE ENTIRELY", None, "CONTRAT K-7781 NOV"))
    counts = robot.run(db, settings)
    assert counts["auto"] == 1
    assert open_amount(db, "FA-2026-000201") == D(0)


def test_decisions_never_apply_beyond_amounts(db: Database, settings: Settings):
    master_data(db)
    import_lines(db, "S1", ("500.00", "UNKNOWN", None, "VIREMENT"))
    robot.run(db, settings)
    tx_id = transaction_id(db, "S1-0")
    with pytest.raises(learning.DecisionError, match="more than the payment"):
        decide(db, tx_id, {"FA-2026-000101": D("600.00")})
    with pytest.raises(learning.DecisionError, match="has open"):
        decide(db, tx_id, {"FA-2026-000101": D("50.00"), "FA-2026-000102": D("400.00")})
    # The failed decision left nothing behind: the first invoice was not touched either.
    assert open_amount(db, "FA-2026-000101") == D("1200.00")
    assert statuses(db)["S1-0"] in ("suggested", "unmatched")


def test_large_manual_match_needs_a_second_person(db: Database, settings: Settings):
    master_data(db)
    import_lines(db, "S1", ("1200.00", "UNKNOWN", None, "VIREMENT"))
    robot.run(db, settings)
    tx_id = transaction_id(db, "S1-0")
    with pytest.raises(learning.DecisionError, match="second person"), db.session() as s:
        learning.reassign(s, tx_id, ["FA-2026-000101"], actor="alice", four_eyes=D("1000"))
    with db.session() as s:
        learning.reassign(s, tx_id, ["FA-2026-000101"], actor="alice", second="bob",
                          four_eyes=D("1000"))
    assert open_amount(db, "FA-2026-000101") == D(0)
