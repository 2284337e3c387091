"""Grouping and release benchmark: validated orders grouped, released and exported.

    .venv/bin/python bench/release.py            # 50,000 orders, SQLite and PostgreSQL
    .venv/bin/python bench/release.py --small    # 5,000 orders

The ceiling is writing the same export files alone (the same JSON and CSV bytes, one
pair per group, atomically) in the same run. PostgreSQL runs when ``O2C_BENCH_PG_URL``
(or ``O2C_TEST_PG_URL``) names a server. Results go to ``bench/results/release.md``.
"""

# ruff: noqa: E402 - the import path is fixed before anything else is imported
from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.queue import drop_schema, make_orders, pg_schema_url
from hub import queue
from hub.db import Database
from hub.outbox import Message
from hub.settings import Settings
from hub.tables import OutboxRow
from robots import group, release

RESULTS = Path(__file__).parent / "results" / "release.md"
CUSTOMERS = 500


def prepare(db: Database, count: int) -> None:
    """``count`` validated orders over 500 customers and two ship-tos each."""
    orders = make_orders(count)
    for start in range(0, count, 2000):
        with db.session() as session:
            made = queue.enqueue(session, orders[start : start + 2000], actor="bench")
            each = {order_id: {"customer_id": f"C{(start + n) % CUSTOMERS:04d}",
                               "ship_to_address_id": f"A{(start + n) % 2}"}
                    for n, order_id in enumerate(made.created)}
            queue.transition(session, list(each), "validated", actor="bench", each=each)


def measure(db: Database, settings: Settings) -> dict[str, float]:
    """Seconds to group, and to release with the exports written."""
    started = time.perf_counter()
    while group.run(db, settings)["grouped"]:
        pass
    grouped = time.perf_counter()
    release.run(db, settings)
    return {"group_s": grouped - started, "release_s": time.perf_counter() - grouped}


def ceiling(db: Database, folder: Path) -> float:
    """Seconds to write the same export files alone."""
    with db.session() as session:
        messages = [Message(r.id, r.kind, r.dedupe_key, r.subject_id, r.target, r.payload)
                    for r in session.scalars(select(OutboxRow).where(
                        OutboxRow.kind.in_(["erp-json", "erp-csv"])))]
    senders = {"erp-json": release.FileSender(folder, "json"),
               "erp-csv": release.FileSender(folder, "csv")}
    started = time.perf_counter()
    for message in messages:
        senders[message.kind](message)
    return time.perf_counter() - started


def run_backend(name: str, url: str, count: int) -> dict[str, Any]:
    """Every measurement on one backend."""
    with tempfile.TemporaryDirectory() as folder:
        db = Database(url)
        prepare(db, count)
        settings = Settings({"hub": {"outbox": f"{folder}/outbox"},
                             "group": {"batch_size": 5000}})
        timing = measure(db, settings)
        bare = ceiling(db, Path(folder) / "ceiling")
        db.dispose()
    total = timing["group_s"] + timing["release_s"]
    return {"backend": name, "orders": count, **timing, "orders_s": count / total,
            "ceiling_s": bare, "ceiling_orders_s": count / bare, "ratio": bare / total}


def report(rows: list[dict[str, Any]], command: str) -> str:
    """The results as Markdown."""
    lines = [
        "# Grouping and release benchmark", "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        f"- command: `{command}`", "",
        "| backend | orders | group s | release+export s | orders/s | export files alone s "
        "| ceiling orders/s | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['backend']} | {r['orders']:,} | {r['group_s']:.1f} | "
                     f"{r['release_s']:.1f} | {r['orders_s']:,.0f} | {r['ceiling_s']:.1f} | "
                     f"{r['ceiling_orders_s']:,.0f} | {r['ratio']:.1%} |")
    lines += ["", f"Orders spread over {CUSTOMERS} customers and two ship-tos each; the same "
              "delivery date, so each (customer, ship-to) becomes one group. Release writes "
              "the JSON and CSV export of every group through the outbox (recorded with the "
              "state change, then sent and marked). The ceiling writes the same files, "
              "atomically, with nothing else."]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="5,000 orders")
    args = parser.parse_args()
    count = 5_000 if args.small else 50_000
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(run_backend("sqlite", f"sqlite:///{folder}/bench.db", count))
        print(rows[-1], flush=True)
    base = os.environ.get("O2C_BENCH_PG_URL") or os.environ.get("O2C_TEST_PG_URL")
    if base:
        url, schema = pg_schema_url(base)
        try:
            rows.append(run_backend("postgresql", url, count))
            print(rows[-1], flush=True)
        finally:
            drop_schema(base, schema)
    text = report(rows, "python bench/release.py " + " ".join(sys.argv[1:]))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
