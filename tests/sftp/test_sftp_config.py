"""SFTP channel settings and the SDK contract, without a server."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from connectors.base import Registry
from connectors.sdk import ConfigError, transport_checks
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
