"""The IMAP channel against the real Dovecot that `make test` starts."""

from __future__ import annotations

import io
import os
import smtplib
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import func, select

from connectors.base import RawDocument
from connectors.email.imap import ImapConfig, ImapTransport
from connectors.email.ledger import MailboxLedger
from connectors.email.poll import poll_mailbox
from connectors.intake import OrderHandler
from hub.db import Database
from hub.errors import ConfigError, TransientError
from hub.intake import IngestReport, ingest
from hub.tables import OrderRow
from tests.conftest import ROOT
from tests.email import bad_mails
from tests.email.conftest import (
    IMAP_HOST,
    IMAP_PASSWORD,
    PASSWORD_ENV,
    SMTP_PORT,
    Mailbox,
    built_in_registry,
)
from tests.email.mails import message

pytestmark = pytest.mark.imap


def order_mail(number: int) -> bytes:
    body = f"Bon de commande n° PO-{number}\n\n{number} cartons réf. AB-{100 + number}\n"
    return bytes(message(body, subject=f"order {number}", message_id=f"<o{number}@client.fr>"))


def newsletter() -> bytes:
    return bytes(message("Nos promotions de décembre ! Se désinscrire : lien", subject="news",
                         extra_headers={"List-Unsubscribe": "<mailto:off@x.test>"}))


def zip_bomb_mail() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("commande.csv", b"0" * (30 * 1024 * 1024))
    mail = message("ci-joint notre commande", subject="bomb", message_id="<bomb@x>")
    mail.add_attachment(buffer.getvalue(), maintype="application", subtype="zip",
                        filename="commande.zip")
    return bytes(mail)


def transport(box: Mailbox, db: Database, worker: str | None = None) -> ImapTransport:
    ledger = MailboxLedger(db, f"{box.config.user}@{IMAP_HOST}:{box.config.port}", worker=worker)
    return ImapTransport(box.config, ledger=ledger, sleep=lambda _s: None)


def store_for_tests() -> Callable[[Database, RawDocument], IngestReport]:
    return partial(ingest, handlers=[OrderHandler(built_in_registry())])


