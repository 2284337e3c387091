"""A small, real data set for the workbench tests: master data, a PDF order with an
unknown product (through the validation robot), an EDI order, a failed document,
payments with proposals, and one user per role."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from hub import clock, queue, store
from hub.db import Database
from hub.documents import RawDocument
from hub.masterdata import load_folder
from hub.model import Order
from hub.settings import Settings
from hub.tables import BankTransactionRow, EvidenceRow, PaymentApplicationRow, UserRow
from robots import validate
from ui import security

PASSWORD = "correct horse battery"
USERS = {"adv1": "adv", "fin1": "finance", "fin2": "finance", "rep1": "sales",
         "rep2": "sales", "it1": "it", "boss": "admin"}
UNKNOWN_GTIN = "9999999999994"

MASTER = {
    "customers.csv": (
        "customer_id,name,vat_id,siret,gln,ibans,email_domains,credit_limit,currency,"
        "payment_terms_days,sales_rep\n"
        "C001,Acme Retail,,,3012345000010,FR7630006000011234567890189,acme.example,50000,EUR,"
        "30,rep1\n"
        "C002,Bistro Nord,,,3012345000027,,bistro.example,20000,EUR,30,rep2\n"),
    "customer_addresses.csv": (
        "customer_id,address_id,kind,name,street,postal_code,city,country,gln\n"
        "C001,S1,ship_to,Acme Depot,1 rue du Port,59000,Lille,FR,\n"
        "C001,B1,bill_to,Acme Retail,1 rue du Port,59000,Lille,FR,\n"
        "C002,S2,ship_to,Bistro Nord,2 place Verte,59800,Lille,FR,\n"),
    "products.csv": (
        "sku,gtin,description,unit,unit_price,currency,active\n"
        "SKU-100,3012345678901,Widget blue,C62,12.40,EUR,1\n"
        "SKU-200,4000862141404,Gadget red,C62,20.00,EUR,1\n"),
    "open_items.csv": (
        "invoice_id,customer_id,issue_date,due_date,currency,amount,open_amount,reference\n"
        "INV-1,C001,2026-10-01,2026-10-31,EUR,9000.00,9000.00,\n"
        "INV-2,C001,2026-10-05,2026-11-04,EUR,7000.00,7000.00,\n"
        "INV-3,C002,2026-10-07,2026-11-06,EUR,500.00,500.00,\n"),
}


@dataclass(frozen=True)
class Seeded:
    """Ids the tests act on."""

    pdf_order: str
    edi_order: str
    other_rep_order: str
    failed_document: str
    pdf_document: str
    suggested_payment: str
    big_payment: str


def pdf_bytes() -> bytes:
    """A one-page order as a text PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.drawString(72, 780, "PURCHASE ORDER PO-PDF-1   Acme Retail")
    page.drawString(72, 740, f"1  {UNKNOWN_GTIN}  Widget green   4 x 12.40")
    page.save()
    return out.getvalue()


def _order(po: str, sha: str, channel: str, gln: str, gtin: str) -> Order:
    return Order.model_validate({
        "buyer_order_number": po, "order_date": "2026-11-20", "currency": "EUR",
        "buyer": {"name": "Acme Retail", "gln": gln},
        "lines": [{"line_number": 1, "gtin": gtin, "description": "Widget green",
                   "quantity": "4", "unit": "C62", "unit_price": "12.40"}],
        "source": {"channel": channel, "format": "test", "sha256": sha,
                   "sender": "5412345000013" if channel == "edi" else "orders@acme.example"},
    })


def seed(db: Database, folder: Path) -> Seeded:
    """Fill ``db`` with the data set (``folder`` holds the master-data CSV files)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in MASTER.items():
        (folder / name).write_text(text, encoding="utf-8")
    hashed = security.hash_password(PASSWORD)  # one hash (salted once) keeps seeding quick
    with db.session() as session:
        load_folder(session, folder)
        for name, role in USERS.items():
            session.add(UserRow(username=name, password_hash=hashed,
                                role=role, active=True, created_at=clock.now()))
    documents = _documents(db)
    orders = _orders(db, documents)
    validate.run(db, Settings({}))
    payments = _payments(db)
    return Seeded(orders[0], orders[1], orders[2], documents["failed"], documents["pdf"],
                  *payments)


def _documents(db: Database) -> dict[str, str]:
    raws = {
        "pdf": RawDocument(content=pdf_bytes(), name="po-pdf-1.pdf", channel="email"),
        "edi": RawDocument(content=b"UNA:+.? 'UNB+UNOC:3+5412345000013:14+3012345000001:14+"
                           b"261120:1030+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO-EDI-1+9'UNT+3+1'"
                           b"UNZ+1+1'", name="po-edi-1.edi", channel="edi"),
        "other": RawDocument(content=b"po;PO-C2\n", name="po-c2.csv", channel="file"),
        "failed": RawDocument(content=b"%PDF-1.4 broken", name="broken.pdf", channel="folder"),
    }
    ids = {}
    with db.session() as session:
        for key, raw in raws.items():
            row = store.store(session, raw).document
            ids[key], ids[f"{key}-sha"] = row.id, row.sha256
        store.mark(session, ids["failed"], "failed", error="broken.pdf: page 1: no PDF trailer",
                   error_code="UNREADABLE_DOCUMENT")
    return ids


def _orders(db: Database, documents: dict[str, str]) -> list[str]:
    made = [
        _order("PO-PDF-1", documents["pdf-sha"], "email", "3012345000010", UNKNOWN_GTIN),
        _order("PO-EDI-1", documents["edi-sha"], "edi", "3012345000010", UNKNOWN_GTIN),
        _order("PO-C2", documents["other-sha"], "file", "3012345000027", UNKNOWN_GTIN),
    ]
    with db.session() as session:
        created = queue.enqueue(session, made, actor="test").created
        session.add(EvidenceRow(document_sha256=documents["pdf-sha"], order_id=created[0],
                                field="lines[0].gtin", page=1, box=[0.08, 0.105, 0.5, 0.13],
                                media_type="image/png", content=None))
    return created


def _payments(db: Database) -> tuple[str, str]:
    now = clock.now()

    def transaction(ident: str, amount: str, status: str, payer: str) -> BankTransactionRow:
        return BankTransactionRow(
            id=ident, account="FR7630001007941234567890185", bank_reference=f"REF-{ident}",
            booking_date=date(2026, 11, 20), value_date=date(2026, 11, 20),
            amount=Decimal(amount), currency="EUR", payer_name=payer,
            payer_iban="FR7630006000011234567890189", remittance=f"payment {ident}",
            status=status, confidence=0.6, reason="proposal" if status == "suggested" else
            "no invoice found", customer_id=None, imported_at=now)

    with db.session() as session:
        session.add(transaction("TRX-S1", "500.00", "suggested", "BISTRO NORD"))
        session.add(transaction("TRX-BIG", "16000.00", "unmatched", "ACME RETAIL SA"))
        session.flush()
        session.add(PaymentApplicationRow(
            transaction_id="TRX-S1", invoice_id="INV-3", applied_amount=Decimal("500.00"),
            kind="invoice", status="suggested", rule="payer_amount",
            reason="payer name close to Bistro Nord, amount equals INV-3", confidence=0.8,
            rank=0, proposed_by="robot:match", created_at=now))
    return "TRX-S1", "TRX-BIG"


def at(day: int) -> datetime:
    """An instant in November 2026."""
    return datetime(2026, 11, day, 9, tzinfo=UTC)
