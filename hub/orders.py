"""Reading the queue: an order as it stands, its summary line and its timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.model import Order
from hub.queue import open_exceptions
from hub.tables import OrderExceptionRow, OrderLineRow, OrderRow

_LINE_COLUMNS = (
    "line_number", "gtin", "buyer_item_code", "seller_item_code", "sku", "description",
    "quantity", "unit", "unit_price", "line_amount", "requested_delivery_date",
)


@dataclass(frozen=True)
class Step:
    """One status an order reached: when, by whom, and how long after the step before."""

    status: str
    at: datetime
    actor: str
    seconds_since_previous: float | None
    detail: str | None = None


def canonical(session: Session, row: OrderRow) -> Order:
    """The canonical order as it stands now, with what validation resolved."""
    lines = session.scalars(
        select(OrderLineRow).where(OrderLineRow.order_id == row.id)
        .order_by(OrderLineRow.line_number)
    ).all()
    data: dict[str, Any] = dict(row.header)
    data["lines"] = [_line_dict(line) for line in lines]
    return Order.model_validate(data)


def canonical_many(session: Session, rows: Sequence[OrderRow]) -> dict[str, Order]:
    """Several orders as they stand, their lines read in one query."""
    lines: dict[str, list[dict[str, Any]]] = {row.id: [] for row in rows}
    columns = [getattr(OrderLineRow, name) for name in _LINE_COLUMNS]
    query = (select(OrderLineRow.order_id, OrderLineRow.extra, *columns)
             .where(OrderLineRow.order_id.in_(list(lines)))
             .order_by(OrderLineRow.order_id, OrderLineRow.line_number))
    for order_id, extra, *values in session.execute(query):
        lines[order_id].append({**dict(zip(_LINE_COLUMNS, values, strict=True)), **(extra or {})})
    return {row.id: Order.model_validate({**row.header, "lines": lines[row.id]}) for row in rows}


def _line_dict(line: OrderLineRow) -> dict[str, Any]:
    data = {name: getattr(line, name) for name in _LINE_COLUMNS}
    data.update(line.extra or {})
    return data


def exception_dict(row: OrderExceptionRow) -> dict[str, Any]:
    """An exception as the command line and the API show it."""
    return {
        "reason": row.reason, "field": row.field, "message": row.message,
        "expected": row.expected, "found": row.found, "suggestion": row.suggestion,
        "owner": row.owner,
    }


def summary(row: OrderRow, exceptions: Sequence[OrderExceptionRow]) -> dict[str, Any]:
    """The contract's ``o2c queue list --json`` object for one order."""
    return {
        "order_id": row.id, "buyer_order_number": row.buyer_order_number,
        "status": row.status, "customer_id": row.customer_id, "group_id": row.group_id,
        "channel": row.channel, "document_type": row.document_type,
        "received_at": row.received_at.isoformat(),
        "exceptions": [
            {"reason": e.reason, "field": e.field, "message": e.message} for e in exceptions
        ],
    }


def list_summaries(
    session: Session, *, status: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Summaries of the orders in the queue, oldest first."""
    query = select(OrderRow).order_by(OrderRow.id)
    if status:
        query = query.where(OrderRow.status == status)
    if limit:
        query = query.limit(limit)
    rows = session.scalars(query).all()
    exceptions = open_exceptions(session, [r.id for r in rows]) if rows else {}
    return [summary(r, exceptions[r.id]) for r in rows]


def timeline(session: Session, order_id: str) -> list[Step]:
    """Each status the order reached, with the delay between steps."""
    steps: list[Step] = []
    for event in audit.history(session, "order", order_id):
        if event.action != "status" or not event.after:
            continue
        previous = steps[-1].at if steps else None
        delay = (event.at - previous).total_seconds() if previous else None
        steps.append(Step(event.after["status"], event.at, event.actor, delay, event.detail))
    return steps


def detail(session: Session, order_id: str) -> dict[str, Any] | None:
    """``o2c queue show``: the canonical order, status, open exceptions and timeline."""
    row = session.get(OrderRow, order_id)
    if row is None:
        return None
    exceptions = open_exceptions(session, [order_id])[order_id]
    return {
        "order_id": row.id, "status": row.status, "customer_id": row.customer_id,
        "ship_to_address_id": row.ship_to_address_id, "group_id": row.group_id,
        "order": canonical(session, row).to_json_dict(),
        "exceptions": [exception_dict(e) for e in exceptions],
        "timeline": [
            {"status": s.status, "at": s.at.isoformat(), "actor": s.actor,
             "seconds_since_previous": s.seconds_since_previous, "detail": s.detail}
            for s in timeline(session, order_id)
        ],
    }
