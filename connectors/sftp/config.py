"""The settings of one SFTP channel (a ``[connectors.NAME]`` section, ``transport = "sftp"``)."""

from __future__ import annotations

import posixpath
from typing import Literal

from pydantic import Field, field_validator, model_validator

from connectors.sdk import Channel, TransportConfig

_FINGERPRINT_PREFIX = "SHA256:"


class SftpConfig(TransportConfig):
    """Where the partner's server is, how o2c proves who it is, and which folders to use.

    The server must be known before the first connection: give its ``known_hosts`` file
    or its pinned key fingerprint. Secrets (password, key passphrase) are named by the
    environment variable or file that holds them.
    """

    host: str = Field(examples=["sftp.partner.example"])
    """Host name or address of the partner's SFTP server."""

    port: int = Field(default=22, gt=0, lt=65536)
    """TCP port of the SSH server."""

    user: str = Field(examples=["o2c"])
    """Account o2c logs in as."""

    inbox: str = Field(default="outbound", examples=["outbound"])
    """Remote folder polled for new documents (relative to the login folder, or absolute)."""

    archive: str = "archive"
    """Where a stored document's file moves on the server; inside ``inbox`` unless absolute."""

    quarantine: str = "quarantine"
    """Where a refused document's file moves, with ``<name>.reason.txt`` beside it;
    inside ``inbox`` unless absolute."""

    pattern: str = "*"
    """Which file names to take, as a glob (``*.edi``); case-insensitive."""

    channel: Channel = "edi"
    """Channel of the documents: ``edi`` for an EDI partner, ``file`` for other drops."""

    known_hosts: str | None = Field(default=None, examples=["/etc/o2c/known_hosts"])
    """OpenSSH ``known_hosts`` file holding the server's host key."""

    host_key_fingerprint: str | None = None
    """Or the server's pinned key fingerprint, as ``ssh-keygen -lf`` prints it
    (``SHA256:...``)."""

    key_file: str | None = None
    """Private key file for public-key login (preferred)."""

    key_passphrase_env: str | None = None
    """Environment variable holding the private key's passphrase, if it has one."""

    key_passphrase_file: str | None = None
    """File holding the private key's passphrase, when no environment variable is set."""

    password_env: str | None = Field(default=None, examples=["O2C_SFTP_PASSWORD"])
    """Environment variable holding the password, for password login."""

    password_file: str | None = None
    """File holding the password, when no environment variable is set."""

    timeout_seconds: float = Field(default=30.0, gt=0)
    """Connection, login and read timeout; a server slower than this is a transient failure."""

    settle_seconds: float = Field(default=10.0, ge=0)
    """A file modified less than this many seconds ago is still being uploaded: left
    for the next poll."""

    max_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    """Files larger than this are not downloaded; they move to quarantine with the reason."""

    temp_suffixes: tuple[str, ...] = (".tmp", ".part", ".partial", ".filepart", "~")
    """Name endings of files still being uploaded (case-insensitive); never taken."""

    on_missing_folder: Literal["create", "fail"] = "create"
    """Whether o2c creates a missing archive or quarantine folder, or stops with an error."""

    @field_validator("host_key_fingerprint")
    @classmethod
    def _sha256_fingerprint(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(_FINGERPRINT_PREFIX):
            raise ValueError("give the SHA256 fingerprint as ssh-keygen -lf prints it: SHA256:...")
        return value

    @field_validator("pattern")
    @classmethod
    def _plain_pattern(cls, value: str) -> str:
        if not value or "/" in value or "\0" in value:
            raise ValueError("the pattern matches file names, without folders")
        return value

    @model_validator(mode="after")
    def _identity_and_login(self) -> SftpConfig:
        if not (self.known_hosts or self.host_key_fingerprint):
            raise ValueError("the server must be known: set known_hosts or host_key_fingerprint")
        if not (self.key_file or self.password_env or self.password_file):
            raise ValueError("set key_file, or password_env / password_file, to log in")
        if len({self.inbox_path, self.archive_path, self.quarantine_path}) < 3:
            raise ValueError("inbox, archive and quarantine must be three different folders")
        return self

    def _inside_inbox(self, folder: str) -> str:
        return posixpath.normpath(posixpath.join(self.inbox, folder))

    @property
    def inbox_path(self) -> str:
        """The polled folder, normalised."""
        return posixpath.normpath(self.inbox)

    @property
    def archive_path(self) -> str:
        """The archive folder on the server."""
        return self._inside_inbox(self.archive)

    @property
    def quarantine_path(self) -> str:
        """The quarantine folder on the server."""
        return self._inside_inbox(self.quarantine)
