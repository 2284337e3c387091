"""Running the hub: robots on demand (``o2c run``), jobs on triggers (``o2c scheduler``),
and queue workers (``o2c worker``).

This module is the composition root: the one place that knows every room. Jobs come
from ``o2c.toml``: each robot (``[jobs.NAME]``) and each connector instance
(``[connectors.NAME]``) has an interval or cron trigger and an enabled flag. Every run
is recorded with its trigger slot; the unique (job, slot) pair makes each trigger fire
once however many schedulers share a PostgreSQL database, and connectors that poll an
outside source run only under the leader, chosen by an advisory lock.

Failure policy, by error type: a transient error is retried with exponential backoff; a
configuration error pauses the job and raises an alert until someone resumes it; a data
error (a bad document) was already quarantined by the intake and is never retried.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated, Any

import typer
from pydantic import Field

from hub import clock, jobs
from hub.cli import InputProblems, err, open_database, out
from hub.db import Database
from hub.errors import BadDocument, ConfigError, TransientError
from hub.runs import AlreadyFired, recorded
from hub.settings import Section, Settings

log = logging.getLogger("o2c.scheduler")

#: The robots, in the order ``o2c run all`` and the workers run them.
ROBOTS: dict[str, str] = {
    "validate": "robots.validate:run",
    "group": "robots.group:run",
    "release": "robots.release:run",
    "match": "matching.robot:run",
}
DEFAULT_EVERY_SECONDS = {"validate": 10, "group": 30, "release": 30, "match": 60, "outbox": 15}
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
LEADER_LOCK = 0x02C0_0001

RobotRun = Callable[..., dict[str, Any]]


class JobSettings(Section):
    """A job's trigger and retry policy (in ``[jobs.NAME]`` or ``[connectors.NAME]``)."""

    every_seconds: int | None = Field(default=None, gt=0)
    """Run every this many seconds (aligned across schedulers)."""

    cron: str | None = None
    """Or run on a crontab expression (``"*/5 * * * *"``), in the company's time zone."""

    enabled: bool = True
    """A disabled job is not scheduled at all."""

    max_retries: int = Field(default=5, ge=0)
    """Transient failures retried before the job is paused with an alert."""

    backoff_seconds: float = Field(default=10.0, gt=0)
    """First retry delay; each further retry waits twice as long."""


class SchedulerSettings(Section):
    """The scheduler process (``[scheduler]``)."""

    misfire_grace_seconds: int = Field(default=60, gt=0)
    """A trigger missed by less than this still runs (once: runs coalesce)."""

    leader_check_seconds: int = Field(default=5, gt=0)
    """How often a follower tries to become leader; a dead leader is replaced within this."""

    robots_in_scheduler: bool | None = None
    """Run the robots inside the scheduler; default: yes on SQLite, no on PostgreSQL
    (there ``o2c worker`` processes run them)."""

    worker_idle_seconds: float = Field(default=2.0, gt=0)
    """How long an idle worker waits before looking at the queue again."""

    run_request_seconds: int = Field(default=5, gt=0)
    """How often the scheduler looks for jobs someone asked to run now (workbench)."""


@dataclass
class Job:
    """One scheduled piece of work."""

    name: str
    settings: JobSettings
    work: Callable[[], dict[str, Any]]
    needs_leader: bool = False
    evidence: Callable[[], dict[str, Any]] | None = None
    """What the job keeps after a failure (a portal's screenshot and page), for the run."""

    def slot(self, now: datetime) -> datetime:
        """The trigger slot ``now`` belongs to: the same in every scheduler."""
        if self.settings.every_seconds:
            step = self.settings.every_seconds
            elapsed = int((now - EPOCH).total_seconds()) // step * step
            return EPOCH + timedelta(seconds=elapsed)
        return now.replace(second=0, microsecond=0)


def robot(name: str) -> RobotRun:
    """The ``run`` function of the robot called ``name``."""
    module_name, _, attr = ROBOTS[name].partition(":")
    return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return,unused-ignore]


