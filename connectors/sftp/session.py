"""One SSH connection to the partner's server, with its failures sorted by kind.

paramiko's ``SSHClient`` would accept a host-key policy object; the connection is built
from ``paramiko.Transport`` instead so that the host key is checked by o2c's own rule
(known_hosts entry or pinned fingerprint, nothing else) before any secret is sent.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import paramiko

from connectors.sdk import ConfigError, TransientError, read_secret
from connectors.sftp.config import SftpConfig

log = logging.getLogger(__name__)
# paramiko's transport thread logs every failed connection again, with a traceback, at
# ERROR; o2c reports each failure once, as the TransientError or ConfigError it raises.
logging.getLogger("paramiko.transport").setLevel(logging.CRITICAL)


def fingerprint(key: paramiko.PKey) -> str:
    """The key's SHA256 fingerprint as ``ssh-keygen -lf`` prints it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


class SftpSession:
    """An open SFTP connection; close it with :meth:`close`.

    Raises (from :meth:`open`):
        TransientError: the server cannot be reached, or the connection dropped.
        ConfigError: unknown or changed host key, refused login, unreadable key file.
    """

    def __init__(self, config: SftpConfig, name: str) -> None:
        self.config = config
        self.name = name
        self._transport: paramiko.Transport | None = None
        self.sftp: paramiko.SFTPClient | None = None

    @property
    def where(self) -> str:
        """``user@host:port`` for messages (never a secret)."""
        return f"{self.config.user}@{self.config.host}:{self.config.port}"

    def open(self) -> paramiko.SFTPClient:
        """Connect, check the host key, log in and start SFTP."""
        expected = self._expected_host_keys()
        with self.failures("connecting to"):
            sock = socket.create_connection(
                (self.config.host, self.config.port), timeout=self.config.timeout_seconds)
            transport = paramiko.Transport(sock)
            self._transport = transport
            transport.banner_timeout = transport.auth_timeout = self.config.timeout_seconds
            transport.start_client(timeout=self.config.timeout_seconds)
            # start_client returns quietly when its timeout ends before the key exchange
            # does; asking for the key then raises, and that is a transient failure.
            offered = transport.get_remote_server_key()
        self._check_host_key(offered, expected)
        with self.failures("logging in to"):
            self._login(transport)
            self.sftp = paramiko.SFTPClient.from_transport(transport)
            if self.sftp is None:
                raise paramiko.SSHException("the server refused the SFTP subsystem")
            self.sftp.get_channel().settimeout(self.config.timeout_seconds)
        return self.sftp

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        if self._transport is not None:
            self._transport.close()
        self._transport, self.sftp = None, None

    @contextmanager
    def failures(self, doing: str) -> Iterator[None]:
        """Turn a library failure into the error type the scheduler acts on."""
        try:
            yield
        except ConfigError:
            self.close()
            raise
        except paramiko.AuthenticationException as exc:
            self.close()
            raise ConfigError(f"transport {self.name!r}: {self.where} refused the login: "
                              f"{_plain(exc)}; check user, key or password") from None
        except (OSError, EOFError, paramiko.SSHException) as exc:
            self.close()
            raise TransientError(f"transport {self.name!r}: {doing} {self.where} failed: "
                                 f"{_plain(exc)}") from None

    # --- host key ------------------------------------------------------------------

    def _expected_host_keys(self) -> list[paramiko.PKey] | str:
        """The keys known for the host, or the pinned fingerprint."""
        if self.config.host_key_fingerprint:
            return self.config.host_key_fingerprint
        path = self.config.known_hosts or ""
        try:
            known = paramiko.HostKeys(path)
        except (OSError, paramiko.SSHException, ValueError) as exc:
            raise ConfigError(f"transport {self.name!r}: known_hosts {path} cannot be read: "
                              f"{_plain(exc)}") from None
        lookup = self.config.host if self.config.port == 22 else \
            f"[{self.config.host}]:{self.config.port}"
        entries = known.lookup(lookup) or {}
        return list(entries.values())

    def _check_host_key(self, offered: paramiko.PKey, expected: list[paramiko.PKey] | str) -> None:
        seen = fingerprint(offered)
        if isinstance(expected, str):
            trusted = seen == expected
        else:
            trusted = any(k.get_name() == offered.get_name() and k.asbytes() == offered.asbytes()
                          for k in expected)
        if trusted:
            return
        self.close()
        if not expected:
            raise ConfigError(
                f"transport {self.name!r}: {self.where} is not a known host ({offered.get_name()} "
                f"{seen}); verify this fingerprint with the partner, then add it to known_hosts "
                "or host_key_fingerprint")
        raise ConfigError(
            f"transport {self.name!r}: {self.where} offered host key {seen}, which is not the "
            "one configured; refusing to connect (the server changed or someone is in between)")

    # --- login ---------------------------------------------------------------------

    def _login(self, transport: paramiko.Transport) -> None:
        config = self.config
        if config.key_file:
            transport.auth_publickey(config.user, self._private_key())
            return
        password = read_secret(env=config.password_env, file=config.password_file)
        transport.auth_password(config.user, password)

    def _private_key(self) -> paramiko.PKey:
        config = self.config
        passphrase = None
        if config.key_passphrase_env or config.key_passphrase_file:
            passphrase = read_secret(env=config.key_passphrase_env, file=config.key_passphrase_file)
        try:
            # paramiko's hint says str, but its key decryption needs bytes.
            secret: Any = passphrase.encode("utf-8") if passphrase is not None else None
            return paramiko.PKey.from_path(config.key_file or "", secret)
        except (OSError, paramiko.SSHException, ValueError, TypeError) as exc:
            raise ConfigError(f"transport {self.name!r}: key_file {config.key_file} cannot be "
                              f"used: {_plain(exc)}") from None


def _plain(exc: BaseException) -> str:
    """A library error in one line, with its type when it says nothing itself."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
