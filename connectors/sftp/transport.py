"""The SFTP transport: new files in a partner's remote folder become documents.

Each poll lists the inbox folder, downloads every complete file (old enough, no
upload suffix, not too large) and yields it. Once the hub has stored the document,
:meth:`SftpTransport.settle` renames the file into the archive folder on the server;
a refused document's file goes to the quarantine folder with ``<name>.reason.txt``.

A file is never taken twice: it leaves the inbox only after the hub holds its bytes,
and if o2c stops between the download and the rename (a crash, a dropped
connection), the next poll downloads the same bytes again and the hub recognises them
by their sha256 (status ``duplicate``), so no order is created twice and the file is
then archived. Nothing is kept on the o2c side that could disagree with the server.

Built only on :mod:`connectors.sdk`, as every third-party connector can be.
"""

from __future__ import annotations

import fnmatch
import logging
import posixpath
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import paramiko

from connectors.sdk import ConfigError, RawDocument, Transport, TransportConfig
from connectors.sftp.config import SftpConfig
from connectors.sftp.session import SftpSession

log = logging.getLogger(__name__)

_REASON_SUFFIX = ".reason.txt"
_MAX_CANDIDATES = 100
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class RemoteFile:
    """One version of a file on the server: where, how big, when last written."""

    path: str
    size: int
    mtime: int

    @property
    def name(self) -> str:
        """The file name alone."""
        return posixpath.basename(self.path)


@dataclass(frozen=True)
class Refusal:
    """A file refused without being downloaded (too large), already in quarantine."""

    name: str
    reason: str


