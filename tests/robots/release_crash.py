"""Releases, then dies by SIGKILL at a chosen point, as a crashed process would.

``after-commit``: the orders are released and the exports recorded, nothing sent.
``after-send``: the export file is written, but not yet marked as sent.
"""

from __future__ import annotations

import os
import signal
import sys

from hub import outbox
from hub.db import Database
from hub.settings import Settings
from robots import release


def main() -> None:
    url, outbox_dir, point = sys.argv[1:4]
    db = Database(url, create=False)
    config = Settings({"hub": {"outbox": outbox_dir}, "release": {"exporters": ["json"]}})
    if point == "after-commit":
        outbox.dispatch = lambda *_a, **_k: os.kill(os.getpid(), signal.SIGKILL)  # type: ignore[assignment]
        release.run(db, config)
    sender = release.senders(config)["erp-json"]

    def send_then_die(message: outbox.Message) -> None:
        sender(message)
        os.kill(os.getpid(), signal.SIGKILL)

    outbox.dispatch(db, {"erp-json": send_then_die})


if __name__ == "__main__":
    main()
