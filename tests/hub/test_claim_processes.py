"""Several worker processes share the PostgreSQL queue: nothing twice, nothing lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub import queue
from hub.db import Database
from hub.tables import AuditEventRow, OrderRow
from tests.hub.factories import order

WORKER = Path(__file__).with_name("claim_worker.py")
ORDERS = 10_000


def _spawn(url: str, name: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, name, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_two_workers_and_a_crashed_one_validate_each_order_exactly_once(db: Database) -> None:
    with db.session() as session:
        queue.enqueue(session, [order(f"PO-{n}", lines=1) for n in range(ORDERS)], actor="test")
    crashed = _spawn(db.url, "crasher", "--die-after", "3")
    workers = [_spawn(db.url, f"worker-{n}") for n in (1, 2)]
    crashed.wait(timeout=120)
    outputs = [w.communicate(timeout=300) for w in workers]
    assert crashed.returncode == -9
    assert [w.returncode for w in workers] == [0, 0], outputs
    with db.session() as session:
        statuses = dict(session.execute(
            select(OrderRow.status, func.count()).group_by(OrderRow.status)).all())
        validations = session.execute(
            select(AuditEventRow.entity_id, func.count())
            .where(AuditEventRow.action == "status", AuditEventRow.entity_type == "order",
                   AuditEventRow.actor != "test")
            .group_by(AuditEventRow.entity_id)
        ).all()
    assert statuses == {"validated": ORDERS}
    assert len(validations) == ORDERS
    assert {count for _id, count in validations} == {1}
    assert sum(int(out) for out, _err in outputs) > 0
