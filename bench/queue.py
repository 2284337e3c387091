"""Queue benchmark: ingest orders of 10 lines, then claim and transition them with 2 workers.

    .venv/bin/python bench/queue.py            # 100,000 orders, SQLite and PostgreSQL
    .venv/bin/python bench/queue.py --small    # 10,000 orders

PostgreSQL is used when ``O2C_BENCH_PG_URL`` (or ``O2C_TEST_PG_URL``) names a server;
the benchmark works in a schema of its own and drops it. The ceiling for ingest is raw
SQLAlchemy Core ``executemany`` of the same order and line rows, measured in the same run.
Results are printed and written to ``bench/results/queue.md``.
"""

# ruff: noqa: E402 - the import path is fixed before anything else is imported
from __future__ import annotations

import os
import sys

# This file is named like the standard library's ``queue``: keep its folder off the
# import path, and put the repository on it instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse
import multiprocessing
import platform
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert

from bench.pg import drop_schema, pg_schema_url
from hub import queue
from hub.db import Database
from hub.model import Order

BATCH = 1_000
CLAIM_BATCH = 500
RESULTS = Path(__file__).parent / "results" / "queue.md"


def make_orders(count: int, start: int = 0) -> list[Order]:
    """``count`` distinct orders of 10 lines, from documents of 1,000 orders each."""
    shas = [uuid.uuid4().hex * 2 for _ in range(count // BATCH + 1)]
    return [
        Order.model_validate({
            "buyer_order_number": f"PO-{start + n:07d}", "order_date": "2026-11-20",
            "currency": "EUR", "buyer": {"gln": "3012345000010", "name": "ACME"},
            "lines": [{"line_number": i, "gtin": "3012345678901", "quantity": "12",
                       "unit": "C62", "unit_price": "4.25", "line_amount": "51.00"}
                      for i in range(1, 11)],
            "total_amount": "510.00",
            "source": {"channel": "edi", "format": "edifact", "sha256": shas[n // BATCH]},
        })
        for n in range(count)
    ]


def ingest(db: Database, orders: list[Order]) -> float:
    """Seconds to enqueue the orders through the real queue path, in batches."""
    started = time.perf_counter()
    for start in range(0, len(orders), BATCH):
        with db.session() as session:
            queue.enqueue(session, orders[start : start + BATCH], actor="bench")
    return time.perf_counter() - started


def ceiling(db: Database, orders: list[Order]) -> float:
    """Seconds for bare Core executemany of the same order and line rows."""
    now = datetime.now(UTC)
    order_rows, line_rows = [], []
    for n, order in enumerate(orders):
        row = queue._order_row(f"CEIL-{n}", order, "extracted", now)
        row["buyer_order_number"] += "-ceiling"
        order_rows.append(row)
        line_rows.extend(queue._line_rows(f"CEIL-{n}", order))
    started = time.perf_counter()
    for start in range(0, len(order_rows), BATCH):
        with db.engine.begin() as connection:
            connection.execute(insert(queue.ORDERS), order_rows[start : start + BATCH])
            connection.execute(insert(queue.LINES), line_rows[start * 10 : (start + BATCH) * 10])
    elapsed = time.perf_counter() - started
    with db.engine.begin() as connection:
        connection.execute(delete(queue.LINES).where(queue.LINES.c.order_id.like("CEIL-%")))
        connection.execute(delete(queue.ORDERS).where(queue.ORDERS.c.id.like("CEIL-%")))
    return elapsed


def _worker(url: str, name: str, counter: Any, transition: bool) -> None:
    db = Database(url, create=False)
    done = 0
    while True:
        with db.session() as session:
            # Without a transition the lease (an hour) keeps each order claimed once.
            claimed = queue.claim(session, "extracted", limit=CLAIM_BATCH, owner=name,
                                  lease_seconds=3600)
            if not claimed:
                break
            if transition:
                queue.transition(session, claimed, "validated", actor=name)
        done += len(claimed)
    with counter.get_lock():
        counter.value += done


def claim_all(url: str, workers: int, *, transition: bool = True) -> tuple[float, int]:
    """Seconds for ``workers`` processes to claim (and validate) every order, and the count."""
    counter = multiprocessing.Value("i", 0)
    processes = [multiprocessing.Process(target=_worker,
                                         args=(url, f"w{n}", counter, transition))
                 for n in range(workers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return time.perf_counter() - started, int(counter.value)


def run_backend(name: str, url: str, count: int) -> dict[str, Any]:
    """Every measurement on one backend."""
    db = Database(url)
    orders = make_orders(count)
    ceiling_s = ceiling(db, orders)
    ingest_s = ingest(db, orders)
    lease_s, leased = claim_all(url, workers=2, transition=False)
    with db.engine.begin() as connection:
        connection.execute(queue.ORDERS.update().values(lease_owner=None, lease_expires_at=None))
    claim_s, claimed = claim_all(url, workers=2)
    db.dispose()
    rows = count * 11
    return {
        "backend": name, "orders": count, "rows": rows,
        "ceiling_rows_s": rows / ceiling_s, "ingest_rows_s": rows / ingest_s,
        "ingest_orders_s": count / ingest_s, "ingest_ratio": ceiling_s / ingest_s,
        "claim_orders_s": claimed / claim_s, "claimed": claimed,
        "lease_orders_s": leased / lease_s,
    }


def report(results: list[dict[str, Any]], command: str) -> str:
    """The results as Markdown."""
    lines = [
        "# Queue benchmark", "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        f"- command: `{command}`", "",
        "| backend | orders | ceiling rows/s | ingest rows/s | ingest orders/s | ingest / ceiling "
        "| claim orders/s (2 workers) | claim+transition orders/s (2 workers) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['orders']:,} | {r['ceiling_rows_s']:,.0f} | "
            f"{r['ingest_rows_s']:,.0f} | {r['ingest_orders_s']:,.0f} | "
            f"{r['ingest_ratio']:.0%} | {r['lease_orders_s']:,.0f} | {r['claim_orders_s']:,.0f} |"
        )
    lines += ["", "Ingest goes through `hub.queue.enqueue` (identity check, header JSON, lines, "
              "one audit event per order); the ceiling inserts the same order and line rows "
              "with bare Core executemany and nothing else. Claim+transition (the queue's real "
              f"work): two worker processes lease batches of {CLAIM_BATCH} (SKIP LOCKED on "
              "PostgreSQL) and move each batch to `validated` with its audit events in the "
              "same transaction. Claim alone only leases: the leased orders stay in the "
              "claimable index, so each later claim walks past every earlier one and the rate "
              "falls as the run goes on; it is shown for what the lease itself costs early "
              "in a run, not as the queue's throughput."]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10,000 orders")
    parser.add_argument("--orders", type=int, default=None)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    count = args.orders or (10_000 if args.small else 100_000)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        if "sqlite" in args.backends:
            results.append(run_backend("sqlite", f"sqlite:///{folder}/bench.db", count))
            print(results[-1], flush=True)
    pg = os.environ.get("O2C_BENCH_PG_URL") or os.environ.get("O2C_TEST_PG_URL")
    if "postgresql" in args.backends and pg:
        url, schema = pg_schema_url(pg)
        try:
            results.append(run_backend("postgresql", url, count))
            print(results[-1], flush=True)
        finally:
            drop_schema(pg, schema)
    elif "postgresql" in args.backends:
        print("postgresql skipped: set O2C_BENCH_PG_URL", file=sys.stderr)
    text_report = report(results, "python bench/queue.py " + " ".join(sys.argv[1:]))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text_report, encoding="utf-8")
    print(text_report)


if __name__ == "__main__":
    main()
