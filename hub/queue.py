"""The order queue and its state machine.

Every status change of an order goes through :func:`transition`, which checks the move
against :data:`TRANSITIONS` and writes an audit event in the same transaction. Robots
take work with :func:`claim`: on PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets any number
of workers share the queue; on SQLite one ``UPDATE ... RETURNING`` statement takes the
write lock, so two processes never claim the same order. A claim is a lease: a worker
that dies leaves orders that return to the queue when the lease expires.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from hub import audit, bulk, clock
from hub.errors import O2CError
from hub.ids import new_id
from hub.model import Order
from hub.tables import (
    CLAIMABLE_ORDER_STATES,
    OrderExceptionRow,
    OrderLineRow,
    OrderRow,
)

ORDERS = cast(Table, OrderRow.__table__)
LINES = cast(Table, OrderLineRow.__table__)
EXCEPTIONS = cast(Table, OrderExceptionRow.__table__)

STATES = (
    "received", "extracted", "validated", "exception", "grouped", "released",
    "rejected", "cancelled",
)
FINAL_STATES = frozenset({"released", "rejected", "cancelled"})

#: Allowed moves. An exception fixed by ADV goes back to ``extracted`` (re-validation);
#: a credit hold released by finance may go straight to ``validated``.
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"extracted", "exception", "rejected", "cancelled"}),
    "extracted": frozenset({"validated", "exception", "rejected", "cancelled"}),
    "validated": frozenset({"grouped", "exception", "extracted", "rejected", "cancelled"}),
    "exception": frozenset({"extracted", "validated", "exception", "rejected", "cancelled"}),
    "grouped": frozenset({"released", "validated", "exception", "cancelled"}),
    "released": frozenset({"cancelled"}),
    "rejected": frozenset(),
    "cancelled": frozenset(),
}

_LINE_FIELDS = (
    "gtin", "buyer_item_code", "seller_item_code", "sku", "description", "quantity",
    "unit", "unit_price", "line_amount", "requested_delivery_date",
)


class InvalidTransition(O2CError):  # noqa: N818 - reads as the trade term
    """A status change the state machine does not allow."""


@dataclass(frozen=True)
class Finding:
    """A problem a robot found, becoming an open exception on the order.

    Attributes:
        reason: A typed reason from the contract (``UNKNOWN_PRODUCT``...).
        message: One line for people.
        field: The field path (``lines[2].sku``), when one field is at fault.
        expected: What was expected.
        found: What the order says.
        suggestion: The suggested fix.
        owner: Who must act: ``adv`` or ``finance`` (credit holds).
    """

    reason: str
    message: str
    field: str | None = None
    expected: str | None = None
    found: str | None = None
    suggestion: str | None = None
    owner: str = "adv"


@dataclass(frozen=True)
class Enqueued:
    """What :func:`enqueue` did: new order ids, and ids that already existed."""

    created: list[str]
    existing: list[str]


def buyer_key(order: Order) -> str:
    """The buyer part of an order's identity: the strongest id the document gives."""
    buyer = order.buyer
    for value in (buyer.gln, buyer.vat_id, buyer.siret, buyer.buyer_assigned_id):
        if value:
            return value
    name = " ".join((buyer.name or "").upper().split())
    return name or (order.source.sender or "")


def identity(order: Order) -> tuple[str, str, str, str]:
    """(buyer, buyer order number, document type, document sha256): the idempotency key."""
    return (buyer_key(order), order.buyer_order_number, order.document_type, order.source.sha256)


def enqueue(
    session: Session, orders: Sequence[Order], *, actor: str, status: str = "extracted"
) -> Enqueued:
    """Put extracted orders in the queue, once each, with their lines and an audit event.

    Args:
        session: The caller's transaction.
        orders: Canonical orders (from one or several documents).
        actor: Who: ``connector:edi``, ``api:shop-42``.
        status: ``extracted`` (from a document) or ``received``.

    Returns:
        The created and already existing order ids, in input order.
    """
    existing = _existing_ids(session, orders)
    now = clock.now()
    order_rows, line_rows, events, created = [], [], [], []
    seen: dict[tuple[str, str, str, str], str] = {}
    for order in orders:
        key = identity(order)
        if key in existing or key in seen:
            continue
        order_id = new_id("ORD")
        seen[key] = order_id
        created.append(order_id)
        order_rows.append(_order_row(order_id, order, status, now))
        line_rows.extend(_line_rows(order_id, order))
        after = {"status": status}
        events.append(audit.AuditEvent("order", order_id, "status", actor, None, after))
    if order_rows:
        bulk.insert_rows(session, ORDERS, order_rows)
        bulk.insert_rows(session, LINES, line_rows)
        audit.record(session, events, at=now)
    return Enqueued(created=created, existing=[existing[k] for k in existing])


