"""The audit trail: every state change says what, who, when, before and after."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from hub import bulk, clock
from hub.tables import AuditEventRow

AUDIT = cast(Table, AuditEventRow.__table__)


@dataclass(frozen=True)
class AuditEvent:
    """One audited change (see :func:`record`)."""

    entity_type: str
    entity_id: str
    action: str
    actor: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    detail: str | None = None


def record(session: Session, events: Iterable[AuditEvent], *, at: datetime | None = None) -> int:
    """Write audit events in the caller's transaction (one bulk insert).

    Returns:
        How many events were written.
    """
    stamp = at or clock.now()
    rows = [
        {
            "at": stamp, "actor": e.actor, "entity_type": e.entity_type,
            "entity_id": e.entity_id, "action": e.action, "before": e.before,
            "after": e.after, "detail": e.detail,
        }
        for e in events
    ]
    bulk.insert_rows(session, AUDIT, rows)
    return len(rows)


def history(session: Session, entity_type: str, entity_id: str) -> Sequence[AuditEventRow]:
    """Every event of one entity, oldest first."""
    query = (
        select(AuditEventRow)
        .where(AuditEventRow.entity_type == entity_type, AuditEventRow.entity_id == entity_id)
        .order_by(AuditEventRow.id)
    )
    return session.scalars(query).all()
