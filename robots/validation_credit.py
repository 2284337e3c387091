"""Credit holds: exposure against the limit, overdue invoices, blocked accounts.

Finance owns these holds, not ADV: their findings carry ``owner="finance"``. Releasing a
hold on an order above ``four_eyes_amount`` needs a second person; the release is
audited with both names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, queue
from hub.db import Database
from hub.errors import O2CError
from hub.queue import Finding
from hub.tables import AuditEventRow, OrderExceptionRow, OrderRow
from robots.validation_index import MasterIndex
from robots.validation_settings import ValidateSettings

#: The reasons finance owns.
CREDIT_REASONS = ("CREDIT_LIMIT_EXCEEDED", "OVERDUE_BALANCE", "CUSTOMER_BLOCKED")
FINANCE = "finance"
_PROPOSED = "credit_release_proposed"


def open_items_total(index: MasterIndex, customer_id: str) -> Decimal:
    """What the customer's unpaid invoices still owe."""
    return sum((i.open_amount for i in index.open_items.get(customer_id, ())), Decimal(0))


def check_credit(
    customer_id: str, *, order_value: Decimal, open_orders: Decimal, index: MasterIndex,
    settings: ValidateSettings, today: date,
) -> list[Finding]:
    """Credit findings for one order of a customer.

    Args:
        customer_id: The resolved customer.
        order_value: This order's value.
        open_orders: The customer's other accepted orders not yet invoiced.
        index: Master data with open items.
        settings: Overdue days and whether credit is checked at all.
        today: The date of the check.
    """
    customer = index.customers[customer_id]
    if not settings.credit_check:
        return []
    findings: list[Finding] = []
    if customer.blocked:
        findings.append(Finding(
            "CUSTOMER_BLOCKED", f"customer {customer_id} is blocked for new orders",
            field="buyer", expected="an unblocked account", found="blocked",
            suggestion="finance: unblock the account or reject the order", owner=FINANCE))
    exposure = open_items_total(index, customer_id) + open_orders + order_value
    if customer.credit_limit is not None and exposure > customer.credit_limit:
        findings.append(Finding(
            "CREDIT_LIMIT_EXCEEDED", f"exposure {exposure} would exceed the credit limit "
            f"{customer.credit_limit} {customer.currency or ''}".rstrip(), field="total_amount",
            expected=f"<= {customer.credit_limit}", found=str(exposure),
            suggestion="finance: release the hold, raise the limit or ask for prepayment",
            owner=FINANCE))
    findings += _overdue(customer_id, index, settings, today)
    return findings


def _overdue(customer_id: str, index: MasterIndex, settings: ValidateSettings,
             today: date) -> list[Finding]:
    limit = today - timedelta(days=settings.overdue_days)
    late = [i for i in index.open_items.get(customer_id, ())
            if i.due_date < limit and i.open_amount > 0]
    if not late:
        return []
    amount = sum((i.open_amount for i in late), Decimal(0))
    oldest = min(late, key=lambda i: i.due_date)
    return [Finding(
        "OVERDUE_BALANCE", f"{len(late)} invoice(s) overdue more than {settings.overdue_days} "
        f"days, {amount} in all, oldest {oldest.invoice_id} due {oldest.due_date}",
        field="buyer", expected=f"nothing overdue more than {settings.overdue_days} days",
        found=f"{amount} overdue", suggestion="finance: collect or release the hold",
        owner=FINANCE)]


# --- releasing a hold (workbench) ------------------------------------------------------


class CreditReleaseError(O2CError):
    """A credit hold that cannot be released as asked (none open, or four eyes)."""


@dataclass(frozen=True)
class CreditRelease:
    """What a release did.

    Attributes:
        order_id: The order.
        amount: The order's value the hold was on.
        released: How many finance exceptions were closed.
        status: The order's status afterwards.
    """

    order_id: str
    amount: Decimal
    released: int
    status: str


