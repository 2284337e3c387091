"""The ``match`` robot: imported bank transactions through the engine, into their states.

Each run claims a batch of ``imported`` transactions (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, with a lease, so any number of workers share the work), reads the ledger,
and writes what the engine decided: ``auto`` applications take cash off the invoices'
open amounts (a guarded update: never below zero, even with a person or another worker
applying cash at the same time), ``suggested`` ones wait for finance with their
alternatives ranked, ``unmatched`` ones keep their reason. Every change is audited; a
disputed deduction opens a dispute for ADV and the customer's sales rep. Automatic
applications then go to the posting export, exactly once.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hub import audit, clock
from hub.audit import AuditEvent
from hub.db import Database
from hub.ids import new_id
from hub.settings import Settings
from hub.tables import BankTransactionRow, PaymentApplicationRow
from matching import posting
from matching.book import Application, Proposal
from matching.candidates import Ledger
from matching.cashmatch import paused_gc
from matching.engine import Engine
from matching.settings import MatchSettings
from matching.store import apply_to_invoice, load_ledger, transaction_of

IMPORTED = "imported"


def run(db: Database, settings: Settings, *, actor: str = "robot:match") -> dict[str, int]:
    """Match one batch of imported transactions; returns counts per outcome.

    Counts: ``auto``, ``suggested``, ``unmatched``, ``posted`` (applications posted) and
    ``conflicts`` (automatic applications kept for finance because the invoice changed).
    """
    rules = settings.section("match", MatchSettings)
    owner = f"{actor}:{new_id('RUN')}"
    counts = {"auto": 0, "suggested": 0, "unmatched": 0, "posted": 0, "conflicts": 0}
    with db.session() as session:
        ids = claim(session, owner, rules.batch_size, settings.core.lease_seconds)
    if not ids:
        return counts
    with paused_gc(), db.session() as session:
        ledger = load_ledger(session, settings)
        rows = session.scalars(
            select(BankTransactionRow)
            .where(BankTransactionRow.id.in_(ids), BankTransactionRow.lease_owner == owner)
            .order_by(BankTransactionRow.booking_date, BankTransactionRow.id)
        ).all()
        proposals = Engine(ledger, rules).match(transaction_of(r) for r in rows)
        auto_ids = []
        for row, proposal in zip(rows, proposals, strict=True):
            status = record(session, row, proposal, actor=actor, ledger=ledger)
            counts[status] += 1
            counts["conflicts"] += status != proposal.status
            if status == "auto":
                auto_ids.append(row.id)
        batch = posting.post_applications(session, transaction_ids=auto_ids, actor=actor)
        counts["posted"] = len(batch.application_ids) if batch else 0
    if counts["posted"]:
        posting.write_postings(db, Path(settings.core.outbox) / "cash")
    return counts


def claim(session: Session, owner: str, limit: int, lease_seconds: int) -> list[str]:
    """Lease up to ``limit`` imported transactions nobody holds (oldest booking first)."""
    now = clock.now()
    free = or_(BankTransactionRow.lease_expires_at.is_(None),
               BankTransactionRow.lease_expires_at < now)
    ids = list(session.scalars(
        select(BankTransactionRow.id)
        .where(BankTransactionRow.status == IMPORTED, free)
        .order_by(BankTransactionRow.booking_date, BankTransactionRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ))
    if ids:
        session.execute(
            update(BankTransactionRow).where(BankTransactionRow.id.in_(ids))
            .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
        )
    return ids


def record(
    session: Session, row: BankTransactionRow, proposal: Proposal, *, actor: str, ledger: Ledger
) -> str:
    """Write one decision: applications, open amounts, state and audit. Returns the status."""
    status = proposal.status
    if status == "auto" and not _apply(session, proposal.applications):
        status = "suggested"
        proposal.reason += "; an invoice changed meanwhile, kept for finance"
    before = {"status": row.status}
    row.status, row.confidence = status, proposal.confidence
    row.reason = f"[{proposal.rule}] {proposal.reason}"[:4000]
    row.customer_id = proposal.customer_id
    row.lease_owner, row.lease_expires_at = None, None
    now = clock.now()
    _applications(session, row.id, proposal, status, actor=actor)
    events = [AuditEvent("bank_transaction", row.id, "match", actor, before, {
        "status": status, "rule": proposal.rule, "confidence": proposal.confidence,
        "invoices": list(proposal.invoice_ids),
        "applied": [str(a.applied_amount) for a in proposal.applications],
    }, row.reason)]
    if proposal.dispute:
        events.append(_dispute(session, row, proposal, ledger, actor=actor))
    audit.record(session, events, at=now)
    return status


def _apply(session: Session, applications: list[Application]) -> bool:
    """All applications of one transaction, or none (a savepoint around them)."""
    with session.begin_nested() as savepoint:
        for application in applications:
            if not apply_to_invoice(session, application.invoice_id, application.applied_amount):
                savepoint.rollback()
                return False
    return True


def _applications(
    session: Session, transaction_id: str, proposal: Proposal, status: str, *, actor: str
) -> None:
    now = clock.now()
    ranked = [proposal] if status != "suggested" else [proposal, *proposal.alternatives[:4]]
    for rank, option in enumerate(ranked):
        for application in option.applications:
            session.add(PaymentApplicationRow(
                transaction_id=transaction_id, invoice_id=application.invoice_id,
                applied_amount=application.applied_amount, kind="invoice",
                status=status if rank == 0 else "alternative", rule=option.rule,
                reason=option.reason[:4000], confidence=option.confidence, rank=rank,
                proposed_by=actor, created_at=now,
            ))


def _dispute(
    session: Session, row: BankTransactionRow, proposal: Proposal, ledger: Ledger, *, actor: str
) -> AuditEvent:
    """A deduction the customer took: recorded beside the cash, never as applied cash."""
    invoice_id = proposal.invoice_ids[-1] if proposal.applications else None
    session.add(PaymentApplicationRow(
        transaction_id=row.id, invoice_id=invoice_id, applied_amount=proposal.remainder,
        kind="deduction", status="dispute", rule=proposal.rule, reason=proposal.dispute or "",
        confidence=proposal.confidence, rank=0, proposed_by=actor, created_at=clock.now(),
    ))
    customer = ledger.customers.get(proposal.customer_id or "")
    return AuditEvent("dispute", row.id, "open", actor, None, {
        "invoice_id": invoice_id, "amount": str(proposal.remainder), "queue": "adv",
        "sales_rep": customer.sales_rep if customer else None,
    }, proposal.dispute)
