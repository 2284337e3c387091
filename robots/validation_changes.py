"""Order changes and cancellations: applied to the original order, never a new order.

:func:`apply_change` is pure: the original canonical order and the change message give
the changed order. A change line with the number of an original line replaces the
values it states; quantity 0 (or ``action: delete``) removes the line; a new number adds
a line. Header values the change states (dates, ship-to, total) replace the original's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from hub import audit, clock, queue
from hub.model import Line, Order
from hub.orders import canonical
from hub.queue import Finding
from hub.tables import OrderLineRow, OrderRow

#: Original statuses a change or cancellation may still touch without a person.
CHANGEABLE = frozenset({"received", "extracted", "validated", "exception"})
CANCELLABLE = CHANGEABLE | {"grouped"}
#: Original statuses where the message has nothing left to do.
CLOSED = frozenset({"rejected", "cancelled"})

_HEADER_FIELDS = ("requested_delivery_date", "ship_to", "bill_to", "currency", "incoterms",
                  "total_amount", "payment_terms")
_LINE_VALUES = ("gtin", "buyer_item_code", "seller_item_code", "description", "quantity",
                "unit", "unit_price", "line_amount", "requested_delivery_date")
_DELETE_ACTIONS = frozenset({"delete", "cancel", "remove"})


def apply_change(original: Order, change: Order) -> Order | None:
    """The original order with the change applied (neither argument is modified).

    Returns:
        The changed order, or ``None`` when the change removes every line (the order
        is then cancelled).
    """
    data = original.model_dump()
    for name in _HEADER_FIELDS:
        value = getattr(change, name)
        if value is not None:
            data[name] = value.model_dump() if hasattr(value, "model_dump") else value
    lines = {line.line_number: line.model_dump() for line in original.lines}
    for line in change.lines:
        _apply_line(lines, line)
    if change.lines and change.total_amount is None:
        data["total_amount"] = None  # the stated total no longer describes the lines
    if not lines:
        return None
    data["lines"] = [lines[n] for n in sorted(lines)]
    data["notes"] = [*original.notes, *change.notes]
    return Order.model_validate(data)


def _apply_line(lines: dict[int, dict[str, Any]], line: Line) -> None:
    action = str((line.model_extra or {}).get("action", "")).lower()
    if action in _DELETE_ACTIONS or line.quantity == 0:
        lines.pop(line.line_number, None)
        return
    current = lines.get(line.line_number)
    if current is None:
        lines[line.line_number] = line.model_dump()
        return
    for name in _LINE_VALUES:
        value = getattr(line, name)
        if value is not None:
            current[name] = value
    if line.line_amount is None and (line.quantity is not None or line.unit_price is not None):
        current["line_amount"] = None  # the old amount belongs to the old quantity or price
    # What the line orders may have changed: resolution decides the product again.
    current["sku"] = line.sku


# --- applying a change message in the queue ---------------------------------------------


@dataclass(frozen=True)
class ChangeResult:
    """What a change or cancellation message did.

    Attributes:
        original_id: The order it applied to (``None`` when not found).
        action: ``cancelled``, ``changed``, ``nothing`` (original already closed) or
            ``held`` (a person must decide; ``finding`` says why).
        finding: The problem that holds the message.
    """

    original_id: str | None
    action: str
    finding: Finding | None = None


def find_original(session: Session, change_id: str, change: Order, customer_id: str | None,
                  buyer_key: str) -> tuple[str, str] | None:
    """The order the message changes: same customer (or buyer) and PO, newest live first.

    Returns:
        (order id, status), or ``None``.
    """
    o = OrderRow.__table__.c
    who = o.buyer_key == buyer_key
    if customer_id:
        who = or_(who, o.customer_id == customer_id)
    rows = session.execute(
        select(o.id, o.status)
        .where(o.document_type == "order", o.buyer_order_number == change.buyer_order_number,
               o.id != change_id, who)
        .order_by(o.id.desc())).all()
    live = [(r.id, r.status) for r in rows if r.status not in CLOSED]
    return live[0] if live else ((rows[0].id, rows[0].status) if rows else None)


def apply_message(session: Session, change_id: str, change: Order, customer_id: str | None,
                  buyer_key: str, *, actor: str) -> ChangeResult:
    """Apply a change or cancellation to its original order in the caller's transaction."""
    found = find_original(session, change_id, change, customer_id, buyer_key)
    if found is None:
        return ChangeResult(None, "held", _no_original(change))
    original_id, status = found
    if status in CLOSED:
        return ChangeResult(original_id, "nothing")
    allowed = CANCELLABLE if change.document_type == "order_cancel" else CHANGEABLE
    if status not in allowed:
        return ChangeResult(original_id, "held", _too_late(change, original_id, status))
    row = session.get(OrderRow, original_id)
    assert row is not None
    changed = None if change.document_type == "order_cancel" else apply_change(
        canonical(session, row), change)
    if changed is None:
        _cancel(session, original_id, change_id, actor)
        return ChangeResult(original_id, "cancelled")
    _rewrite(session, row, changed, change_id, actor)
    return ChangeResult(original_id, "changed")


