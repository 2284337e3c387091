"""ADV work on the queue: the exceptions list, fixing an order, approving, rejecting.

Approving applies the person's corrections (customer, ship-to, products), closes the
open exceptions in their name and sends the order back to ``extracted``, so validation
judges it again; the validation robot then runs at once (``[ui] revalidate_on_approve``).
Rejecting closes the order for good and, for EDI partners, queues an order response.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import clock, outbox, queue
from hub.orders import canonical
from hub.tables import (
    CustomerAddressRow,
    CustomerRow,
    OrderExceptionRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
)
from ui.web import User, record

PAGE_SIZE = 50
AGES = {"": None, "1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1),
        "3d": timedelta(days=3), "7d": timedelta(days=7)}
REJECT_REASONS = {
    "duplicate": "Duplicate of an order already received",
    "unknown_customer": "Customer unknown or not allowed to order",
    "product_unavailable": "Product not available",
    "price": "Price not agreed",
    "cancelled_by_customer": "Cancelled by the customer",
    "other": "Other (see note)",
}


class ActionRefused(Exception):  # noqa: N818 - reads as what happened
    """An action that does not fit the order's state; the message says why."""


@dataclass(frozen=True)
class QueueFilter:
    """The exceptions list's filters."""

    reason: str = ""
    channel: str = ""
    customer: str = ""
    age: str = ""

    def params(self) -> dict[str, str]:
        """As query-string values."""
        return {"reason": self.reason, "channel": self.channel, "customer": self.customer,
                "age": self.age}


def exception_orders(session: Session, wanted: QueueFilter, page: int,
                     size: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], int]:
    """One page of orders waiting for ADV, oldest first, with their open exceptions."""
    # With a customer named, the status test is written so that no index serves it:
    # without statistics SQLite would walk the whole queue by status, while one
    # customer's orders are few and its index finds them at once.
    status = func.coalesce(OrderRow.status, "") if wanted.customer else OrderRow.status
    conditions = [status == "exception"]
    if wanted.reason:
        # Uncorrelated IN: the database builds the set once instead of probing per order.
        conditions.append(OrderRow.id.in_(select(OrderExceptionRow.order_id).where(
            OrderExceptionRow.resolved_at.is_(None),
            OrderExceptionRow.reason == wanted.reason)))
    if wanted.channel:
        conditions.append(OrderRow.channel == wanted.channel)
    if wanted.customer:
        conditions.append(OrderRow.customer_id == wanted.customer)
    if delta := AGES.get(wanted.age):
        conditions.append(OrderRow.received_at <= clock.now() - delta)
    counting = select(func.count()).select_from(OrderRow).where(*conditions)
    # Sort and page on the narrow columns only, then read the page's 50 rows in full:
    # sorting every waiting order with its JSON header costs ten times more.
    paging = (select(OrderRow.id).where(*conditions).order_by(OrderRow.received_at, OrderRow.id)
              .offset((page - 1) * size).limit(size))
    total = int(session.scalar(counting) or 0)
    ids = list(session.scalars(paging))
    found_rows = {r.id: r for r in session.execute(
        select(OrderRow.id, OrderRow.buyer_order_number, OrderRow.channel,
               OrderRow.customer_id, OrderRow.received_at, OrderRow.sender,
               OrderRow.total_amount, OrderRow.currency, OrderRow.header)
        .where(OrderRow.id.in_(ids)))}
    rows = [found_rows[i] for i in ids]
    found = queue.open_exceptions(session, [r.id for r in rows]) if rows else {}
    return [_summary(r, found[r.id]) for r in rows], total


def _summary(row: Any, exceptions: list[OrderExceptionRow]) -> dict[str, Any]:
    buyer = (row.header or {}).get("buyer") or {}
    return {"order_id": row.id, "po": row.buyer_order_number, "channel": row.channel,
            "customer_id": row.customer_id, "buyer": buyer.get("name") or row.sender or "",
            "received_at": row.received_at, "amount": row.total_amount,
            "currency": row.currency, "exceptions": exceptions,
            "age": (clock.now() - row.received_at).total_seconds()}


_CHOICES: dict[str, tuple[float, dict[str, list[str]]]] = {}
CHOICES_SECONDS = 60.0


def queue_choices(session: Session) -> dict[str, list[str]]:
    """The values the filters offer: open reasons and channels in the queue (kept a
    minute: scanning every open exception on each page view costs more than the list)."""
    key = str(session.get_bind().engine.url)
    cached = _CHOICES.get(key)
    if cached and time.monotonic() - cached[0] < CHOICES_SECONDS:
        return cached[1]
    reasons = session.scalars(select(OrderExceptionRow.reason).where(
        OrderExceptionRow.resolved_at.is_(None)).distinct().order_by(OrderExceptionRow.reason))
    channels = session.scalars(select(OrderRow.channel).where(
        OrderRow.status == "exception").distinct().order_by(OrderRow.channel))
    found = {"reasons": list(reasons), "channels": list(channels)}
    _CHOICES[key] = (time.monotonic(), found)
    return found


# --- corrections ---------------------------------------------------------------------


@dataclass
class Corrections:
    """What ADV changed on the order: customer, ship-to address, product of each line."""

    customer_id: str | None = None
    ship_to_address_id: str | None = None
    skus: dict[int, str] = field(default_factory=dict)


