"""Two validation worker processes share one queue: what one of them validated, the
other sees before it validates the same customer (duplicates and credit exposure)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from hub import queue
from hub.db import Database
from hub.model import Order
from hub.tables import AuditEventRow, CustomerRow, OrderExceptionRow, OrderRow
from tests.robots.test_validate_db import load_master_data, sha
from tests.robots.validate_data import line, order

WORKER = Path(__file__).with_name("validate_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def _lines(n: int) -> list[dict[str, Any]]:
    """Two lines whose quantities differ from order to order (no two orders alike, and
    no quantity far from the others)."""
    return [line(quantity=str(20 + n % 13)),
            line(line_number=2, gtin="03000000000048", unit_price="4.20",
                 quantity=str(20 + n // 13))]


def _run_two_workers(db: Database, orders: list[Order], batch: int) -> list[dict[str, int]]:
    with db.session() as s:
        queue.enqueue(s, orders, actor="connector:test")
    workers = [subprocess.Popen(
        [sys.executable, str(WORKER), db.url, f"worker-{n}", "--batch", str(batch)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)}) for n in (1, 2)]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:  # both start at once
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    return [json.loads(out) for out, _err in outputs]


def _set_credit_limit(db: Database, limit: Decimal | None) -> None:
    with db.session() as s:
        s.execute(update(CustomerRow).where(CustomerRow.customer_id == "C1")
                  .values(credit_limit=limit))


def _workers_by_order(db: Database) -> dict[str, str]:
    with db.session() as s:
        return dict(s.execute(select(AuditEventRow.entity_id, AuditEventRow.actor).where(
            AuditEventRow.action == "status", AuditEventRow.actor.like("robot:worker-%"))).all())


PAIRS = 150


def test_a_po_sent_twice_and_validated_by_two_workers_at_once_passes_once(db: Database) -> None:
    load_master_data(db)
    _set_credit_limit(db, None)
    copies = [order(buyer_order_number=f"PO-{n}", lines=_lines(n),
                    source={"channel": "edi", "sender": "EDI-DUPONT", "sha256": sha(2 * n + k)})
              for n in range(PAIRS) for k in (0, 1)]
    counts = _run_two_workers(db, copies, batch=1)
    with db.session() as s:
        orders = s.execute(select(OrderRow.id, OrderRow.buyer_order_number,
                                  OrderRow.status)).all()
        reasons = dict(s.execute(select(OrderExceptionRow.order_id, OrderExceptionRow.reason)
                                 .where(OrderExceptionRow.resolved_at.is_(None))).all())
    by_po: dict[str, list[str]] = defaultdict(list)
    for row in orders:
        by_po[row.buyer_order_number].append(row.status)
    assert {po: sorted(s) for po, s in by_po.items()} == {
        f"PO-{n}": ["exception", "validated"] for n in range(PAIRS)}
    assert sorted(reasons.values()) == ["DUPLICATE_ORDER"] * PAIRS
    if not db.is_postgres:
        return  # SQLite runs one writer at a time: one worker may well do every batch
    assert all(c.get("validated", 0) + c.get("exception", 0) > 0 for c in counts), counts
    # The copies of many pairs really were validated by different workers at once.
    worker = _workers_by_order(db)
    pos = {row.id: row.buyer_order_number for row in orders}
    split = {po for po in by_po if len({worker[i] for i in pos if pos[i] == po}) == 2}
    assert len(split) >= 5


def test_two_workers_never_validate_past_the_credit_limit_together(db: Database) -> None:
    load_master_data(db)
    limit = Decimal(6000)
    _set_credit_limit(db, limit)
    orders = [order(buyer_order_number=f"PO-{n}", lines=_lines(n),
                    source={"channel": "edi", "sender": "EDI-DUPONT", "sha256": sha(n)})
              for n in range(2 * PAIRS)]
    _run_two_workers(db, orders, batch=2)
    with db.session() as s:
        statuses = dict(s.execute(select(OrderRow.status, func.count())
                                  .group_by(OrderRow.status)).all())
        exposure = s.scalar(select(func.sum(OrderRow.total_amount))
                            .where(OrderRow.status == "validated"))
        held = s.scalar(select(func.count()).select_from(OrderExceptionRow).where(
            OrderExceptionRow.reason == "CREDIT_LIMIT_EXCEEDED"))
    assert set(statuses) == {"validated", "exception"}
    assert exposure is not None and limit - Decimal(500) < exposure <= limit
    assert held == statuses["exception"]
