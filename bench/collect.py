"""Write ``bench/README.md``: each benchmark's command and aim, then its last results.

    .venv/bin/python bench/collect.py

Each benchmark writes its own ``bench/results/NAME.md`` when it runs; this gathers them.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

#: (results file, what it measures, command, aim named by the issue)
BENCHMARKS = [
    ("queue", "Queue: ingest 100,000 orders of 10 lines, claim and transition with 2 workers",
     ".venv/bin/python bench/queue.py [--small]",
     "ingest >= 50% of bare Core executemany; claim >= 20,000 orders/s on PostgreSQL"),
    ("edi", "EDI: a 10,000-message ORDERS interchange of 20 lines each",
     ".venv/bin/python bench/edi.py [--small]",
     "extraction at least as fast as pydifact's bare parse; flat memory"),
    ("email", "E-mail: 2,000 messages through a real Dovecot; extraction accuracy",
     ".venv/bin/python bench/email.py [--small]",
     ">= 98% line accuracy on text PDFs, >= 95% on typed orders"),
    ("fax", "Fax: 50 degraded fax pages",
     ".venv/bin/python bench/fax.py [--small]",
     "header >= 97%, lines >= 97%, no wrong value at confidence >= 0.9, <= 2 s per page"),
    ("web", "Web: portal robot on the test portal; order API requests",
     ".venv/bin/python bench/web.py [--small]",
     "POs per minute and the browser's share; API requests/s on SQLite and PostgreSQL"),
    ("validate", "Validation: 100,000 orders, 20,000 customers, 50,000 products",
     ".venv/bin/python bench/validate.py [--small]",
     ">= 2,000 orders/s on SQLite; touchless rate; no wrong touchless"),
    ("release", "Grouping and release: 50,000 validated orders",
     ".venv/bin/python bench/release.py [--small]",
     "orders/s against writing the same export files alone"),
    ("statements", "Bank statements: 160 MB CAMT.053, equivalent MT940 and CFONB",
     ".venv/bin/python bench/statements.py [--small]",
     ">= 50% of the bare XML or line scan, flat memory"),
    ("cashapp", "Cash application: generated statements, open items and truth",
     ".venv/bin/python bench/cashapp/run.py [--small] [--skip-quality] [--repeats N]",
     "auto >= 95% of achievable with wrong-auto <= 0.1%; <= 2x the exact-reference "
     "baseline's wall time (median of N alternating runs, 5 by default); <= 2 GB"),
    ("workers", "Workers: orders validated, grouped and released by 1, 2 and 4 workers",
     ".venv/bin/python bench/workers.py [--small]",
     "orders/s and scaling against 1 worker, and what bounds it"),
    ("ui", "Workbench: list pages with 10,000 open exceptions and 10,000 unmatched payments",
     ".venv/bin/python bench/ui.py [--small] [--pg URL]",
     "list pages under 300 ms of server time"),
]

HEADER = """# Benchmarks

Every benchmark runs with one command and writes its figures to `bench/results/NAME.md`
(date, machine, command); `bench/collect.py` gathers them here. PostgreSQL benchmarks
use the server named by `O2C_BENCH_PG_URL` (or `O2C_TEST_PG_URL`), each in a schema of
its own. The machine is 2 cores and 24 GB; while these figures were taken it was often
shared with other work, so absolute rates are noisy and the ratio to the ceiling
measured in the same run is the figure to compare.

| benchmark | command | aim |
|---|---|---|
"""


def main() -> None:
    """Write bench/README.md."""
    parts = [HEADER]
    parts += [f"| {title} | `{command}` | {aim} |\n" for _n, title, command, aim in BENCHMARKS]
    for name, _title, _command, _aim in BENCHMARKS:
        result = HERE / "results" / f"{name}.md"
        body = result.read_text(encoding="utf-8") if result.exists() else "Not run yet.\n"
        parts.append("\n---\n\n" + body.replace("\n# ", "\n## ", 1).replace("# ", "## ", 1))
    (HERE / "README.md").write_text("".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