def run_robot(
    db: Database, settings: Settings, name: str, should_stop: Callable[[], bool] | None = None
) -> dict[str, Any]:
    """Run one robot once over the queue, recorded as a run of job ``robot:NAME``."""
    function = robot(name)
    stoppable = should_stop is not None and _accepts(function, "should_stop")
    kwargs = {"should_stop": should_stop} if stoppable else {}
    with recorded(db, f"robot:{name}") as run:
        counts = function(db, settings, **kwargs)
        if name == "release":
            counts.update(dispatch(db, settings))
        run.merge({k: v for k, v in counts.items() if isinstance(v, int)})
    return counts


def senders(db: Database, settings: Settings) -> dict[str, Any]:
    """Every outbox sender: ERP exports and EDI acknowledgements and order responses."""
    from pathlib import Path

    from connectors.edi import delivery
    from robots import release

    return {**release.senders(settings), **delivery.senders(db, Path(settings.core.outbox))}


def dispatch(db: Database, settings: Settings) -> dict[str, int]:
    """Send what the outbox holds (exports, acknowledgements, order responses)."""
    from hub import outbox

    return {f"outbox_{k}": v for k, v in outbox.dispatch(db, senders(db, settings)).items() if v}


def _accepts(function: Callable[..., Any], parameter: str) -> bool:
    return parameter in inspect.signature(function).parameters


