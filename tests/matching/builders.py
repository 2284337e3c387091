"""Small builders for cash-application tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from matching.book import Customer, OpenItem
from matching.candidates import Ledger
from matching.engine import Engine
from matching.statements.model import BankTransaction

ACME_IBAN = "FR7630006000011234567890189"
BOLT_IBAN = "DE89370400440532013000"
OUR_IBAN = "FR1420041010050500013M02606"


def customers() -> list[Customer]:
    return [
        Customer("C001", "Acme Industries SAS", (ACME_IBAN,), "EUR", "marie"),
        Customer("C002", "Bolt GmbH", (BOLT_IBAN,), "EUR", "jan"),
        Customer("C003", "Société Générale des Eaux Minérales de Montagne SA", (), "EUR", "luc"),
        Customer("C004", "Coudert Frères", (), "EUR", None),
    ]


def item(invoice_id: str, customer_id: str, amount: str, *, open_amount: str | None = None,
         issued: date = date(2026, 10, 1), due: date | None = None,
         reference: str | None = None, currency: str = "EUR") -> OpenItem:
    return OpenItem(invoice_id, customer_id, issued, due or date(2026, 10, 31), currency,
                    Decimal(amount), Decimal(open_amount if open_amount is not None else amount),
                    reference)


def tx(amount: str, *, ref: str = "B1", name: str | None = None, iban: str | None = None,
       text: str | None = None, structured: str | None = None, day: int = 10,
       currency: str = "EUR", **kw: object) -> BankTransaction:
    return BankTransaction(
        account=OUR_IBAN, bank_reference=ref, booking_date=date(2026, 10, day),
        amount=Decimal(amount), currency=currency, payer_name=name, payer_iban=iban,
        remittance=text, structured_reference=structured, **kw,  # type: ignore[arg-type]
    )


def engine(items: list[OpenItem], **kw: object) -> Engine:
    return Engine(Ledger(customers(), items, own_ibans=[OUR_IBAN], **kw))  # type: ignore[arg-type]
