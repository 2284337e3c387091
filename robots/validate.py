"""The validation robot: every received or extracted order ends ``validated`` or
``exception``.

It claims batches through :func:`hub.queue.claim`, so any number of workers share the
queue. Master data is read once per run into in-memory indexes
(:mod:`robots.validation_index`); per batch there is a fixed number of statements
whatever its size. A batch is read and judged in a read-only transaction, then written
in one transaction. Duplicates, quantities and credit exposure depend on what other
workers validate at the same time: the history of the batch's customers is refreshed
from the database before judging and again in the write transaction, under
per-customer locks on PostgreSQL (SQLite runs one writer at a time); an order whose
customer changed meanwhile is judged again before anything is written.

What validation resolved is written back: the customer on the order and its parties, the
ship-to and bill-to address ids, the SKU on each line (in the product's unit). Order
changes and cancellations are applied to their original order
(:mod:`robots.validation_changes`).
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Row, Select, func, select, text, update
from sqlalchemy.orm import Session

from hub import clock, queue
from hub.audit import AUDIT
from hub.db import Database
from hub.model import Order
from hub.queue import Finding
from hub.settings import Settings
from robots.validation_changes import apply_message
from robots.validation_credit import CREDIT_REASONS
from robots.validation_index import History, MasterIndex, PastOrder
from robots.validation_load import load_history, load_index, refresh_customers
from robots.validation_order import Outcome, validate_order
from robots.validation_parties import CustomerMatch, resolve_customer
from robots.validation_settings import ValidateSettings
from robots.validation_store import write_outcomes

log = logging.getLogger(__name__)

ORDERS, LINES, EXCEPTIONS = queue.ORDERS, queue.LINES, queue.EXCEPTIONS
#: Statuses the robot takes work from.
INBOX = ("received", "extracted")
_ROBOT_PREFIX = "robot:"
_LINE_COLUMNS = (
    "line_number", "gtin", "buyer_item_code", "seller_item_code", "sku", "description",
    "quantity", "unit", "unit_price", "line_amount", "requested_delivery_date",
)

Accepted = frozenset[tuple[str, str | None, str | None]]


def company_today(settings: Settings) -> date:
    """Today in the company's time zone (``[hub] timezone``)."""
    return clock.now().astimezone(ZoneInfo(settings.core.timezone)).date()


@dataclass
class Run:
    """One run's state: indexes, history, rules and counts."""

    index: MasterIndex
    history: History
    rules: ValidateSettings
    today: date
    actor: str
    counts: Counter[str]
    shared: bool = False
    """Customers are locked before a batch is written (PostgreSQL, where transactions
    of several workers commit side by side)."""
    current: int | None = None
    """SQLite: the last audit event the whole history reflects; while no other process
    has written an event since, nothing changed that history holds (every change of an
    order's status is audited) and refreshing can be skipped. ``None`` once another
    process wrote: then every batch refreshes."""


