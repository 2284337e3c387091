"""The outbox: messages written with the state change that causes them, sent afterwards.

A robot that releases an order writes the export message in the same transaction as the
status change (:func:`put`), so either both happen or neither. :func:`dispatch` then
hands each pending message to the sender registered for its kind, marks it sent, and
retries failures with exponential backoff. A crash between sending and marking means
the message is offered again: every sender is idempotent on the message's
``dedupe_key`` (a file sender writes the same file name; a webhook sends the key as
``Idempotency-Key``), so the receiver sees the export once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub import clock
from hub.db import Database
from hub.errors import TransientError
from hub.tables import OutboxRow

log = logging.getLogger(__name__)
OUTBOX = cast(Table, OutboxRow.__table__)


@dataclass(frozen=True)
class Message:
    """One message to send, as a sender receives it."""

    id: int
    kind: str
    dedupe_key: str
    subject_id: str
    target: str | None
    payload: bytes


Sender = Callable[[Message], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed message is offered again."""

    max_attempts: int = 8
    first_delay_seconds: float = 5.0
    factor: float = 3.0

    def delay(self, attempts: int) -> timedelta:
        """The wait before attempt number ``attempts + 1``."""
        return timedelta(seconds=self.first_delay_seconds * self.factor ** max(attempts - 1, 0))


def put(
    session: Session, *, kind: str, dedupe_key: str, subject_id: str, payload: bytes,
    target: str | None = None,
) -> bool:
    """Queue a message in the caller's transaction; the same ``dedupe_key`` twice is kept once.

    Returns:
        Whether the message is new.
    """
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(OUTBOX).values(
        dedupe_key=dedupe_key, kind=kind, subject_id=subject_id, target=target,
        payload=payload, status="pending", attempts=0, next_attempt_at=None,
        created_at=clock.now(), sent_at=None, error=None,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def put_many(session: Session, messages: Sequence[Mapping[str, Any]]) -> None:
    """Queue several messages (keys as :func:`put` takes them); duplicates are kept once."""
    if not messages:
        return
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = clock.now()
    rows = [{"target": None, **m, "status": "pending", "attempts": 0, "next_attempt_at": None,
             "created_at": now, "sent_at": None, "error": None} for m in messages]
    statement = module.insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"])
    session.execute(statement, rows)


def dispatch(
    db: Database, senders: Mapping[str, Sender], *, policy: RetryPolicy | None = None,
    limit: int = 500,
) -> dict[str, int]:
    """Send every due message whose kind has a sender; returns counts sent/retry/failed.

    Messages are sent in batches of ``limit`` and marked sent once per batch: a crash in
    between means some are offered again, which every sender takes as a no-op.
    """
    policy = policy or RetryPolicy()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    while batch := _due(db, list(senders), limit):
        sent = []
        for message in batch:
            outcome = _send(db, senders[message.kind], message, policy)
            counts[outcome] += 1
            if outcome == "sent":
                sent.append(message.id)
        _mark_sent(db, sent)
        if len(batch) < limit or not sent:
            break
    return counts


def _due(db: Database, kinds: list[str], limit: int, lease_seconds: int = 120) -> list[Message]:
    """Claim due messages: their next attempt moves past a lease, so another dispatcher
    (another worker, another machine) leaves them alone until this one is done or dead."""
    now = clock.now()
    due = (select(OUTBOX.c.id)
           .where(OUTBOX.c.status == "pending", OUTBOX.c.kind.in_(kinds),
                  (OUTBOX.c.next_attempt_at.is_(None)) | (OUTBOX.c.next_attempt_at <= now))
           .order_by(OUTBOX.c.id).limit(limit))
    if db.is_postgres:
        due = due.with_for_update(skip_locked=True)
    batch = due.cte("due")
    claim = (update(OUTBOX).where(OUTBOX.c.id == batch.c.id)
             .values(next_attempt_at=now + timedelta(seconds=lease_seconds))
             .returning(OUTBOX.c.id, OUTBOX.c.kind, OUTBOX.c.dedupe_key, OUTBOX.c.subject_id,
                        OUTBOX.c.target, OUTBOX.c.payload))
    with db.session() as session:
        rows = session.execute(claim).all()
    return sorted((Message(*row) for row in rows), key=lambda m: m.id)


def _send(db: Database, sender: Sender, message: Message, policy: RetryPolicy) -> str:
    try:
        sender(message)
    except TransientError as exc:
        return _failed_attempt(db, message, policy, str(exc))
    except Exception as exc:  # a sender's bug is recorded on the message, never lost
        log.exception("sending %s failed", message.dedupe_key)
        return _failed_attempt(db, message, policy, f"{type(exc).__name__}: {exc}")
    return "sent"


def _mark_sent(db: Database, ids: list[int]) -> None:
    if not ids:
        return
    with db.session() as session:
        session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(
            status="sent", sent_at=clock.now(), error=None, attempts=OUTBOX.c.attempts + 1))


def _failed_attempt(db: Database, message: Message, policy: RetryPolicy, error: str) -> str:
    with db.session() as session:
        row = session.get(OutboxRow, message.id)
        assert row is not None
        row.attempts += 1
        row.error = error
        if row.attempts >= policy.max_attempts:
            row.status = "failed"
            return "failed"
        row.next_attempt_at = clock.now() + policy.delay(row.attempts)
    return "retry"
