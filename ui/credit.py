"""Credit management views: orders on credit hold and customers' exposure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.tables import AuditEventRow, CustomerRow, OpenItemRow, OrderExceptionRow, OrderRow
from robots.validation_credit import CREDIT_REASONS
from ui.web import contains

#: Orders that count against the credit limit until they are invoiced.
OPEN_ORDER_STATES = ("validated", "grouped", "exception")
PROPOSED = "credit_release_proposed"


def holds(session: Session, page: int, size: int) -> tuple[list[dict[str, Any]], int]:
    """Orders waiting on a credit decision, oldest first, with any pending proposal."""
    held = (select(OrderExceptionRow.order_id).where(
        OrderExceptionRow.resolved_at.is_(None),
        OrderExceptionRow.reason.in_(CREDIT_REASONS)).distinct())
    query = select(OrderRow).where(OrderRow.id.in_(held), OrderRow.status == "exception")
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = list(session.scalars(query.order_by(OrderRow.received_at, OrderRow.id)
                                .offset((page - 1) * size).limit(size)))
    ids = [r.id for r in rows]
    reasons = _reasons(session, ids)
    proposals = pending_proposals(session, ids)
    return [{"order": r, "reasons": reasons.get(r.id, []), "proposed_by": proposals.get(r.id)}
            for r in rows], total


def _reasons(session: Session, ids: list[str]) -> dict[str, list[OrderExceptionRow]]:
    found: dict[str, list[OrderExceptionRow]] = {}
    for row in session.scalars(select(OrderExceptionRow).where(
            OrderExceptionRow.order_id.in_(ids), OrderExceptionRow.resolved_at.is_(None),
            OrderExceptionRow.reason.in_(CREDIT_REASONS))):
        found.setdefault(row.order_id, []).append(row)
    return found


def pending_proposals(session: Session, ids: list[str]) -> dict[str, str]:
    """Who proposed releasing each order's hold, when the release has not happened yet."""
    events = session.execute(select(AuditEventRow.entity_id, AuditEventRow.action,
                                    AuditEventRow.actor).where(
        AuditEventRow.entity_type == "order", AuditEventRow.entity_id.in_(ids),
        AuditEventRow.action.in_((PROPOSED, "credit_release", "credit_hold_kept")))
        .order_by(AuditEventRow.id))
    pending: dict[str, str] = {}
    for order_id, action, actor in events:
        if action == PROPOSED:
            pending[order_id] = actor
        else:
            pending.pop(order_id, None)
    return pending


@dataclass(frozen=True)
class Exposure:
    """A customer's exposure against the credit limit."""

    customer: CustomerRow
    open_items: Decimal
    open_orders: Decimal

    @property
    def total(self) -> Decimal:
        """Open invoices plus orders not yet invoiced."""
        return self.open_items + self.open_orders

    @property
    def used_pct(self) -> float | None:
        """Share of the credit limit in use, in percent (display only)."""
        limit = self.customer.credit_limit
        if not limit:
            return None
        return float(self.total * 100 / limit)


def exposures(session: Session, text: str, page: int, size: int,
              customers: list[str] | None = None) -> tuple[list[Exposure], int]:
    """Customers with a credit limit, most used first."""
    query = select(CustomerRow)
    if customers is not None:
        query = query.where(CustomerRow.customer_id.in_(customers))
    if text:
        query = query.where(contains(session, CustomerRow.customer_id, text)
                            | contains(session, CustomerRow.name, text))
    rows = list(session.scalars(query))
    items = dict(session.execute(select(OpenItemRow.customer_id, func.sum(
        OpenItemRow.open_amount)).group_by(OpenItemRow.customer_id)).all())
    orders = dict(session.execute(select(OrderRow.customer_id, func.sum(OrderRow.total_amount))
                                  .where(OrderRow.status.in_(OPEN_ORDER_STATES))
                                  .group_by(OrderRow.customer_id)).all())
    found = [Exposure(r, _dec(items.get(r.customer_id)), _dec(orders.get(r.customer_id)))
             for r in rows]
    found.sort(key=lambda e: (-(e.used_pct or -1.0), e.customer.customer_id))
    start = (page - 1) * size
    return found[start:start + size], len(found)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)
