"""The failure policy, with time injected: retries, pauses, alerts, one run per slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hub import clock, jobs
from hub.db import Database
from hub.errors import BadDocument, ConfigError, TransientError
from hub.tables import RunRow
from scheduler import Job, JobSettings, Leadership, Runner


class Work:
    """A job body that fails with the given errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"documents": 2}


@pytest.fixture
def now():
    moment = [datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)]
    clock.set_clock(lambda: moment[0])
    yield moment
    clock.set_clock(None)


def runner(db: Database) -> tuple[Runner, list[tuple[str, datetime, int]]]:
    retries: list[tuple[str, datetime, int]] = []
    made = Runner(db, Leadership(db), lambda job, when, attempt: retries.append(
        (job.name, when, attempt)))
    return made, retries


def runs(db: Database) -> list[RunRow]:
    with db.session() as session:
        return list(session.scalars(select(RunRow).order_by(RunRow.id)))


def test_a_transient_error_is_retried_with_exponential_backoff(db: Database, now) -> None:
    work = Work(TransientError("server busy"), TransientError("server busy"))
    job = Job("connector:inbox", JobSettings(every_seconds=60, backoff_seconds=10), work)
    fire, retries = runner(db)
    assert fire.fire(job) == "retry"
    assert retries[-1] == ("connector:inbox", now[0] + timedelta(seconds=10), 2)
    now[0] += timedelta(seconds=10)
    assert fire.fire(job, slot=retries[-1][1], attempt=2) == "retry"
    assert retries[-1][1] == now[0] + timedelta(seconds=20)
    now[0] += timedelta(seconds=20)
    assert fire.fire(job, slot=retries[-1][1], attempt=3) == "ok"
    assert [(r.status, r.error_type, r.attempt) for r in runs(db)] == [
        ("failed", "transient", 1), ("failed", "transient", 2), ("ok", None, 3)]
    with db.session() as session:
        assert jobs.alerts(session) == []


def test_too_many_transient_failures_pause_the_job(db: Database, now) -> None:
    job = Job("connector:inbox", JobSettings(every_seconds=60, max_retries=1),
              Work(TransientError("down"), TransientError("down")))
    fire, retries = runner(db)
    assert fire.fire(job) == "retry"
    assert fire.fire(job, slot=retries[-1][1], attempt=2) == "paused"
    with db.session() as session:
        (alert,) = jobs.alerts(session)
    assert alert.paused and alert.alert == "gave up after 1 retries: down"


def test_a_configuration_error_pauses_the_channel_and_the_others_go_on(db: Database, now) -> None:
    broken = Job("connector:portal", JobSettings(every_seconds=60),
                 Work(ConfigError("portal changed: step 'login' selector #user not found")))
    healthy = Job("connector:inbox", JobSettings(every_seconds=60), Work())
    fire, retries = runner(db)
    assert fire.fire(broken) == "paused"
    assert fire.fire(healthy) == "ok"
    now[0] += timedelta(minutes=1)
    assert fire.fire(broken) == "paused"
    assert broken.work.calls == 1 and retries == []  # type: ignore[attr-defined]
    with db.session() as session:
        (alert,) = jobs.alerts(session)
        assert alert.job == "connector:portal" and "selector #user" in (alert.alert or "")
        jobs.resume(session, "connector:portal", actor="it1")
    assert fire.fire(broken) == "ok"


def test_a_data_error_is_recorded_and_never_retried(db: Database, now) -> None:
    job = Job("connector:inbox", JobSettings(every_seconds=60),
              Work(BadDocument("truncated interchange", source="x.edi")))
    fire, retries = runner(db)
    assert fire.fire(job) == "data-error"
    assert retries == []
    assert runs(db)[0].error_type == "data"


def test_each_slot_runs_once_whoever_fires_it(db: Database, now) -> None:
    work = Work()
    job = Job("robot:validate", JobSettings(every_seconds=10), work)
    first, _ = runner(db)
    second, _ = runner(db)
    now[0] += timedelta(seconds=3)
    assert first.fire(job) == "ok"
    assert second.fire(job) == "already-fired"
    now[0] += timedelta(seconds=10)
    assert second.fire(job) == "ok"
    slots = [r.scheduled_for for r in runs(db)]
    assert slots == [datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC),
                     datetime(2026, 11, 22, 9, 0, 10, tzinfo=UTC)]
    assert work.calls == 2


def test_interval_slots_align_across_processes() -> None:
    job = Job("j", JobSettings(every_seconds=30), Work())
    assert job.slot(datetime(2026, 11, 22, 9, 0, 29, tzinfo=UTC)) == datetime(
        2026, 11, 22, 9, 0, 0, tzinfo=UTC)
    cron = Job("j", JobSettings(cron="*/5 * * * *"), Work())
    assert cron.slot(datetime(2026, 11, 22, 9, 5, 42, 7, tzinfo=UTC)) == datetime(
        2026, 11, 22, 9, 5, tzinfo=UTC)


def test_a_failed_run_keeps_the_evidence_the_job_left(db: Database, now) -> None:
    job = Job("connector:portal", JobSettings(every_seconds=60),
              Work(TransientError("portal slow")),
              evidence=lambda: {"step": "login", "screenshot": "var/evidence/web/1.png"})
    fire, _retries = runner(db)
    assert fire.fire(job) == "retry"
    (run,) = runs(db)
    assert run.evidence == {"step": "login", "screenshot": "var/evidence/web/1.png"}


def test_a_run_asked_for_in_the_workbench_is_started_once(db: Database, tmp_path) -> None:
    from hub.settings import Settings
    from scheduler import build_scheduler
    from ui.it import _request

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = Settings({"hub": {"database_url": db.url},
                         "connectors": {"drop": {"transport": "folder", "path": str(inbox)}}})
    apscheduler = build_scheduler(db, settings, blocking=False)
    _request(db, "connector:drop", "it1")
    take = apscheduler.get_job("run-requests").func
    take()
    take()  # a request is handed out once
    started = [j for j in apscheduler.get_jobs() if j.id not in {
        "run-requests", "leadership", "outbox", "connector:drop"} and not j.id.startswith("robot:")]
    assert [j.args[0].name for j in started] == ["connector:drop"]