def run(
    db: Database, settings: Settings, *, actor: str = "robot:validate",
    batch_size: int | None = None, today: date | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Validate every order waiting in the queue.

    Args:
        db: The database.
        settings: ``[validate]`` holds the rules, ``[hub]`` the time zone and lease.
        actor: Who the audit trail names.
        batch_size: Orders per batch (default ``[validate] batch_size``).
        today: The date to judge delivery dates and overdue items by (default today in
            the company's time zone).
        on_batch: Called with each batch's size (progress bars).

    Returns:
        Counts: ``validated``, ``exception``, ``changes_applied``, ``cancelled``,
        ``errors`` (orders of batches that failed and return to the queue after their
        lease), ``judged_again`` (orders judged a second time because another worker
        committed an order of their customer meanwhile), by reason
        ``reason:UNKNOWN_PRODUCT``, and by customer rule ``rule:gln``.
    """
    rules = ValidateSettings.from_settings(settings)
    size = batch_size or rules.batch_size
    day = today or company_today(settings)
    with _indexes_outside_gc(), db.session() as session:
        state = Run(load_index(session), load_history(session, day, rules.history_days),
                    rules, day, actor, Counter(), shared=db.is_postgres)
        state.current = None if state.shared else _last_event(session)
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    try:
        while ids := _claim(db, size, owner, settings.core.lease_seconds):
            _batch(db, ids, state)
            # What the batch added to the history lives as long as the run, like the
            # indexes: out of the collector's sight, or every full collection scans
            # a history that keeps growing (a fifth of the run's time at 100,000 orders).
            gc.freeze()
            if on_batch:
                on_batch(len(ids))
    finally:
        gc.unfreeze()
    return dict(state.counts)


def _batch(db: Database, ids: list[str], state: Run) -> None:
    """Read and judge the batch without the write lock, then write it in one transaction
    (where what other workers committed meanwhile is checked again)."""
    try:
        with db.session(read_only=True) as session:
            batch = _read(session, ids, state)
        with db.session() as session:
            _settle(session, batch, state)
    except Exception:  # one failing batch must not stop the queue: its lease lapses
        log.exception("validation batch of %d orders failed", len(ids))
        state.counts["errors"] += len(ids)
        state.current = None  # what the batch taught the history was not written


@contextmanager
def _indexes_outside_gc() -> Iterator[None]:
    """Build the indexes without cyclic garbage collection, then freeze them.

    Hundreds of thousands of long-lived index objects would otherwise be scanned by
    every full collection of the run (they hold no reference cycles; reference
    counting still frees them).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _claim(db: Database, size: int, owner: str, lease: int) -> list[str]:
    with db.session() as session:
        ids: list[str] = []
        for status in INBOX:
            ids += queue.claim(session, status, limit=size - len(ids), owner=owner,
                               lease_seconds=lease)
            if len(ids) >= size:
                break
        return ids


def pending(db: Database) -> int:
    """How many orders wait for validation (for progress bars)."""
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ORDERS)
                                  .where(ORDERS.c.status.in_(INBOX))) or 0)


# --- one batch -------------------------------------------------------------------------


def _read(session: Session, ids: Sequence[str], state: Run) -> Batch:
    """The batch's orders, read and judged against the history of their customers as
    the database holds it now."""
    rows = read_orders(session, ids)
    lines = read_lines(session, ids)
    batch = Batch(rows, lines, *_open_exceptions(session, ids))
    for order_id in sorted(rows):
        order = canonical(rows[order_id], lines.get(order_id, []))
        if isinstance(order, Finding):
            batch.outcomes[order_id] = Outcome(order_id, findings=[order])
        elif order.document_type != "order":
            batch.messages.append((order_id, order))
        else:
            batch.orders[order_id] = order
            batch.matches[order_id] = resolve_customer(order, state.index, state.rules)
            state.history.remove(order_id)  # it is judged afresh
    _refresh(session, state, batch)
    batch.outcomes.update(_validate(batch, list(batch.orders), state))
    return batch


def _settle(session: Session, batch: Batch, state: Run) -> None:
    """Check the batch again against what other workers committed since it was read,
    then write it.

    On PostgreSQL the batch's customers are locked first (until this transaction ends,
    in one order for every worker); on SQLite this transaction holds the write lock from
    its first statement. Either way no other worker commits an order of these
    customers between this refresh and this commit; an order whose customer's history
    changed since the batch was read is judged again.
    """
    customers = batch.customers()
    if state.shared and customers:
        _lock_customers(session, customers)
    changed = _refresh(session, state, batch)
    again = [i for i, m in batch.matches.items() if m.customer_id in changed]
    if again:
        batch.outcomes.update(_validate(batch, again, state))
        state.counts["judged_again"] += len(again)
    _close_exceptions(session, batch.reopened, state.actor)
    outcomes = [batch.outcomes[i] for i in sorted(batch.outcomes)]
    for outcome in outcomes:
        _count(state, outcome)
    write_outcomes(session, batch.rows, batch.lines, outcomes, state.actor)
    for order_id, message in batch.messages:
        _apply(session, order_id, message, batch.rows[order_id], state)
    if state.current is not None:
        state.current = _last_event(session)  # still alone: the history stays current


