"""The raw document store: bytes first, keyed by sha256, before anything parses them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub import audit, clock
from hub.documents import RawDocument
from hub.ids import new_id
from hub.tables import DocumentContentRow, DocumentRow

#: Document statuses: stored (bytes kept, not yet read), extracted (entries created),
#: partial (some parts could not be read), failed (nothing could be read; see error),
#: not_order (readable, but holds no order).
DOCUMENT_STATES = ("stored", "extracted", "partial", "failed", "not_order")


@dataclass(frozen=True)
class Stored:
    """The stored document row, and whether these bytes were new."""

    document: DocumentRow
    created: bool


def store(session: Session, raw: RawDocument) -> Stored:
    """Keep the bytes and the document's metadata; the same bytes twice are kept once.

    Call in its own transaction and commit before parsing, so a crash while parsing
    never loses the document.
    """
    found = session.scalar(select(DocumentRow).where(DocumentRow.sha256 == raw.sha256))
    if found is not None:
        return Stored(found, created=False)
    row = DocumentRow(
        id=new_id("DOC"), sha256=raw.sha256, channel=raw.channel, format=None,
        name=safe_name(raw.name), source_ref=raw.document_ref, sender=raw.sender,
        received_at=raw.received_at or clock.now(), size=len(raw.content), status="stored",
        error=None, error_code=None, order_count=0,
    )
    try:
        with session.begin_nested():
            if session.get(DocumentContentRow, raw.sha256) is None:
                session.add(DocumentContentRow(sha256=raw.sha256, content=raw.content))
            session.add(row)
    except IntegrityError:  # another process stored the same bytes just now
        found = session.scalar(select(DocumentRow).where(DocumentRow.sha256 == raw.sha256))
        assert found is not None
        return Stored(found, created=False)
    audit.record(session, [audit.AuditEvent("document", row.id, "stored", _actor(raw), None,
                                             {"sha256": raw.sha256, "name": row.name})])
    return Stored(row, created=True)


def _actor(raw: RawDocument) -> str:
    return f"channel:{raw.channel}"


def safe_name(name: str) -> str:
    """A document name fit for display: no folders, no control characters, bounded."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip() or "unnamed"
    return cleaned[:255]


def mark(
    session: Session,
    document_id: str,
    status: str,
    *,
    format: str | None = None,
    error: str | None = None,
    error_code: str | None = None,
    order_count: int | None = None,
) -> None:
    """Record what reading the document gave (status, format, error), audited."""
    values: dict[str, object] = {"status": status, "error": error, "error_code": error_code}
    if format is not None:
        values["format"] = format
    if order_count is not None:
        values["order_count"] = order_count
    session.execute(update(DocumentRow).where(DocumentRow.id == document_id).values(**values))
    audit.record(session, [audit.AuditEvent("document", document_id, status, "intake", None,
                                             {"status": status}, error)])


def content(session: Session, sha256: str) -> bytes | None:
    """The raw bytes of a stored document."""
    row = session.get(DocumentContentRow, sha256)
    return row.content if row else None
