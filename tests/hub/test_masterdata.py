"""Master data files: the contract's formats, upserts, one line per bad row."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from hub.db import Database
from hub.masterdata import load_folder
from hub.tables import CustomerRow, OpenItemRow, PayerAliasRow, ProductRow

CUSTOMERS = (
    "customer_id,name,vat_id,siret,gln,ibans,email_domains,credit_limit,currency,"
    "payment_terms_days,sales_rep,blocked\n"
    "C001,Boulangerie Martin SARL,FR40303265045,30326504500017,3012345000010,"
    "FR7630006000011234567890189|DE89370400440532013000,martin.fr|boulangerie-martin.fr,"
    "15000.00,EUR,30,rep1,\n"
    "C002,Hôtel du Lac,,,,,lac.fr,5000,EUR,45,rep2,1\n"
)
PRODUCTS = (
    "sku,gtin,description,unit,unit_price,currency,active,lead_time_days\n"
    "FAR-T65-25,3012345678901,Farine T65 25 kg,C62,18.90,EUR,1,2\n"
    "LEV-500,,Levure 500 g,C62,3.456789,EUR,0,\n"
)
OPEN_ITEMS = (
    "invoice_id,customer_id,issue_date,due_date,currency,amount,open_amount,reference\n"
    "F2026-0001,C001,2026-10-01,2026-10-31,EUR,1200.00,1200.00,RF18539007547034\n"
    "F2026-0002,C009,2026-10-01,2026-10-31,EUR,10.00,10.00,\n"
    "F2026-0003,C001,2026-10-01,2026-10-31,EUR,-5.00,-5.00,\n"
    "F2026-0001,C001,2026-10-01,2026-10-31,EUR,1.00,1.00,\n"
    "F2026-0004,C002,2026-13-01,2026-10-31,EUR,1.00,1.00,\n"
)


def _write(folder: Path, **files: str) -> Path:
    for name, content in files.items():
        (folder / f"{name}.csv").write_text(content, encoding="utf-8")
    return folder


def test_contract_files_load_with_exact_amounts(db: Database, tmp_path: Path) -> None:
    _write(tmp_path, customers=CUSTOMERS, products=PRODUCTS)
    with db.session() as session:
        report = load_folder(session, tmp_path)
    assert report.problems == []
    assert report.loaded == {"customers.csv": 2, "products.csv": 2}
    with db.session() as session:
        martin = session.get(CustomerRow, "C001")
        lac = session.get(CustomerRow, "C002")
        yeast = session.get(ProductRow, "LEV-500")
    assert martin is not None and lac is not None and yeast is not None
    assert martin.ibans == ["FR7630006000011234567890189", "DE89370400440532013000"]
    assert martin.credit_limit == Decimal("15000") and not martin.blocked
    assert lac.blocked and lac.name == "Hôtel du Lac"
    assert yeast.unit_price == Decimal("3.456789") and yeast.lead_time_days == 0
    assert not yeast.active


def test_loading_again_updates_rows_in_place(db: Database, tmp_path: Path) -> None:
    _write(tmp_path, customers=CUSTOMERS)
    with db.session() as session:
        load_folder(session, tmp_path)
    _write(tmp_path, customers=CUSTOMERS.replace("15000.00", "20000.00"))
    with db.session() as session:
        load_folder(session, tmp_path)
    with db.session() as session:
        rows = list(session.scalars(select(CustomerRow)))
    assert len(rows) == 2
    assert next(r for r in rows if r.customer_id == "C001").credit_limit == Decimal("20000")


def test_bad_open_items_are_reported_one_line_each(db: Database, tmp_path: Path) -> None:
    _write(tmp_path, customers=CUSTOMERS, open_items=OPEN_ITEMS)
    with db.session() as session:
        report = load_folder(session, tmp_path)
    assert report.problems == [
        "open_items.csv: row 3: unknown customer C009",
        "open_items.csv: row 4: negative amount on invoice F2026-0003",
        "open_items.csv: row 5: duplicate F2026-0001",
        "open_items.csv: row 6: column issue_date: '2026-13-01' is not a date (YYYY-MM-DD)",
    ]
    with db.session() as session:
        assert [i.invoice_id for i in session.scalars(select(OpenItemRow))] == ["F2026-0001"]


def test_missing_columns_refuse_the_file(db: Database, tmp_path: Path) -> None:
    _write(tmp_path, products="sku,description\nA,B\n")
    with db.session() as session:
        report = load_folder(session, tmp_path)
    assert report.problems == [
        "products.csv: missing column(s) gtin, unit, unit_price, currency, active"]


def test_history_becomes_payer_aliases_once(db: Database, tmp_path: Path) -> None:
    _write(tmp_path, customers=CUSTOMERS,
           history="payer_name,payer_iban,customer_id\nMARTIN BOULANGERIE,,C001\n")
    for _ in range(2):
        with db.session() as session:
            load_folder(session, tmp_path)
    with db.session() as session:
        aliases = list(session.scalars(select(PayerAliasRow)))
    assert [(a.payer_name, a.customer_id) for a in aliases] == [("MARTIN BOULANGERIE", "C001")]
