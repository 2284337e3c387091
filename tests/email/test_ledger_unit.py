"""The mailbox ledger on SQLite and PostgreSQL: claims, decisions, moves, UIDVALIDITY."""

from __future__ import annotations

import threading
from datetime import timedelta

from connectors.email.ledger import MailboxLedger
from hub.db import Database
from hub.schema_email import EmailFolderRow

ACCOUNT = "orders@mail.example:993"


def test_two_pollers_never_claim_the_same_message(db: Database) -> None:
    first = MailboxLedger(db, ACCOUNT, worker="host-a:1")
    second = MailboxLedger(db, ACCOUNT, worker="host-b:1")
    for ledger in (first, second):
        ledger.open_folder("INBOX", 7)
    uids = list(range(1, 41))
    claimed: dict[str, list[int]] = {}
    start = threading.Barrier(2)

    def claim(ledger: MailboxLedger) -> None:
        start.wait()
        claimed[ledger.worker] = [
            uid for chunk in (uids[:20], uids[20:]) for uid in ledger.claim_many("INBOX", 7, chunk)]

    threads = [threading.Thread(target=claim, args=(ledger,)) for ledger in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    together = claimed["host-a:1"] + claimed["host-b:1"]
    assert sorted(together) == uids  # each message read by exactly one poller
    assert first.last_uid("INBOX") == 40


def test_a_decision_stays_pending_until_the_move_is_confirmed(db: Database) -> None:
    ledger = MailboxLedger(db, ACCOUNT)
    ledger.open_folder("INBOX", 7)
    assert ledger.claim_many("INBOX", 7, [5, 6]) == [5, 6]
    ledger.decide("INBOX", 7, 5, ok=False, target="Quarantine", reason="zip bomb",
                  message_id="m@x", sha256="a" * 64)
    assert [(p.uid, p.target) for p in ledger.pending_moves("INBOX", 7)] == [(5, "Quarantine")]
    ledger.moved("INBOX", 7, 5)
    assert ledger.pending_moves("INBOX", 7) == []
    assert ledger.claim_many("INBOX", 7, [5, 6]) == [6]  # settled: never again; mine: again
    [row] = [r for r in ledger.messages("INBOX") if r.uid == 5]
    assert (row.status, row.reason, row.moved) == ("quarantined", "zip bomb", True)


def test_an_expired_claim_is_taken_over(db: Database) -> None:
    MailboxLedger(db, ACCOUNT, worker="far-away:1").claim_many("INBOX", 7, [9])
    patient = MailboxLedger(db, ACCOUNT, worker="here:1")
    assert patient.claim_many("INBOX", 7, [9]) == []
    hasty = MailboxLedger(db, ACCOUNT, worker="here:2", lease=timedelta(seconds=-1))
    assert hasty.claim_many("INBOX", 7, [9]) == [9]


def test_a_new_uidvalidity_starts_the_folder_afresh(db: Database) -> None:
    ledger = MailboxLedger(db, ACCOUNT)
    ledger.open_folder("INBOX", 7)
    ledger.claim_many("INBOX", 7, [1, 2, 3])
    ledger.open_folder("INBOX", 8)
    assert ledger.last_uid("INBOX") == 0
    assert ledger.claim_many("INBOX", 8, [1, 2]) == [1, 2]
    with db.session() as session:
        assert session.get(EmailFolderRow, (ACCOUNT, "INBOX")).uidvalidity == 8  # type: ignore[union-attr]
