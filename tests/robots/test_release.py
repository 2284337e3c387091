"""Group and release over the database: exactly-once exports, webhooks that fail first."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from hub import clock, queue
from hub.db import Database
from hub.orders import timeline
from hub.settings import Settings
from hub.tables import OrderRow, OutboxRow
from robots import group, release
from tests.hub.factories import order


def validated(db: Database, *specs: tuple[str, str, str]) -> list[str]:
    """Put validated orders in the queue: (po, customer, ship-to) each."""
    with db.session() as session:
        made = queue.enqueue(session, [order(po, doc=po) for po, _c, _s in specs], actor="test")
        for order_id, (_po, customer, ship_to) in zip(made.created, specs, strict=True):
            queue.transition(session, [order_id], "validated", actor="robot:validate",
                             changes={"customer_id": customer, "ship_to_address_id": ship_to})
    return made.created


def settings(tmp_path: Path, **release_rules: object) -> Settings:
    return Settings({"hub": {"outbox": str(tmp_path / "outbox")}, "release": release_rules})


def test_group_then_release_exports_each_group_once(db: Database, tmp_path: Path) -> None:
    ids = validated(db, ("PO-1", "C001", "A1"), ("PO-2", "C001", "A1"), ("PO-3", "C002", "B1"))
    config = settings(tmp_path)
    assert group.run(db, config) == {"grouped": 3, "groups": 2}
    counts = release.run(db, config)
    assert counts["released"] == 3 and counts["exports_sent"] == 4
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert len(files) == 4 and all(f.startswith("erp-") for f in files)
    exported = [json.loads(p.read_text()) for p in (tmp_path / "outbox").glob("*.json")]
    assert sorted(len(e["orders"]) for e in exported) == [1, 2]
    assert {o["order_id"] for e in exported for o in e["orders"]} == set(ids)
    again = release.run(db, config)
    assert again == {"released": 0, "groups": 0}
    assert group.run(db, config) == {"grouped": 0, "groups": 0}
    with db.session() as session:
        steps = [s.status for s in timeline(session, ids[0])]
    assert steps == ["extracted", "validated", "grouped", "released"]


def test_csv_export_has_one_row_per_line(db: Database, tmp_path: Path) -> None:
    validated(db, ("PO-1", "C001", "A1"))
    config = settings(tmp_path, exporters=["csv"])
    group.run(db, config)
    release.run(db, config)
    (export,) = (tmp_path / "outbox").glob("*.csv")
    rows = export.read_text().splitlines()
    assert rows[0].startswith("group_id,order_id,buyer_order_number")
    assert len(rows) == 3 and ",PO-1,C001,A1,1," in rows[1]


class FlakyReceiver(BaseHTTPRequestHandler):
    """Answers 503 twice, then 200; records what it accepted."""

    failures_left = 2
    accepted: list[tuple[str, dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if FlakyReceiver.failures_left:
            FlakyReceiver.failures_left -= 1
            self.send_response(503)
        else:
            FlakyReceiver.accepted.append((self.headers["Idempotency-Key"], json.loads(body)))
            self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyReceiver)
    FlakyReceiver.failures_left, FlakyReceiver.accepted = 2, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/erp/orders"
    server.shutdown()


def test_webhook_is_retried_with_backoff_until_accepted(
    db: Database, tmp_path: Path, receiver: str
) -> None:
    validated(db, ("PO-1", "C001", "A1"))
    config = settings(tmp_path, exporters=["webhook"], webhook_url=receiver)
    group.run(db, config)
    moment = [datetime.now(UTC)]
    clock.set_clock(lambda: moment[0])
    try:
        first = release.run(db, config)
        senders = release.senders(config)
        dispatch = partial(release.outbox.dispatch, db, senders)
        not_yet = dispatch()  # the backoff (5 s after the first failure) has not passed
        moment[0] += timedelta(seconds=6)
        second = dispatch()
        moment[0] += timedelta(seconds=16)  # 5 s x 3 after the second failure
        third, fourth = dispatch(), dispatch()
    finally:
        clock.set_clock(None)
    assert first["exports_retry"] == 1
    assert not_yet == {"sent": 0, "retry": 0, "failed": 0}
    assert second == {"sent": 0, "retry": 1, "failed": 0}
    assert third == {"sent": 1, "retry": 0, "failed": 0}
    assert fourth == {"sent": 0, "retry": 0, "failed": 0}
    ((key, body),) = FlakyReceiver.accepted
    assert key.startswith("erp-webhook:GRP-") and body["orders"][0]["buyer_order_number"] == "PO-1"
    with db.session() as session:
        (message,) = session.scalars(select(OutboxRow)).all()
    assert message.status == "sent" and message.attempts == 3


def test_edi_orders_get_an_order_response_message(db: Database, tmp_path: Path) -> None:
    (order_id,) = validated(db, ("PO-1", "C001", "A1"))
    with db.session() as session:
        session.get(OrderRow, order_id).channel = "edi"  # type: ignore[union-attr]
    config = settings(tmp_path)
    group.run(db, config)
    release.run(db, config)
    with db.session() as session:
        kinds = sorted(m.kind for m in session.scalars(select(OutboxRow)))
    assert kinds == ["erp-csv", "erp-json", "order-response"]


@pytest.mark.parametrize("point", ["after-commit", "after-send"])
def test_a_crash_then_a_restart_exports_exactly_once(
    db: Database, tmp_path: Path, point: str
) -> None:
    import subprocess
    import sys

    validated(db, ("PO-1", "C001", "A1"), ("PO-2", "C001", "A1"))
    outbox_dir = tmp_path / "outbox"
    config = settings(tmp_path, exporters=["json"])
    group.run(db, config)
    if point == "after-send":
        with db.session() as session:
            release._release_groups(session, release._lock_open_groups(session, 10),
                                    release.ReleaseSettings(exporters=["json"]), "robot:release")
    script = Path(__file__).with_name("release_crash.py")
    crashed = subprocess.run([sys.executable, str(script), db.url, str(outbox_dir), point],
                             check=False, capture_output=True)
    assert crashed.returncode == -9, crashed.stderr
    # A message the dead process had claimed waits for its lease (2 minutes) to run out.
    later = datetime.now(UTC) + timedelta(minutes=3)
    clock.set_clock(lambda: later)
    try:
        restarted = release.run(db, config)
    finally:
        clock.set_clock(None)
    files = list(outbox_dir.glob("*.json"))
    assert len(files) == 1
    assert len(json.loads(files[0].read_text())["orders"]) == 2
    assert restarted["released"] == 0
    with db.session() as session:
        (message,) = session.scalars(select(OutboxRow)).all()
    assert message.status == "sent"


def test_two_dispatchers_never_send_the_same_message(db: Database, tmp_path: Path) -> None:
    validated(db, *[(f"PO-{n}", f"C{n:03d}", "A1") for n in range(20)])
    config = settings(tmp_path, exporters=["json"])
    group.run(db, config)
    with db.session() as session:
        release._release_groups(session, release._lock_open_groups(session, 100),
                                release.ReleaseSettings(exporters=["json"]), "robot:release")
    first = release.outbox._due(db, ["erp-json"], 10)
    second = release.outbox._due(db, ["erp-json"], 50)
    sent = [m.dedupe_key for m in first + second]
    assert len(first) == 10 and len(second) == 10
    assert len(set(sent)) == 20
