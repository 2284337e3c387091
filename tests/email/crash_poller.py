"""A poller that dies hard in the middle of a batch (run as a separate process by the tests).

Usage: python -m tests.email.crash_poller DATABASE_URL PORT USER DIE_AFTER
It stores messages like the real poll and calls ``os._exit`` right after storing the
DIE_AFTER-th one: no settle, no flush, no logout, as a killed process.
"""

from __future__ import annotations

import os
import sys
from functools import partial

from connectors.base import RawDocument
from connectors.email.imap import ImapConfig, ImapTransport
from connectors.email.poll import poll_mailbox
from connectors.intake import OrderHandler
from hub.db import Database
from hub.intake import IngestReport, ingest
from tests.email.conftest import IMAP_HOST, PASSWORD_ENV, built_in_registry


def main() -> None:
    url, port, user, die_after = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    db = Database(url)
    store = partial(ingest, handlers=[OrderHandler(built_in_registry())])
    seen = 0

    def store_then_die(database: Database, raw: RawDocument) -> IngestReport:
        nonlocal seen
        report = store(database, raw)
        seen += 1
        if seen == die_after:
            os._exit(3)
        return report

    config = ImapConfig(host=IMAP_HOST, port=port, security="none", user=user,
                        password_env=PASSWORD_ENV, batch_size=4)
    poll_mailbox(ImapTransport(config), db, store=store_then_die)


if __name__ == "__main__":
    main()
