"""Cash application over the database: the ledger read from the tables, rows made records.

Shared by the ``match`` robot and by finance decisions, so both see the same ledger:
customers, every invoice (paid ones too, to recognise duplicate payments), the payer
aliases finance taught, the reference habits learned from its decisions, and our own
accounts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.errors import BadDocument
from hub.settings import Settings
from hub.tables import (
    BankTransactionRow,
    CustomerRow,
    OpenItemRow,
    PayerAliasRow,
    PaymentApplicationRow,
    StatementRow,
)
from matching.book import Customer, Habit, OpenItem, PayerAlias
from matching.candidates import Ledger
from matching.statements.checks import minor_units
from matching.statements.model import BankTransaction


def own_accounts(session: Session, settings: Settings) -> set[str]:
    """Our accounts: those configured in ``[cash]`` and those our statements are for."""
    configured = settings.data.get("cash", {}).get("accounts", [])
    seen = session.scalars(select(StatementRow.account).distinct())
    return {*(str(a) for a in configured), *seen}


def load_ledger(session: Session, settings: Settings, extra_habits: Iterable[Habit] = ()) -> Ledger:
    """Customers, invoices, aliases and habits as they stand in the database."""
    customers = [
        Customer(r.customer_id, r.name, tuple(r.ibans or ()), r.currency, r.sales_rep)
        for r in session.scalars(select(CustomerRow))
    ]
    items = [
        OpenItem(r.invoice_id, r.customer_id, r.issue_date, r.due_date, r.currency,
                 money(r.amount, r.currency), money(r.open_amount, r.currency), r.reference)
        for r in session.scalars(select(OpenItemRow))
    ]
    aliases = [
        PayerAlias(r.customer_id, r.payer_name, r.payer_iban)
        for r in session.scalars(select(PayerAliasRow))
    ]
    habits = [*load_habits(session), *extra_habits]
    return Ledger(customers, items, aliases, habits, own_accounts(session, settings))


def money(amount: Decimal, currency: str) -> Decimal:
    """An amount with its currency's decimals (a database may hand ``200`` for ``200.00``)."""
    try:
        units = minor_units(currency)
    except BadDocument:
        return amount
    return amount.quantize(Decimal(1).scaleb(-units))


def transaction_of(row: BankTransactionRow) -> BankTransaction:
    """The engine's record of a stored bank transaction."""
    return BankTransaction(
        account=row.account, bank_reference=row.bank_reference, booking_date=row.booking_date,
        amount=money(row.amount, row.currency), currency=row.currency, value_date=row.value_date,
        bank_code=row.bank_code, payer_name=row.payer_name, payer_iban=row.payer_iban,
        payer_bic=row.payer_bic, end_to_end_id=row.end_to_end_id, remittance=row.remittance,
        structured_reference=row.structured_reference, return_reason=row.return_reason,
    )


def apply_to_invoice(session: Session, invoice_id: str, amount: Decimal) -> bool:
    """Take ``amount`` off an invoice's open amount, never below zero.

    One guarded ``UPDATE``: when another worker or a person applied cash meanwhile and
    too little is left, nothing changes and the caller keeps the proposal for finance.
    """
    result = session.execute(
        update(OpenItemRow)
        .where(OpenItemRow.invoice_id == invoice_id, OpenItemRow.open_amount >= amount)
        .values(open_amount=OpenItemRow.open_amount - amount)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*")
#: Decisions read back to learn habits from (the most recent ones).
HABIT_MEMORY = 5000


def reference_tokens(text: str | None) -> list[str]:
    """The number-bearing words of a remittance text, compacted (``K-7781`` → ``K7781``)."""
    words = _TOKEN.findall((text or "").upper())
    tokens = ["".join(ch for ch in w if ch.isalnum()) for w in words]
    return [t for t in tokens if sum(ch.isdigit() for ch in t) >= 3]


def load_habits(session: Session, memory: int = HABIT_MEMORY) -> list[Habit]:
    """Reference habits, learned from the applications finance decided.

    * a token only one customer writes, and that names none of the invoices it paid
      (a contract or customer number), identifies that customer (``token``);
    * a number equal to the last digits of the invoice paid tells the customer quotes
      invoices by their tail (``tail``, the number of digits).
    """
    rows = session.execute(
        select(PaymentApplicationRow.invoice_id, BankTransactionRow.customer_id,
               BankTransactionRow.remittance)
        .join(BankTransactionRow, BankTransactionRow.id == PaymentApplicationRow.transaction_id)
        .where(PaymentApplicationRow.approved_by.is_not(None),
               PaymentApplicationRow.status == "confirmed",
               PaymentApplicationRow.invoice_id.is_not(None))
        .order_by(PaymentApplicationRow.id.desc())
        .limit(memory)
    ).all()
    writers: dict[str, set[str]] = defaultdict(set)
    habits: set[Habit] = set()
    for invoice_id, customer_id, remittance in rows:
        if not customer_id or not invoice_id:
            continue
        digits = "".join(ch for ch in invoice_id if ch.isdigit())
        for token in reference_tokens(remittance):
            if token.isdigit() and digits.endswith(token) and token != digits:
                habits.add(Habit(customer_id, "tail", str(len(token))))
            elif token not in "".join(ch for ch in invoice_id if ch.isalnum()):
                writers[token].add(customer_id)
    for token, customers in writers.items():
        if len(customers) == 1:
            habits.add(Habit(next(iter(customers)), "token", token))
    return sorted(habits, key=lambda h: (h.customer_id, h.kind, h.value))
