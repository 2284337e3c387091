"""Scheduled jobs' standing, shared by every scheduler of a cluster.

A configuration error pauses a job and raises an alert that the workbench shows until
someone resumes it; transient failures count towards the next retry's backoff.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit, clock
from hub.tables import JobStateRow


def state(session: Session, job: str) -> JobStateRow:
    """The job's row, created on first use."""
    row = session.get(JobStateRow, job)
    if row is None:
        row = JobStateRow(job=job, paused=False, alert=None, consecutive_failures=0,
                          next_retry_at=None, updated_at=clock.now(), updated_by="scheduler")
        session.add(row)
        session.flush()
    return row


def is_paused(session: Session, job: str) -> bool:
    """Whether the job waits for a person to resume it."""
    row = session.get(JobStateRow, job)
    return bool(row and row.paused)


def pause(session: Session, job: str, *, reason: str, actor: str) -> None:
    """Pause a job with an alert naming the reason (audited)."""
    row = state(session, job)
    before = _snapshot(row)
    row.paused, row.alert = True, reason
    _touch(session, row, actor, before, "paused")


def resume(session: Session, job: str, *, actor: str) -> None:
    """Resume a paused job and clear its alert (audited)."""
    row = state(session, job)
    before = _snapshot(row)
    row.paused, row.alert, row.consecutive_failures, row.next_retry_at = False, None, 0, None
    _touch(session, row, actor, before, "resumed")


def failed(session: Session, job: str, *, error: str, retry_at: datetime | None) -> int:
    """Count a transient failure; returns how many in a row."""
    row = state(session, job)
    row.consecutive_failures += 1
    row.next_retry_at, row.alert = retry_at, error
    row.updated_at = clock.now()
    return row.consecutive_failures


def succeeded(session: Session, job: str) -> None:
    """Clear the failure count after a good run."""
    row = session.get(JobStateRow, job)
    if row is not None and (row.consecutive_failures or row.alert) and not row.paused:
        row.consecutive_failures, row.next_retry_at, row.alert = 0, None, None
        row.updated_at = clock.now()


def alerts(session: Session) -> list[JobStateRow]:
    """Jobs with something to say: paused, or failing."""
    query = select(JobStateRow).where(JobStateRow.alert.is_not(None)).order_by(JobStateRow.job)
    return list(session.scalars(query))


def _snapshot(row: JobStateRow) -> dict[str, Any]:
    return {"paused": row.paused, "alert": row.alert}


def _touch(session: Session, row: JobStateRow, actor: str, before: dict[str, Any],
           action: str) -> None:
    row.updated_at, row.updated_by = clock.now(), actor
    audit.record(session, [audit.AuditEvent("job", row.job, action, actor, before,
                                             _snapshot(row))])
