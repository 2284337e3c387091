"""The SFTP channel against a real OpenSSH server on loopback."""

from __future__ import annotations

import base64
import logging
import socket
import subprocess
import threading
import time
from collections.abc import Generator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paramiko
import pytest

from connectors.email.poll import poll_mailbox
from connectors.sdk import ConfigError, TransientError
from connectors.sftp.session import fingerprint
from connectors.sftp.transport import SftpTransport
from hub import jobs
from hub.db import Database
from hub.intake import ingest
from hub.settings import Settings
from scheduler import Leadership, Runner, connector_jobs
from tests.conftest import SAMPLES
from tests.sftp.conftest import Sshd, drop

pytestmark = pytest.mark.sftp

EDIFACT = (SAMPLES / "edifact" / "implied_una_release.edi").read_bytes()
UBL = (SAMPLES / "ubl" / "peppol_bis3_order.xml").read_bytes()


def poll(settings: dict[str, Any], db: Database) -> Any:
    return poll_mailbox(SftpTransport.from_settings(settings), db)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_new_files_are_ingested_then_archived(
    settings: dict[str, Any], partner: Path, db: Database
) -> None:
    drop(partner, "order-1.edi", EDIFACT)
    drop(partner, "order-2.xml", UBL)
    result = poll(settings, db)
    assert (result.messages, result.processed, result.orders) == (2, 2, 2)
    assert names(partner) == ["archive"]
    assert names(partner / "archive") == ["order-1.edi", "order-2.xml"]
    assert (partner / "archive" / "order-1.edi").read_bytes() == EDIFACT


def test_unfinished_uploads_are_left_for_later(
    settings: dict[str, Any], partner: Path, db: Database
) -> None:
    drop(partner, "order-1.edi.part", EDIFACT)
    drop(partner, ".hidden.edi", EDIFACT)
    drop(partner, "fresh.edi", EDIFACT, mtime=time.time())
    assert poll(settings, db).messages == 0
    assert names(partner) == [".hidden.edi", "fresh.edi", "order-1.edi.part"]


def test_a_bad_document_is_quarantined_with_its_reason(
    settings: dict[str, Any], partner: Path, db: Database
) -> None:
    drop(partner, "broken.edi", b"UNB+UNOC:3+SENDER+RECEIVER+2611")
    result = poll(settings, db)
    assert (result.messages, result.quarantined) == (1, 1)
    quarantine = partner / "quarantine"
    assert names(quarantine) == ["broken.edi", "broken.edi.reason.txt"]
    assert (quarantine / "broken.edi.reason.txt").read_text().strip()
    assert poll(settings, db).messages == 0  # never retried


def test_a_file_too_large_is_refused_unread(settings: dict[str, Any], partner: Path,
                                            db: Database) -> None:
    drop(partner, "huge.edi", EDIFACT)
    transport = SftpTransport.from_settings({**settings, "max_bytes": 100})
    assert isinstance(transport, SftpTransport)
    assert poll_mailbox(transport, db).messages == 0
    assert [r.name for r in transport.refusals] == ["huge.edi"]
    assert "100-byte cap" in (partner / "quarantine" / "huge.edi.reason.txt").read_text()


def test_a_crash_before_archiving_never_takes_a_file_twice(
    settings: dict[str, Any], partner: Path, db: Database
) -> None:
    drop(partner, "order-1.edi", EDIFACT)
    crashed = SftpTransport.from_settings(settings)
    documents = crashed.fetch()
    assert isinstance(documents, Generator)
    first = ingest(db, next(documents))
    documents.close()  # o2c stops here: stored, not yet archived
    assert first.created.get("orders") == 1
    assert names(partner) == ["order-1.edi"]
    result = poll(settings, db)  # after the restart
    assert (result.messages, result.processed, result.orders) == (1, 1, 0)
    assert names(partner / "archive") == ["order-1.edi"]