def _existing_ids(
    session: Session, orders: Sequence[Order]
) -> dict[tuple[str, str, str, str], str]:
    shas = {o.source.sha256 for o in orders}
    if not shas:
        return {}
    query = select(
        OrderRow.buyer_key, OrderRow.buyer_order_number, OrderRow.document_type,
        OrderRow.document_sha256, OrderRow.id,
    ).where(OrderRow.document_sha256.in_(shas))
    return {(r[0], r[1], r[2], r[3]): r[4] for r in session.execute(query)}


def _order_row(order_id: str, order: Order, status: str, now: Any) -> dict[str, Any]:
    header = order.to_json_dict()
    header.pop("lines")
    return {
        "id": order_id, "document_sha256": order.source.sha256,
        "document_type": order.document_type, "buyer_order_number": order.buyer_order_number,
        "buyer_key": buyer_key(order), "channel": order.source.channel,
        "format": order.source.format, "sender": order.source.sender, "status": status,
        "customer_id": order.buyer.customer_id, "ship_to_address_id": None,
        "bill_to_address_id": None, "group_id": None, "original_order_id": None,
        "order_date": order.order_date, "requested_delivery_date": order.requested_delivery_date,
        "currency": order.currency, "total_amount": order.total_amount,
        "min_confidence": order.min_confidence(), "header": header,
        "received_at": order.source.received_at or now, "created_at": now, "updated_at": now,
        "lease_owner": None, "lease_expires_at": None, "attempts": 0,
    }


def _line_rows(order_id: str, order: Order) -> list[dict[str, Any]]:
    rows = []
    for line in order.lines:
        data = line.model_dump()
        row = {name: data.get(name) for name in _LINE_FIELDS}
        extra = {k: v for k, v in line.model_dump(mode="json").items()
                 if k not in _LINE_FIELDS and k != "line_number"}
        row.update(order_id=order_id, line_number=line.line_number, extra=extra or None)
        rows.append(row)
    return rows


def transition(
    session: Session,
    order_ids: Iterable[str],
    to_status: str,
    *,
    actor: str,
    detail: str | None = None,
    changes: dict[str, Any] | None = None,
    each: Mapping[str, Mapping[str, Any]] | None = None,
    details: Mapping[str, str] | None = None,
) -> int:
    """Move orders to ``to_status``, auditing each move; clears their leases.

    Args:
        session: The caller's transaction.
        order_ids: The orders.
        to_status: The new status.
        actor: Who: a person's user name or ``robot:validate``.
        detail: Why, for the audit trail (a rejection reason, the rule that grouped).
        changes: Other columns to set on every order in the same update.
        each: Columns to set per order (``{order_id: {"group_id": ...}}``); the same
            columns for every order.
        details: Why, per order, where orders moved together have different reasons
            (overrides ``detail``).

    Raises:
        InvalidTransition: naming the order and the move; nothing is changed.
    """
    ids = list(order_ids)
    if to_status not in TRANSITIONS:
        raise InvalidTransition(f"unknown order status {to_status!r}")
    query = select(OrderRow.id, OrderRow.status).where(OrderRow.id.in_(ids))
    current: dict[str, str] = {row.id: row.status for row in session.execute(query)}
    for order_id in ids:
        _check_move(order_id, current.get(order_id), to_status)
    now = clock.now()
    values = {"status": to_status, "updated_at": now, "lease_owner": None,
              "lease_expires_at": None, **(changes or {})}
    session.execute(update(ORDERS).where(ORDERS.c.id.in_(ids)).values(**values))
    if each:
        _update_each(session, each)
    audit.record(session, (
        audit.AuditEvent("order", i, "status", actor, {"status": current[i]},
                         {"status": to_status, **_jsonable(changes),
                          **_jsonable(dict(each.get(i, {})) if each else None)},
                         details.get(i, detail) if details else detail)
        for i in ids
    ), at=now)
    return len(ids)


def _update_each(session: Session, each: Mapping[str, Mapping[str, Any]]) -> None:
    columns = list(next(iter(each.values())))
    statement = (update(ORDERS).where(ORDERS.c.id == bindparam("_order_id"))
                 .values({c: bindparam(f"_{c}") for c in columns}))
    rows = [{"_order_id": i, **{f"_{c}": v[c] for c in columns}} for i, v in each.items()]
    session.connection().execute(statement, rows)


