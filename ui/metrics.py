"""The dashboard's figures, each one query (or a bounded scan) over the tables."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from hub import clock
from hub.tables import (
    AuditEventRow,
    BankTransactionRow,
    OrderExceptionRow,
    OrderRow,
    PaymentApplicationRow,
)
from robots.validation_credit import CREDIT_REASONS

PASSED = ("validated", "grouped", "released")
DECIDED = (*PASSED, "exception", "rejected")
STEP_EVENTS = 5_000
TREND_DAYS = 14


def touchless(session: Session) -> dict[str, int]:
    """Orders that passed with no exception ever, against all orders robots decided."""
    ever = select(OrderExceptionRow.order_id).distinct()
    decided = int(session.scalar(select(func.count()).select_from(OrderRow).where(
        OrderRow.status.in_(DECIDED))) or 0)
    clean = int(session.scalar(select(func.count()).select_from(OrderRow).where(
        OrderRow.status.in_(PASSED), OrderRow.id.not_in(ever))) or 0)
    return {"touchless": clean, "touched": decided - clean, "decided": decided}


def exceptions_by(session: Session) -> dict[str, list[tuple[str, float]]]:
    """Open exceptions by reason, and orders waiting for ADV by channel."""
    reasons = session.execute(select(OrderExceptionRow.reason, func.count()).where(
        OrderExceptionRow.resolved_at.is_(None)).group_by(OrderExceptionRow.reason)
        .order_by(func.count().desc())).all()
    channels = session.execute(select(OrderRow.channel, func.count()).where(
        OrderRow.status == "exception").group_by(OrderRow.channel)
        .order_by(func.count().desc())).all()
    return {"reason": [(r, float(n)) for r, n in reasons],
            "channel": [(c, float(n)) for c, n in channels]}


def step_delays(session: Session) -> list[tuple[str, float]]:
    """Mean minutes to reach each status from the one before, over the latest events."""
    rows = session.execute(select(AuditEventRow.entity_id, AuditEventRow.at,
                                  AuditEventRow.after).where(
        AuditEventRow.entity_type == "order", AuditEventRow.action == "status")
        .order_by(AuditEventRow.id.desc()).limit(STEP_EVENTS)).all()
    by_order: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for order_id, at, after in reversed(rows):
        by_order[order_id].append((at, (after or {}).get("status", "?")))
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for steps in by_order.values():
        for (before, _s), (at, status) in pairwise(steps):
            sums[status][0] += (at - before).total_seconds() / 60
            sums[status][1] += 1
    order = ("extracted", "validated", "exception", "grouped", "released", "rejected")
    return [(s, sums[s][0] / sums[s][1]) for s in order if sums.get(s) and sums[s][1]]


def cash(session: Session) -> dict[str, Any]:
    """Automatic application rate, unapplied cash by currency, counts by status."""
    by_status = dict(session.execute(select(BankTransactionRow.status, func.count())
                                     .group_by(BankTransactionRow.status)).all())
    auto = int(session.scalar(select(func.count(distinct(PaymentApplicationRow.transaction_id)))
                              .where(PaymentApplicationRow.status == "auto")) or 0)
    manual = int(session.scalar(select(func.count(distinct(
        PaymentApplicationRow.transaction_id))).where(
        PaymentApplicationRow.status == "confirmed")) or 0)
    waiting = int(by_status.get("suggested", 0)) + int(by_status.get("unmatched", 0))
    unapplied = session.execute(select(BankTransactionRow.currency, func.sum(
        BankTransactionRow.amount)).where(BankTransactionRow.status.in_(("suggested",
                                                                        "unmatched")),
                                          BankTransactionRow.amount > 0)
        .group_by(BankTransactionRow.currency)).all()
    return {"auto": auto, "manual": manual, "waiting": waiting,
            "unapplied": [(c, Decimal(str(v or 0))) for c, v in unapplied]}


def credit_holds(session: Session) -> dict[str, Any]:
    """Orders on credit hold: how many and their value by currency."""
    held = select(OrderExceptionRow.order_id).where(
        OrderExceptionRow.resolved_at.is_(None), OrderExceptionRow.reason.in_(CREDIT_REASONS))
    rows = session.execute(select(OrderRow.currency, func.count(), func.sum(
        OrderRow.total_amount)).where(OrderRow.id.in_(held), OrderRow.status == "exception")
        .group_by(OrderRow.currency)).all()
    return {"count": sum(int(n) for _c, n, _v in rows),
            "value": [(c or "", Decimal(str(v or 0))) for c, _n, v in rows]}


def trends(session: Session) -> tuple[list[str], dict[str, list[float]]]:
    """Per day over the last two weeks: orders received, exceptions raised, payments."""
    start = clock.now() - timedelta(days=TREND_DAYS - 1)
    days = [(start + timedelta(days=i)).date() for i in range(TREND_DAYS)]
    series = {
        "orders": _per_day(session, OrderRow.received_at, start),
        "exceptions": _per_day(session, OrderExceptionRow.created_at, start),
        "payments": _per_day(session, BankTransactionRow.imported_at, start),
    }
    labels = [d.strftime("%d %b") for d in days]
    return labels, {name: [float(counts.get(d, 0)) for d in days]
                    for name, counts in series.items()}


def _per_day(session: Session, column: Any, start: Any) -> dict[date, int]:
    day = func.date(column)
    rows = session.execute(select(day, func.count()).where(column >= start.replace(
        hour=0, minute=0, second=0, microsecond=0)).group_by(day)).all()
    return {d if isinstance(d, date) else date.fromisoformat(str(d)[:10]): int(n)
            for d, n in rows}
