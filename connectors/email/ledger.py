"""Which IMAP messages were read, and what became of them, kept in the hub's database.

A message is *claimed* before its bytes are handed out, *decided* (processed or
quarantined, with the reason) when the hub has stored it, and *moved* once the server
confirmed the move. A restart therefore re-reads only what was claimed but never
decided, finishes moves that were decided but not done, and reads everything else once.

Claims name their owner (``host:pid``): a message claimed by a live process elsewhere
is left alone until its lease runs out; a claim left by a dead process on this host is
taken over at once, so a crash loses nothing and two pollers never read one message.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError

from hub.db import Database
from hub.schema_email import EmailFolderRow, EmailMessageRow

log = logging.getLogger(__name__)

CLAIMED, PROCESSED, QUARANTINED = "claimed", "processed", "quarantined"


def this_worker() -> str:
    """The claim owner name of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive_here(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: only its lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class PendingMove:
    """A message decided but not yet moved on the server."""

    uid: int
    target: str


class MailboxLedger:
    """The state of one IMAP account in the database.

    Args:
        db: The hub's database (migrated, so the ``email_*`` tables exist).
        account: ``user@host:port``, the key of every row.
        worker: The claim owner name; :func:`this_worker` by default.
        lease: How long another process's claim is respected.
    """

    def __init__(
        self,
        db: Database,
        account: str,
        *,
        worker: str | None = None,
        lease: timedelta = timedelta(minutes=10),
    ) -> None:
        self.db = db
        self.account = account
        self.worker = worker or this_worker()
        self.lease = lease

    def open_folder(self, folder: str, uidvalidity: int) -> None:
        """Record the folder's UIDVALIDITY; a new one means every old UID is void."""
        try:
            self._open_folder(folder, uidvalidity)
        except IntegrityError:  # another poller created the row first: read it again
            self._open_folder(folder, uidvalidity)

    def _open_folder(self, folder: str, uidvalidity: int) -> None:
        now = datetime.now(UTC)
        with self.db.session() as session:
            row = session.get(EmailFolderRow, (self.account, folder))
            if row is None:
                session.add(
                    EmailFolderRow(
                        account=self.account,
                        folder=folder,
                        uidvalidity=uidvalidity,
                        last_uid=0,
                        updated_at=now,
                    )
                )
            elif row.uidvalidity != uidvalidity:
                log.warning(
                    "%s %s: UIDVALIDITY changed from %s to %s; every message is read "
                    "again (stored documents are recognised by their hash)",
                    self.account,
                    folder,
                    row.uidvalidity,
                    uidvalidity,
                )
                row.uidvalidity, row.last_uid, row.updated_at = uidvalidity, 0, now

    def last_uid(self, folder: str) -> int:
        """The highest UID read from the folder under its current UIDVALIDITY."""
        with self.db.session() as session:
            row = session.get(EmailFolderRow, (self.account, folder))
            return row.last_uid if row else 0

    def pending_moves(self, folder: str, uidvalidity: int) -> list[PendingMove]:
        """Messages decided but whose move was not confirmed (a crash in between)."""
        with self.db.session() as session:
            rows = session.scalars(
                select(EmailMessageRow).where(
                    EmailMessageRow.account == self.account,
                    EmailMessageRow.folder == folder,
                    EmailMessageRow.uidvalidity == uidvalidity,
                    EmailMessageRow.status != CLAIMED,
                    EmailMessageRow.moved.is_(False),
                )
            ).all()
            return [PendingMove(r.uid, r.target or "") for r in rows]

    def claim_many(self, folder: str, uidvalidity: int, uids: list[int]) -> list[int]:
        """Claim messages for this process; the UIDs this process may read, in order.

        New messages are claimed in one transaction; known ones are taken over one by
        one (a dead owner's or an expired claim), and settled ones are skipped.
        """
        if not uids:
            return []
        with self.db.session() as session:
            known = set(session.scalars(select(EmailMessageRow.uid).where(
                EmailMessageRow.account == self.account, EmailMessageRow.folder == folder,
                EmailMessageRow.uidvalidity == uidvalidity,
                EmailMessageRow.uid.in_(uids))))
        fresh = [uid for uid in uids if uid not in known]
        now = datetime.now(UTC)
        try:
            with self.db.session() as session:
                session.add_all(EmailMessageRow(
                    account=self.account, folder=folder, uidvalidity=uidvalidity, uid=uid,
                    status=CLAIMED, moved=False, claimed_by=self.worker, claimed_at=now)
                    for uid in fresh)
        except IntegrityError:  # another poller claimed some meanwhile: go one by one
            return [uid for uid in uids if self.claim(folder, uidvalidity, uid)]
        taken = {uid for uid in known if self._take_over(folder, uidvalidity, uid, now)}
        if fresh:
            self._advance(folder, max(fresh))
        return [uid for uid in uids if uid in taken or uid not in known]

    def claim(self, folder: str, uidvalidity: int, uid: int) -> bool:
        """Claim a message for this process; False when another one holds or settled it."""
        now = datetime.now(UTC)
        try:
            with self.db.session() as session:
                session.add(
                    EmailMessageRow(
                        account=self.account,
                        folder=folder,
                        uidvalidity=uidvalidity,
                        uid=uid,
                        status=CLAIMED,
                        moved=False,
                        claimed_by=self.worker,
                        claimed_at=now,
                    )
                )
        except IntegrityError:
            return self._take_over(folder, uidvalidity, uid, now)
        self._advance(folder, uid)
        return True

    def _take_over(self, folder: str, uidvalidity: int, uid: int, now: datetime) -> bool:
        with self.db.session() as session:
            row = session.scalars(
                select(EmailMessageRow).where(*self._key(folder, uidvalidity, uid))
            ).one()
            if row.status != CLAIMED:
                return False
            mine = row.claimed_by == self.worker
            expired = row.claimed_at < now - self.lease
            if not (mine or expired or not _alive_here(row.claimed_by)):
                return False
            # Conditional update: of two processes taking over at once, one wins.
            taken = session.execute(
                update(EmailMessageRow)
                .where(
                    EmailMessageRow.id == row.id,
                    EmailMessageRow.claimed_by == row.claimed_by,
                    EmailMessageRow.claimed_at == row.claimed_at,
                    EmailMessageRow.status == CLAIMED,
                )
                .values(claimed_by=self.worker, claimed_at=now)
            )
            return bool(taken.rowcount)  # type: ignore[attr-defined]

    def release(self, folder: str, uidvalidity: int, uid: int) -> None:
        """Drop a claim on a message that vanished before it was read."""
        with self.db.session() as session:
            row = session.scalars(
                select(EmailMessageRow).where(*self._key(folder, uidvalidity, uid))
            ).first()
            if row is not None and row.status == CLAIMED and row.claimed_by == self.worker:
                session.delete(row)

    def decide(
        self,
        folder: str,
        uidvalidity: int,
        uid: int,
        *,
        ok: bool,
        target: str,
        reason: str | None,
        message_id: str | None,
        sha256: str | None,
    ) -> None:
        """Record how a message ended, before it is moved."""
        with self.db.session() as session:
            session.execute(
                update(EmailMessageRow)
                .where(*self._key(folder, uidvalidity, uid))
                .values(
                    status=PROCESSED if ok else QUARANTINED,
                    target=target,
                    reason=(reason or None) and reason[:4000],
                    message_id=message_id and message_id[:998],
                    sha256=sha256,
                    settled_at=datetime.now(UTC),
                )
            )

    def moved(self, folder: str, uidvalidity: int, *uids: int) -> None:
        """Record that the server confirmed the moves."""
        with self.db.session() as session:
            session.execute(
                update(EmailMessageRow)
                .where(EmailMessageRow.account == self.account, EmailMessageRow.folder == folder,
                       EmailMessageRow.uidvalidity == uidvalidity, EmailMessageRow.uid.in_(uids))
                .values(moved=True)
            )

    def messages(self, folder: str) -> list[EmailMessageRow]:
        """Every message row of a folder (for the workbench and the tests)."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(EmailMessageRow)
                    .where(
                        EmailMessageRow.account == self.account, EmailMessageRow.folder == folder
                    )
                    .order_by(EmailMessageRow.uidvalidity, EmailMessageRow.uid)
                )
            )

    def _advance(self, folder: str, uid: int) -> None:
        with self.db.session() as session:
            session.execute(
                update(EmailFolderRow)
                .where(
                    EmailFolderRow.account == self.account,
                    EmailFolderRow.folder == folder,
                    EmailFolderRow.last_uid < uid,
                )
                .values(last_uid=uid, updated_at=datetime.now(UTC))
            )

    def _key(self, folder: str, uidvalidity: int, uid: int) -> tuple[ColumnElement[bool], ...]:
        return (
            EmailMessageRow.account == self.account,
            EmailMessageRow.folder == folder,
            EmailMessageRow.uidvalidity == uidvalidity,
            EmailMessageRow.uid == uid,
        )