class Leadership:
    """Who leads the cluster: always this process on SQLite; on PostgreSQL whoever holds
    the advisory lock, on a connection kept open (the lock dies with the process)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._connection: Any = None

    def is_leader(self) -> bool:
        """Whether this process leads now (tries to become leader when it does not)."""
        if not self.db.is_postgres:
            return True
        try:
            if self._connection is None:
                self._connection = self.db.engine.raw_connection()
                return self._try_lock()
            self._connection.cursor().execute("SELECT 1")
            return self._holding or self._try_lock()
        except Exception:  # a broken connection loses leadership; try afresh next time
            self.release()
            return False

    _holding = False

    def _try_lock(self) -> bool:
        cursor = self._connection.cursor()
        cursor.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK,))
        self._holding = bool(cursor.fetchone()[0])
        self._connection.commit()
        return self._holding

    def release(self) -> None:
        """Give up leadership (closing the connection frees the lock)."""
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # already broken: nothing to release
                log.debug("leader connection already closed")
        self._connection, self._holding = None, False


class Runner:
    """Runs jobs under the failure policy; the APScheduler wiring calls :meth:`fire`."""

    def __init__(self, db: Database, leadership: Leadership,
                 retry: Callable[[Job, datetime, int], None] | None = None) -> None:
        self.db = db
        self.leadership = leadership
        self.retry = retry or (lambda _job, _when, _attempt: None)

    def fire(self, job: Job, *, slot: datetime | None = None, attempt: int = 1) -> str:
        """Run the job for its current slot; returns what happened (for logs and tests)."""
        with self.db.session() as session:
            if jobs.is_paused(session, job.name):
                return "paused"
        if job.needs_leader and not self.leadership.is_leader():
            return "follower"
        slot = slot or job.slot(clock.now())
        try:
            with recorded(self.db, job.name, slot=slot, attempt=attempt) as run:
                try:
                    counts = job.work()
                except Exception:
                    run.evidence.update(job.evidence() if job.evidence else {})
                    raise
                run.merge({k: v for k, v in counts.items() if isinstance(v, int)})
        except AlreadyFired:
            return "already-fired"
        except Exception as exc:
            return self._failed(job, exc, slot, attempt)
        with self.db.session() as session:
            jobs.succeeded(session, job.name)
        return "ok"

    def _failed(self, job: Job, exc: Exception, slot: datetime, attempt: int) -> str:
        reason = f"{type(exc).__name__}: {exc}"
        with self.db.session() as session:
            if isinstance(exc, ConfigError):
                jobs.pause(session, job.name, reason=str(exc), actor="scheduler")
                return "paused"
            if isinstance(exc, BadDocument):
                return "data-error"
            if not isinstance(exc, TransientError):
                log.error("job %s failed: %s", job.name, reason)
                jobs.failed(session, job.name, error=reason, retry_at=None)
                return "failed"
            if attempt > job.settings.max_retries:
                jobs.pause(session, job.name, actor="scheduler",
                           reason=f"gave up after {attempt - 1} retries: {exc}")
                return "paused"
            delay = job.settings.backoff_seconds * 2 ** (attempt - 1)
            when = clock.now() + timedelta(seconds=delay)
            jobs.failed(session, job.name, error=reason, retry_at=when)
        self.retry(job, when, attempt + 1)
        return "retry"


def robot_jobs(db: Database, settings: Settings) -> list[Job]:
    """A job per robot, from ``[jobs.NAME]`` with default intervals."""
    found = [Job(f"robot:{name}", _job_settings(settings, name), _robot_work(db, settings, name))
             for name in ROBOTS]
    return [job for job in found if job.settings.enabled]


def outbox_job(db: Database, settings: Settings) -> Job:
    """The job that sends the outbox (``[jobs.outbox]``)."""
    return Job("outbox", _job_settings(settings, "outbox"), lambda: dispatch(db, settings))


def _job_settings(settings: Settings, name: str) -> JobSettings:
    raw = {"every_seconds": DEFAULT_EVERY_SECONDS[name], **settings.raw("jobs").get(name, {})}
    try:
        return JobSettings.model_validate(raw)
    except ValueError as exc:
        raise ConfigError(f"[jobs.{name}]: {exc}") from None


def _robot_work(db: Database, settings: Settings, name: str) -> Callable[[], dict[str, Any]]:
    return lambda: robot(name)(db, settings)


def connector_jobs(db: Database, settings: Settings) -> list[Job]:
    """A job per ``[connectors.NAME]`` section: poll the transport, ingest, settle."""
    from connectors.base import Registry
    from connectors.email.poll import poll_mailbox

    registry = Registry.default()
    found = []
    for name, section in settings.raw("connectors").items():
        options = dict(section)
        job_keys = {k: options.pop(k) for k in list(options) if k in JobSettings.model_fields}
        transport_name = options.pop("transport", None)
        if transport_name not in registry.transports:
            known = ", ".join(sorted(registry.transports))
            raise ConfigError(f"[connectors.{name}] transport must be one of: {known}")
        transport = registry.transports[transport_name].from_settings(options)
        spec = JobSettings.model_validate(job_keys)

        def work(transport: Any = transport) -> dict[str, Any]:
            result = poll_mailbox(transport, db)
            # Files a transport refuses before reading (too big, links out of the folder)
            # never reach the intake; they are counted here so the run shows them.
            refused = len(getattr(transport, "refusals", ()))
            return {"documents": result.messages, "orders": result.orders,
                    "quarantined": result.quarantined + refused}

        found.append(Job(f"connector:{name}", spec, work, needs_leader=True,
                         evidence=partial(_evidence_of, transport)))
    return [job for job in found if job.settings.enabled]


def _evidence_of(transport: Any) -> dict[str, Any]:
    return dict(getattr(transport, "evidence", None) or {})


def build_scheduler(db: Database, settings: Settings, *, blocking: bool = True) -> Any:
    """An APScheduler 3 scheduler holding every enabled job of ``o2c.toml``."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.date import DateTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    own = settings.section("scheduler", SchedulerSettings)
    zone = settings.core.timezone
    kind = BlockingScheduler if blocking else BackgroundScheduler
    apscheduler = kind(timezone=zone, job_defaults={
        "max_instances": 1, "coalesce": True, "misfire_grace_time": own.misfire_grace_seconds})

    def retry(job: Job, when: datetime, attempt: int) -> None:
        apscheduler.add_job(runner.fire, DateTrigger(run_date=when, timezone=zone), args=[job],
                            kwargs={"attempt": attempt, "slot": when},
                            id=f"{job.name}#retry{attempt}", replace_existing=True)

    leadership = Leadership(db)
    runner = Runner(db, leadership, retry)
    robots_here = own.robots_in_scheduler
    scheduled = [*connector_jobs(db, settings), outbox_job(db, settings)]
    if robots_here if robots_here is not None else not db.is_postgres:
        scheduled += robot_jobs(db, settings)
    by_name = {job.name: job for job in scheduled}

    def run_requested() -> None:
        from ui.it import take_run_requests

        for name in take_run_requests(db, picked_by=f"{socket.gethostname()}:{os.getpid()}"):
            if name in by_name:
                apscheduler.add_job(runner.fire, DateTrigger(run_date=clock.now(), timezone=zone),
                                    args=[by_name[name]], kwargs={"slot": clock.now()})

    apscheduler.add_job(run_requested, IntervalTrigger(seconds=own.run_request_seconds),
                        id="run-requests", name="run-requests")
    for job in scheduled:
        if job.settings.cron:
            trigger: Any = CronTrigger.from_crontab(job.settings.cron, timezone=zone)
        else:
            trigger = IntervalTrigger(seconds=job.settings.every_seconds or 60,
                                      start_date=EPOCH, timezone=zone)
        apscheduler.add_job(runner.fire, trigger, args=[job], id=job.name, name=job.name)
    apscheduler.add_job(leadership.is_leader, IntervalTrigger(seconds=own.leader_check_seconds),
                        id="leadership", name="leadership")
    apscheduler.o2c_leadership = leadership
    return apscheduler