def _check_move(order_id: str, current: str | None, to_status: str) -> None:
    if current is None:
        raise InvalidTransition(f"order {order_id} does not exist")
    if to_status not in TRANSITIONS[current]:
        raise InvalidTransition(f"order {order_id}: cannot go from {current} to {to_status}")


def _jsonable(changes: dict[str, Any] | None) -> dict[str, Any]:
    return {k: (v if isinstance(v, str | int | float | bool | None) else str(v))
            for k, v in (changes or {}).items()}


def claim(
    session: Session, status: str, *, limit: int, owner: str, lease_seconds: int = 300
) -> list[str]:
    """Lease up to ``limit`` orders in ``status`` that nobody holds, oldest first.

    Commit the session promptly: the lease, not the transaction, protects the work.

    Args:
        session: A fresh transaction.
        status: One of the claimable states.
        limit: Batch size.
        owner: The worker's name (host:pid:uuid).
        lease_seconds: After this, an unfinished batch returns to the queue.

    Returns:
        The claimed order ids.
    """
    if status not in CLAIMABLE_ORDER_STATES:
        raise InvalidTransition(f"orders in {status!r} are not claimable")
    now = clock.now()
    free = and_(ORDERS.c.status == status,
                or_(ORDERS.c.lease_expires_at.is_(None), ORDERS.c.lease_expires_at < now))
    candidates = select(ORDERS.c.id).where(free).order_by(ORDERS.c.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        # A CTE is evaluated once; an IN (subquery) may be rescanned and then take
        # more rows than the limit.
        candidates = candidates.with_for_update(skip_locked=True)
    batch = candidates.cte("batch")
    statement = (
        update(ORDERS)
        .where(ORDERS.c.id == batch.c.id)
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds),
                attempts=ORDERS.c.attempts + 1)
        .returning(ORDERS.c.id)
    )
    return sorted(session.scalars(statement).all())


def release(session: Session, order_ids: Iterable[str], *, owner: str) -> None:
    """Give back leased orders without a status change (a worker stopping cleanly)."""
    session.execute(
        update(ORDERS)
        .where(ORDERS.c.id.in_(list(order_ids)), ORDERS.c.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )


def add_exceptions(
    session: Session, order_id: str, findings: Sequence[Finding], *, actor: str
) -> None:
    """Open one exception per finding on the order (in the caller's transaction)."""
    now = clock.now()
    rows = [
        {"order_id": order_id, "reason": f.reason, "field": f.field, "message": f.message,
         "expected": f.expected, "found": f.found, "suggestion": f.suggestion, "owner": f.owner,
         "created_at": now, "created_by": actor, "resolved_at": None, "resolved_by": None,
         "resolution": None}
        for f in findings
    ]
    if rows:
        session.execute(insert(EXCEPTIONS), rows)


def resolve_exceptions(
    session: Session,
    order_id: str,
    *,
    actor: str,
    resolution: str,
    reasons: Iterable[str] | None = None,
) -> int:
    """Close the order's open exceptions (all, or those with the given reasons).

    Returns:
        How many were closed.
    """
    condition = and_(EXCEPTIONS.c.order_id == order_id, EXCEPTIONS.c.resolved_at.is_(None))
    if reasons is not None:
        condition = and_(condition, EXCEPTIONS.c.reason.in_(list(reasons)))
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(EXCEPTIONS).where(condition)
        .values(resolved_at=clock.now(), resolved_by=actor, resolution=resolution)
    )
    if result.rowcount:
        audit.record(session, [audit.AuditEvent(
            "order", order_id, "exceptions_resolved", actor, None,
            {"count": result.rowcount}, resolution)])
    return int(result.rowcount or 0)


def open_exceptions(
    session: Session, order_ids: Sequence[str]
) -> dict[str, list[OrderExceptionRow]]:
    """The unresolved exceptions of each order."""
    found: dict[str, list[OrderExceptionRow]] = {i: [] for i in order_ids}
    query = (
        select(OrderExceptionRow)
        .where(OrderExceptionRow.order_id.in_(list(order_ids)),
               OrderExceptionRow.resolved_at.is_(None))
        .order_by(OrderExceptionRow.id)
    )
    for row in session.scalars(query):
        found[row.order_id].append(row)
    return found