def release_credit_hold(
    db: Database, order_id: str, actor: str, approver: str | None = None,
    *, settings: ValidateSettings | None = None,
) -> CreditRelease:
    """Release an order's credit holds; above ``four_eyes_amount`` a second person approves.

    The order goes to ``validated`` when no other exception stays open; otherwise it
    stays in ``exception`` for ADV. Checking that both people hold the finance role is
    the caller's (workbench) job; this function enforces that they are two.

    Raises:
        CreditReleaseError: no hold is open, or the amount needs an approver who is not
            ``actor``.
    """
    rules = settings or ValidateSettings()
    with db.session() as session:
        row = session.get(OrderRow, order_id, with_for_update=True)
        if row is None:
            raise CreditReleaseError(f"order {order_id} does not exist")
        holds = _open_holds(session, order_id)
        if not holds:
            raise CreditReleaseError(f"order {order_id} has no open credit hold")
        amount = row.total_amount or Decimal(0)
        _check_four_eyes(order_id, amount, actor, approver, rules)
        note = f"credit hold released by {actor}" + (f", approved by {approver}" if approver
                                                      else "")
        closed = queue.resolve_exceptions(session, order_id, actor=approver or actor,
                                          resolution=note, reasons=CREDIT_REASONS)
        others = queue.open_exceptions(session, [order_id])[order_id]
        if not others and row.status == "exception":
            queue.transition(session, [order_id], "validated", actor=approver or actor,
                             detail=note)
        audit.record(session, [audit.AuditEvent(
            "order", order_id, "credit_release", actor,
            {"holds": sorted(h.reason for h in holds)},
            {"amount": str(amount), "released_by": actor, "approved_by": approver}, note)])
        return CreditRelease(order_id, amount, closed, "validated" if not others else row.status)


def _open_holds(session: Session, order_id: str) -> list[OrderExceptionRow]:
    return [e for e in queue.open_exceptions(session, [order_id])[order_id]
            if e.reason in CREDIT_REASONS]


def _check_four_eyes(order_id: str, amount: Decimal, actor: str, approver: str | None,
                     rules: ValidateSettings) -> None:
    if amount <= rules.four_eyes_amount:
        return
    if not approver:
        raise CreditReleaseError(
            f"order {order_id}: {amount} is above {rules.four_eyes_amount}; a second person "
            "must approve the release")
    if approver == actor:
        raise CreditReleaseError(f"order {order_id}: the approver must not be {actor} "
                                 "who asks for the release")


def propose_credit_release(db: Database, order_id: str, actor: str,
                           *, settings: ValidateSettings | None = None) -> CreditRelease | None:
    """First step of a release by two people; below the four-eyes amount it releases.

    Returns:
        The release when one person suffices, else ``None`` (the proposal is recorded
        and waits for :func:`approve_credit_release`).
    """
    rules = settings or ValidateSettings()
    with db.session() as session:
        row = session.get(OrderRow, order_id)
        if row is None or not _open_holds(session, order_id):
            raise CreditReleaseError(f"order {order_id} has no open credit hold")
        if (row.total_amount or Decimal(0)) > rules.four_eyes_amount:
            audit.record(session, [audit.AuditEvent(
                "order", order_id, _PROPOSED, actor, None,
                {"amount": str(row.total_amount)}, "credit hold release proposed")])
            return None
    return release_credit_hold(db, order_id, actor, settings=rules)


def approve_credit_release(db: Database, order_id: str, approver: str,
                           *, settings: ValidateSettings | None = None) -> CreditRelease:
    """Second step: another person approves the latest proposal and the hold is released.

    Raises:
        CreditReleaseError: no proposal is waiting, or the approver proposed it.
    """
    with db.session() as session:
        proposer = session.scalars(
            select(AuditEventRow.actor)
            .where(AuditEventRow.entity_type == "order", AuditEventRow.entity_id == order_id,
                   AuditEventRow.action == _PROPOSED)
            .order_by(AuditEventRow.id.desc()).limit(1)).first()
    if proposer is None:
        raise CreditReleaseError(f"order {order_id}: no credit release proposal to approve")
    return release_credit_hold(db, order_id, proposer, approver, settings=settings)
