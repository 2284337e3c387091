"""IMAP mailboxes as a source of orders (imapclient).

Each ``[connectors.NAME]`` section of ``o2c.toml`` with ``transport = "imap"`` is one
mailbox, polled by the scheduler (or watched with ``o2c email watch NAME``)::

    [connectors.orders-mailbox]
    transport = "imap"
    every_seconds = 60
    host = "imap.example.com"
    user = "orders@example.com"
    password_env = "O2C_ORDERS_MAILBOX_PASSWORD"
    quarantine = "Quarantine"

Messages are read
with ``BODY.PEEK[]`` (nothing is marked read before it is stored), tracked by UID and
UIDVALIDITY in the database (:mod:`connectors.email.ledger`), and moved once stored:
to the processed folder, or to the quarantine folder with the reason recorded. Nothing
is ever deleted. Lost connections are retried with exponential backoff; a mailbox that
stays unreachable raises :class:`hub.errors.TransientError` for the scheduler to retry.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from typing import Any, ClassVar, Literal, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from pydantic import Field

from connectors.base import RawDocument, Transport, TransportConfig
from connectors.email.ledger import MailboxLedger
from hub.db import Database
from hub.errors import ConfigError, TransientError
from hub.settings import read_secret

log = logging.getLogger(__name__)
T = TypeVar("T")

# What a dropped or refused connection looks like; server NO/BAD answers are not here.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError, socket.timeout, ssl.SSLError, imaplib.IMAP4.abort, EOFError,
)


class ImapConfig(TransportConfig):
    """One mailbox (a ``[connectors.NAME]`` section of ``o2c.toml``, ``transport = "imap"``)."""

    host: str
    """Server name or address."""
    port: int = Field(default=993, gt=0, lt=65536)
    """993 for TLS, 143 for STARTTLS or plain."""
    security: Literal["tls", "starttls", "none"] = "tls"
    """``tls`` (implicit TLS), ``starttls``, or ``none`` (loopback test servers only)."""
    user: str
    """Login name."""
    password_env: str | None = None
    """Environment variable holding the password (never the password itself)."""
    password_file: str | None = None
    """File holding the password, when no environment variable is set."""
    inbox: str = "INBOX"
    """Folder the orders arrive in."""
    processed: str = "Processed"
    """Folder stored messages are moved to (created when missing)."""
    quarantine: str = "Quarantine"
    """Folder messages that could not be read are moved to, with the reason recorded."""
    batch_size: int = Field(default=50, gt=0)
    """Messages fetched per round trip."""
    idle_seconds: int = Field(default=600, gt=0, le=1740)
    """Longest wait in IDLE before re-polling (RFC 2177: under 29 minutes)."""
    poll_seconds: int = Field(default=60, gt=0)
    """Wait between polls when the server offers no IDLE."""
    timeout_seconds: float = Field(default=30, gt=0)
    """Socket timeout of every command."""
    retries: int = Field(default=5, ge=0)
    """Reconnection attempts before the poll gives up with a transient error."""
    backoff_seconds: float = Field(default=1.0, ge=0)
    """First wait between reconnections; doubled each time."""
    backoff_max_seconds: float = Field(default=60.0, ge=0)
    """Longest wait between reconnections."""
    max_message_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    """Messages larger than this are quarantined without being downloaded."""
    state_url: str | None = None
    """Database holding the mailbox state; the hub's database (``O2C_DATABASE_URL``) when unset."""