def test_an_archived_name_is_never_overwritten(
    settings: dict[str, Any], partner: Path, db: Database
) -> None:
    drop(partner, "orders.edi", EDIFACT)
    poll(settings, db)
    drop(partner, "orders.edi", UBL)
    poll(settings, db)
    archive = partner / "archive"
    assert names(archive) == ["orders-1.edi", "orders.edi"]
    assert (archive / "orders-1.edi").read_bytes() == UBL


def test_pinned_fingerprint_is_accepted(sshd: Sshd, settings: dict[str, Any],
                                        partner: Path, db: Database) -> None:
    kind, blob = Path(sshd.known_hosts).read_text().split()[1:3]
    pinned = fingerprint(paramiko.PKey.from_type_string(kind, base64.b64decode(blob)))
    drop(partner, "order-1.edi", EDIFACT)
    result = poll({**settings, "known_hosts": None, "host_key_fingerprint": pinned}, db)
    assert result.processed == 1


def test_a_wrong_host_key_is_refused(settings: dict[str, Any], partner: Path,
                                     tmp_path: Path, db: Database) -> None:
    other = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{settings['port']} "
                     + " ".join(Path(f"{other}.pub").read_text().split()[:2]) + "\n")
    drop(partner, "order-1.edi", EDIFACT)
    with pytest.raises(ConfigError, match="not the one configured"):
        poll({**settings, "known_hosts": str(known)}, db)
    with pytest.raises(ConfigError, match="offered host key SHA256:"):
        poll({**settings, "known_hosts": None, "host_key_fingerprint": "SHA256:AAAA"}, db)
    assert names(partner) == ["order-1.edi"]


def test_an_unknown_host_is_refused(settings: dict[str, Any], tmp_path: Path,
                                    db: Database) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(ConfigError, match="not a known host"):
        poll({**settings, "known_hosts": str(empty)}, db)


def test_a_refused_login_is_a_configuration_error(settings: dict[str, Any], tmp_path: Path,
                                                  db: Database) -> None:
    stranger = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)],
                   check=True)
    with pytest.raises(ConfigError, match="refused the login"):
        poll({**settings, "key_file": str(stranger)}, db)


def test_a_missing_inbox_is_a_configuration_error(settings: dict[str, Any], partner: Path,
                                                  db: Database) -> None:
    with pytest.raises(ConfigError, match="listing"):
        poll({**settings, "inbox": str(partner / "nowhere")}, db)


def test_a_closed_port_is_transient(settings: dict[str, Any], db: Database) -> None:
    with pytest.raises(TransientError, match="connecting to"):
        poll({**settings, "port": _closed_port()}, db)


class DroppingProxy:
    """Forwards one TCP connection to the server and cuts it after ``limit`` bytes
    from the server: a network that fails in the middle of a download."""

    def __init__(self, target_port: int, limit: int) -> None:
        self.target_port, self.limit = target_port, limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        server = socket.create_connection(("127.0.0.1", self.target_port))
        threading.Thread(target=_pump, args=(client, server, None), daemon=True).start()
        _pump(server, client, self.limit)
        for end in (client, server, self.listener):
            end.close()


def _pump(source: socket.socket, sink: socket.socket, limit: int | None) -> None:
    sent = 0
    try:
        while (limit is None or sent < limit) and (chunk := source.recv(65536)):
            sink.sendall(chunk)
            sent += len(chunk)
        sink.shutdown(socket.SHUT_RDWR)
    except OSError:
        return