def run_worker(db: Database, settings: Settings, stop: threading.Event, *,
               once: bool = False) -> dict[str, int]:
    """Run the enabled robots over the shared queue until ``stop`` is set (or once).

    A robot that fails is recorded and the others go on; an idle worker waits a little
    before looking at the queue again.
    """
    own = settings.section("scheduler", SchedulerSettings)
    names = [job.name.removeprefix("robot:") for job in robot_jobs(db, settings)]
    totals: dict[str, int] = {}
    while not stop.is_set():
        busy = False
        for name in names:
            if stop.is_set():
                break
            counts = _worker_pass(db, settings, name, stop)
            busy |= any(v for k, v in counts.items() if ":" not in k and k != "errors")
            for key, value in counts.items():
                totals[f"{name}.{key}"] = totals.get(f"{name}.{key}", 0) + value
        if once:
            break
        if not busy:
            stop.wait(own.worker_idle_seconds)
    return totals


def _worker_pass(
    db: Database, settings: Settings, name: str, stop: threading.Event
) -> dict[str, int]:
    try:
        counts = run_robot(db, settings, name, should_stop=stop.is_set)
    except Exception as exc:  # recorded on the run; the other robots go on
        log.error("robot %s failed: %s", name, exc)
        return {"errors": 1}
    return {k: v for k, v in counts.items() if isinstance(v, int)}


def _stop_on_signals(stop: threading.Event) -> None:
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_args: stop.set())


def register(app: typer.Typer) -> None:
    """Add ``o2c run``, ``o2c scheduler``, ``o2c worker``, ``o2c runs`` and ``o2c jobs``."""
    app.command("run")(run_command)
    app.command("scheduler")(scheduler_command)
    app.command("worker")(worker_command)
    runs_app = typer.Typer(help="Run history of connectors and robots.", no_args_is_help=True)
    runs_app.command("list")(runs_list)
    app.add_typer(runs_app, name="runs")
    jobs_app = typer.Typer(help="Scheduled jobs: alerts, pause, resume.", no_args_is_help=True)
    jobs_app.command("list")(jobs_list)
    jobs_app.command("pause")(jobs_pause)
    jobs_app.command("resume")(jobs_resume)
    app.add_typer(jobs_app, name="jobs")


def run_command(
    name: Annotated[str, typer.Argument(
        help="validate, group, release, match, or all (in that order).", metavar="ROBOT")],
) -> None:
    """Run one robot once over the queue."""
    names = list(ROBOTS) if name == "all" else [name]
    if any(n not in ROBOTS for n in names):
        raise typer.BadParameter(f"unknown robot {name!r}; choose from "
                                 f"{', '.join([*ROBOTS, 'all'])}")
    settings = Settings.load()
    db = open_database(settings)
    failed = False
    for robot_name in names:
        try:
            counts = run_robot(db, settings, robot_name)
        except Exception as exc:
            err.print(f"{robot_name}: failed: {exc}", markup=False)
            failed = True
            continue
        out.print(f"{robot_name}: {_describe(counts)}", markup=False)
    if failed:
        raise InputProblems("a robot failed")


