"""Posting export for the ERP: applied cash and the lettrage journal, once per application.

Two calls make the whole API:

* :func:`post_applications` (in the caller's transaction, e.g. at the end of the match
  robot's run or when finance confirms) claims every application that is applied
  (``auto`` or ``confirmed``) and not yet posted, stamps ``posted_at``, moves fully
  posted bank transactions to ``posted`` with an audit event, and puts one outbox
  message per file: ``cash-posting`` (applied cash, CSV) and ``lettrage`` (transaction,
  invoice, amount applied, remainder, reason; CSV). Claiming is an
  ``UPDATE ... WHERE posted_at IS NULL RETURNING``, so two workers never post one
  application twice, and the stamp and the messages commit together or not at all.
* :func:`write_postings` (after the commit) writes the pending files into a folder with
  :func:`hub.outbox.dispatch`. A file is named by its message's key and written through a
  temporary name, so a retry after a crash writes the same file again, never a second one.
"""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from hub import audit, clock, outbox
from hub.db import Database
from hub.ids import new_id
from hub.tables import BankTransactionRow, PaymentApplicationRow

CASH = "cash-posting"
LETTRAGE = "lettrage"
APPLIED = ("auto", "confirmed")
POSTED = "posted"
CASH_COLUMNS = (
    "posting_id", "transaction_id", "account", "booking_date", "value_date", "amount",
    "currency", "payer_name", "customer_id", "invoice_id", "applied_amount", "kind",
    "status", "approved_by",
)
LETTRAGE_COLUMNS = (
    "posting_id", "transaction_id", "invoice_id", "applied_amount", "remainder", "reason",
)
_APPLICATIONS: Table = PaymentApplicationRow.__table__  # type: ignore[assignment]


@dataclass
class PostingBatch:
    """What one :func:`post_applications` call posted."""

    posting_id: str
    application_ids: list[int] = field(default_factory=list)
    transactions_posted: list[str] = field(default_factory=list)


def post_applications(
    session: Session,
    *,
    transaction_ids: Iterable[str] | None = None,
    actor: str = "robot:match",
) -> PostingBatch | None:
    """Post every applied, unposted application (of ``transaction_ids`` when given).

    Args:
        session: The caller's open transaction; nothing is committed here.
        transaction_ids: Limit to these bank transactions (``bank_transactions.id``).
        actor: Who posts, for the audit trail.

    Returns:
        The batch, or None when there was nothing to post.
    """
    claimed = _claim(session, transaction_ids)
    if not claimed:
        return None
    batch = PostingBatch(posting_id=new_id("PST"), application_ids=sorted(claimed))
    applications = session.scalars(
        select(PaymentApplicationRow).where(PaymentApplicationRow.id.in_(claimed))
        .order_by(PaymentApplicationRow.transaction_id, PaymentApplicationRow.id)
    ).all()
    transactions = {
        t.id: t for t in session.scalars(select(BankTransactionRow).where(
            BankTransactionRow.id.in_({a.transaction_id for a in applications})))
    }
    remainders = _remainders(session, transactions)
    cash, lettrage = _files(batch.posting_id, applications, transactions, remainders)
    for kind, payload in ((CASH, cash), (LETTRAGE, lettrage)):
        outbox.put(session, kind=kind, dedupe_key=f"{kind}:{batch.posting_id}",
                   subject_id=batch.posting_id, payload=payload, target=f"{kind}.csv")
    batch.transactions_posted = _mark_posted(session, list(transactions.values()), actor)
    return batch


def _claim(session: Session, transaction_ids: Iterable[str] | None) -> list[int]:
    now = clock.now()
    statement = (
        update(_APPLICATIONS)
        .where(_APPLICATIONS.c.posted_at.is_(None), _APPLICATIONS.c.status.in_(APPLIED))
        .values(posted_at=now)
        .returning(_APPLICATIONS.c.id)
    )
    if transaction_ids is not None:
        statement = statement.where(_APPLICATIONS.c.transaction_id.in_(list(transaction_ids)))
    return [row[0] for row in session.execute(statement)]