def _long_edifact(notes: int) -> bytes:
    """A valid order made long by free-text segments (the message count follows)."""
    note = b"FTX+AAI+++" + b"A" * 300 + b"'"
    dated = b"DTM+137:20250402:102'"
    assert dated in EDIFACT and b"UNT+9+1'" in EDIFACT
    return EDIFACT.replace(dated, dated + note * notes).replace(
        b"UNT+9+1'", b"UNT+%d+1'" % (9 + notes))


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def test_a_dropped_connection_is_retried_and_nothing_is_lost(
    sshd: Sshd, settings: dict[str, Any], partner: Path, db: Database, tmp_path: Path
) -> None:
    big = _long_edifact(notes=1000)  # 300 KB: cut in the middle of its download
    drop(partner, "order-1.edi", big)
    proxy = DroppingProxy(sshd.port, limit=120_000)
    known = tmp_path / "known_hosts"
    known.write_text(Path(sshd.known_hosts).read_text().replace(
        f"]:{sshd.port} ", f"]:{proxy.port} "))
    section = {**settings, "port": proxy.port, "known_hosts": str(known), "transport": "sftp",
               "every_seconds": 60}
    job = connector_jobs(db, Settings({"connectors": {"partner": section}}))[0]
    retries: list[int] = []
    runner = Runner(db, Leadership(db), lambda _job, _when, attempt: retries.append(attempt))
    assert runner.fire(job) == "retry"
    assert retries == [2]
    assert names(partner) == ["order-1.edi"]  # still there, whole
    direct = {**settings, "transport": "sftp", "every_seconds": 60}
    job = connector_jobs(db, Settings({"connectors": {"partner": direct}}))[0]
    retry_slot = datetime.now(UTC) + timedelta(seconds=10)  # as the scheduler's retry does
    assert runner.fire(job, attempt=2, slot=retry_slot) == "ok"
    assert names(partner / "archive") == ["order-1.edi"]


def test_a_password_login_reads_the_secret_and_never_shows_it(
    settings: dict[str, Any], tmp_path: Path, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "sftp-password"
    secret.write_text("correct-horse-battery\n")
    password_login = {**settings, "key_file": None, "password_file": str(secret)}
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigError) as caught:
        poll(password_login, db)  # the test server takes keys only
    assert "refused the login" in str(caught.value)
    assert "correct-horse" not in str(caught.value) + caplog.text


def test_a_protected_key_needs_its_passphrase(settings: dict[str, Any], tmp_path: Path,
                                              db: Database,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "protected"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "open sesame", "-f", str(key)],
                   check=True)
    protected = {**settings, "key_file": str(key), "key_passphrase_env": "O2C_TEST_PASSPHRASE"}
    monkeypatch.setenv("O2C_TEST_PASSPHRASE", "not-the-passphrase-42")
    with pytest.raises(ConfigError, match=r"key_file .* cannot be used") as caught:
        poll(protected, db)
    assert "not-the-passphrase" not in str(caught.value)
    monkeypatch.setenv("O2C_TEST_PASSPHRASE", "open sesame")
    with pytest.raises(ConfigError, match="refused the login"):  # decrypted, not authorised
        poll(protected, db)


def test_a_configuration_error_pauses_the_channel(settings: dict[str, Any], tmp_path: Path,
                                                  db: Database) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    section = {**settings, "known_hosts": str(empty), "transport": "sftp", "every_seconds": 60}
    job = connector_jobs(db, Settings({"connectors": {"partner": section}}))[0]
    runner = Runner(db, Leadership(db))
    assert runner.fire(job) == "paused"
    assert runner.fire(job) == "paused"  # stays paused until someone resumes it
    with db.session() as session:
        alerts = {state.job: state.alert for state in jobs.alerts(session)}
    assert "not a known host" in (alerts["connector:partner"] or "")


def test_documents_settled_after_the_poll_reconnect(settings: dict[str, Any], partner: Path,
                                                    db: Database) -> None:
    drop(partner, "order-1.edi", EDIFACT)
    drop(partner, "order-2.xml", UBL)
    transport = SftpTransport.from_settings(settings)
    fetched = list(transport.fetch())  # the connection is closed once the listing is done
    for raw in fetched:
        assert ingest(db, raw).status == "extracted"
        transport.settle(raw, ok=True)
    assert names(partner / "archive") == ["order-1.edi", "order-2.xml"]
    with pytest.raises(ValueError, match="not a pending file"):
        transport.settle(fetched[0], ok=True)
