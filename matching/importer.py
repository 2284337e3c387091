"""Bank statements into the database, each transaction exactly once.

A transaction's identity is (account, bank reference, booking date, amount), the unique
key of ``bank_transactions``: the same statement imported twice, or two statements that
overlap (a monthly file after the daily ones), give each transaction one row. Entries
that share all four (two equal card payments without a bank reference on one day) are
told apart by their order within the statement: the second gets ``#2`` after its
reference, and an overlapping statement numbers them the same way.

``StatementHandler`` is the ``o2c.handlers`` plug-in through which ``o2c ingest`` and
every transport store statements (raw bytes first, then this; a :class:`BadDocument`
leaves the document ``failed`` with its reason: quarantined).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import ClassVar

from pydantic import Field
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from hub.documents import RawDocument
from hub.errors import BadDocument
from hub.ids import new_id
from hub.intake import Handled
from hub.settings import Section, Settings
from hub.tables import BankTransactionRow, DocumentRow, StatementRow
from matching import statements as parsers
from matching.statements.model import BankTransaction, Statement

IMPORTED = "imported"
_REFERENCE_LENGTH = 80

Key = tuple[str, str, date, Decimal]


class CashSettings(Section):
    """The ``[cash]`` section of ``o2c.toml``: the company's own bank accounts."""

    accounts: list[str] = Field(default_factory=list)
    """Our accounts (IBAN or the bank's account id, as statements write it). When set,
    a statement for any other account is refused (``UNKNOWN_ACCOUNT``) and quarantined:
    a bank file for someone else's account must never reach cash application. Empty
    (the default) accepts every account."""


@dataclass
class ImportResult:
    """What one import wrote."""

    statements: int = 0
    created: int = 0
    already: int = 0
    transaction_ids: list[str] = field(default_factory=list)


def normalise_account(account: str) -> str:
    """Accounts compare without spaces and case (``FR76 3000 ...`` = ``fr763000...``)."""
    return "".join(account.split()).upper()


def check_accounts(statements: Sequence[Statement], own: Iterable[str]) -> None:
    """Refuse statements for accounts that are not ours (when ours are configured).

    Raises:
        BadDocument: ``UNKNOWN_ACCOUNT``, naming the statement and its account.
    """
    known = {normalise_account(a) for a in own}
    if not known:
        return
    for statement in statements:
        if normalise_account(statement.account) not in known:
            raise BadDocument(
                f"statement {statement.statement_ref} is for account {statement.account},"
                " which is not one of ours ([cash] accounts)",
                location=statement.location,
                code="UNKNOWN_ACCOUNT",
            )


def import_statements(
    session: Session,
    statements: Sequence[Statement],
    *,
    document_sha256: str,
    own_accounts: Iterable[str] = (),
) -> ImportResult:
    """Write parsed statements and their new transactions (status ``imported``).

    Args:
        session: The open transaction to write in (nothing is committed here).
        statements: Checked statements, e.g. from :func:`matching.statements.parse`.
        document_sha256: The stored raw document they were read from.
        own_accounts: The company's accounts; empty accepts every account.

    Raises:
        BadDocument: ``UNKNOWN_ACCOUNT`` before anything is written.
    """
    check_accounts(statements, own_accounts)
    result = ImportResult()
    now = datetime.now(UTC)
    for statement in statements:
        row = _statement_row(session, statement, document_sha256, now)
        result.statements += 1
        keyed = list(_keyed(statement.transactions))
        existing = _existing(session, [key for key, _ in keyed])
        for key, transaction in keyed:
            if key in existing:
                result.already += 1
                continue
            existing.add(key)
            result.transaction_ids.append(_insert(session, key, transaction, row, now))
            result.created += 1
    session.flush()
    return result


