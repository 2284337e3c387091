"""Finance decisions on bank transactions, written on the tables under the finance rules.

cash application (``matching``) proposes; finance decides here. Every decision is one
:class:`CashDecisionRow`: the invoices and the amount applied to each (a split), plus an
optional remainder: a deduction with a reason code (disputed or accepted) or a small
write-off within the tolerance. The rules:

* never more than the transaction's amount, never more than an invoice's open amount
  (checked again under the update, so two people cannot over-apply together);
* above ``[ui] four_eyes_amount`` the decision waits, and the person who proposed it
  cannot approve it;
* every step is audited; an applied decision teaches matching the payer (an alias).

matching has no decision function of its own yet, so the tables are written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hub import clock
from hub.numbers import parse_decimal
from hub.schema_ui import CashDecisionRow, DisputeRow
from hub.tables import BankTransactionRow, OpenItemRow, PaymentApplicationRow
from matching.learning import learn_payer
from ui.config import UiSettings
from ui.web import User, contains, record

OPEN_STATUSES = ("suggested", "unmatched", "imported")
DEDUCTION_REASONS = {
    "PRICE": "Price difference", "DAMAGED": "Damaged goods", "SHORT_DELIVERY": "Short delivery",
    "PROMOTION": "Promotion or rebate", "RETURN": "Goods returned", "LATE": "Late delivery penalty",
    "OTHER": "Other",
}


class DecisionRefused(Exception):  # noqa: N818 - reads as what happened
    """A decision that breaks a finance rule; the message names the rule."""


@dataclass
class Remainder:
    """What to do with what the allocations leave: a deduction or a write-off."""

    kind: str = "none"
    amount: Decimal = Decimal(0)
    invoice_id: str | None = None
    reason_code: str | None = None
    disputed: bool = False


@dataclass
class Proposal:
    """A decision as finance enters it, before the rules are checked."""

    transaction_id: str
    allocations: list[tuple[str, Decimal]] = field(default_factory=list)
    remainder: Remainder = field(default_factory=Remainder)
    note: str = ""
    rule: str = "manual"
    reason: str = "applied by finance"


def amount(text: str | None) -> Decimal | None:
    """A typed amount (``1 234,50`` or ``1234.50``), ``None`` when empty.

    Raises:
        DecisionRefused: for text that is not an amount.
    """
    if not text or not text.strip():
        return None
    try:
        value = parse_decimal(text.strip())
    except (ValueError, InvalidOperation):
        raise DecisionRefused(f"{text!r} is not an amount") from None
    if value <= 0:
        raise DecisionRefused("amounts must be positive")
    return value


# --- reading -------------------------------------------------------------------------


def payments_page(session: Session, status: str, text: str, page: int, size: int
                  ) -> tuple[list[BankTransactionRow], int]:
    """Transactions waiting for finance (suggested and unmatched), newest first."""
    statuses = (status,) if status in OPEN_STATUSES else ("suggested", "unmatched")
    query = select(BankTransactionRow).where(BankTransactionRow.status.in_(statuses))
    if text:
        query = query.where(contains(session, BankTransactionRow.payer_name, text)
                            | contains(session, BankTransactionRow.remittance, text)
                            | (BankTransactionRow.bank_reference == text))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    # Sort and page on the narrow columns, then read the page's rows in full.
    ids = list(session.scalars(query.with_only_columns(BankTransactionRow.id)
                               .order_by(BankTransactionRow.booking_date.desc(),
                                         BankTransactionRow.id)
                               .offset((page - 1) * size).limit(size)))
    found = {r.id: r for r in session.scalars(
        select(BankTransactionRow).where(BankTransactionRow.id.in_(ids)))}
    return [found[i] for i in ids], total


def top_proposals(session: Session, ids: list[str]) -> dict[str, PaymentApplicationRow]:
    """The best suggestion of each transaction (rank 0), for the list."""
    rows = session.scalars(select(PaymentApplicationRow).where(
        PaymentApplicationRow.transaction_id.in_(ids), PaymentApplicationRow.status == "suggested")
        .order_by(PaymentApplicationRow.rank, PaymentApplicationRow.id))
    best: dict[str, PaymentApplicationRow] = {}
    for row in rows:
        best.setdefault(row.transaction_id, row)
    return best


def ranked(session: Session, transaction_id: str) -> list[dict[str, Any]]:
    """The suggestions for one transaction grouped by rank: rule, reason, confidence,
    and the invoices with the amount each would receive."""
    rows = session.scalars(select(PaymentApplicationRow).where(
        PaymentApplicationRow.transaction_id == transaction_id,
        PaymentApplicationRow.status == "suggested")
        .order_by(PaymentApplicationRow.rank, PaymentApplicationRow.id))
    groups: dict[int, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(row.rank, {"rank": row.rank, "rule": row.rule,
                                             "reason": row.reason,
                                             "confidence": row.confidence, "lines": []})
        if row.invoice_id:
            group["lines"].append((row.invoice_id, row.applied_amount))
    return [groups[k] for k in sorted(groups)]


def applied(session: Session, transaction_id: str) -> list[PaymentApplicationRow]:
    """What was applied from the transaction (auto, confirmed, posted)."""
    return list(session.scalars(select(PaymentApplicationRow).where(
        PaymentApplicationRow.transaction_id == transaction_id,
        PaymentApplicationRow.status.in_(("auto", "confirmed", "posted")))
        .order_by(PaymentApplicationRow.id)))


# --- deciding ------------------------------------------------------------------------


def propose(session: Session, proposal: Proposal, user: User, rules: UiSettings
            ) -> CashDecisionRow:
    """Check a decision and apply it, or keep it for a second person above the amount.

    Raises:
        DecisionRefused: naming the rule the decision breaks.
    """
    transaction = _open_transaction(session, proposal.transaction_id)
    _check(session, transaction, proposal, rules)
    if session.scalar(select(CashDecisionRow.id).where(
            CashDecisionRow.transaction_id == transaction.id,
            CashDecisionRow.status == "pending")):
        raise DecisionRefused("a decision on this payment already waits for approval")
    decision = CashDecisionRow(
        transaction_id=transaction.id,
        allocations=[{"invoice_id": i, "amount": str(a), "rule": proposal.rule,
                      "reason": proposal.reason} for i, a in proposal.allocations],
        remainder_kind=None if proposal.remainder.kind == "none" else proposal.remainder.kind,
        remainder_amount=proposal.remainder.amount or None,
        remainder_invoice_id=proposal.remainder.invoice_id,
        disputed=proposal.remainder.disputed and proposal.remainder.kind == "deduction",
        reason_code=proposal.remainder.reason_code, note=proposal.note.strip() or None,
        total=sum((a for _i, a in proposal.allocations), Decimal(0)), status="pending",
        proposed_by=user.username, proposed_at=clock.now())
    session.add(decision)
    session.flush()
    record(session, user, ("bank_transaction", transaction.id), "decision_proposed",
           {"status": transaction.status}, _decision_dict(decision))
    if abs(transaction.amount) <= rules.four_eyes_amount:
        _apply(session, decision, transaction, user)
    return decision


def approve(session: Session, decision_id: int, user: User) -> CashDecisionRow:
    """The second person approves a waiting decision, which is then applied.

    Raises:
        DecisionRefused: nothing waits, or the approver is the proposer.
    """
    decision = session.get(CashDecisionRow, decision_id, with_for_update=True)
    if decision is None or decision.status != "pending":
        raise DecisionRefused("no decision waits for approval here")
    if decision.proposed_by == user.username:
        raise DecisionRefused("four eyes: the person who proposed cannot approve")
    transaction = _open_transaction(session, decision.transaction_id)
    _apply(session, decision, transaction, user)
    return decision


def refuse(session: Session, decision_id: int, user: User, why: str) -> None:
    """Turn a waiting decision down; the payment waits for a new one."""
    decision = session.get(CashDecisionRow, decision_id, with_for_update=True)
    if decision is None or decision.status != "pending":
        raise DecisionRefused("no decision waits for approval here")
    before = _decision_dict(decision)
    decision.status, decision.decided_by, decision.decided_at = "refused", user.username, \
        clock.now()
    record(session, user, ("bank_transaction", decision.transaction_id), "decision_refused",
           before, _decision_dict(decision), why or None)


def _open_transaction(session: Session, transaction_id: str) -> BankTransactionRow:
    transaction = session.get(BankTransactionRow, transaction_id, with_for_update=True)
    if transaction is None:
        raise DecisionRefused(f"no payment {transaction_id}")
    if transaction.status not in OPEN_STATUSES:
        raise DecisionRefused(f"payment {transaction_id} is already {transaction.status}")
    return transaction


def _check(session: Session, transaction: BankTransactionRow, proposal: Proposal,
           rules: UiSettings) -> None:
    if transaction.amount <= 0:
        raise DecisionRefused("only incoming payments are applied to invoices")
    if not proposal.allocations:
        raise DecisionRefused("choose at least one invoice and an amount")
    invoices = _invoices(session, [i for i, _a in proposal.allocations])
    for invoice_id, value in proposal.allocations:
        item = invoices.get(invoice_id)
        if item is None:
            raise DecisionRefused(f"invoice {invoice_id} is not an open item")
        if item.currency != transaction.currency:
            raise DecisionRefused(f"invoice {invoice_id} is in {item.currency}, the payment "
                                  f"in {transaction.currency}")
        if value > item.open_amount:
            raise DecisionRefused(f"{value} is more than the {item.open_amount} still open on "
                                  f"invoice {invoice_id}")
    total = sum((a for _i, a in proposal.allocations), Decimal(0))
    if len({i for i, _a in proposal.allocations}) != len(proposal.allocations):
        raise DecisionRefused("each invoice once: put its whole amount on one line")
    if total > transaction.amount:
        raise DecisionRefused(f"{total} applied is more than the payment's {transaction.amount}")
    _check_remainder(transaction, proposal, invoices, total, rules)


def _check_remainder(transaction: BankTransactionRow, proposal: Proposal,
                     invoices: dict[str, OpenItemRow], total: Decimal, rules: UiSettings) -> None:
    rest = proposal.remainder
    if rest.kind == "none":
        return
    if rest.amount <= 0:
        raise DecisionRefused(f"give the {rest.kind.replace('_', '-')} amount")
    left = transaction.amount - total
    if rest.kind == "write_off":
        if rest.amount > rules.write_off_tolerance:
            raise DecisionRefused(f"a write-off is limited to {rules.write_off_tolerance}")
        if left > 0 and rest.amount != left:
            raise DecisionRefused(f"the payment leaves {left} unapplied: write off exactly "
                                  "that, or apply it")
        if left > 0:  # an overpayment: the cash itself is written off
            rest.invoice_id = None
            return
    elif rest.reason_code not in DEDUCTION_REASONS:
        raise DecisionRefused("a deduction needs a reason code")
    shares = dict(proposal.allocations)
    if rest.invoice_id not in shares:
        raise DecisionRefused("name the invoice the remainder belongs to (one of those paid)")
    still_open = invoices[rest.invoice_id].open_amount - shares[rest.invoice_id]
    if rest.amount > still_open:
        raise DecisionRefused(f"only {still_open} stays open on invoice {rest.invoice_id}")


def _invoices(session: Session, ids: list[str]) -> dict[str, OpenItemRow]:
    return {r.invoice_id: r for r in session.scalars(
        select(OpenItemRow).where(OpenItemRow.invoice_id.in_(ids)))}


# --- applying ------------------------------------------------------------------------


def _apply(session: Session, decision: CashDecisionRow, transaction: BankTransactionRow,
           user: User) -> None:
    now = clock.now()
    before = {"status": transaction.status, "decision": _decision_dict(decision)}
    customers = set()
    for entry in decision.allocations:
        value = Decimal(entry["amount"])
        customers.add(_take(session, entry["invoice_id"], value))
        session.add(PaymentApplicationRow(
            transaction_id=transaction.id, invoice_id=entry["invoice_id"],
            applied_amount=value, kind="invoice", status="confirmed", rule=entry["rule"],
            reason=entry["reason"], confidence=1.0, rank=0, proposed_by=decision.proposed_by,
            approved_by=user.username, created_at=now, decided_at=now, posted_at=None))
    _remainder(session, decision, transaction, user, customers)
    session.execute(update(PaymentApplicationRow).where(
        PaymentApplicationRow.transaction_id == transaction.id,
        PaymentApplicationRow.status == "suggested").values(status="superseded", decided_at=now))
    customer_id = next(iter(customers)) if len(customers) == 1 else transaction.customer_id
    transaction.status, transaction.customer_id = "confirmed", customer_id
    transaction.reason = f"confirmed by {decision.proposed_by}" + (
        f", approved by {user.username}" if user.username != decision.proposed_by else "")
    decision.status, decision.decided_by, decision.decided_at = "applied", user.username, now
    record(session, user, ("bank_transaction", transaction.id), "decision_applied", before,
           {"status": "confirmed", "decision": _decision_dict(decision)})
    if customer_id and len(customers) == 1:
        # What cash application learns from finance: the next statement from this payer
        # is matched to this customer.
        learn_payer(session, transaction, customer_id, actor=user.username)


def _take(session: Session, invoice_id: str, value: Decimal) -> str:
    """Reduce an invoice's open amount, refusing to go below zero (race-safe)."""
    result: Any = session.execute(
        update(OpenItemRow).where(OpenItemRow.invoice_id == invoice_id,
                                  OpenItemRow.open_amount >= value)
        .values(open_amount=OpenItemRow.open_amount - value))
    if result.rowcount != 1:
        raise DecisionRefused(f"invoice {invoice_id} no longer has {value} open")
    customer = session.scalar(select(OpenItemRow.customer_id).where(
        OpenItemRow.invoice_id == invoice_id))
    return str(customer)