@dataclass
class Batch:
    """One batch: its orders as read, the customer each resolves to, what a person
    accepted on them, and what validation decided."""

    rows: dict[str, Row[Any]]
    lines: dict[str, list[Row[Any]]]
    accepted: dict[str, Accepted]
    reopened: set[str]
    orders: dict[str, Order] = field(default_factory=dict)
    matches: dict[str, CustomerMatch] = field(default_factory=dict)
    messages: list[tuple[str, Order]] = field(default_factory=list)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    seen: int | None = None
    """SQLite: the last audit event when the batch's customers were last refreshed."""

    def customers(self) -> set[str]:
        """The customers the batch's orders belong to."""
        return {m.customer_id for m in self.matches.values() if m.customer_id}


def _refresh(session: Session, state: Run, batch: Batch) -> set[str]:
    """Bring the batch's customers up to what the database holds; returns those that
    changed.

    On SQLite one writer commits at a time and audit event ids follow commit order, so
    the last event id tells whether anything was committed since the history (or this
    batch's customers in it) was last current; if not, there is nothing to read.
    """
    if state.shared:
        return _refresh_customers(session, state, batch)
    latest = _last_event(session)
    if latest in (state.current, batch.seen):
        batch.seen = latest
        return set()
    state.current = None  # another process writes to the queue too
    batch.seen = latest
    return _refresh_customers(session, state, batch)


def _refresh_customers(session: Session, state: Run, batch: Batch) -> set[str]:
    return refresh_customers(session, state.history, batch.customers(), skip=batch.rows,
                             today=state.today, days=state.rules.history_days)


def _validate(batch: Batch, ids: list[str], state: Run) -> dict[str, Outcome]:
    for order_id in ids:
        state.history.remove(order_id)
    outcomes = {}
    for order_id in sorted(ids):
        order = batch.orders[order_id]
        outcome = outcomes[order_id] = validate_order(
            order_id, order, index=state.index, history=state.history,
            settings=state.rules, today=state.today,
            accepted=batch.accepted.get(order_id, frozenset()),
            match=batch.matches[order_id])
        _learn(state, batch.rows[order_id], order, outcome)
    return outcomes


def _last_event(session: Session) -> int:
    return int(session.scalar(select(func.max(AUDIT.c.id))) or 0)


#: Advisory lock class of customers being validated (the second key is the customer's).
_CUSTOMER_LOCKS = 0x02C0007


def _lock_customers(session: Session, customers: set[str]) -> None:
    """Lock the customers until the transaction ends, in one order for every worker (no
    deadlock between two batches that share customers)."""
    keys = sorted({zlib.crc32(c.encode()) - 2**31 for c in customers})
    session.execute(text(
        "SELECT count(pg_advisory_xact_lock(:kind, k)) "
        "FROM unnest(CAST(:keys AS integer[])) WITH ORDINALITY AS t(k, n)"),
        {"kind": _CUSTOMER_LOCKS, "keys": keys})


#: What validation reads of an order row: the canonical header, and what it writes back.
ORDER_COLUMNS = (ORDERS.c.id, ORDERS.c.buyer_key, ORDERS.c.total_amount, ORDERS.c.header,
                 ORDERS.c.received_at)


def read_orders(session: Session, ids: Sequence[str]) -> dict[str, Row[Any]]:
    """The batch's order rows (the columns validation uses) by id."""
    query: Select[Any] = select(*ORDER_COLUMNS).where(ORDERS.c.id.in_(ids))
    return {r.id: r for r in session.execute(query)}


def read_lines(session: Session, ids: Sequence[str]) -> dict[str, list[Row[Any]]]:
    """The batch's lines by order id, in line order."""
    found: dict[str, list[Row[Any]]] = {}
    query: Select[Any] = select(LINES.c.order_id, LINES.c.extra,
                                *(LINES.c[c] for c in _LINE_COLUMNS)).where(
        LINES.c.order_id.in_(ids)).order_by(LINES.c.order_id, LINES.c.line_number)
    for row in session.execute(query):
        found.setdefault(row.order_id, []).append(row)
    return found