def _statement_row(
    session: Session, statement: Statement, sha256: str, now: datetime
) -> StatementRow:
    account = normalise_account(statement.account)
    ref = statement.statement_ref[:80]
    row = session.scalars(
        select(StatementRow).where(
            StatementRow.account == account,
            StatementRow.statement_ref == ref,
            StatementRow.document_sha256 == sha256,
        )
    ).first()
    if row is None:
        row = StatementRow(
            account=account, statement_ref=ref, format=statement.format,
            statement_date=statement.statement_date, currency=statement.currency,
            opening_balance=statement.opening_balance,
            closing_balance=statement.closing_balance,
            document_sha256=sha256, imported_at=now,
        )
        session.add(row)
        session.flush()
    return row


def _keyed(transactions: Sequence[BankTransaction]) -> Iterable[tuple[Key, BankTransaction]]:
    """Each transaction with its identity; repeats within the statement numbered."""
    seen: Counter[Key] = Counter()
    for transaction in transactions:
        account = normalise_account(transaction.account)
        reference = transaction.bank_reference.strip()[: _REFERENCE_LENGTH - 4]
        base = (account, reference, transaction.booking_date, transaction.amount)
        seen[base] += 1
        if seen[base] > 1:
            reference = f"{reference}#{seen[base]}"
        yield (account, reference, transaction.booking_date, transaction.amount), transaction


def _existing(session: Session, keys: Sequence[Key]) -> set[Key]:
    """The keys already stored, asked in chunks (one query per few hundred entries)."""
    found: set[Key] = set()
    columns = (BankTransactionRow.account, BankTransactionRow.bank_reference,
               BankTransactionRow.booking_date, BankTransactionRow.amount)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        rows = session.execute(select(*columns).where(tuple_(*columns).in_(chunk)))
        found.update((a, r, d, Decimal(m)) for a, r, d, m in rows)
    return found


def _insert(
    session: Session, key: Key, transaction: BankTransaction, statement: StatementRow,
    now: datetime,
) -> str:
    account, reference, booking_date, amount = key
    row_id = new_id("TRX")
    session.add(BankTransactionRow(
        id=row_id, account=account, bank_reference=reference, booking_date=booking_date,
        value_date=transaction.value_date, amount=amount, currency=transaction.currency,
        bank_code=_cut(transaction.bank_code, 40), payer_name=_cut(transaction.payer_name, 255),
        payer_iban=_cut(transaction.payer_iban, 34), payer_bic=_cut(transaction.payer_bic, 11),
        end_to_end_id=_cut(transaction.end_to_end_id, 80), remittance=_remittance(transaction),
        structured_reference=_cut(transaction.structured_reference, 80),
        return_reason=_cut(transaction.return_reason, 16), statement_id=statement.id,
        status=IMPORTED, imported_at=now,
    ))
    return row_id


def _cut(value: str | None, length: int) -> str | None:
    return value[:length] if value else None


def _remittance(transaction: BankTransaction) -> str | None:
    """The remittance text with the other texts of the entry after it, for matching."""
    parts = [transaction.remittance, *transaction.details]
    return "\n".join(p for p in parts if p) or None


class StatementHandler:
    """Reads bank statements for ``o2c ingest`` (entry point ``o2c.handlers``).

    Asked before the order handler: statement formats are recognised from their
    content only, and an XML order never has a CAMT namespace.
    """

    name: ClassVar[str] = "statements"
    priority: ClassVar[int] = 20

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def identify(self, raw: RawDocument) -> bool:
        """Whether the document is a statement in a format o2c reads."""
        return parsers.detect(raw.content) is not None

    def handle(self, session: Session, document: DocumentRow, raw: RawDocument) -> Handled:
        """Parse, check and import the statement file.

        Raises:
            BadDocument: for a file that fails its checks or names an unknown account;
                nothing is written.
        """
        settings = self.settings or Settings.load()
        own = settings.section("cash", CashSettings).accounts
        statements = parsers.parse(raw.content, raw.name)
        result = import_statements(
            session, statements, document_sha256=raw.sha256, own_accounts=own
        )
        return Handled(
            format=statements[0].format if statements else parsers.detect(raw.content),
            created={"transactions": result.created},
            already={"transactions": result.already},
        )