def _remainder(session: Session, decision: CashDecisionRow, transaction: BankTransactionRow,
               user: User, customers: set[str]) -> None:
    kind, value = decision.remainder_kind, decision.remainder_amount or Decimal(0)
    if not kind or not value:
        return
    invoice_id = decision.remainder_invoice_id
    if kind == "write_off" and invoice_id is None:  # overpayment: the cash goes to write-off
        session.add(PaymentApplicationRow(
            transaction_id=transaction.id, invoice_id=None, applied_amount=value,
            kind="write_off", status="confirmed", rule="write_off",
            reason=f"small difference written off by {decision.proposed_by}", confidence=1.0,
            rank=0, proposed_by=decision.proposed_by, approved_by=user.username,
            created_at=clock.now(), decided_at=clock.now(), posted_at=None))
        return
    if kind == "deduction" and decision.disputed:
        customer = next(iter(customers)) if customers else transaction.customer_id
        session.add(DisputeRow(
            customer_id=customer, transaction_id=transaction.id, invoice_id=invoice_id,
            amount=value, reason_code=decision.reason_code or "OTHER", note=decision.note,
            status="open", created_by=decision.proposed_by, created_at=clock.now()))
        return
    if invoice_id:  # accepted deduction, or a short payment written off
        _take(session, invoice_id, value)


def _decision_dict(decision: CashDecisionRow) -> dict[str, Any]:
    return {"id": decision.id, "allocations": [{"invoice_id": a["invoice_id"],
                                                "amount": a["amount"]}
                                               for a in decision.allocations],
            "remainder_kind": decision.remainder_kind,
            "remainder_invoice_id": decision.remainder_invoice_id, "disputed": decision.disputed,
            "remainder_amount": str(decision.remainder_amount) if decision.remainder_amount
            else None, "reason_code": decision.reason_code, "status": decision.status,
            "proposed_by": decision.proposed_by, "decided_by": decision.decided_by}
