"""Web channel benchmark: the portal robot on the test portal, and the web order API.

Measured in one run:

- the portal robot (system Chromium through Playwright) on the test portal of
  ``tests/web/portal_app.py`` with 50 POs (``--small``: 10), each PO read, stored through
  ``hub.intake.ingest`` into SQLite and acknowledged: POs per minute, and the share of
  the run spent inside browser calls against our own code (recipe logic, extraction,
  intake, state file). Two recipes: reading the PO page into a capture, and downloading
  the PO document (PDF or CSV). Ceiling: a plain HTTP client (httpx2, no browser) making
  the same requests per PO (PO page, document, acknowledge) against the same portal;
- the web order API (``POST /api/v1/orders``) served by uvicorn in a separate process on
  loopback, on SQLite and on PostgreSQL (``O2C_TEST_PG_URL``), loaded by a bounded loop
  of httpx2 requests from 8 threads: requests per second. Ceiling: the same server
  answering an empty route with the same load generator.

Usage: ``.venv/bin/python bench/web.py [--small]``. Prints the figures and writes them to
``bench/results/web.md``.
"""

from __future__ import annotations

import sys

# bench/queue.py would shadow the standard library's queue module (concurrent.futures,
# anyio): drop this script's own folder from the path before anything imports it.
if sys.path and sys.path[0].rstrip("/").endswith("bench"):
    sys.path.pop(0)

import argparse
import json
import os
import platform
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402

from connectors.base import Registry  # noqa: E402
from connectors.intake import OrderHandler  # noqa: E402
from connectors.web.capture import WebPortalExtractor  # noqa: E402
from connectors.web.portal import PortalTransport  # noqa: E402
from hub.db import Database  # noqa: E402
from hub.intake import ingest  # noqa: E402
from tests.web.portal_app import PASSWORD, USER, PortalState, make_orders, serve  # noqa: E402

RECIPES = ROOT / "tests" / "web" / "recipes"
RESULTS = ROOT / "bench" / "results" / "web.md"
THREADS = 8
MAX_SECONDS = 60.0


# --- portal robot --------------------------------------------------------------------


def registry() -> tuple[Registry, str]:
    """Every installed extractor when they all load, else the capture reader alone."""
    try:
        return Registry.default(), "all installed extractors"
    except Exception as exc:  # another room's extractor may be missing in a partial tree
        return Registry([WebPortalExtractor]), f"capture reader only ({type(exc).__name__})"


def robot_run(recipe: str, count: int, work: Path) -> dict[str, Any]:
    """One robot run over ``count`` new POs, each ingested and acknowledged."""
    state = PortalState(orders=make_orders(count))
    reg, note = registry()
    db = Database(f"sqlite:///{work / f'{recipe}.db'}")
    handlers = [OrderHandler(reg)]
    os.environ["BENCH_PORTAL_PASSWORD"] = PASSWORD
    with serve(state) as url:
        transport = PortalTransport.from_settings(
            {
                "recipe": str(RECIPES / f"{recipe}.toml"),
                "base_url": url,
                "username": USER,
                "password_env": "BENCH_PORTAL_PASSWORD",
                "state_dir": str(work / f"state-{recipe}"),
                "evidence_dir": str(work / "evidence"),
            }
        )
        assert isinstance(transport, PortalTransport)
        started = time.perf_counter()
        statuses: dict[str, int] = {}
        intake = 0.0
        for raw in transport.fetch():
            before = time.perf_counter()
            report = ingest(db, raw, handlers=handlers)
            intake += time.perf_counter() - before
            statuses[report.status] = statuses.get(report.status, 0) + 1
            transport.settle(raw, ok=True)
        seconds = time.perf_counter() - started
        ceiling = http_ceiling(url, state, count)
    db.dispose()
    assert len(state.acknowledged) == count, "every PO must be acknowledged"
    browser = transport.stats["browser_seconds"]
    return {
        "recipe": recipe,
        "orders": transport.stats["orders"],
        "seconds": seconds,
        "browser": browser,
        "ours": seconds - browser,
        "intake": intake,
        "statuses": statuses,
        "extractors": note,
        "ceiling_seconds": ceiling,
    }