class SftpTransport(Transport):
    """Polls a remote SFTP folder; archives or quarantines each file once settled.

    Attributes:
        refusals: Files refused during the last :meth:`fetch` without being read.
    """

    name: ClassVar[str] = "sftp"
    config_model: ClassVar[type[TransportConfig]] = SftpConfig

    def __init__(self, config: TransportConfig, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(config)
        self.sftp_config: SftpConfig = (
            config if isinstance(config, SftpConfig)
            else SftpConfig.model_validate(config.model_dump()))
        self.clock = clock
        self.refusals: list[Refusal] = []
        self._pending: dict[tuple[str, str], RemoteFile] = {}
        self._session: SftpSession | None = None

    def __repr__(self) -> str:
        config = self.sftp_config
        return f"SftpTransport({config.user}@{config.host}:{config.port}, {config.inbox_path})"

    def fetch(self) -> Iterator[RawDocument]:
        """Yield every complete new file of the inbox folder, oldest first.

        Raises:
            TransientError: the server cannot be reached or the connection dropped.
            ConfigError: host key, login or folders are wrong.
        """
        self.refusals = []
        self._pending.clear()  # a document not settled by now is read again next poll
        session = self._open()
        try:
            for remote in self._listing(session):
                raw = self._download(session, remote)
                if raw is not None:
                    self._pending[(raw.name, raw.sha256)] = remote
                    yield raw
        finally:
            session.close()
            self._session = None

    def settle(self, raw: RawDocument, *, ok: bool, reason: str | None = None) -> None:
        """Archive the document's file (ok), or quarantine it with the reason.

        A file rewritten on the server since it was downloaded is left in the inbox: its
        new content is read by the next poll.

        Raises:
            ValueError: for a document this transport did not fetch (or settled already).
            TransientError: the connection dropped; the file stays and is read again.
            ConfigError: the server refuses the move (permissions, missing folder).
        """
        remote = self._pending.pop((raw.name, raw.sha256), None)
        if remote is None:
            raise ValueError(f"{raw.name}: not a pending file of this SFTP inbox")
        session, own = (self._session, False) if self._session else (self._open(), True)
        try:
            if self._current(session, remote) != remote:
                log.warning("sftp %s: %s changed since it was read; left in place",
                            self.sftp_config.host, remote.name)
                return
            if ok:
                self._move(session, remote, self.sftp_config.archive_path)
            else:
                self._move(session, remote, self.sftp_config.quarantine_path, reason or "refused")
        finally:
            if own:
                session.close()
                self._session = None

    # --- listing and reading -------------------------------------------------------

    def _open(self) -> SftpSession:
        session = SftpSession(self.sftp_config, self.name)
        session.open()
        self._session = session
        return session

    def _listing(self, session: SftpSession) -> list[RemoteFile]:
        config = self.sftp_config
        with self._remote(session, f"listing {config.inbox_path}"):
            entries = _client(session).listdir_attr(config.inbox_path)
        wanted = [self._remote_file(e) for e in entries if self._wanted(e)]
        return sorted(wanted, key=lambda f: (f.mtime, f.name))

    def _wanted(self, entry: paramiko.SFTPAttributes) -> bool:
        config = self.sftp_config
        name = entry.filename
        lowered = name.lower()
        # Listings carry lstat attributes: links and folders are not regular files.
        if name.startswith(".") or not stat.S_ISREG(entry.st_mode or 0):
            return False
        if lowered.endswith(tuple(s.lower() for s in config.temp_suffixes)):
            return False
        if lowered.endswith(_REASON_SUFFIX) or not fnmatch.fnmatch(lowered, config.pattern.lower()):
            return False
        age = self.clock() - (entry.st_mtime or 0)
        return age >= config.settle_seconds

    def _remote_file(self, entry: paramiko.SFTPAttributes) -> RemoteFile:
        return RemoteFile(posixpath.join(self.sftp_config.inbox_path, entry.filename),
                          entry.st_size or 0, int(entry.st_mtime or 0))

    def _download(self, session: SftpSession, remote: RemoteFile) -> RawDocument | None:
        cap = self.sftp_config.max_bytes
        if remote.size > cap:
            reason = f"{remote.size:,} bytes is over the {cap:,}-byte cap of this SFTP channel"
            self._move(session, remote, self.sftp_config.quarantine_path, reason)
            self.refusals.append(Refusal(remote.name, reason))
            log.warning("sftp %s: %s refused: %s", self.sftp_config.host, remote.name, reason)
            return None
        with self._remote(session, f"downloading {remote.path}"):
            content = _read_capped(_client(session), remote.path, cap)
        if len(content) != remote.size or self._current(session, remote) != remote:
            log.info("sftp %s: %s is still being written; left for the next poll",
                     self.sftp_config.host, remote.name)
            return None
        return self._document(remote, content)

    def _document(self, remote: RemoteFile, content: bytes) -> RawDocument:
        config = self.sftp_config
        return RawDocument(
            content=content,
            name=remote.name,
            channel=config.channel,
            sender=f"{config.user}@{config.host}",
            received_at=datetime.fromtimestamp(remote.mtime, tz=UTC),
            document_ref=f"sftp://{config.host}:{config.port}{_absolute(remote.path)}",
            metadata={"transport": self.name, "remote_path": remote.path,
                      "size": remote.size, "mtime": remote.mtime},
        )

    def _current(self, session: SftpSession, remote: RemoteFile) -> RemoteFile | None:
        """The file as it stands now on the server (``None`` when it is gone)."""
        with self._remote(session, f"checking {remote.path}"):
            try:
                now = _client(session).stat(remote.path)
            except FileNotFoundError:
                return None
        return RemoteFile(remote.path, now.st_size or 0, int(now.st_mtime or 0))

    # --- filing away on the server ---------------------------------------------------

    def _move(self, session: SftpSession, remote: RemoteFile, folder: str,
              reason: str | None = None) -> str:
        client = _client(session)
        self._ensure_folder(session, folder)
        for candidate in _candidates(remote.name):
            target = posixpath.join(folder, candidate)
            if self._exists(session, target) or (
                    reason is not None and self._exists(session, target + _REASON_SUFFIX)):
                continue
            with self._remote(session, f"moving {remote.path} to {folder}"):
                client.rename(remote.path, target)  # SFTP rename never replaces a file
                if reason is not None:
                    with client.open(target + _REASON_SUFFIX, "wx") as note:
                        note.write((" ".join(reason.split()) + "\n").encode("utf-8"))
            return target
        raise ConfigError(f"transport {self.name!r}: no free name for {remote.name} in {folder}")

    def _ensure_folder(self, session: SftpSession, folder: str) -> None:
        if self._exists(session, folder):
            return
        if self.sftp_config.on_missing_folder == "fail":
            raise ConfigError(f"transport {self.name!r}: folder {folder} does not exist on "
                              f"{session.where}")
        with self._remote(session, f"creating {folder}"):
            _client(session).mkdir(folder)

    def _exists(self, session: SftpSession, path: str) -> bool:
        with self._remote(session, f"checking {path}"):
            try:
                _client(session).lstat(path)
            except FileNotFoundError:
                return False
        return True

    @contextmanager
    def _remote(self, session: SftpSession, doing: str) -> Iterator[None]:
        """Failures of one remote operation: a refusal by the server is a configuration
        problem (permissions, a missing inbox), a broken connection a transient one."""
        try:
            yield
        except (FileNotFoundError, PermissionError) as exc:
            raise ConfigError(f"transport {self.name!r}: {doing} on {session.where}: "
                              f"{exc.strerror or exc}") from None
        except (OSError, EOFError, paramiko.SSHException) as exc:
            with session.failures(doing):
                raise exc from None


def _client(session: SftpSession) -> paramiko.SFTPClient:
    if session.sftp is None:
        raise ConfigError(f"SFTP session to {session.where} is closed")
    return session.sftp


def _read_capped(client: paramiko.SFTPClient, path: str, cap: int) -> bytes:
    with client.open(path, "rb") as handle:
        handle.prefetch()
        content = handle.read(cap + 1)
    return bytes(content)


def _absolute(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def _candidates(name: str) -> Iterator[str]:
    yield name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    for number in range(1, _MAX_CANDIDATES):
        yield f"{stem}-{number}{dot if suffix else ''}{suffix}"