def canonical(row: Row[Any], lines: list[Row[Any]]) -> Order | Finding:
    """The stored order as the canonical model, or why it does not fit."""
    data = dict(row.header)
    # The line columns follow order id and extra in every row read_lines returns.
    data["lines"] = [{**dict(zip(_LINE_COLUMNS, li[2:], strict=True)), **(li.extra or {})}
                     for li in lines]
    try:
        return Order.model_validate(data)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        return Finding("INVALID_VALUE", f"the stored order does not fit the canonical model: "
                       f"{where}: {exc.errors()[0]['msg']}", field=where or None,
                       expected="a canonical order", found=exc.errors()[0]["msg"],
                       suggestion="correct the field and validate again")


def _open_exceptions(session: Session, ids: Sequence[str]
                     ) -> tuple[dict[str, Accepted], set[str]]:
    """What a person accepted on each order (not raised again), and the orders with
    exceptions still open (closed when the batch is written: judged afresh)."""
    e = EXCEPTIONS.c
    accepted: dict[str, set[tuple[str, str | None, str | None]]] = {}
    reopened: set[str] = set()
    for r in session.execute(select(e.order_id, e.reason, e.field, e.found, e.resolved_at,
                                    e.resolved_by).where(e.order_id.in_(ids))):
        if r.resolved_at is None:
            reopened.add(r.order_id)
        elif r.resolved_by and not r.resolved_by.startswith(_ROBOT_PREFIX):
            keys = accepted.setdefault(r.order_id, set())
            keys.add((r.reason, r.field, r.found))
            if r.reason in CREDIT_REASONS:
                keys.add((r.reason, r.field, None))
    return {k: frozenset(v) for k, v in accepted.items()}, reopened


def _close_exceptions(session: Session, reopened: set[str], actor: str) -> None:
    e = EXCEPTIONS.c
    if reopened:
        session.execute(update(EXCEPTIONS).where(e.order_id.in_(reopened),
                                                 e.resolved_at.is_(None))
                        .values(resolved_at=clock.now(), resolved_by=actor,
                                resolution="validated again"))


def _count(state: Run, outcome: Outcome) -> None:
    counts = state.counts
    counts[outcome.status] += 1
    counts.update(f"reason:{f.reason}" for f in outcome.findings)
    if outcome.customer_rule:
        counts[f"rule:{outcome.customer_rule}"] += 1


def _learn(state: Run, row: Row[Any], order: Order, outcome: Outcome) -> None:
    """What later orders are judged against: the order as it will be written."""
    if outcome.customer_id is None:
        return
    past = PastOrder(
        outcome.order_id, outcome.customer_id, order.buyer_order_number, outcome.status,
        order.order_date or row.received_at.date(), outcome.fingerprint,
        row.total_amount if row.total_amount is not None else outcome.value,
        outcome.ship_to_address_id)
    if past.accepted:
        past.counted = tuple((line.product.sku, line.quantity) for line in outcome.lines
                             if line.product is not None)
    state.history.add(past)


def _apply(session: Session, order_id: str, message: Order, row: Row[Any], state: Run) -> None:
    """A change or cancellation: applied to its original; the message itself is closed."""
    match = resolve_customer(message, state.index, state.rules)
    result = apply_message(session, order_id, message, match.customer_id, row.buyer_key,
                           actor=state.actor)
    session.execute(update(ORDERS).where(ORDERS.c.id == order_id).values(
        customer_id=match.customer_id, original_order_id=result.original_id,
        updated_at=clock.now()))
    if result.finding is not None:
        queue.add_exceptions(session, order_id, [result.finding], actor=state.actor)
        queue.transition(session, [order_id], "exception", actor=state.actor)
        state.counts["exception"] += 1
        state.counts[f"reason:{result.finding.reason}"] += 1
        return
    if result.action == "cancelled" and result.original_id:
        state.history.remove(result.original_id)
        state.counts["cancelled"] += 1
    state.counts["changes_applied"] += 1
    # The message is no order of its own: once applied it leaves the queue.
    queue.transition(session, [order_id], "cancelled", actor=state.actor,
                     detail=f"{message.document_type} {result.action}: {result.original_id}")
