"""SFTP channel settings and the SDK contract, without a server."""

from __future__ import annotations

import ast
import socket
from pathlib import Path
from typing import Any, ClassVar

import pytest

from connectors import sftp
from connectors.base import Registry
from connectors.sdk import ConfigError, TransientError, transport_checks
from connectors.sdk.testing import TransportContract
from connectors.sdk.transport_checks import TransportSubject
from connectors.sftp.transport import SftpTransport

BASE: dict[str, Any] = {"host": "sftp.partner.example", "user": "o2c",
                        "known_hosts": "/etc/o2c/known_hosts", "key_file": "/etc/o2c/id_ed25519"}


class TestSftpContract(TransportContract):
    """The SDK's transport contract, with a password login and a pinned host key, so that
    the offline poll goes as far as the network and redaction is exercised."""

    transport = SftpTransport
    settings: ClassVar[dict[str, Any]] = {
        **BASE, "key_file": None, "known_hosts": None, "password_env": "O2C_SFTP_PASSWORD",
        "host_key_fingerprint": "SHA256:GdO4ZEaTis/l6chzVykn4BNs7Vhw+vsrSPCR59CjcrQ"}


def test_offline_poll_is_transient() -> None:
    subject = TransportSubject.build(SftpTransport, TestSftpContract.settings)
    assert transport_checks.offline_fetch_fails_cleanly(subject).startswith("TransientError")


def test_found_through_its_entry_point() -> None:
    assert Registry.default().transports["sftp"] is SftpTransport


@pytest.mark.parametrize(("change", "named"), [
    ({"known_hosts": None}, "known_hosts or host_key_fingerprint"),
    ({"key_file": None}, "key_file, or password_env"),
    ({"host_key_fingerprint": "ab:cd:ef"}, "SHA256:"),
    ({"archive": "."}, "three different folders"),
    ({"quarantine": "/srv/outbound/archive", "inbox": "/srv/outbound"}, "three different"),
    ({"pattern": "../*.edi"}, "without folders"),
    ({"port": 0}, "port"),
])
def test_bad_settings_are_named(change: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError, match="transport 'sftp'") as caught:
        SftpTransport.from_settings({**BASE, **change})
    assert named in str(caught.value)


def test_folders_are_inside_the_inbox_unless_absolute() -> None:
    transport = SftpTransport.from_settings({**BASE, "inbox": "/srv/acme/out",
                                             "quarantine": "/srv/acme/bad"})
    assert isinstance(transport, SftpTransport)
    config = transport.sftp_config
    assert (config.inbox_path, config.archive_path, config.quarantine_path) == (
        "/srv/acme/out", "/srv/acme/out/archive", "/srv/acme/bad")


def test_repr_names_the_account_never_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("O2C_SFTP_PASSWORD", "hunter2-secret")
    transport = SftpTransport.from_settings({**BASE, "key_file": None,
                                             "password_env": "O2C_SFTP_PASSWORD"})
    assert repr(transport) == "SftpTransport(o2c@sftp.partner.example:22, outbound)"
    assert "hunter2" not in repr(transport.config)


def test_built_only_on_the_sdk() -> None:
    """The channel imports nothing of o2c but ``connectors.sdk`` (and itself)."""
    package = Path(sftp.__file__).parent
    imported = set()
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0] + "." + node.module.split(".")[1]
                             if "." in node.module else node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    own = {name for name in imported if name.split(".")[0] in {"hub", "connectors", "robots",
                                                               "matching", "ui", "scheduler"}}
    assert own <= {"connectors.sdk", "connectors.sftp"}, own


def test_a_server_that_never_answers_is_transient() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        transport = SftpTransport.from_settings({
            **BASE, "host": "127.0.0.1", "port": port, "timeout_seconds": 0.3,
            "host_key_fingerprint": "SHA256:AAAA", "known_hosts": None})
        with pytest.raises(TransientError, match="connecting to"):
            list(transport.fetch())