def apply_corrections(session: Session, row: OrderRow, fix: Corrections, user: User
                      ) -> dict[str, Any]:
    """Write the corrections onto the order; returns what changed (also audited).

    Raises:
        ActionRefused: a customer, address or product that master data does not know.
    """
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    header = json.loads(json.dumps(row.header))
    if fix.customer_id and fix.customer_id != row.customer_id:
        _set_customer(session, row, header, fix.customer_id, before=before, after=after)
    if fix.ship_to_address_id and fix.ship_to_address_id != row.ship_to_address_id:
        _set_ship_to(session, row, header, fix.ship_to_address_id, before=before,
                     after=after)
    for number, sku in sorted(fix.skus.items()):
        _set_sku(session, row.id, number, sku, before=before, after=after)
    if after:
        row.header = header
        row.updated_at = clock.now()
        record(session, user, ("order", row.id), "corrected", before, after)
    return after


def _set_customer(session: Session, row: OrderRow, header: dict[str, Any], customer_id: str,
                  *, before: dict[str, Any], after: dict[str, Any]) -> None:
    if session.get(CustomerRow, customer_id) is None:
        raise ActionRefused(f"customer {customer_id} is not in master data")
    before["customer_id"], after["customer_id"] = row.customer_id, customer_id
    header.setdefault("buyer", {})["customer_id"] = customer_id
    row.customer_id = customer_id


def _set_ship_to(session: Session, row: OrderRow, header: dict[str, Any], address_id: str,
                 *, before: dict[str, Any], after: dict[str, Any]) -> None:
    customer_id = row.customer_id
    address = session.get(CustomerAddressRow, (customer_id or "", address_id))
    if address is None or address.kind != "ship_to":
        raise ActionRefused(f"{address_id} is not a ship-to address of customer {customer_id}")
    before["ship_to"], after["ship_to"] = header.get("ship_to"), address_id
    # Validation finds the address again by the id the buyer assigned to it.
    header["ship_to"] = {
        "name": address.name, "buyer_assigned_id": address.address_id, "gln": address.gln,
        "address": {"street": address.street, "postal_code": address.postal_code,
                    "city": address.city, "country": address.country},
    }
    row.ship_to_address_id = address_id


def _set_sku(session: Session, order_id: str, number: int, sku: str,
             *, before: dict[str, Any], after: dict[str, Any]) -> None:
    line = session.get(OrderLineRow, (order_id, number))
    if line is None or not sku or line.sku == sku:
        return
    product = session.get(ProductRow, sku)
    if product is None or not product.active:
        raise ActionRefused(f"line {number}: product {sku} is not an active product")
    before[f"lines[{number}].sku"], after[f"lines[{number}].sku"] = line.sku, sku
    line.sku = sku


# --- decisions -----------------------------------------------------------------------


def approve(session: Session, order_id: str, fix: Corrections | None, user: User) -> None:
    """Apply corrections, close the open exceptions and send the order to validation.

    Raises:
        ActionRefused: the order is not waiting for ADV, or a correction is unknown.
    """
    row = _waiting(session, order_id)
    if fix is not None:
        apply_corrections(session, row, fix, user)
    # Only ADV's own exceptions: a credit hold is finance's to release (four eyes), so
    # validation raises it again until finance decides.
    own = {e.reason for e in queue.open_exceptions(session, [order_id])[order_id]
           if e.owner != "finance"}
    closed = queue.resolve_exceptions(session, order_id, actor=user.username,
                                      resolution=f"approved by {user.username}",
                                      reasons=sorted(own)) if own else 0
    queue.transition(session, [order_id], "extracted", actor=user.username,
                     detail=f"approved by {user.username}: validate again")
    record(session, user, ("order", order_id), "approved", {"status": "exception"},
           {"status": "extracted", "exceptions_closed": closed})


def reject(session: Session, order_id: str, reason_code: str, note: str, user: User) -> None:
    """Reject the order with a reason; an EDI partner gets an order response.

    Raises:
        ActionRefused: unknown reason, or an order that can no longer be rejected.
    """
    if reason_code not in REJECT_REASONS:
        raise ActionRefused("choose a reason for the rejection")
    row = session.get(OrderRow, order_id)
    if row is None or "rejected" not in queue.TRANSITIONS[row.status]:
        raise ActionRefused(f"order {order_id} can no longer be rejected")
    reason = REJECT_REASONS[reason_code] + (f": {note.strip()}" if note.strip() else "")
    before = {"status": row.status}
    queue.resolve_exceptions(session, order_id, actor=user.username,
                             resolution=f"rejected: {reason}")
    queue.transition(session, [order_id], "rejected", actor=user.username, detail=reason)
    if row.channel == "edi":
        payload = {"order_id": order_id, "decision": "rejected", "reason": reason,
                   "order": canonical(session, row).to_json_dict()}
        outbox.put(session, kind="order-response", dedupe_key=f"order-response:{order_id}",
                   subject_id=order_id, payload=json.dumps(payload).encode(),
                   target=row.sender)
    record(session, user, ("order", order_id), "rejected", before,
           {"status": "rejected", "reason_code": reason_code}, reason)


def _waiting(session: Session, order_id: str) -> OrderRow:
    row = session.get(OrderRow, order_id)
    if row is None:
        raise ActionRefused(f"order {order_id} does not exist")
    if row.status != "exception":
        raise ActionRefused(f"order {order_id} is {row.status}, not waiting for ADV")
    return row


def next_exception(session: Session, after_id: str) -> str | None:
    """The next order waiting for ADV after this one (the common path: fix, next)."""
    current = session.get(OrderRow, after_id)
    query = select(OrderRow.id).where(OrderRow.status == "exception", OrderRow.id != after_id)
    if current is not None:
        query = query.where((OrderRow.received_at > current.received_at) | (
            (OrderRow.received_at == current.received_at) & (OrderRow.id > after_id)))
    return session.scalar(query.order_by(OrderRow.received_at, OrderRow.id).limit(1))
