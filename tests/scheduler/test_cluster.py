"""Schedulers and workers as separate processes sharing PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.db import Database
from hub.tables import AuditEventRow, OrderRow, OutboxRow, RunRow
from tests.robots.test_release import validated

pytestmark = pytest.mark.postgres
PG = [pytest.param("postgresql", marks=pytest.mark.postgres)]


def config(tmp_path: Path, url: str, extra: str = "") -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    path = tmp_path / "o2c.toml"
    path.write_text(f"""
[hub]
database_url = "{url}"
outbox = "{tmp_path / 'outbox'}"
lease_seconds = 2

[scheduler]
leader_check_seconds = 1
robots_in_scheduler = true
worker_idle_seconds = 0.2

[jobs.validate]
every_seconds = 1
[jobs.match]
enabled = false

[connectors.drop]
transport = "folder"
path = "{inbox}"
every_seconds = 1
settle_seconds = 0
{extra}
""", encoding="utf-8")
    return path


def o2c(path: Path, *args: str) -> subprocess.Popen[str]:
    """An ``o2c`` process whose output goes to a log file beside its configuration:
    a pipe nobody reads would stop it once full, and the log tells why a wait failed."""
    env = {**os.environ, "O2C_CONFIG": str(path)}
    log = path.parent / f"{args[0]}-{len(list(path.parent.glob('*.log')))}.log"
    with log.open("w", encoding="utf-8") as output:
        return subprocess.Popen([sys.executable, "-m", "hub.cli", *args], env=env,
                                stdout=output, stderr=subprocess.STDOUT, text=True)


def logs(folder: Path) -> str:
    """The end of every process log in ``folder``, for a failed wait's message."""
    return "\n".join(f"--- {log.name}:\n{log.read_text(encoding='utf-8')[-2000:]}"
                     for log in sorted(folder.glob("*.log")))


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def wait_until(condition: Callable[[], bool], timeout: float = 20.0,
               folder: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, (
            f"condition not met in time\n{logs(folder) if folder else ''}")
        time.sleep(0.1)


WORKER_SETTINGS = """
[group]
batch_size = 50
[release]
exporters = ["json"]
"""


def connector_hosts(db: Database) -> list[str]:
    with db.session() as session:
        query = select(RunRow.host).where(RunRow.job == "connector:drop").order_by(RunRow.id)
        return [h or "" for h in session.scalars(query)]


@pytest.mark.parametrize("db_url", PG, indirect=True)
def test_two_schedulers_fire_each_trigger_once_and_a_follower_takes_over(
    db: Database, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    path = config(tmp_path, db.url)
    processes += [o2c(path, "scheduler"), o2c(path, "scheduler")]
    wait_until(lambda: len(connector_hosts(db)) >= 3, folder=tmp_path)
    with db.session() as session:
        per_slot = session.execute(
            select(RunRow.job, RunRow.scheduled_for, func.count()).group_by(
                RunRow.job, RunRow.scheduled_for)).all()
    assert per_slot and {count for _job, _slot, count in per_slot} == {1}
    leaders = {host.rsplit(":", 1)[1] for host in connector_hosts(db)}
    assert len(leaders) == 1  # connectors poll under the leader only
    (leader_pid,) = leaders
    leader = next(p for p in processes if str(p.pid) == leader_pid)
    leader.send_signal(signal.SIGKILL)
    leader.wait(timeout=10)
    follower = next(p for p in processes if p is not leader)
    wait_until(lambda: connector_hosts(db)[-1].endswith(f":{follower.pid}"), folder=tmp_path)
    assert follower.poll() is None


@pytest.mark.parametrize("db_url", PG, indirect=True)
def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(
    db: Database, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    ids = validated(db, *[(f"PO-{n}", f"C{n % 50:03d}", "A1") for n in range(600)])
    path = config(tmp_path, db.url, WORKER_SETTINGS)
    victim = o2c(path, "worker")
    processes.append(victim)

    def grouped() -> int:
        with db.session() as session:
            query = select(func.count()).where(OrderRow.status != "validated")
            return int(session.scalar(query) or 0)

    wait_until(lambda: grouped() > 0, folder=tmp_path)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    processes += [o2c(path, "worker"), o2c(path, "worker")]
    wait_until(lambda: _count_status(db, "released") == len(ids) and not _pending(db),
               timeout=120, folder=tmp_path)
    with db.session() as session:
        moves = session.execute(
            select(AuditEventRow.entity_id, func.count())
            .where(AuditEventRow.entity_type == "order", AuditEventRow.action == "status")
            .group_by(AuditEventRow.entity_id)).all()
        exports = session.execute(
            select(OutboxRow.kind, func.count()).group_by(OutboxRow.kind)).all()
        groups_released = int(session.scalar(
            select(func.count(func.distinct(OrderRow.group_id)))) or 0)
    assert {count for _id, count in moves} == {4}  # extracted, validated, grouped, released
    assert dict(exports) == {"erp-json": groups_released}
    assert len(list((tmp_path / "outbox").glob("*.json"))) == groups_released


def _count_status(db: Database, status: str) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).where(OrderRow.status == status)) or 0)


def _pending(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).where(OutboxRow.status != "sent")) or 0)