def _describe(counts: dict[str, Any]) -> str:
    shown = [f"{v} {k}" for k, v in counts.items() if ":" not in k and v]
    return ", ".join(shown) or "nothing to do"


def scheduler_command() -> None:
    """Run the jobs of ``o2c.toml`` in the foreground until stopped (SIGTERM, Ctrl-C)."""
    settings = Settings.load()
    db = open_database(settings)
    apscheduler = build_scheduler(db, settings)
    # A trigger that fires while the same job still runs is skipped by design
    # (max_instances=1, coalesce); APScheduler's warning for it is noise here.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    names = ", ".join(job.id for job in apscheduler.get_jobs())
    err.print(f"o2c scheduler pid {os.getpid()} on {socket.gethostname()}: {names}",
              markup=False)
    signal.signal(signal.SIGTERM, lambda *_args: apscheduler.shutdown(wait=True))
    try:
        apscheduler.start()
    except (KeyboardInterrupt, SystemExit):
        apscheduler.shutdown(wait=True)
    finally:
        apscheduler.o2c_leadership.release()


def worker_command(
    once: Annotated[bool, typer.Option(help="One pass over the queue, then stop.")] = False,
) -> None:
    """Run the robots over the shared queue (any number of workers, on any machine)."""
    settings = Settings.load()
    db = open_database(settings)
    stop = threading.Event()
    _stop_on_signals(stop)
    totals = run_worker(db, settings, stop, once=once)
    err.print(f"worker {os.getpid()} stopped: {_describe(totals)}", markup=False)


def runs_list(
    job: Annotated[str | None, typer.Option(help="Only this job.")] = None,
    limit: Annotated[int, typer.Option(help="How many runs.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """The latest runs: job, start, end, status, counts, error."""
    import json

    from rich.table import Table

    from hub.runs import recent

    db = open_database()
    with db.session() as session:
        rows = [_run_dict(r) for r in recent(session, job=job, limit=limit)]
    if as_json:
        for row in rows:
            out.print(json.dumps(row), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table("id", "job", "started", "status", "counts", "error")
    for row in rows:
        table.add_row(str(row["id"]), row["job"], row["started_at"][:19], row["status"],
                      ", ".join(f"{k} {v}" for k, v in row["counts"].items()), row["error"] or "")
    out.print(table)


def _run_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "job": row.job, "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
        "scheduled_for": row.scheduled_for.isoformat() if row.scheduled_for else None,
        "attempt": row.attempt, "status": row.status, "counts": row.counts,
        "error": row.error, "error_type": row.error_type, "evidence": row.evidence,
        "host": row.host,
    }


def jobs_list() -> None:
    """Jobs with an alert: paused by a configuration error, or failing."""
    db = open_database()
    with db.session() as session:
        alerts = jobs.alerts(session)
        for state in alerts:
            flag = "PAUSED" if state.paused else f"{state.consecutive_failures} failure(s)"
            out.print(f"{state.job}: {flag}: {state.alert}", markup=False)
    if not alerts:
        err.print("no alerts", markup=False)


def jobs_pause(name: Annotated[str, typer.Argument(help="The job, e.g. connector:inbox.")],
               reason: Annotated[str, typer.Option(help="Why.")] = "paused by hand") -> None:
    """Pause a job."""
    db = open_database()
    with db.session() as session:
        jobs.pause(session, name, reason=reason, actor=f"cli:{os.environ.get('USER', 'admin')}")


def jobs_resume(
    name: Annotated[str, typer.Argument(help="The job, e.g. connector:inbox.")],
) -> None:
    """Resume a paused job and clear its alert."""
    db = open_database()
    with db.session() as session:
        jobs.resume(session, name, actor=f"cli:{os.environ.get('USER', 'admin')}")
