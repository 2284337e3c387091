"""The drop folder: files left in a folder become documents, then move to ``done/`` or
``failed/``.

A scanner, a fax-to-folder gateway, an ERP export or a person drops files into the
folder. Each poll yields the files that are complete (not modified for a few seconds, no
temporary suffix) and, once the hub has stored a document, :meth:`FolderTransport.settle`
moves its file to ``done/``, or to ``failed/`` with ``<name>.reason.txt`` beside it.

The folder is the only place files are read from: dot files and the ``done``/``failed``
folders are ignored, symbolic links are followed only to regular files inside the
folder (any other link is moved to ``failed/``), files are opened without following
links, and a file's name never becomes a path: names in ``done``/``failed`` are
sanitised and never overwrite an existing file.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import logging
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from connectors.base import RawDocument, Transport, TransportConfig
from hub.errors import ConfigError
from hub.model import Channel

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^\w.\-+=@,() ]", re.UNICODE)
_MAX_NAME = 200
_REASON_SUFFIX = ".reason.txt"


class FolderConfig(TransportConfig):
    """A drop folder: a ``[connectors.NAME]`` section of ``o2c.toml`` with
    ``transport = "folder"``."""

    path: Path
    """The folder files are dropped into; it must exist."""

    channel: Channel = "file"
    """Channel of the documents: ``file``; ``fax`` for a fax gateway that drops scans."""

    pattern: str = "*"
    """Which file names to pick up, as a glob (``*.csv``); case-insensitive."""

    done: str = "done"
    """Sub-folder that stored documents move to."""

    failed: str = "failed"
    """Sub-folder that refused documents move to, each with ``<name>.reason.txt``."""

    max_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    """Files larger than this are not read; they move to ``failed/`` with the reason."""

    settle_seconds: float = Field(default=5.0, ge=0)
    """A file modified less than this many seconds ago is still being written: left
    for the next poll."""

    temp_suffixes: tuple[str, ...] = (
        ".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".filepart", "~",
    )
    """Name endings of files still being copied (case-insensitive); never picked up."""

    @field_validator("done", "failed")
    @classmethod
    def _plain_folder_name(cls, value: str) -> str:
        if not value or value in (".", "..") or safe_name(value) != value or "/" in value:
            raise ValueError(f"{value!r} must be a plain folder name inside the drop folder")
        return value

    @field_validator("pattern")
    @classmethod
    def _plain_pattern(cls, value: str) -> str:
        if "/" in value or "\\" in value or "\0" in value or not value:
            raise ValueError("the pattern matches file names, without folders")
        return value

    @model_validator(mode="after")
    def _distinct_folders(self) -> FolderConfig:
        if self.done == self.failed:
            raise ValueError("done and failed must be different folders")
        return self


@dataclass(frozen=True)
class Refusal:
    """A file the transport refused without yielding it (too big, a link outside).

    Attributes:
        name: The file name as found.
        reason: Why, in one line.
        moved_to: Where the file now is (inside ``failed/``).
    """

    name: str
    reason: str
    moved_to: Path | None


def safe_name(name: str) -> str:
    """A file name fit to create inside ``done/`` or ``failed/``.

    Folders, NUL and control characters, and characters outside a conservative set are
    removed or replaced; a leading dot is dropped (no hidden files, no ``..``); the
    length is bounded with the extension kept.

    Args:
        name: Any document name: ``"../x"``, ``"/etc/passwd"``, ``"a\\x00b"``.

    Returns:
        A single, non-empty path component.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable())
    base = _UNSAFE.sub("_", base).strip(" .") or "document"
    if len(base) > _MAX_NAME:
        stem, dot, suffix = base.rpartition(".")
        suffix = suffix[:16] if dot else ""
        base = (stem if dot else base)[: _MAX_NAME - len(suffix) - 1] + (dot + suffix)
    return base


