"""The demo statements: every format, balanced, paying the same open items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from matching.statements import detect, parse
from matching.statements.demo import main, payments_for, statements

OPEN_ITEMS = (
    "invoice_id,customer_id,issue_date,due_date,currency,amount,open_amount,reference\n"
    "F2024-0001,C001,2024-04-01,2024-05-01,EUR,1200.00,1200.00,RF18539007547034\n"
    "F2024-0002,C002,2024-04-02,2024-05-02,USD,80.00,80.00,\n"
    "F2024-0003,C002,2024-04-03,2024-05-03,EUR,345.67,300.00,\n"
)
CUSTOMERS = (
    "customer_id,name,vat_id,siret,gln,ibans,email_domains,credit_limit,currency,"
    "payment_terms_days,sales_rep\n"
    "C001,Boulangerie Martin & Fils,,,,FR7630004000031234567890143,,10000,EUR,30,\n"
)


def test_every_format_pays_the_same_invoices(tmp_path: Path) -> None:
    (tmp_path / "open_items.csv").write_text(OPEN_ITEMS, encoding="utf-8")
    (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    payments = payments_for(tmp_path / "open_items.csv", tmp_path / "customers.csv")
    assert [(p.payer_name, p.amount) for p in payments] == [
        ("Boulangerie Martin & Fils", Decimal("1200.00")), ("C002", Decimal("300.00"))]
    files = statements(payments, date(2024, 5, 15))
    for name, content in files.items():
        (statement,) = parse(content, name)
        assert detect(content) == statement.format
        assert [t.amount for t in statement.transactions] == [Decimal("1200.00"),
                                                              Decimal("300.00")], name
        payer = statement.transactions[0].payer_name
        if statement.format != "bai2":  # BAI2 details carry the payer in their free text
            assert payer == "Boulangerie Martin & Fils", name
        assert "RF18539007547034" in (statement.transactions[0].remittance or ""), name
    assert sorted(files) == ["demo-bai2.txt", "demo-camt053.xml", "demo-camt054.xml",
                             "demo-cfonb120.cfo", "demo-mt940.sta"]


def test_command_writes_the_files(tmp_path: Path) -> None:
    (tmp_path / "open_items.csv").write_text(OPEN_ITEMS, encoding="utf-8")
    assert main([str(tmp_path / "open_items.csv"), str(tmp_path / "out")]) == 0
    assert len(list((tmp_path / "out").iterdir())) == 5
    assert main([]) == 2
