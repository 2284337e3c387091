"""The OpenSSH server the SFTP tests talk to, and a partner folder on it.

``make test`` starts the server with ``scripts/servers/start_sshd.sh`` and exports
``O2C_TEST_SSHD_PORT``, ``O2C_TEST_SSHD_USER`` and ``O2C_TEST_SSHD_KEY``; the server's
host key is read from ``O2C_TEST_SSHD_KNOWN_HOSTS``, else the ``known_hosts`` file the
script writes beside the key. The server runs on this machine, so a partner's remote
folder is a local temporary folder addressed by its absolute path.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PORT = os.environ.get("O2C_TEST_SSHD_PORT")
USER = os.environ.get("O2C_TEST_SSHD_USER")
KEY = os.environ.get("O2C_TEST_SSHD_KEY")
OLD = time.time() - 3600  # a file written an hour ago is complete


@dataclass(frozen=True)
class Sshd:
    """Where the test server listens and how to log in."""

    port: int
    user: str
    key: str
    known_hosts: str


@pytest.fixture(scope="session")
def sshd() -> Sshd:
    """The running test server; the test is skipped when none was started."""
    if not (PORT and USER and KEY):
        pytest.skip("O2C_TEST_SSHD_PORT/USER/KEY not set: start scripts/servers/start_sshd.sh "
                    "(make test does) and export them")
    known = os.environ.get("O2C_TEST_SSHD_KNOWN_HOSTS") or str(Path(KEY).with_name("known_hosts"))
    return Sshd(int(PORT), USER, KEY, known)


@pytest.fixture
def partner(tmp_path: Path) -> Path:
    """The partner's folder on the server: an empty ``outbound`` inbox."""
    inbox = tmp_path / "outbound"
    inbox.mkdir()
    return inbox


@pytest.fixture
def settings(sshd: Sshd, partner: Path) -> dict[str, Any]:
    """A working ``[connectors.NAME]`` section for the partner's folder."""
    return {"host": "127.0.0.1", "port": sshd.port, "user": sshd.user, "key_file": sshd.key,
            "known_hosts": sshd.known_hosts, "inbox": str(partner), "timeout_seconds": 5,
            "settle_seconds": 5}


def drop(inbox: Path, name: str, content: bytes, *, mtime: float = OLD) -> Path:
    """Put a file in the partner's folder as an upload finished at ``mtime``."""
    path = inbox / name
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))
    return path
