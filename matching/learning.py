"""Finance decisions on a payment, and what cash application learns from each of them.

The workbench calls these for the payments the robot could not apply alone: confirm a
suggestion, reassign to other invoices, split over invoices with chosen amounts, accept
a deduction as a dispute. Each decision applies the cash (never beyond the payment nor
an invoice's open amount), moves the transaction to ``confirmed``, is audited, goes to
the posting export, and teaches matching:

* the payer's name and IBAN become a payer alias of the customer;
* the confirmed application, with the remittance it came with, is what the customer's
  reference habits are learned from (:func:`matching.store.load_habits`): the next
  statement is matched with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import audit, clock
from hub.audit import AuditEvent
from hub.errors import O2CError
from hub.tables import BankTransactionRow, OpenItemRow, PayerAliasRow, PaymentApplicationRow
from matching import posting
from matching.settings import MatchSettings
from matching.store import apply_to_invoice

DECIDABLE = ("suggested", "unmatched")
#: Manual matches above this amount need a second person (``[match] four_eyes_amount``).
FOUR_EYES = MatchSettings().four_eyes_amount


class DecisionError(O2CError):
    """A finance decision that cannot be applied, with the reason in one line."""


def confirm(session: Session, transaction_id: str, *, actor: str) -> list[int]:
    """Accept the first suggestion as it stands. Returns the application ids."""
    tx = _decidable(session, transaction_id)
    proposed = session.scalars(
        select(PaymentApplicationRow).where(
            PaymentApplicationRow.transaction_id == tx.id,
            PaymentApplicationRow.status == "suggested", PaymentApplicationRow.rank == 0)
    ).all()
    if not proposed:
        raise DecisionError(f"{tx.id}: nothing suggested to confirm")
    split = {a.invoice_id: a.applied_amount for a in proposed if a.invoice_id}
    return _decide(session, tx, split, actor=actor, action="confirm")


def reassign(
    session: Session,
    transaction_id: str,
    invoice_ids: list[str],
    *,
    actor: str,
    second: str | None = None,
    four_eyes: Decimal = FOUR_EYES,
) -> list[int]:
    """Apply the payment to these invoices instead, oldest due first, within open amounts.

    Args:
        second: The second person approving a manual match above ``four_eyes``.
    """
    tx = _decidable(session, transaction_id)
    _check_four_eyes(tx, actor, second, four_eyes)
    items = _open_items(session, invoice_ids)
    left, split = tx.amount, {}
    for item in sorted(items, key=lambda i: (i.due_date, i.invoice_id)):
        applied = min(item.open_amount, left)
        if applied > 0:
            split[item.invoice_id] = applied
            left -= applied
    return _decide(session, tx, split, actor=actor, action="reassign")


def split_payment(
    session: Session,
    transaction_id: str,
    amounts: Mapping[str, Decimal],
    *,
    actor: str,
    second: str | None = None,
    four_eyes: Decimal = FOUR_EYES,
) -> list[int]:
    """Apply chosen amounts to chosen invoices (a second person above ``four_eyes``)."""
    tx = _decidable(session, transaction_id)
    _check_four_eyes(tx, actor, second, four_eyes)
    return _decide(session, tx, dict(amounts), actor=actor, action="split")


def accept_deduction(
    session: Session, transaction_id: str, invoice_id: str, reason: str, *, actor: str
) -> list[int]:
    """Apply the payment to the invoice and open a dispute for what the customer deducted."""
    tx = _decidable(session, transaction_id)
    (item,) = _open_items(session, [invoice_id])
    paid = min(item.open_amount, tx.amount)
    deducted = item.open_amount - paid
    ids = _decide(session, tx, {invoice_id: paid}, actor=actor, action="deduction")
    if deducted > 0:
        session.add(PaymentApplicationRow(
            transaction_id=tx.id, invoice_id=invoice_id, applied_amount=deducted,
            kind="deduction", status="dispute", rule="finance:deduction", reason=reason,
            confidence=1.0, rank=0, proposed_by=actor, approved_by=actor,
            created_at=clock.now(), decided_at=clock.now(),
        ))
        audit.record(session, [AuditEvent("dispute", tx.id, "open", actor, None, {
            "invoice_id": invoice_id, "amount": str(deducted), "queue": "adv"}, reason)])
    return ids


def _check_four_eyes(
    tx: BankTransactionRow, actor: str, second: str | None, limit: Decimal
) -> None:
    """A manual match above the limit needs a second person (the finance rule)."""
    if tx.amount > limit and (not second or second == actor):
        raise DecisionError(
            f"{tx.id}: a manual match of {tx.amount} (above {limit}) needs a second person")


def _decidable(session: Session, transaction_id: str) -> BankTransactionRow:
    tx = session.get(BankTransactionRow, transaction_id, with_for_update=True)
    if tx is None:
        raise DecisionError(f"{transaction_id}: no such bank transaction")
    if tx.status not in DECIDABLE:
        raise DecisionError(f"{transaction_id}: is {tx.status}, only {DECIDABLE} are decided")
    if tx.amount <= 0:
        raise DecisionError(f"{transaction_id}: a debit is not a customer payment")
    return tx


def _open_items(session: Session, invoice_ids: list[str]) -> list[OpenItemRow]:
    items = session.scalars(select(OpenItemRow).where(OpenItemRow.invoice_id.in_(invoice_ids)))
    found = list(items)
    missing = set(invoice_ids) - {i.invoice_id for i in found}
    if missing:
        raise DecisionError(f"unknown invoices: {', '.join(sorted(missing))}")
    return found


def _decide(
    session: Session,
    tx: BankTransactionRow,
    split: dict[str, Decimal],
    *,
    actor: str,
    action: str,
) -> list[int]:
    """Check, apply, record, audit, learn and post one decision."""
    total = sum(split.values(), Decimal(0))
    if not split or any(v <= 0 for v in split.values()):
        raise DecisionError(f"{tx.id}: nothing to apply")
    if total > tx.amount:
        raise DecisionError(f"{tx.id}: {total} is more than the payment of {tx.amount}")
    for invoice_id, amount in split.items():
        if not apply_to_invoice(session, invoice_id, amount):
            raise DecisionError(f"{tx.id}: {amount} is more than {invoice_id} has open")
    now = clock.now()
    session.execute(
        update(PaymentApplicationRow)
        .where(PaymentApplicationRow.transaction_id == tx.id,
               PaymentApplicationRow.status.in_(("suggested", "alternative")))
        .values(status="rejected", decided_at=now)
    )
    rows = [PaymentApplicationRow(
        transaction_id=tx.id, invoice_id=invoice_id, applied_amount=amount, kind="invoice",
        status="confirmed", rule=f"finance:{action}", reason=f"{action} by {actor}",
        confidence=1.0, rank=0, proposed_by=actor, approved_by=actor, created_at=now,
        decided_at=now,
    ) for invoice_id, amount in split.items()]
    session.add_all(rows)
    customer = session.scalar(select(OpenItemRow.customer_id).where(
        OpenItemRow.invoice_id == next(iter(split))))
    before = {"status": tx.status, "customer_id": tx.customer_id}
    tx.status, tx.customer_id = "confirmed", customer
    session.flush()
    audit.record(session, [AuditEvent("bank_transaction", tx.id, action, actor, before, {
        "status": "confirmed", "customer_id": customer,
        "applied": {k: str(v) for k, v in split.items()}})])
    if customer:
        learn_payer(session, tx, customer, actor=actor)
    posting.post_applications(session, transaction_ids=[tx.id], actor=actor)
    return [r.id for r in rows]


def learn_payer(session: Session, tx: BankTransactionRow, customer_id: str, *, actor: str) -> None:
    """Tie the payer's name and IBAN to the customer, once."""
    if not (tx.payer_name or tx.payer_iban):
        return
    known = session.scalar(select(PayerAliasRow.id).where(
        PayerAliasRow.customer_id == customer_id,
        PayerAliasRow.payer_name.is_(None) if tx.payer_name is None
        else PayerAliasRow.payer_name == tx.payer_name,
        PayerAliasRow.payer_iban.is_(None) if tx.payer_iban is None
        else PayerAliasRow.payer_iban == tx.payer_iban,
    ))
    if known is None:
        session.add(PayerAliasRow(customer_id=customer_id, payer_name=tx.payer_name,
                                  payer_iban=tx.payer_iban, source="decision",
                                  created_at=clock.now()))
        audit.record(session, [AuditEvent("payer_alias", customer_id, "learn", actor, None, {
            "payer_name": tx.payer_name, "payer_iban": tx.payer_iban})])