def order_numbers(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(session.scalars(select(OrderRow.buyer_order_number)))


def test_messages_are_read_into_orders_and_moved(mailbox: Mailbox, db: Database) -> None:
    for mail in (order_mail(1), newsletter(), zip_bomb_mail(), order_mail(2)):
        mailbox.append(mail)
    with transport(mailbox, db) as box:
        result = poll_mailbox(box, db, store=store_for_tests())
    assert (result.messages, result.processed, result.quarantined) == (4, 3, 1)
    assert order_numbers(db) == ["PO-1", "PO-2"]
    assert mailbox.count("INBOX") == 0
    assert mailbox.subjects("Processed") == ["news", "order 1", "order 2"]
    assert mailbox.subjects("Quarantine") == ["bomb"]
    rows = {r.message_id: r for r in box.ledger.messages("INBOX")}
    assert rows["bomb@x"].status == "quarantined"
    assert "zip bomb" in (rows["bomb@x"].reason or "")
    assert rows["m1@dupont-sarl.fr"].status == "processed"  # the newsletter: read, no order
    assert "newsletter" in (rows["m1@dupont-sarl.fr"].reason or "")
    assert rows["o1@client.fr"].reason is None


def test_a_second_poll_reads_nothing_again(mailbox: Mailbox, db: Database) -> None:
    mailbox.append(order_mail(1))
    with transport(mailbox, db) as box:
        assert poll_mailbox(box, db, store=store_for_tests()).messages == 1
        mailbox.append(order_mail(2))
        second = poll_mailbox(box, db, store=store_for_tests())
    assert second.messages == 1
    assert order_numbers(db) == ["PO-1", "PO-2"]


def test_a_restart_mid_batch_loses_and_duplicates_nothing(mailbox: Mailbox, db: Database) -> None:
    for number in range(1, 7):
        mailbox.append(order_mail(number))
    store = store_for_tests()
    # A first process reads three messages, settles two and dies (its pid is not alive).
    dead = transport(mailbox, db, worker=f"{socket.gethostname()}:999999999")
    fetched = dead.fetch()
    for _ in range(2):
        raw = next(fetched)
        store(db, raw)
        dead.settle(raw, ok=True)
    store(db, next(fetched))  # stored, never settled; the process dies before its moves
    # The restarted process finishes the batch.
    with transport(mailbox, db) as box:
        result = poll_mailbox(box, db, store=store)
    assert result.messages == 4
    assert order_numbers(db) == [f"PO-{n}" for n in range(1, 7)]
    assert mailbox.count("INBOX") == 0
    assert mailbox.count("Processed") == 6


def test_a_killed_poller_loses_and_duplicates_nothing(mailbox: Mailbox, db: Database) -> None:
    for number in range(1, 11):
        mailbox.append(order_mail(number))
    # Batches of 4: the process dies on the 6th message, after one batch was moved.
    crashed = subprocess.run(
        [sys.executable, "-m", "tests.email.crash_poller", db.url, str(mailbox.config.port),
         mailbox.config.user, "6"],
        cwd=ROOT, env={**os.environ, PASSWORD_ENV: IMAP_PASSWORD}, timeout=120, check=False,
        capture_output=True)
    assert crashed.returncode == 3, crashed.stderr.decode()
    assert mailbox.count("Processed") == 4
    with transport(mailbox, db) as box:
        result = poll_mailbox(box, db, store=store_for_tests())
    # The 5th was decided before the crash: only moved. The 6th was stored but not
    # decided: read again, recognised (no second order). Then the four never read.
    assert (result.messages, result.orders) == (5, 4)
    assert order_numbers(db) == sorted(f"PO-{n}" for n in range(1, 11))
    assert (mailbox.count("INBOX"), mailbox.count("Processed")) == (0, 10)


def test_a_decided_message_whose_move_was_lost_is_moved_not_reread(
    mailbox: Mailbox, db: Database
) -> None:
    mailbox.append(order_mail(1))
    box = transport(mailbox, db)
    raw = next(box.fetch())
    folder, validity, uid = "INBOX", raw.metadata["imap_uidvalidity"], raw.metadata["imap_uid"]
    box.ledger.decide(folder, validity, uid, ok=True, target="Processed", reason=None,
                      message_id=raw.document_ref, sha256=raw.sha256)  # crash before the move
    box.close()
    with transport(mailbox, db) as again:
        assert list(again.fetch()) == []
    assert mailbox.count("Processed") == 1


def test_a_live_claim_of_another_process_is_left_alone(mailbox: Mailbox, db: Database) -> None:
    mailbox.append(order_mail(1))
    other = transport(mailbox, db, worker="other-machine:1")
    assert len(list(other.fetch())) == 1
    with transport(mailbox, db) as box:
        assert list(box.fetch()) == []


@pytest.mark.skipif(not SMTP_PORT, reason="O2C_TEST_SMTP_PORT not set: run through `make test`")
def test_a_message_sent_over_smtp_is_read_end_to_end(mailbox: Mailbox, db: Database) -> None:
    with smtplib.SMTP(IMAP_HOST, int(SMTP_PORT or 0), timeout=10) as smtp:
        smtp.sendmail("achats@client.fr", [mailbox.config.user], order_mail(7))
    deadline = time.monotonic() + 10
    while mailbox.count("INBOX") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    with transport(mailbox, db) as box:
        result = poll_mailbox(box, db, store=store_for_tests())
    assert result.orders == 1
    assert order_numbers(db) == ["PO-7"]
    with db.session() as session:
        row = session.scalars(select(OrderRow)).one()
        assert (row.channel, row.sender) == ("email", "j.dupont@dupont-sarl.fr")


def test_idle_wakes_up_on_new_mail(mailbox: Mailbox, db: Database) -> None:
    with transport(mailbox, db) as box:
        list(box.fetch())
        timer = threading.Timer(0.2, mailbox.append, args=(order_mail(3),))
        timer.start()
        started = time.monotonic()
        assert box.wait(timeout=5) is True
        assert time.monotonic() - started < 4
        timer.join()
        assert len(list(box.fetch())) == 1


def test_lost_connection_is_retried_then_reported(mailbox: Mailbox, db: Database) -> None:
    mailbox.append(order_mail(1))
    delays: list[float] = []
    box = ImapTransport(mailbox.config, ledger=transport(mailbox, db).ledger, sleep=delays.append)
    raw = next(box.fetch())
    assert box._client is not None
    box._client.socket().shutdown(socket.SHUT_RDWR)  # the connection drops under it
    box.settle(raw, ok=True)  # recorded; moved with its batch
    box.close()  # the batch's move reconnects once
    assert mailbox.count("Processed") == 1
    assert delays == [0.01]
    dead = ImapConfig(**{**mailbox.config.model_dump(), "port": 1, "retries": 3})
    gone = ImapTransport(dead, ledger=box.ledger, sleep=delays.append)
    with pytest.raises(TransientError, match="after 4 attempts"):
        list(gone.fetch())
    assert delays[1:] == [0.01, 0.02, 0.04]


def test_orders_count_in_the_database_matches_messages(mailbox: Mailbox, db: Database) -> None:
    for number in range(1, 4):
        mailbox.append(order_mail(number))
        mailbox.append(order_mail(number))  # the same bytes twice: one order
    with transport(mailbox, db) as box:
        result = poll_mailbox(box, db, store=store_for_tests())
    assert result.processed == 6
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(OrderRow)) == 3