def _cancel(session: Session, original_id: str, change_id: str, actor: str) -> None:
    note = f"cancelled by the customer's message {change_id}"
    queue.resolve_exceptions(session, original_id, actor=actor, resolution=note)
    queue.transition(session, [original_id], "cancelled", actor=actor, detail=note)


def _rewrite(session: Session, row: OrderRow, changed: Order, change_id: str,
             actor: str) -> None:
    before = {"lines": len(session.execute(select(OrderLineRow.line_number).where(
        OrderLineRow.order_id == row.id)).all()), "total_amount": str(row.total_amount)}
    header = changed.to_json_dict()
    header.pop("lines")
    session.execute(delete(queue.LINES).where(OrderLineRow.order_id == row.id))
    session.execute(insert(queue.LINES), [_line_row(row.id, line)
                                                       for line in changed.lines])
    session.execute(update(queue.ORDERS).where(OrderRow.id == row.id).values(
        header=header, requested_delivery_date=changed.requested_delivery_date,
        currency=changed.currency, total_amount=changed.total_amount, ship_to_address_id=None,
        bill_to_address_id=None, updated_at=clock.now()))
    note = f"changed by the customer's message {change_id}"
    audit.record(session, [audit.AuditEvent(
        "order", row.id, "order_change", actor, before,
        {"lines": len(changed.lines), "total_amount": str(changed.total_amount)}, note)])
    if row.status in ("validated", "exception"):
        queue.resolve_exceptions(session, row.id, actor=actor, resolution=note)
        queue.transition(session, [row.id], "extracted", actor=actor, detail=note)


def _line_row(order_id: str, line: Line) -> dict[str, Any]:
    data = line.model_dump()
    row = {name: data.get(name) for name in (*_LINE_VALUES, "sku")}
    extra = {k: v for k, v in line.model_dump(mode="json").items() if k not in row
             and k != "line_number"}
    row.update(order_id=order_id, line_number=line.line_number, extra=extra or None)
    return row


def _no_original(change: Order) -> Finding:
    kind = "cancellation" if change.document_type == "order_cancel" else "change"
    return Finding(
        "INVALID_VALUE", f"no order {change.buyer_order_number} of this customer for the "
        f"{kind} to apply to", field="buyer_order_number",
        expected="the PO number of an order in the queue", found=change.buyer_order_number,
        suggestion="wait for the original order, or reject the message")


def _too_late(change: Order, original_id: str, status: str) -> Finding:
    kind = "cancellation" if change.document_type == "order_cancel" else "change"
    return Finding(
        "INVALID_VALUE", f"order {original_id} is already {status}: the {kind} needs a person",
        field="document_type", expected="an order not yet grouped or released",
        found=f"{original_id} {status}",
        suggestion=f"apply the {kind} by hand in the ERP, or reject the message")
