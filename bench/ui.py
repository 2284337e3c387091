"""Workbench list pages under load: 10,000 open exceptions and 10,000 unmatched payments.

Serves the real app with uvicorn on loopback and drives it with a bounded load generator
(a fixed number of client threads, keep-alive connections, logged in as an admin). The
server time of each answer comes from the app's ``Server-Timing`` header; the client
latency is measured around each request. The login page (a template, no database) is
measured in the same run as the floor of the HTTP stack.

    .venv/bin/python bench/ui.py [--small] [--pg URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds email.py, which would hide the standard library's email package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Table, insert  # noqa: E402

from hub.db import Database  # noqa: E402
from hub.tables import (  # noqa: E402
    AuditEventRow,
    BankTransactionRow,
    CustomerRow,
    OrderExceptionRow,
    OrderLineRow,
    OrderRow,
    UserRow,
)

BUDGET_MS = 300.0
REASONS = ("UNKNOWN_PRODUCT", "PRICE_MISMATCH", "LOW_CONFIDENCE", "UNKNOWN_CUSTOMER",
           "DELIVERY_DATE_INVALID", "DUPLICATE_ORDER", "MISSING_FIELD")
CHANNELS = ("edi", "email", "fax", "web", "file")
PASSWORD = "bench-password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def populate(db: Database, exceptions: int, payments: int) -> None:
    """Bulk-insert the data set through SQLAlchemy Core, in batches."""
    now = datetime.now(UTC)
    with db.session() as session:
        session.execute(insert(_t(CustomerRow)), [
            {"customer_id": f"C{i:04d}", "name": f"Customer {i}", "ibans": [],
             "email_domains": [], "credit_limit": Decimal(50000), "currency": "EUR",
             "sales_rep": "rep", "blocked": False} for i in range(500)])
        from ui import security

        session.add(UserRow(username="bench", password_hash=security.hash_password(PASSWORD),
                            role="admin", active=True, created_at=now))
    for start in range(0, exceptions, 2000):
        with db.session() as session:
            _orders(session, range(start, min(start + 2000, exceptions)), now)
    for start in range(0, payments, 5000):
        with db.session() as session:
            session.execute(insert(_t(BankTransactionRow)), [
                _payment(i, now) for i in range(start, min(start + 5000, payments))])


def _t(row: Any) -> Table:
    table: Table = row.__table__
    return table


def _orders(session: Any, numbers: range, now: datetime) -> None:
    orders, lines, problems, events = [], [], [], []
    for i in numbers:
        order_id = f"ORD-BENCH{i:08d}"
        received = now - timedelta(minutes=i)
        orders.append({
            "id": order_id, "document_sha256": f"{i:064d}", "document_type": "order",
            "buyer_order_number": f"PO-{i}", "buyer_key": f"BUYER {i % 500}",
            "channel": CHANNELS[i % len(CHANNELS)], "format": "bench", "sender": "bench",
            "status": "exception", "customer_id": f"C{i % 500:04d}", "header": {
                "buyer_order_number": f"PO-{i}", "buyer": {"name": f"Customer {i % 500}"},
                "source": {"channel": CHANNELS[i % len(CHANNELS)], "sha256": f"{i:064d}"}},
            "total_amount": Decimal("123.45"), "currency": "EUR", "min_confidence": 1.0,
            "received_at": received, "created_at": received, "updated_at": received,
            "attempts": 1})
        lines.append({"order_id": order_id, "line_number": 1, "gtin": None,
                      "quantity": Decimal(3), "description": "bench item"})
        problems.append({"order_id": order_id, "reason": REASONS[i % len(REASONS)],
                         "field": "lines[1].sku", "message": "bench exception", "owner": "adv",
                         "created_at": received, "created_by": "robot:validate"})
        for status, at in (("extracted", received), ("exception", received + timedelta(
                seconds=5))):
            events.append({"at": at, "actor": "bench", "entity_type": "order",
                           "entity_id": order_id, "action": "status", "before": None,
                           "after": {"status": status}, "detail": None})
    for table, rows in ((OrderRow, orders), (OrderLineRow, lines),
                        (OrderExceptionRow, problems), (AuditEventRow, events)):
        session.execute(insert(_t(table)), rows)


def _payment(i: int, now: datetime) -> dict[str, Any]:
    return {"id": f"TRX-BENCH{i:08d}", "account": "FR76BENCH", "bank_reference": f"REF{i}",
            "booking_date": date(2026, 11, 1) + timedelta(days=i % 20), "value_date": None,
            "amount": Decimal(100 + i % 900) + Decimal("0.25"), "currency": "EUR",
            "payer_name": f"PAYER {i % 700}", "remittance": f"invoice maybe {i}",
            "status": "unmatched", "reason": "no invoice found", "imported_at": now}


class Client:
    """One keep-alive connection logged in as the bench user."""

    def __init__(self, port: int, cookie: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = cookie

    def get(self, path: str) -> tuple[float, float, int]:
        """(client ms, server ms, status) for one GET."""
        started = time.perf_counter()
        self.connection.request("GET", path, headers={"Cookie": self.cookie})
        response = self.connection.getresponse()
        response.read()
        client = (time.perf_counter() - started) * 1000
        timing = response.getheader("Server-Timing") or "app;dur=0"
        return client, float(timing.split("dur=")[1]), response.status


def login(port: int) -> str:
    """The session cookie of a logged-in bench user."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    token = CSRF.search(page)
    assert token, "no CSRF token on the login page"
    body = urlencode({"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)})
    connection.request("POST", "/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    assert response.status == 303, response.status
    return (response.getheader("Set-Cookie") or "").split(";", 1)[0]


def measure(port: int, cookie: str, path: str, requests: int, workers: int) -> dict[str, Any]:
    """Run ``requests`` GETs of ``path`` over ``workers`` connections."""
    local = threading.local()

    def one(_n: int) -> tuple[float, float, int]:
        if not hasattr(local, "client"):
            local.client = Client(port, cookie)
        return local.client.get(path)

    Client(port, cookie).get(path)  # warm up caches and the connection pool
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    assert all(status == 200 for _c, _s, status in results), {s for _c, _s, s in results}
    server = sorted(s for _c, s, _st in results)
    client = sorted(c for c, _s, _st in results)
    return {"path": path, "requests": requests, "rps": requests / wall,
            "server_p50": statistics.median(server), "server_p95": _p95(server),
            "server_max": server[-1], "client_p95": _p95(client)}


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, int(len(values) * 0.95))]


def serve(url: str) -> tuple[subprocess.Popen[bytes], int]:
    """The workbench under uvicorn in its own process, on a free loopback port (its own
    process so that its CPU time can be read apart from the load generator's)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen([sys.executable, __file__, "--serve", url, "--port", str(port)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the workbench did not start")


def run_server(url: str, port: int) -> None:
    """``--serve``: the app on the bench database."""
    import uvicorn

    from hub.settings import Settings
    from ui.app import create_app

    app = create_app(Settings({}), Database(url))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PAGES = (
    ("login page (floor, no database)", "/login"),
    ("exceptions, page 1", "/adv/exceptions"),
    ("exceptions, page 100", "/adv/exceptions?page=100"),
    ("exceptions by reason", "/adv/exceptions?reason=PRICE_MISMATCH&page=5"),
    ("exceptions by channel and age", "/adv/exceptions?channel=fax&age=1d"),
    ("exceptions by customer", "/adv/exceptions?customer=C0042"),
    ("payments, page 1", "/finance/payments"),
    ("payments, page 100", "/finance/payments?page=100"),
    ("payments by payer", "/finance/payments?q=PAYER%2042"),
    ("failed documents", "/adv/documents"),
)


def main() -> None:
    """Populate, serve, measure, print and write the results (SQLite, then PostgreSQL)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", action="store_true", help="1,000 of each, fewer requests")
    parser.add_argument("--pg", help="also on PostgreSQL: a URL to an empty database")
    parser.add_argument("--workers", type=int, default=4, help="client connections")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        run_server(args.serve, args.port)
        return
    size = 1_000 if args.small else 10_000
    requests = 20 if args.small else 60
    os.environ.setdefault("O2C_SECRET_KEY", "bench-secret")
    folder = Path(tempfile.mkdtemp(prefix="o2c-bench-ui-"))
    urls = [f"sqlite:///{folder / 'o2c.db'}", *([args.pg] if args.pg else [])]
    runs = [run_backend(url, size, requests, args.workers) for url in urls]
    write(runs, size, requests, args)


def run_backend(url: str, size: int, requests: int, workers: int) -> dict[str, Any]:
    """Every page measured on one database."""
    db = Database(url)
    started = time.perf_counter()
    populate(db, size, size)
    print(f"populated {size:,} exceptions and {size:,} payments on {db.dialect} in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    server, port = serve(url)
    cookie = login(port)
    rows = []
    load = os.getloadavg()[0]
    for label, path in PAGES:
        alone = measure(port, cookie, path, max(10, requests // 3), 1)
        cpu = cpu_seconds(server.pid)
        figures = measure(port, cookie, path, requests, workers)
        figures["cpu_ms"] = (cpu_seconds(server.pid) - cpu) * 1000 / requests
        figures["alone_p95"] = alone["server_p95"]
        rows.append((label, figures))
        print(f"{label:<34} alone p95 {alone['server_p95']:6.1f} ms | loaded p50 "
              f"{figures['server_p50']:6.1f} ms  p95 {figures['server_p95']:6.1f} ms  client "
              f"p95 {figures['client_p95']:6.1f} ms  {figures['rps']:6.1f} req/s  "
              f"CPU {figures['cpu_ms']:5.1f} ms/req", flush=True)
    server.terminate()
    server.wait(timeout=30)
    db.dispose()
    return {"dialect": db.dialect, "rows": rows,
            "load": (load + os.getloadavg()[0]) / 2}


def write(runs: list[dict[str, Any]], size: int, requests: int, args: Any) -> None:
    """The results as Markdown in bench/results/ui.md."""
    command = "python bench/ui.py" + (" --small" if args.small else "") + (
        " --pg URL" if args.pg else "")
    lines = [
        "# Workbench list pages under load", "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores (shared with other work "
        "while measured: absolute figures are noisy, the same-run ratios are what count), "
        f"Python {platform.python_version()}",
        f"- command: `{command}`",
        f"- data: {size:,} orders waiting for ADV (one open exception each, 2 status events "
        f"each), {size:,} unmatched payments, 500 customers",
        f"- load: per page, first one client alone, then {requests} GETs over "
        f"{args.workers} keep-alive connections at once (loaded), on loopback, logged in; "
        "pages of 50 rows; one server process", "",
    ]
    summary = []
    for run in runs:
        lines += _table(run)
        worst = max(f["server_p95"] for _label, f in run["rows"][1:])
        alone = max(f["alone_p95"] for _label, f in run["rows"][1:])
        summary.append({"backend": run["dialect"], "worst_loaded_p95_ms": round(worst, 1),
                        "worst_alone_p95_ms": round(alone, 1)})
        lines += [f"{run['dialect']}: worst list page p95 {alone:.1f} ms with one client "
                  f"({alone / BUDGET_MS:.0%} of the 300 ms budget), {worst:.1f} ms loaded "
                  f"({worst / BUDGET_MS:.0%}); machine load average {run['load']:.1f} on "
                  f"{os.cpu_count()} cores during the run.", ""]
    lines += ["Server time is the app's own `Server-Timing` (middleware to response, "
              "including the session check, the queries and the template); under load it "
              "also holds the wait for the server's worker threads and for the CPU the "
              "other work on the machine takes. Server CPU per request is the server "
              "process's user+system time over the loaded run divided by the requests: it "
              "shows the work itself when the shared machine is busy (on PostgreSQL the "
              "database server's own share is not in it). The login page is the same-run "
              "floor of the stack (signed cookie, template, no query).", ""]
    out = ROOT / "bench" / "results" / "ui.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(json.dumps(summary))
    print(f"written to {out.relative_to(ROOT)}")


def _table(run: dict[str, Any]) -> list[str]:
    floor = run["rows"][0][1]["cpu_ms"] or 0.1
    lines = [f"## {run['dialect']}", "",
             "| page | one client: server p95 ms | loaded: server p50 ms | loaded: server p95 "
             "ms | loaded: server max ms | loaded: client p95 ms | req/s | server CPU ms per "
             "request | loaded p95 / 300 ms budget | CPU per request / login-page floor |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for label, f in run["rows"]:
        lines.append(f"| {label} | {f['alone_p95']:.1f} | {f['server_p50']:.1f} | "
                     f"{f['server_p95']:.1f} | {f['server_max']:.1f} | "
                     f"{f['client_p95']:.1f} | {f['rps']:.1f} | {f['cpu_ms']:.1f} | "
                     f"{f['server_p95'] / BUDGET_MS:.0%} | {f['cpu_ms'] / floor:.1f}x |")
    return [*lines, ""]


if __name__ == "__main__":
    main()
