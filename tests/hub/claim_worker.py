"""A queue worker process for the multi-process claim test.

Claims batches of ``extracted`` orders and validates them until none is left. With
``--die-after N`` it kills itself (SIGKILL) while holding its N-th batch, as a crashed
worker would.
"""

from __future__ import annotations

import argparse
import os
import signal

from sqlalchemy import func, select

from hub import queue
from hub.db import Database
from hub.tables import OrderRow


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("name")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--lease", type=int, default=1)
    parser.add_argument("--die-after", type=int, default=0)
    args = parser.parse_args()
    db = Database(args.url, create=False)
    batches = 0
    while True:
        with db.session() as session:
            claimed = queue.claim(session, "extracted", limit=args.batch, owner=args.name,
                                  lease_seconds=args.lease)
        if not claimed:
            if _remaining(db) == 0:
                break
            continue
        batches += 1
        if batches == args.die_after:
            os.kill(os.getpid(), signal.SIGKILL)
        with db.session() as session:
            queue.transition(session, claimed, "validated", actor=args.name)
    print(batches)


def _remaining(db: Database) -> int:
    with db.session() as session:
        query = select(func.count()).select_from(OrderRow).where(OrderRow.status == "extracted")
        return int(session.scalar(query) or 0)


if __name__ == "__main__":
    main()
