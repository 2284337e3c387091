"""Intake: raw bytes first, then the handler that turns them into queue entries.

``ingest`` stores the document (committed on its own, so nothing is ever lost), asks the
installed handlers which one reads it, and lets that handler write its entries in one
transaction. A failure leaves the document stored with status ``failed`` and the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar, Protocol

from sqlalchemy.orm import Session

from hub import plugins, store
from hub.db import Database
from hub.documents import RawDocument
from hub.errors import BadDocument, NotAnOrder
from hub.tables import DocumentRow

log = logging.getLogger(__name__)


@dataclass
class Handled:
    """What a handler made of one document.

    Attributes:
        format: The format it recognised (``edifact-d96a-orders``, ``camt.053``...).
        created: Entries it created (orders, transactions), by kind.
        already: Entries that already existed (idempotent re-import), by kind.
        problems: One line per part it could not read, when the rest went on
            (one bad message in an interchange).
    """

    format: str | None = None
    created: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class DocumentHandler(Protocol):
    """Turns one kind of stored document into queue entries (entry-point group
    ``o2c.handlers``). ``priority``: lower is asked first."""

    name: ClassVar[str]
    priority: ClassVar[int]

    def identify(self, raw: RawDocument) -> bool:
        """Whether this handler reads the document."""

    def handle(self, session: Session, document: DocumentRow, raw: RawDocument) -> Handled:
        """Write the document's entries in ``session`` (one transaction).

        Raises:
            hub.errors.BadDocument: with a one-line reason; nothing is written.
        """


@dataclass
class IngestReport:
    """The outcome of ingesting one document, for the command line and the run record."""

    name: str
    sha256: str
    document_id: str | None = None
    status: str = "stored"
    format: str | None = None
    created: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether every part of the document was handled (not-an-order counts as handled)."""
        return self.status in ("extracted", "not_order")


def load_handlers() -> list[DocumentHandler]:
    """The installed document handlers, in the order they are asked."""
    handlers = [factory() for _name, factory in plugins.load(plugins.HANDLERS)]
    return sorted(handlers, key=lambda h: (h.priority, h.name))


def ingest(
    db: Database,
    raw: RawDocument,
    *,
    handlers: Sequence[DocumentHandler] | None = None,
    max_bytes: int = 50 * 1024 * 1024,
) -> IngestReport:
    """Store a document, then turn it into queue entries; never raises for bad input.

    The bytes are committed before any parsing. The same bytes a second time are
    reported as a duplicate and change nothing, unless their first reading failed
    (then they are read again, so a fixed reader can recover them).
    """
    report = IngestReport(name=store.safe_name(raw.name), sha256=raw.sha256)
    with db.session() as session:
        stored = store.store(session, raw)
        document = stored.document
    report.document_id = document.id
    if not stored.created and document.status not in ("stored", "failed"):
        return _duplicate(report, document)
    refusal = _refusal(raw, max_bytes)
    handler = None if refusal else _pick(handlers if handlers is not None else load_handlers(), raw)
    if refusal or handler is None:
        return _fail(db, report, document, refusal or "no reader recognises this document format")
    return _handle(db, report, document, raw, handler)


def _refusal(raw: RawDocument, max_bytes: int) -> str | None:
    if not raw.content.strip():
        return "empty file"
    if len(raw.content) > max_bytes:
        return f"{len(raw.content):,} bytes is over the {max_bytes:,}-byte document cap"
    return None


def _pick(handlers: Sequence[DocumentHandler], raw: RawDocument) -> DocumentHandler | None:
    for handler in handlers:
        try:
            if handler.identify(raw):
                return handler
        except Exception:  # one handler's detection bug must not hide the others
            log.exception("handler %s failed to identify %s", handler.name, raw.name)
    return None


def _handle(
    db: Database, report: IngestReport, document: DocumentRow, raw: RawDocument,
    handler: DocumentHandler,
) -> IngestReport:
    try:
        with db.session() as session:
            handled = handler.handle(session, document, raw)
            status = "partial" if handled.problems else "extracted"
            store.mark(session, document.id, status, format=handled.format,
                       error="; ".join(handled.problems) or None,
                       order_count=sum(handled.created.values()))
    except NotAnOrder as exc:
        return _fail(db, report, document, exc.reason, status="not_order", code=exc.code)
    except BadDocument as exc:
        return _fail(db, report, document, _located(exc), code=exc.code,
                     answer=partial(_answer_failure, handler, document, raw, exc))
    report.status, report.format = status, handled.format
    report.created, report.already = handled.created, handled.already
    report.problems = handled.problems
    return report


def _located(exc: BadDocument) -> str:
    return f"{exc.location}: {exc.reason}" if exc.location else exc.reason


def _answer_failure(
    handler: DocumentHandler, document: DocumentRow, raw: RawDocument, error: BadDocument,
    session: Session,
) -> None:
    hook = getattr(handler, "on_failed", None)
    if callable(hook):
        hook(session, document, raw, error)


def _fail(
    db: Database, report: IngestReport, document: DocumentRow, reason: str,
    *, status: str = "failed", code: str = "UNREADABLE_DOCUMENT",
    answer: Callable[[Session], None] | None = None,
) -> IngestReport:
    """Mark the document failed with its reason; ``answer`` may tell the sender, in the
    same transaction (a rejecting EDI acknowledgement)."""
    with db.session() as session:
        store.mark(session, document.id, status, error=reason, error_code=code)
        if answer is not None:
            answer(session)
    report.status, report.error = status, reason
    return report


def _duplicate(report: IngestReport, document: DocumentRow) -> IngestReport:
    report.status = "duplicate"
    report.format = document.format
    when = document.received_at.strftime("%Y-%m-%d %H:%M UTC")
    report.error = f"already ingested as {document.id} on {when} ({document.status}); nothing new"
    return report
