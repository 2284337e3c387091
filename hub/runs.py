"""Run records: every connector poll and robot run, with its counts and its error."""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub import clock
from hub.db import Database
from hub.errors import BadDocument, ConfigError, TransientError
from hub.tables import RunRow


@dataclass
class RunCounts:
    """What a run did, by kind (documents, orders, exceptions, transactions...)."""

    counts: Counter[str] = field(default_factory=Counter)
    evidence: dict[str, Any] = field(default_factory=dict)

    def add(self, kind: str, amount: int = 1) -> None:
        """Count ``amount`` more of ``kind``."""
        self.counts[kind] += amount

    def merge(self, other: dict[str, int]) -> None:
        """Add another run's counts."""
        self.counts.update(other)


def error_type(exc: BaseException) -> str:
    """The failure policy's class of an error: transient, configuration or data."""
    if isinstance(exc, TransientError):
        return "transient"
    if isinstance(exc, ConfigError):
        return "config"
    if isinstance(exc, BadDocument):
        return "data"
    return "internal"


class AlreadyFired(Exception):  # noqa: N818 - a signal, not a failure
    """Another scheduler of the cluster already runs this job for this slot."""


@contextmanager
def recorded(
    db: Database, job: str, *, slot: datetime | None = None, attempt: int = 1
) -> Iterator[RunCounts]:
    """Record a run of ``job``: started, then ended with status, counts and error.

    Args:
        db: The database.
        job: The job's name.
        slot: The trigger's fire time; a second run for the same slot is refused.
        attempt: 1 for the scheduled run, 2 and more for retries.

    Raises:
        AlreadyFired: when another process claimed the same job and slot.

    The job's error is re-raised after it is recorded, for the caller's failure policy.
    """
    row = RunRow(job=job, scheduled_for=slot, attempt=attempt, started_at=clock.now(),
                 status="running", counts={}, host=f"{socket.gethostname()}:{os.getpid()}")
    try:
        with db.session() as session:
            session.add(row)
    except IntegrityError:
        raise AlreadyFired(f"{job} already ran for {slot}") from None
    counts = RunCounts()
    try:
        yield counts
    except Exception as exc:
        _finish(db, row.id, "failed", counts, f"{type(exc).__name__}: {exc}", error_type(exc))
        raise
    _finish(db, row.id, "ok", counts, None, None)


def _finish(  # noqa: PLR0917 - private, called twice above
    db: Database, run_id: int, status: str, counts: RunCounts, error: str | None,
    kind: str | None,
) -> None:
    with db.session() as session:
        row = session.get(RunRow, run_id)
        assert row is not None
        row.ended_at = clock.now()
        row.status = status
        row.counts = dict(counts.counts)
        row.error = error
        row.error_type = kind
        row.evidence = counts.evidence or None


def recent(session: Session, *, job: str | None = None, limit: int = 50) -> list[RunRow]:
    """The latest runs, newest first."""
    query = select(RunRow).order_by(RunRow.id.desc()).limit(limit)
    if job:
        query = query.where(RunRow.job == job)
    return list(session.scalars(query))
