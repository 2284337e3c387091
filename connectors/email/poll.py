"""One poll of a mailbox: fetch, store each message in the hub, settle it.

The hub's intake stores the raw bytes before anything reads them, so a message is
settled only once it is safe in the database: moved to the processed folder when it
was read (a mail with no order counts as read, its reason recorded), or to the
quarantine folder with the reason when it could not be. One bad message never stops
the poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from connectors.base import RawDocument, Transport
from hub.db import Database
from hub.intake import IngestReport, ingest

log = logging.getLogger(__name__)

#: Intake outcomes after which the message leaves the inbox as handled.
HANDLED = frozenset(("extracted", "partial", "not_order", "duplicate"))


@dataclass
class PollResult:
    """What one poll did."""

    messages: int = 0
    processed: int = 0
    quarantined: int = 0
    orders: int = 0
    problems: list[str] = field(default_factory=list)


def poll_mailbox(
    transport: Transport,
    db: Database,
    *,
    store: Callable[[Database, RawDocument], IngestReport] = ingest,
    progress: Callable[[IngestReport], None] | None = None,
) -> PollResult:
    """Read every new message of the mailbox into the hub once.

    Args:
        transport: The mailbox (usually :class:`connectors.email.imap.ImapTransport`).
        db: The hub's database.
        store: The intake (``hub.intake.ingest``).
        progress: Called after each message, for progress bars.
    """
    result = PollResult()
    bind = getattr(transport, "bind", None)
    if callable(bind):  # a mailbox keeps its UIDs in this same database
        bind(db)
    for raw in transport.fetch():
        report = store(db, raw)
        ok = report.status in HANDLED
        reason = report.error or "; ".join(report.problems) or None
        transport.settle(raw, ok=ok, reason=reason)
        result.messages += 1
        result.orders += report.created.get("orders", 0)
        if ok:
            result.processed += 1
        else:
            result.quarantined += 1
            result.problems.append(f"{raw.name}: {reason}")
        if progress:
            progress(report)
    return result
