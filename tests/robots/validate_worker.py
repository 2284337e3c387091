"""A validation worker process for the multi-process validation tests.

Opens the database, says ``ready``, waits for a line on stdin (so that the workers start
together), runs :func:`robots.validate.run` until the queue is empty and prints its
counts as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys

from hub.db import Database
from hub.settings import Settings
from robots import validate
from tests.robots.validate_data import TODAY


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("name")
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    db = Database(args.url, create=False)
    print("ready", flush=True)
    sys.stdin.readline()
    counts = validate.run(db, Settings({}), actor=f"robot:{args.name}", today=TODAY,
                          batch_size=args.batch)
    db.dispose()
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    main()
