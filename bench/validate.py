"""Validation benchmark: orders/s against the ceiling of reading the same orders, and the
touchless and wrong-touchless rates on a generated mix with known truth.

    .venv/bin/python bench/validate.py          # 100,000 orders, 20,000 customers, 50,000 products
    .venv/bin/python bench/validate.py --small  # 5,000 orders, 2,000 customers, 5,000 products

PostgreSQL runs when ``O2C_BENCH_PG_URL`` (or ``O2C_TEST_PG_URL``) names a server; the
benchmark works in a schema of its own and drops it. The ceiling reads the same orders
and lines in the same batches and builds the same canonical orders, without validating,
in the same run. Results are printed and written to ``bench/results/validate.md``.
"""

# ruff: noqa: E402 - the import path is fixed before anything else is imported
from __future__ import annotations

import os
import sys

# bench/queue.py would shadow the standard library's queue: keep this folder off the path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse
import multiprocessing
import platform
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.pg import drop_schema, pg_schema_url, server_url
from bench.validate_mix import TODAY, Generator, Mix
from hub import queue
from hub.db import Database
from hub.model import Order
from hub.settings import Settings
from hub.tables import (
    CustomerAddressRow,
    CustomerItemRow,
    CustomerRow,
    EdiPartnerRow,
    OpenItemRow,
    OrderExceptionRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
)
from robots import validate

RESULTS = Path(__file__).parent / "results" / "validate.md"
BATCH = 500


def load(db: Database, mix: Mix) -> None:
    """Master data and the orders, through the real queue path (not timed)."""
    with db.session() as s:
        for table, rows in ((CustomerRow, mix.customers), (CustomerAddressRow, mix.addresses),
                            (ProductRow, mix.products), (CustomerItemRow, mix.customer_items),
                            (EdiPartnerRow, mix.edi_partners), (OpenItemRow, mix.open_items)):
            for start in range(0, len(rows), 5000):
                if rows[start:start + 5000]:
                    s.execute(insert(table), rows[start:start + 5000])
    for start in range(0, len(mix.orders), 2000):
        orders = [Order.model_validate(o) for o in mix.orders[start:start + 2000]]
        with db.session() as s:
            queue.enqueue(s, orders, actor="bench")


def ceiling(db: Database) -> float:
    """Seconds to read every waiting order, batch by batch, into canonical orders."""
    started = time.perf_counter()
    last = ""
    o = queue.ORDERS
    while True:
        with db.session() as s:
            ids = list(s.scalars(select(o.c.id).where(o.c.status == "extracted", o.c.id > last)
                                 .order_by(o.c.id).limit(BATCH)))
            if not ids:
                break
            rows = validate.read_orders(s, ids)
            lines = validate.read_lines(s, ids)
            for order_id, row in rows.items():
                validate.canonical(row, lines.get(order_id, []))
        last = ids[-1]
    return time.perf_counter() - started


def judge(db: Database, mix: Mix) -> dict[str, Any]:
    """Touchless and wrong-touchless rates against the truth the orders were made from."""
    with db.session() as s:
        rows = s.execute(select(OrderRow.id, OrderRow.document_sha256, OrderRow.status,
                                OrderRow.customer_id, OrderRow.ship_to_address_id)).all()
        lines: dict[str, list[tuple[str, Decimal]]] = {}
        for li in s.execute(select(OrderLineRow.order_id, OrderLineRow.sku,
                                   OrderLineRow.quantity)
                            .order_by(OrderLineRow.order_id, OrderLineRow.line_number)):
            lines.setdefault(li.order_id, []).append((li.sku or "", li.quantity))
        reasons = Counter(s.scalars(select(OrderExceptionRow.reason)
                                    .where(OrderExceptionRow.resolved_at.is_(None))))
    result: Counter[str] = Counter()
    validated = {r.document_sha256 for r in rows if r.status == "validated"}
    for r in rows:
        truth = mix.truth[r.document_sha256]
        clean = not truth.problems and truth.customer_id not in mix.risky
        result["orders"] += 1
        result["clean"] += clean
        if r.status != "validated":
            result["held_clean"] += clean
            continue
        result["touchless"] += 1
        # Of two copies of one document, either may pass (they arrive in the same
        # millisecond here); both passing is the mistake.
        problems = [p for p in truth.problems
                    if p != "duplicate" or truth.repeats in validated]
        wrong = (r.customer_id != truth.customer_id or r.ship_to_address_id != truth.ship_to
                 or lines[r.id] != truth.lines or bool(problems))
        result["wrong"] += wrong
    return {"counts": result, "reasons": reasons}


def pg_url() -> str | None:
    return server_url()


def database(backend: str, folder: str) -> tuple[Database, str | None]:
    if backend == "sqlite":
        return Database(f"sqlite:///{folder}/bench.db"), None
    base = pg_url()
    assert base
    url, schema = pg_schema_url(base, "bench_validate")
    return Database(url), schema


def drop(schema: str) -> None:
    drop_schema(pg_url() or "", schema)