def http_ceiling(url: str, state: PortalState, count: int) -> float:
    """Seconds a plain HTTP client needs for the same per-PO requests (no browser)."""
    state.acknowledged.clear()
    with httpx2.Client(base_url=url, follow_redirects=True, timeout=10) as client:
        started = time.perf_counter()
        client.post("/login", data={"username": USER, "password": PASSWORD})
        page = 1
        while True:
            listing = client.get("/orders", params={"page": page}).text
            if 'class="next"' not in listing:
                break
            page += 1
        for po_id in sorted(state.orders)[:count]:
            client.get(f"/orders/{po_id}")
            client.get(f"/orders/{po_id}/document")
            client.post(f"/orders/{po_id}/acknowledge")
        return time.perf_counter() - started


# --- web order API -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_api(database_url: str, port: int) -> None:
    """``--serve``: the API plus an empty route, on loopback, until killed."""
    import uvicorn
    from fastapi import FastAPI

    from connectors.web.api import build_router

    app = FastAPI()
    app.state.database = Database(database_url)
    app.include_router(build_router())

    @app.get("/bench/empty")
    def empty() -> dict[str, str]:
        return {}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_server(database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", database_url, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx2.get(f"{url}/bench/empty", timeout=1)
            return server, url
        except httpx2.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(
        f"API server did not start: {server.stderr.read().decode() if server.stderr else ''}"
    )


def make_key(database_url: str) -> str:
    from connectors.web.keys import create_key

    db = Database(database_url)
    with db.session() as session:
        key = create_key(session, "bench-shop").key
    db.dispose()
    return key


def order_body(n: int, run: str) -> bytes:
    return json.dumps(
        {
            "buyer_order_number": f"BENCH-{run}-{n:06d}",
            "currency": "EUR",
            "buyer": {"name": "Boutique Lumière", "gln": "3012345000001"},
            "lines": [
                {
                    "line_number": i,
                    "buyer_item_code": f"ITM-{i}",
                    "quantity": str(i),
                    "unit_price": "9.90",
                }
                for i in range(1, 4)
            ],
        }
    ).encode()


def load(url: str, count: int, request: Any) -> tuple[float, int, int]:
    """``count`` requests from THREADS threads, bounded by MAX_SECONDS: (seconds, ok, failed)."""
    counter = iter(range(count))
    lock = threading.Lock()
    results = {"ok": 0, "failed": 0}
    deadline = time.monotonic() + MAX_SECONDS

    def worker() -> None:
        with httpx2.Client(base_url=url, timeout=30) as client:
            while time.monotonic() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                ok = request(client, n)
                with lock:
                    results["ok" if ok else "failed"] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(worker) for _ in range(THREADS)]:
            future.result()
    return time.perf_counter() - started, results["ok"], results["failed"]