class FolderTransport(Transport):
    """Picks up files from a drop folder and files them away once settled.

    Attributes:
        refusals: Files refused during the last :meth:`fetch` (too large, a link out
            of the folder); they are already in ``failed/`` with their reason.
    """

    name: ClassVar[str] = "folder"
    config_model: ClassVar[type[TransportConfig]] = FolderConfig

    def __init__(
        self, config: TransportConfig, *, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(config)
        self.folder_config: FolderConfig = (
            config if isinstance(config, FolderConfig)
            else FolderConfig.model_validate(config.model_dump())
        )
        self.clock = clock
        self.refusals: list[Refusal] = []
        self._fetched: dict[tuple[str, str], tuple[Path, tuple[int, int, int]]] = {}

    @property
    def root(self) -> Path:
        """The drop folder, resolved.

        Raises:
            ConfigError: when it does not exist or is not a folder.
        """
        root = self.folder_config.path.resolve()
        if not root.is_dir():
            raise ConfigError(f"transport 'folder': {root} is not an existing folder")
        return root

    def fetch(self) -> Iterator[RawDocument]:
        """Yield every complete new file of the folder as a document, by name.

        Raises:
            ConfigError: when the folder does not exist.
        """
        root = self.root
        self.refusals = []
        for entry in sorted(os.scandir(root), key=lambda e: e.name):
            if not self._wanted(entry):
                continue
            signature = _signature(Path(entry.path))
            raw = self._read(root, entry)
            if raw is not None and signature is not None:
                self._fetched[(raw.name, raw.sha256)] = (Path(entry.path), signature)
                yield raw

    def settle(self, raw: RawDocument, *, ok: bool, reason: str | None = None) -> None:
        """Move the document's file to ``done/`` (ok) or ``failed/`` with the reason.

        Only files this transport yielded are moved: the document's name is looked up,
        never used as a path.

        Raises:
            ValueError: for a document this transport did not fetch (or settled already).
        """
        pending = self._fetched.pop((raw.name, raw.sha256), None)
        if pending is None:
            raise ValueError(f"{safe_name(raw.name)}: not a pending file of this drop folder")
        path, signature = pending
        if _signature(path) != signature:
            # Rewritten since it was read: filing it away would lose the new content
            # unread, so it stays for the next poll.
            log.warning("drop folder: %s changed since it was read; left in place",
                        safe_name(path.name))
            return
        try:
            if ok:
                self._move(path, self.folder_config.done)
            else:
                self._move(path, self.folder_config.failed, reason or "refused")
        except FileNotFoundError:
            log.warning("drop folder: %s vanished before it was filed", safe_name(path.name))

    # --- picking files -------------------------------------------------------------

    def _wanted(self, entry: os.DirEntry[str]) -> bool:
        config = self.folder_config
        name = entry.name
        lowered = name.lower()
        if name.startswith(".") or name in (config.done, config.failed):
            return False
        if lowered.endswith(tuple(s.lower() for s in config.temp_suffixes)):
            return False
        if not fnmatch.fnmatch(lowered, config.pattern.lower()):
            return False
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            return False  # vanished between listing and looking
        if stat.S_ISDIR(info.st_mode):
            return False
        return self.clock() - info.st_mtime >= config.settle_seconds

    def _read(self, root: Path, entry: os.DirEntry[str]) -> RawDocument | None:
        path = Path(entry.path)
        if not (entry.is_symlink() or entry.is_file(follow_symlinks=False)):
            self._refuse(path, "not a regular file (a pipe, socket or device)")
            return None
        target = self._link_target(root, path) if entry.is_symlink() else path
        if target is None:
            return None
        try:
            content, mtime = self._bytes(target, follow=target is not path)
        except _TooLargeError as exc:
            self._refuse(path, str(exc))
            return None
        except OSError as exc:
            log.warning("drop folder: cannot read %s: %s", safe_name(entry.name), exc)
            return None
        name = _printable(entry.name)
        return RawDocument(
            content=content,
            name=name,
            channel=self.folder_config.channel,
            received_at=datetime.fromtimestamp(mtime, tz=UTC),
            document_ref=name,
            metadata={"transport": self.name, "folder": str(root)},
        )

    def _link_target(self, root: Path, link: Path) -> Path | None:
        """The regular file a link points to inside the folder; other links are refused."""
        try:
            target = link.resolve()
        except (OSError, RuntimeError):  # a loop of links
            self._refuse(link, "symbolic link that cannot be resolved; not followed")
            return None
        special = {root / self.folder_config.done, root / self.folder_config.failed}
        inside = target.is_relative_to(root) and not any(
            target.is_relative_to(s) for s in special
        )
        if not inside or not target.is_file():
            self._refuse(link, "symbolic link to something outside the drop folder; not followed")
            return None
        return target

    def _bytes(self, path: Path, *, follow: bool) -> tuple[bytes, float]:
        flags = os.O_RDONLY | (0 if follow else os.O_NOFOLLOW) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            cap = self.folder_config.max_bytes
            if info.st_size > cap:
                raise _TooLargeError(info.st_size, cap)
            content = handle.read(cap + 1)
        if len(content) > cap:  # it grew while we read
            raise _TooLargeError(len(content), cap)
        return content, info.st_mtime

    def _refuse(self, path: Path, reason: str) -> None:
        moved = self._move(path, self.folder_config.failed, reason)
        self.refusals.append(Refusal(path.name, reason, moved))
        log.warning("drop folder: %s refused: %s", safe_name(path.name), reason)

    # --- filing away ---------------------------------------------------------------

    def _move(self, path: Path, folder: str, reason: str | None = None) -> Path | None:
        target_dir = self._subfolder(folder)
        base = safe_name(path.name)
        for candidate in _candidates(base):
            destination = target_dir / candidate
            note = target_dir / (candidate + _REASON_SUFFIX)
            if reason is not None and os.path.lexists(note):
                continue
            if _place(path, destination):
                if reason is not None:
                    _write_reason(note, reason)
                return destination
        return None  # pragma: no cover - _candidates never ends

    def _subfolder(self, folder: str) -> Path:
        target = self.root / folder
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            raise ConfigError(f"transport 'folder': {target} must be a real folder")
        target.mkdir(exist_ok=True)
        return target


class _TooLargeError(Exception):
    def __init__(self, size: int, cap: int) -> None:
        super().__init__(f"{size:,} bytes is over the {cap:,}-byte cap of the drop folder")


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What identifies one version of a file: inode, size, modification time."""
    try:
        info = path.lstat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _printable(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by the OS as surrogates)
    become U+FFFD, so that the name can be stored and shown."""
    return os.fsencode(name).decode("utf-8", errors="replace")


def _candidates(base: str) -> Iterator[str]:
    yield base
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        stem, suffix = base, ""
    number = 1
    while True:
        yield f"{stem}-{number}{dot if suffix else ''}{suffix}"
        number += 1


def _place(source: Path, destination: Path) -> bool:
    """Move without ever replacing: a hard link fails when the name exists."""
    try:
        os.link(source, destination, follow_symlinks=False)
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
            raise
        # The file system refuses hard links: check, then rename (a race could still
        # lose to a file created in between; the drop folder has one poller).
        if os.path.lexists(destination):
            return False
        source.rename(destination)
        return True
    with contextlib.suppress(FileNotFoundError):
        source.unlink()
    return True


def _write_reason(note: Path, reason: str) -> None:
    with note.open("x", encoding="utf-8") as handle:
        handle.write(" ".join(reason.split()) + "\n")