def _remainders(
    session: Session, transactions: dict[str, BankTransactionRow]
) -> dict[int, Decimal]:
    """For each applied application, what is left of its transaction after it (in the
    order applications were made, counting those posted before)."""
    left = {tid: abs(t.amount) for tid, t in transactions.items()}
    remainders: dict[int, Decimal] = {}
    rows = session.scalars(
        select(PaymentApplicationRow)
        .where(PaymentApplicationRow.transaction_id.in_(list(transactions)),
               PaymentApplicationRow.status.in_(APPLIED))
        .order_by(PaymentApplicationRow.transaction_id, PaymentApplicationRow.id)
    )
    for application in rows:
        left[application.transaction_id] -= application.applied_amount
        remainders[application.id] = left[application.transaction_id]
    return remainders


def _files(
    posting_id: str,
    applications: Sequence[PaymentApplicationRow],
    transactions: dict[str, BankTransactionRow],
    remainders: dict[int, Decimal],
) -> tuple[bytes, bytes]:
    cash, lettrage = _writer(CASH_COLUMNS), _writer(LETTRAGE_COLUMNS)
    for application in applications:
        tx = transactions[application.transaction_id]
        cash[1].writerow((
            posting_id, tx.bank_reference, tx.account, tx.booking_date.isoformat(),
            tx.value_date.isoformat() if tx.value_date else "", _money(tx.amount), tx.currency,
            tx.payer_name or "", tx.customer_id or "", application.invoice_id or "",
            _money(application.applied_amount), application.kind, application.status,
            application.approved_by or "",
        ))
        lettrage[1].writerow((
            posting_id, tx.bank_reference, application.invoice_id or "",
            _money(application.applied_amount), _money(remainders[application.id]),
            application.reason,
        ))
    return cash[0].getvalue().encode(), lettrage[0].getvalue().encode()


def _writer(columns: Sequence[str]) -> tuple[io.StringIO, Any]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    return buffer, writer


def _money(value: Decimal) -> str:
    """A plain decimal string (never exponent notation, never a float)."""
    return format(value, "f")


def _mark_posted(session: Session, transactions: list[BankTransactionRow], actor: str) -> list[str]:
    """Transactions whose every application is now posted move to ``posted``."""
    unposted: dict[str, int] = defaultdict(int)
    for tid, posted_at in session.execute(
        select(PaymentApplicationRow.transaction_id, PaymentApplicationRow.posted_at).where(
            PaymentApplicationRow.transaction_id.in_([t.id for t in transactions]),
            PaymentApplicationRow.status.in_(APPLIED),
        )
    ):
        unposted[tid] += posted_at is None
    moved, events = [], []
    for tx in transactions:
        if unposted[tx.id] or tx.status == POSTED:
            continue
        events.append(audit.AuditEvent(
            entity_type="bank_transaction", entity_id=tx.id, action="post", actor=actor,
            before={"status": tx.status}, after={"status": POSTED},
        ))
        tx.status = POSTED
        moved.append(tx.id)
    if events:
        audit.record(session, events)
    return moved


class FolderWriter:
    """An outbox sender that writes each posting file into ``folder``, once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, message: outbox.Message) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # The key is ours (kind:PST-...), never a document's name: safe as a file name.
        name = message.dedupe_key.replace(":", "-") + ".csv"
        target = self.folder / name
        if target.exists() and target.read_bytes() == message.payload:
            return
        partial = target.with_name(name + ".partial")
        partial.write_bytes(message.payload)
        os.replace(partial, target)


def write_postings(db: Database, folder: Path) -> dict[str, int]:
    """Write every pending posting file into ``folder`` (after the posting committed).

    Returns:
        Counts of files sent, to retry and failed (see :func:`hub.outbox.dispatch`).
    """
    writer = FolderWriter(folder)
    return outbox.dispatch(db, {CASH: writer, LETTRAGE: writer})