def api_run(backend: str, database_url: str, count: int) -> dict[str, Any]:
    key = make_key(database_url)
    server, url = start_server(database_url)
    run = uuid.uuid4().hex[:8]
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    try:
        load(url, 50, lambda c, n: c.get("/bench/empty").status_code == 200)  # warm up
        empty = load(url, count, lambda c, n: c.get("/bench/empty").status_code == 200)
        created = load(
            url,
            count,
            lambda c, n: (
                c.post("/api/v1/orders", content=order_body(n, run), headers=headers).status_code
                == 201
            ),
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {"backend": backend, "empty": empty, "created": created}


def pg_database() -> tuple[str, Any] | None:
    """A fresh schema on the test PostgreSQL, and how to drop it; None when not configured."""
    base = os.environ.get("O2C_TEST_PG_URL")
    if not base:
        return None
    from bench.pg import drop_schema, pg_schema_url

    url, schema = pg_schema_url(base)
    return url, lambda: drop_schema(base, schema)


# --- report --------------------------------------------------------------------------


def robot_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    r = result
    per_minute = 60 * r["orders"] / r["seconds"]
    ceiling = 60 * r["orders"] / r["ceiling_seconds"]
    share = 100 * r["browser"] / r["seconds"]
    name = {"page": "page read into a capture", "download": "document download"}[r["recipe"]]
    return [
        (f"robot, {name}: POs", f"{r['orders']} in {r['seconds']:.1f} s (intake: {r['statuses']})"),
        (f"robot, {name}: POs per minute", f"{per_minute:,.0f}"),
        (
            f"robot, {name}: time in browser calls / our code",
            f"{share:.0f} % ({r['browser']:.1f} s) / {100 - share:.0f} % ({r['ours']:.1f} s)",
        ),
        (
            f"robot, {name}: our code split: intake (store, extract, queue) / robot",
            f"{r['intake']:.1f} s / {r['ours'] - r['intake']:.1f} s",
        ),
        ("ceiling, same requests by plain HTTP: POs per minute", f"{ceiling:,.0f}"),
        (f"ratio robot / plain HTTP, {name}", f"{per_minute / ceiling:.3f}"),
    ]


def api_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    backend = result["backend"]
    e_seconds, e_ok, _ = result["empty"]
    c_seconds, c_ok, c_failed = result["created"]
    empty_rps, created_rps = e_ok / e_seconds, c_ok / c_seconds
    return [
        (f"API on {backend}: orders created", f"{c_ok} ({c_failed} failed) in {c_seconds:.1f} s"),
        (f"API on {backend}: order creations per second", f"{created_rps:,.0f}"),
        ("ceiling, empty route on the same server: requests per second", f"{empty_rps:,.0f}"),
        (f"ratio order creation / empty route, {backend}", f"{created_rps / empty_rps:.3f}"),
    ]


def write_report(rows: list[tuple[str, str]], command: str, notes: list[str]) -> str:
    lines = [
        "# Web channel benchmark",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores (shared), {platform.machine()}, "
        f"Python {platform.python_version()}",
        f"- command: `{command}`",
        "- the machine is shared with other work while this runs, so absolute figures are",
        "  noisy; the ratios against the ceilings measured in the same run are what count.",
        *[f"- {note}" for note in notes],
        "",
        "| measure | value |",
        "| --- | --- |",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
    ]
    text = "\n".join(lines)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10 POs and 200 API requests")
    parser.add_argument(
        "--serve", nargs=2, metavar=("DATABASE_URL", "PORT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        serve_api(args.serve[0], int(args.serve[1]))
        return
    pos, requests = (10, 200) if args.small else (50, 1000)
    rows: list[tuple[str, str]] = []
    notes = [
        f"portal: {pos} POs, test portal and robot in one process (uvicorn thread), "
        "Chromium headless; every PO ingested into SQLite and acknowledged",
        f"API: {requests} requests per measure, {THREADS} client threads, uvicorn in its "
        "own process, one worker",
    ]
    with tempfile.TemporaryDirectory(prefix="o2c-bench-web-") as tmp:
        for recipe in ("page", "download"):
            result = robot_run(recipe, pos, Path(tmp))
            rows += robot_rows(result)
            notes.append(f"robot ({recipe}) extraction: {result['extractors']}")
        rows += api_rows(api_run("SQLite", f"sqlite:///{Path(tmp) / 'api.db'}", requests))
    pg = pg_database()
    if pg is None:
        notes.append("PostgreSQL: not measured (O2C_TEST_PG_URL not set)")
    else:
        url, drop = pg
        try:
            rows += api_rows(api_run("PostgreSQL", url, requests))
        finally:
            drop()
    command = ".venv/bin/python bench/web.py" + (" --small" if args.small else "")
    print(write_report(rows, command, notes))


if __name__ == "__main__":
    main()