def test_every_bad_message_is_quarantined_and_the_poll_goes_on(
    mailbox: Mailbox, db: Database
) -> None:
    # The 26 MB one is left to the unit test: storing it twice (SQLite and PostgreSQL)
    # would triple this file's run time and prove nothing more about the quarantine.
    hostile = {k: v for k, v in bad_mails.hostile().items() if "25 MB" not in k}
    for content, _code in hostile.values():
        mailbox.append(content)
    mailbox.append(order_mail(5))
    with transport(mailbox, db) as box:
        result = poll_mailbox(box, db, store=store_for_tests())
    assert (result.processed, result.quarantined) == (1, len(hostile))
    assert order_numbers(db) == ["PO-5"]
    assert mailbox.count("Quarantine") == len(hostile)
    reasons = [r.reason or "" for r in box.ledger.messages("INBOX") if r.status == "quarantined"]
    assert len(reasons) == len(hostile) and all(reasons)
    assert any("encrypted PDF" in r for r in reasons)
    assert any("zip bomb" in r for r in reasons)


def test_an_oversized_message_is_quarantined_without_download(
    mailbox: Mailbox, db: Database
) -> None:
    mailbox.append(order_mail(1))
    mailbox.append(order_mail(2) + b"\n" + b"x" * 4096)
    config = mailbox.config.model_copy(update={"max_message_bytes": 2048})
    with ImapTransport(config, ledger=transport(mailbox, db).ledger) as box:
        result = poll_mailbox(box, db, store=store_for_tests())
    assert (result.messages, result.processed) == (1, 1)
    assert mailbox.subjects("Quarantine") == ["order 2"]
    [row] = [r for r in box.ledger.messages("INBOX") if r.status == "quarantined"]
    assert "MB limit; not downloaded" in (row.reason or "")


def test_the_poll_keeps_mailbox_state_in_the_hub_database(mailbox: Mailbox, db: Database) -> None:
    mailbox.append(order_mail(1))
    box = ImapTransport(mailbox.config)  # as the scheduler builds it from o2c.toml
    poll_mailbox(box, db, store=store_for_tests())
    box.close()
    assert [r.status for r in MailboxLedger(db, box.account).messages("INBOX")] == ["processed"]


def test_without_idle_the_transport_polls(
    mailbox: Mailbox, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    box = ImapTransport(mailbox.config, ledger=transport(mailbox, db).ledger, sleep=sleeps.append)
    list(box.fetch())
    assert box._client is not None
    monkeypatch.setattr(box._client, "has_capability", lambda name: name != "IDLE")
    assert box.wait() is False
    assert sleeps == [mailbox.config.poll_seconds]
    box.close()


def test_without_move_messages_are_copied_then_expunged_by_uid(
    mailbox: Mailbox, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in (1, 2):
        mailbox.append(order_mail(number))
    box = transport(mailbox, db)
    fetched = box.fetch()
    first = next(fetched)
    assert box._client is not None
    monkeypatch.setattr(box._client, "has_capability", lambda name: name != "MOVE")
    box.settle(first, ok=True)
    box.flush()
    assert mailbox.subjects("Processed") == ["order 1"]
    assert mailbox.subjects("INBOX") == ["order 2"]  # only that UID was expunged
    box.close()


@pytest.mark.parametrize(("security", "says"), [("tls", "TLS failed"), ("starttls", "STARTTLS")])
def test_a_tls_mismatch_is_a_config_error(
    mailbox: Mailbox, db: Database, security: str, says: str
) -> None:
    config = mailbox.config.model_copy(update={"security": security})
    with pytest.raises(ConfigError, match=says):
        list(ImapTransport(config, ledger=transport(mailbox, db).ledger).fetch())


def test_a_missing_inbox_folder_is_a_config_error(mailbox: Mailbox, db: Database) -> None:
    config = mailbox.config.model_copy(update={"inbox": "Commandes"})
    with pytest.raises(ConfigError, match="cannot open folder 'Commandes'"):
        list(ImapTransport(config, ledger=transport(mailbox, db).ledger).fetch())


# Last in the file: Dovecot slows down the next logins from an address after a failure.
def test_a_refused_login_is_a_config_error_without_the_password(
    mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2C_TEST_MAILBOX_PASSWORD", "wrong-pass-123")
    with pytest.raises(ConfigError) as caught:
        list(ImapTransport(mailbox.config).fetch())  # refused before any state is read
    assert "login refused" in str(caught.value)
    assert "wrong-pass-123" not in str(caught.value)
