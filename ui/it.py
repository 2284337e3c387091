"""IT's view of the jobs: last runs, errors, evidence; re-run, pause, resume.

A robot job re-runs here, in the workbench process, recorded like a scheduled run. A
connector polls an outside source under the scheduler's leader only, so the workbench
records a run request that the scheduler picks up instead of polling itself.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import clock, jobs
from hub.db import Database
from hub.runs import recorded
from hub.schema_ui import RunRequestRow
from hub.settings import Settings
from hub.tables import JobStateRow, RunRow

#: Robots the workbench may run itself (``ui`` may import robots and matching).
ROBOTS = {"robot:validate": "robots.validate:run", "robot:group": "robots.group:run",
          "robot:release": "robots.release:run", "robot:match": "matching.robot:run"}


@dataclass(frozen=True)
class JobView:
    """One job as IT sees it."""

    name: str
    last: RunRow | None
    last_failure: RunRow | None
    state: JobStateRow | None
    runs_24h: int
    requested: bool


def overview(session: Session, settings: Settings) -> list[JobView]:
    """Every job known from ``o2c.toml``, runs, states or the robot list, with its latest
    runs."""
    names = set(ROBOTS) | {f"connector:{n}" for n in settings.raw("connectors")}
    names |= set(session.scalars(select(RunRow.job).distinct()))
    names |= set(session.scalars(select(JobStateRow.job)))
    last_ids = dict(session.execute(select(RunRow.job, func.max(RunRow.id))
                                    .group_by(RunRow.job)).all())
    failed_ids = dict(session.execute(select(RunRow.job, func.max(RunRow.id)).where(
        RunRow.status == "failed").group_by(RunRow.job)).all())
    wanted = [i for i in (*last_ids.values(), *failed_ids.values()) if i]
    runs = {r.id: r for r in session.scalars(select(RunRow).where(RunRow.id.in_(wanted)))}
    since = clock.now().timestamp() - 86400
    counts = dict(session.execute(select(RunRow.job, func.count()).where(
        RunRow.started_at >= _instant(since)).group_by(RunRow.job)).all())
    states = {s.job: s for s in session.scalars(select(JobStateRow))}
    requested = set(session.scalars(select(RunRequestRow.job).where(
        RunRequestRow.picked_at.is_(None))))
    return [JobView(n, runs.get(last_ids.get(n, -1)), runs.get(failed_ids.get(n, -1)),
                    states.get(n), int(counts.get(n, 0)), n in requested)
            for n in sorted(names)]


def _instant(epoch: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC)


def rerun(db: Database, settings: Settings, job: str, actor: str) -> str:
    """Run a robot now, or ask the scheduler to run a connector; returns what happened."""
    target = ROBOTS.get(job)
    if target is not None:
        module_name, _, attr = target.partition(":")
        try:
            function = getattr(importlib.import_module(module_name), attr)
        except ImportError:
            return _request(db, job, actor)
        with recorded(db, job) as run:
            counts = function(db, settings)
            run.merge({k: v for k, v in counts.items() if isinstance(v, int)})
            run.evidence["requested_by"] = actor
        return f"{job} ran: " + (", ".join(f"{k} {v}" for k, v in counts.items()
                                          if isinstance(v, int) and v) or "nothing to do")
    return _request(db, job, actor)


def _request(db: Database, job: str, actor: str) -> str:
    with db.session() as session:
        session.add(RunRequestRow(job=job, requested_by=actor, requested_at=clock.now()))
        jobs.state(session, job)
        from hub import audit

        audit.record(session, [audit.AuditEvent("job", job, "run_requested", actor)])
    return f"{job}: run requested; the scheduler starts it on its next pass"


def pause(db: Database, job: str, actor: str, reason: str) -> None:
    """Pause a job until someone resumes it (audited by the hub)."""
    with db.session() as session:
        jobs.pause(session, job, reason=reason or f"paused by {actor}", actor=actor)


def resume(db: Database, job: str, actor: str) -> None:
    """Resume a paused job (audited by the hub)."""
    with db.session() as session:
        jobs.resume(session, job, actor=actor)


def take_run_requests(db: Database, picked_by: str) -> list[str]:
    """For the scheduler: the jobs people asked to run now, each marked as picked once.

    A claim is one ``UPDATE ... RETURNING`` per request, so two schedulers sharing a
    database never both start the same request.
    """
    from sqlalchemy import update

    taken: list[str] = []
    with db.session() as session:
        waiting = list(session.scalars(select(RunRequestRow.id).where(
            RunRequestRow.picked_at.is_(None)).order_by(RunRequestRow.id).limit(100)))
        for request_id in waiting:
            job = session.scalar(update(RunRequestRow).where(
                RunRequestRow.id == request_id, RunRequestRow.picked_at.is_(None))
                .values(picked_at=clock.now(), picked_by=picked_by)
                .returning(RunRequestRow.job))
            if job is not None and job not in taken:
                taken.append(job)
    return taken
