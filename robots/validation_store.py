"""Writing one batch's outcomes back to the queue in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from hub import bulk, clock, queue
from hub.model import decimal_text
from robots.validation_order import Outcome
from robots.validation_products import ResolvedLine

ORDERS, LINES = queue.ORDERS, queue.LINES
_PARTIES = ("buyer", "bill_to", "ship_to")


_LINE_SET = ("sku", "quantity", "unit", "unit_price", "extra")


def write_outcomes(session: Session, rows: dict[str, Row[Any]],
                   lines: dict[str, list[Row[Any]]], outcomes: Sequence[Outcome],
                   actor: str) -> None:
    """Write what validation resolved, the findings, the new statuses and the audit."""
    if not outcomes:
        return
    now = clock.now()
    bulk.update_rows(session, ORDERS, ("id",),
                     [_order_values(rows[o.order_id], o, now) for o in outcomes])
    bulk.update_rows(session, LINES, ("order_id", "line_number"), [
        v for o in outcomes for v in _line_values(lines.get(o.order_id, []), o)])
    # One bulk insert of the rows hub.queue.add_exceptions would write order by order.
    bulk.insert_rows(session, queue.EXCEPTIONS, [
        {"order_id": o.order_id, "reason": f.reason, "field": f.field, "message": f.message,
         "expected": f.expected, "found": f.found, "suggestion": f.suggestion, "owner": f.owner,
         "created_at": now, "created_by": actor, "resolved_at": None, "resolved_by": None,
         "resolution": None}
        for o in outcomes for f in o.findings])
    # The status event of each order says which rule decided its customer.
    for status in ("exception", "validated"):
        moved = {o.order_id: f"customer by {o.customer_rule}" if o.customer_rule
                 else "customer not found" for o in outcomes if o.status == status}
        if moved:
            queue.transition(session, list(moved), status, actor=actor, details=moved)


def _order_values(row: Row[Any], outcome: Outcome, now: Any) -> dict[str, Any]:
    header = dict(row.header)  # only the parties change: copy those, not the whole tree
    for name in _PARTIES:
        party = header.get(name)
        if isinstance(party, dict) and outcome.customer_id:
            header[name] = {**party, "customer_id": outcome.customer_id}
    if outcome.currency and not header.get("currency"):
        header["currency"] = outcome.currency
    stated = row.total_amount
    return {
        "id": row.id, "customer_id": outcome.customer_id,
        "ship_to_address_id": outcome.ship_to_address_id,
        "bill_to_address_id": outcome.bill_to_address_id,
        "currency": header.get("currency"),
        "total_amount": stated if stated is not None else outcome.value,
        "header": header, "updated_at": now,
    }


def _line_values(stored: list[Row[Any]], outcome: Outcome) -> list[dict[str, Any]]:
    by_number = {r.line_number: r for r in stored}
    values = []
    for resolved in outcome.lines:
        row = by_number.get(resolved.line.line_number)
        if row is None or resolved.product is None:
            continue
        wanted = _resolved_values(row, resolved)
        current = {n: getattr(row, n) for n in _LINE_SET}
        if wanted != current:
            values.append({"order_id": row.order_id, "line_number": row.line_number,
                           **wanted})
    return values


def _resolved_values(row: Row[Any], resolved: ResolvedLine) -> dict[str, Any]:
    assert resolved.product is not None
    extra = dict(row.extra or {}) or None
    if resolved.converted:
        # The customer's own figures stay beside the converted ones.
        extra = {**(extra or {}), "ordered_quantity": decimal_text(row.quantity),
                 "ordered_unit": row.unit}
        if row.unit_price is not None:
            extra["ordered_unit_price"] = decimal_text(row.unit_price)
    price = resolved.unit_price
    if price is not None and resolved.converted:
        price = _six_places(price)
    return {"sku": resolved.product.sku, "quantity": resolved.quantity,
            "unit": resolved.unit or row.unit, "unit_price": price, "extra": extra}


def _six_places(value: Decimal) -> Decimal:
    # Amounts are stored to six places; a price divided by a pack size may need more.
    return value.quantize(Decimal("0.000001"))