class ImapTransport(Transport):
    """Reads one IMAP mailbox; :meth:`settle` moves each message once the hub stored it.

    Args:
        config: The mailbox settings.
        ledger: Where UIDs and decisions are kept; opened from ``state_url`` when None.
        sleep: The backoff clock (tests pass a fast one).
    """

    name: ClassVar[str] = "imap"
    config_model: ClassVar[type[TransportConfig]] = ImapConfig
    config: ImapConfig

    def __init__(
        self, config: TransportConfig, *, ledger: MailboxLedger | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        assert isinstance(config, ImapConfig)
        super().__init__(config)
        self._ledger = ledger
        self._sleep = sleep
        self._client: IMAPClient | None = None
        self._uidvalidity: int | None = None
        self._folders: set[str] = set()
        self._to_move: dict[str, list[int]] = {}
        self._fetching = False

    @property
    def account(self) -> str:
        """``user@host:port``: the key of this mailbox's state."""
        return f"{self.config.user}@{self.config.host}:{self.config.port}"

    def bind(self, db: Database) -> None:
        """Keep the mailbox state in the hub's database the caller already opened."""
        if self._ledger is None and self.config.state_url is None:
            self._ledger = MailboxLedger(db, self.account)

    @property
    def ledger(self) -> MailboxLedger:
        """The mailbox state in the database."""
        if self._ledger is None:
            from hub.settings import Settings

            url = self.config.state_url or Settings.load().core.database_url
            self._ledger = MailboxLedger(Database(url), self.account)
        return self._ledger

    # --- reading -------------------------------------------------------------------

    def fetch(self) -> Iterator[RawDocument]:
        """Yield every message of the inbox not yet stored, oldest first.

        A message claimed by a run that died before settling it is yielded again (the
        hub recognises its bytes); one another live poller holds is left to it.

        Raises:
            TransientError: the server stayed unreachable after the retries.
            ConfigError: the login was refused.
        """
        folder = self.config.inbox
        self._uidvalidity = None
        uidvalidity = self._retrying(self._select_inbox, "select")
        self.ledger.open_folder(folder, uidvalidity)
        self._finish_moves(uidvalidity)
        uids = sorted(self._retrying(lambda c: c.search(["ALL"]), "search"))
        self._fetching = True
        try:
            for start in range(0, len(uids), self.config.batch_size):
                chunk = uids[start : start + self.config.batch_size]
                batch = self._refuse_oversized(uidvalidity,
                                               self.ledger.claim_many(folder, uidvalidity, chunk))
                data = self._fetch_batch(batch) if batch else {}
                for uid in batch:
                    item = data.get(uid)
                    if item is None or b"BODY[]" not in item:
                        self.ledger.release(folder, uidvalidity, uid)  # gone meanwhile
                        continue
                    yield self._document(uid, uidvalidity, item)
                self.flush()
        finally:
            self._fetching = False

    def _refuse_oversized(self, uidvalidity: int, batch: list[int]) -> list[int]:
        """Quarantine messages over the size cap without downloading them."""
        if not batch:
            return batch
        sizes = self._retrying(lambda c: c.fetch(batch, ["RFC822.SIZE"]), "size")
        kept = []
        for uid in batch:
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            if size <= self.config.max_message_bytes:
                kept.append(uid)
                continue
            reason = (f"message of {size / 1048576:.1f} MB is over the "
                      f"{self.config.max_message_bytes // 1048576} MB limit; not downloaded")
            self.ledger.decide(self.config.inbox, uidvalidity, uid, ok=False,
                               target=self.config.quarantine, reason=reason, message_id=None,
                               sha256=None)
            log.warning("%s uid %s quarantined: %s", self.account, uid, reason)
            self._to_move.setdefault(self.config.quarantine, []).append(uid)
        return kept

    def _fetch_batch(self, batch: list[int]) -> dict[int, dict[bytes, Any]]:
        def fetch(client: IMAPClient) -> dict[int, dict[bytes, Any]]:
            return client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"])

        return self._retrying(fetch, "fetch")

    def _document(self, uid: int, uidvalidity: int, item: dict[bytes, Any]) -> RawDocument:
        content: bytes = item[b"BODY[]"]
        headers = BytesHeaderParser().parsebytes(content[:65536])
        sender = parseaddr(str(headers.get("from", "")))[1].lower() or None
        message_id = str(headers.get("message-id", "")).strip().strip("<>") or None
        received = item.get(b"INTERNALDATE")
        if isinstance(received, datetime) and received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        return RawDocument(
            content=content,
            name=f"{self.config.user}/{self.config.inbox}/{uidvalidity}-{uid}.eml",
            channel="email",
            sender=sender,
            received_at=received if isinstance(received, datetime) else None,
            document_ref=message_id,
            media_type="message/rfc822",
            metadata={"imap_account": self.account, "imap_folder": self.config.inbox,
                      "imap_uidvalidity": uidvalidity, "imap_uid": uid},
        )

    # --- settling --------------------------------------------------------------------

    def settle(self, raw: RawDocument, *, ok: bool, reason: str | None = None) -> None:
        """Record the outcome, then move the message (processed or quarantine).

        The decision is written before the move, so a crash in between finishes the
        move at the next :meth:`fetch` instead of reading the message again. While a
        :meth:`fetch` is running, moves are grouped (one ``MOVE`` per batch and folder,
        done at the end of each batch); otherwise the message is moved at once.
        """
        uid, uidvalidity = int(raw.metadata["imap_uid"]), int(raw.metadata["imap_uidvalidity"])
        target = self.config.processed if ok else self.config.quarantine
        folder = self.config.inbox
        self.ledger.decide(folder, uidvalidity, uid, ok=ok, target=target, reason=reason,
                           message_id=raw.document_ref, sha256=raw.sha256)
        if not ok:
            log.warning("%s uid %s quarantined: %s", self.account, uid, reason)
        if self._uidvalidity not in (None, uidvalidity):
            return  # UIDs changed meaning; the next fetch reads the mailbox afresh
        self._to_move.setdefault(target, []).append(uid)
        # During a fetch, moves go in batches (one MOVE per batch and folder); the
        # decisions are already in the ledger, so a crash before the flush loses nothing.
        if not self._fetching or sum(map(len, self._to_move.values())) >= self.config.batch_size:
            self.flush()

    def flush(self) -> None:
        """Do the moves settled so far (called by :meth:`fetch` and :meth:`close`)."""
        while self._to_move:
            target, uids = next(iter(self._to_move.items()))
            validity = self._uidvalidity
            self._retrying(lambda c: self._move(c, uids, target), "move")  # noqa: B023
            del self._to_move[target]
            if validity is not None:
                self.ledger.moved(self.config.inbox, validity, *uids)

    def _finish_moves(self, uidvalidity: int) -> None:
        for pending in self.ledger.pending_moves(self.config.inbox, uidvalidity):
            self._to_move.setdefault(pending.target, []).append(pending.uid)
        self.flush()

    def _move(self, client: IMAPClient, uids: list[int], target: str) -> None:
        self._ensure_folder(client, target)
        if client.has_capability("MOVE"):
            client.move(uids, target)
            return
        # RFC 6851 absent: copy, then expunge only these UIDs (UIDPLUS) so nothing else goes.
        client.copy(uids, target)
        client.add_flags(uids, [b"\\Deleted"], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)
        else:
            client.expunge()

    def _ensure_folder(self, client: IMAPClient, folder: str) -> None:
        if folder in self._folders:
            return
        if not client.folder_exists(folder):
            client.create_folder(folder)
            client.subscribe_folder(folder)
        self._folders.add(folder)

    # --- waiting ---------------------------------------------------------------------

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for new mail: IDLE when the server offers it, else sleep one poll period.

        Returns:
            Whether the server announced new messages (always False when polling).
        """
        seconds = timeout if timeout is not None else self.config.idle_seconds
        client = self._retrying(lambda c: c, "connect")
        if not client.has_capability("IDLE"):
            self._sleep(timeout if timeout is not None else self.config.poll_seconds)
            return False
        try:
            client.idle()
            responses = client.idle_check(timeout=seconds)
            client.idle_done()
        except CONNECTION_ERRORS as exc:
            log.warning("%s: IDLE interrupted: %s", self.account, exc)
            self._drop()
            return False
        return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)

    # --- connection ------------------------------------------------------------------

    def _retrying(self, operation: Callable[[IMAPClient], T], what: str) -> T:
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            try:
                client = self._client or self._connect()
                return operation(client)
            except CONNECTION_ERRORS as exc:
                self._drop()
                if attempt + 1 >= attempts:
                    raise TransientError(
                        f"imap {self.config.host}:{self.config.port}: {what} failed after "
                        f"{attempts} attempts: {type(exc).__name__}: {exc}"
                    ) from None
                delay = min(self.config.backoff_seconds * 2**attempt,
                            self.config.backoff_max_seconds)
                log.warning("%s: %s failed (%s), retrying in %.1f s", self.account, what, exc,
                            delay)
                self._sleep(delay)
            except IMAPClientError as exc:  # a NO or BAD answer: the server said why
                raise TransientError(
                    f"imap {self.config.host}:{self.config.port}: {what} refused: {exc}"
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self) -> IMAPClient:
        cfg = self.config
        context = ssl.create_default_context()
        try:
            client = IMAPClient(cfg.host, port=cfg.port, ssl=cfg.security == "tls",
                                ssl_context=context if cfg.security == "tls" else None,
                                timeout=cfg.timeout_seconds)
        except ssl.SSLError as exc:  # a certificate or protocol mismatch will not pass by itself
            raise ConfigError(f"imap {cfg.host}:{cfg.port}: TLS failed ({exc.reason}); check "
                              "security, port and the server certificate") from None
        client.normalise_times = False  # keep INTERNALDATE's own zone
        try:
            if cfg.security == "starttls":
                client.starttls(context)
            client.login(cfg.user, self._password())
        except LoginError:
            _quiet_logout(client)
            raise ConfigError(
                f"imap {cfg.user}@{cfg.host}: login refused; check the password in "
                f"{cfg.password_env or cfg.password_file}"
            ) from None
        except (IMAPClientError, ssl.SSLError) as exc:
            _quiet_logout(client)
            raise ConfigError(f"imap {cfg.host}:{cfg.port}: {exc}") from None
        self._client = client
        known = self._uidvalidity
        current = self._select_inbox(client)
        if known is not None and known != current:
            self._drop()
            raise TransientError(
                f"imap {cfg.host}: {cfg.inbox} changed UIDVALIDITY during the poll; "
                "it is read afresh at the next poll"
            )
        return client

    def _password(self) -> str:
        # Read at each login and never stored on the object or logged.
        return read_secret(self.config.password_env, self.config.password_file)

    def _select_inbox(self, client: IMAPClient) -> int:
        try:
            status = client.select_folder(self.config.inbox)
        except IMAPClientError as exc:
            if isinstance(exc, imaplib.IMAP4.abort):
                raise
            raise ConfigError(f"imap {self.config.user}@{self.config.host}: cannot open folder "
                              f"{self.config.inbox!r}: {exc}") from None
        self._uidvalidity = int(status[b"UIDVALIDITY"])
        return self._uidvalidity

    def _drop(self) -> None:
        if self._client is not None:
            _quiet_logout(self._client)
        self._client = None

    def close(self) -> None:
        """Do the pending moves and log out (safe to call twice).

        A move that cannot be done now stays recorded and is done at the next fetch.
        """
        try:
            self.flush()
        except (TransientError, ConfigError) as exc:
            log.warning("%s: moves left for the next poll: %s", self.account, exc)
            self._to_move.clear()
        finally:
            self._drop()

    def __enter__(self) -> ImapTransport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _quiet_logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # the connection is being dropped anyway
        try:
            client.shutdown()
        except Exception:  # already closed
            log.debug("connection already closed")
