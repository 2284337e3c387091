"""Mailbox state of the e-mail channel: which IMAP messages were read and how they ended.

One row per folder remembers its UIDVALIDITY and the highest UID seen; one row per
message records its claim (so that two processes never read the same message), the
decision (processed or quarantined, with the reason) and whether the move was done, so
that a restart finishes a half-done move instead of reading the message again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.tables import Base


class EmailFolderRow(Base):
    """One watched IMAP folder: its UIDVALIDITY and the highest UID read from it."""

    __tablename__ = "email_folders"

    account: Mapped[str] = mapped_column(String(255), primary_key=True)
    folder: Mapped[str] = mapped_column(String(255), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]


class EmailMessageRow(Base):
    """One IMAP message the channel claimed, and what became of it."""

    __tablename__ = "email_messages"
    __table_args__ = (
        UniqueConstraint("account", "folder", "uidvalidity", "uid"),
        Index("ix_email_messages_pending", "account", "folder", "uidvalidity", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(255))
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str | None] = mapped_column(String(998))
    sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    target: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(Text)
    moved: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_by: Mapped[str] = mapped_column(String(80))
    claimed_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]