def bench(backend: str, mix: Mix, workers: int = 1) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        db, schema = database(backend, folder)
        try:
            started = time.perf_counter()
            load(db, mix)
            loaded = time.perf_counter() - started
            read = ceiling(db)
            load_avg = os.getloadavg()[0]
            db.dispose()
            seconds, cpu, counts = validate_in_processes(db.url, workers)
            verdict = judge(db, mix)
        finally:
            db.dispose()
            if schema:
                drop(schema)
    n = len(mix.orders)
    return {"backend": backend, "workers": workers, "orders": n, "load_s": loaded,
            "ceiling_s": read, "validate_s": seconds, "ceiling_rate": n / read,
            "rate": n / seconds, "cpu_rate": n / cpu, "load_avg": load_avg,
            "counts": counts, **verdict}


def _worker(url: str, results: Any) -> None:
    """One worker process: ``robots.validate.run`` until the queue is empty."""
    db = Database(url, create=False)
    cpu = time.process_time()
    counts = validate.run(db, Settings({}), today=TODAY, batch_size=BATCH)
    db.dispose()
    results.put((time.process_time() - cpu, counts))


def validate_in_processes(url: str, workers: int) -> tuple[float, float, Counter[str]]:
    """Validate every waiting order with ``workers`` processes side by side, as
    ``o2c worker`` runs them: (wall seconds, CPU seconds of the workers, counts)."""
    results: Any = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=_worker, args=(url, results))
                 for _ in range(workers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    done = [results.get() for _ in processes]
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    counts: Counter[str] = Counter()
    for _cpu, c in done:
        counts.update(c)
    return seconds, sum(c for c, _counts in done), counts


def report(results: list[dict[str, Any]], sizes: str, command: str) -> str:
    lines = [
        "# Validation benchmark", "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores (shared with other work "
        "while measured: absolute figures are noisy, the same-run ratio is what counts), "
        f"Python {platform.python_version()}",
        f"- command: `{command}`", f"- data: {sizes}", "",
        "| backend | worker processes | orders | ceiling orders/s (read only, one process) "
        "| validate orders/s | validate / ceiling | validate orders per CPU-second of the "
        "workers | load average before | touchless | touchless of clean orders "
        "| wrong touchless |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r["counts"]
        lines.append(
            f"| {r['backend']} | {r['workers']} | {r['orders']:,} | {r['ceiling_rate']:,.0f} "
            f"| {r['rate']:,.0f} | {r['rate'] / r['ceiling_rate']:.0%} | {r['cpu_rate']:,.0f} "
            f"| {r['load_avg']:.1f} | {c['touchless'] / c['orders']:.1%} "
            f"| {(c['clean'] - c['held_clean']) / max(c['clean'], 1):.1%} "
            f"| {c['wrong']} ({c['wrong'] / max(c['touchless'], 1):.2%}) |")
    lines += ["", "Orders not validated, by worker count (must not depend on it): " + "; ".join(
        f"{r['backend']} x{r['workers']}: {r['orders'] - r['counts']['touchless']:,}"
        for r in results)]
    reasons = results[0]["reasons"]
    lines += ["", "Open exceptions by reason (first backend): " + ", ".join(
        f"{k} {v:,}" for k, v in reasons.most_common()), "", NOTES]
    return "\n".join(lines) + "\n"


NOTES = """\
The ceiling reads the same orders and lines (the same columns validation reads) in
batches of 500 in one process and builds the same canonical orders, without validating.
Validation runs `robots.validate.run` end to end in each worker process, as `o2c worker`
does: claim (lease), read, resolve through the in-memory indexes, check, then in the
write transaction refresh the batch's customers from what other workers committed (on
PostgreSQL under per-customer advisory locks), write back customer, addresses and SKUs,
open exceptions, transition with audit events, commit per batch. Every worker process
loads the indexes and the history itself; that time is inside the figures.
Touchless: orders that ended `validated`. Clean orders: no problem put in on purpose and
a customer without credit risk. Wrong touchless: validated orders whose customer, ship-to,
SKUs or base quantities differ from the truth, or that carried a problem put in on purpose
(for a document sent twice: both copies validated).
Orders per CPU-second counts the worker processes' CPU time (on SQLite that includes the
database work; on PostgreSQL the server's share is not in it): it shows what the code
does when the shared machine lets it run. Load average: the machine's one-minute load
just before validation started (2 cores; other engineers' work included).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="5,000 orders")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", default="1,2",
                        help="worker process counts to measure, comma separated (default 1,2)")
    args = parser.parse_args()
    orders, customers, products = (5_000, 2_000, 5_000) if args.small else (
        100_000, 20_000, 50_000)
    mix = Generator(customers, products).orders(orders)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not pg_url():
        print("postgresql skipped: set O2C_BENCH_PG_URL or O2C_TEST_PG_URL")
        backends.remove("postgresql")
    results = []
    for backend in backends:
        for workers in (int(n) for n in args.workers.split(",")):
            results.append(bench(backend, mix, workers))
            print({k: v for k, v in results[-1].items() if k != "reasons"}, flush=True)
    command = "python bench/validate.py" + (" --small" if args.small else "") + (
        f" --backend {args.backend}" if args.backend != "both" else "") + (
        f" --workers {args.workers}" if args.workers != "1,2" else "")
    text_out = report(results, f"{orders:,} orders, {customers:,} customers, "
                      f"{products:,} products", command)
    print(text_out)
    RESULTS.write_text(text_out, encoding="utf-8")


if __name__ == "__main__":
    main()
