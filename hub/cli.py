"""The ``o2c`` command line.

Exit codes (the contract): 0 success, 1 some input could not be handled, 2 usage error.
Bad input gets one line on stderr naming the file and the reason; never a traceback
(``O2C_DEBUG=1`` shows one for a developer). Other rooms add their commands through the
``o2c.commands`` entry-point group (see :mod:`hub.plugins`).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.exceptions import TyperException

from hub import plugins
from hub.db import Database
from hub.documents import RawDocument
from hub.errors import ConfigError, O2CError
from hub.intake import IngestReport, ingest, load_handlers
from hub.masterdata import load_folder
from hub.orders import detail, list_summaries
from hub.settings import Settings

app = typer.Typer(
    name="o2c", help="Order-to-Cash hub: orders from every channel, payments matched.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
queue_app = typer.Typer(help="The order queue.", no_args_is_help=True)
masterdata_app = typer.Typer(help="Customers, products, open items.", no_args_is_help=True)
app.add_typer(queue_app, name="queue")
app.add_typer(masterdata_app, name="masterdata")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

HARD_READ_LIMIT = 1024 * 1024 * 1024


class InputProblems(O2CError):  # noqa: N818 - exit status carrier
    """Some inputs could not be handled; each was already reported on its own line."""


def open_database(settings: Settings | None = None) -> Database:
    """The configured database, migrated."""
    settings = settings or Settings.load()
    return Database(settings.core.database_url)


def say_problem(line: str) -> None:
    """Print one problem line on stderr, as the contract wants it."""
    err.print(line, markup=False)


def progress(total: int, label: str) -> Progress:
    """A rich progress bar on stderr for long work (hidden for a handful of items)."""
    return Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=total < 5,
    )


def walk(paths: list[Path]) -> Iterator[Path]:
    """Files named, and files under folders named (sorted; no links followed, no dot files)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not child.is_symlink() and not hidden:
                    yield child
        else:
            yield path


def read_document(path: Path, channel: str = "file") -> RawDocument:
    """The bytes of a file as a raw document.

    Raises:
        O2CError: for a file that cannot be read, naming it.
    """
    try:
        if path.stat().st_size > HARD_READ_LIMIT:
            raise O2CError(f"{path}: larger than 1 GiB, not read")
        return RawDocument(content=path.read_bytes(), name=path.name, channel=channel,  # type: ignore[arg-type]
                           document_ref=path.name)
    except OSError as exc:
        raise O2CError(f"{path}: cannot read: {exc.strerror or exc}") from None


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (walked).")],
) -> None:
    """Store each raw document and its orders or transactions in the queue (idempotent)."""
    settings = Settings.load()
    db = open_database(settings)
    handlers = load_handlers()
    files = list(walk(paths))
    failures, totals = 0, {"documents": 0}
    with progress(len(files), "ingesting") as bar:
        task = bar.add_task("ingest", total=len(files))
        for path in files:
            ok = _ingest_one(db, path, handlers, settings.core.max_document_bytes, totals)
            failures += 0 if ok else 1
            bar.advance(task)
    err.print(_ingest_summary(totals, failures), markup=False)
    if failures:
        raise InputProblems(f"{failures} of {len(files)} document(s) not fully handled")


def _ingest_one(
    db: Database, path: Path, handlers: Any, max_bytes: int, totals: dict[str, int]
) -> bool:
    try:
        raw = read_document(path)
    except O2CError as exc:
        say_problem(str(exc))
        return False
    report = ingest(db, raw, handlers=handlers, max_bytes=max_bytes)
    totals["documents"] += 1
    for kind, count in report.created.items():
        totals[kind] = totals.get(kind, 0) + count
    _report_problems(path, report)
    return report.ok


def _report_problems(path: Path, report: IngestReport) -> None:
    if report.error:
        prefix = "not an order: " if report.status == "not_order" else ""
        say_problem(f"{path}: {prefix}{report.error}")
    for problem in report.problems:
        say_problem(f"{path}: {problem}")


def _ingest_summary(totals: dict[str, int], failures: int) -> str:
    made = ", ".join(f"{n} {kind}" for kind, n in totals.items() if kind != "documents")
    return (f"ingested {totals['documents']} document(s)"
            + (f": {made} new" if made else ": nothing new")
            + (f"; {failures} with problems" if failures else ""))


@masterdata_app.command("load")
def masterdata_load(
    folder: Annotated[Path, typer.Argument(help="Folder holding the contract's CSV files.")],
) -> None:
    """Load customers, addresses, products, customer items, open items (upsert)."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: not a folder")
    db = open_database()
    with db.session() as session:
        report = load_folder(session, folder)
    for problem in report.problems:
        say_problem(f"{folder}/{problem}")
    loaded = ", ".join(f"{name}: {n}" for name, n in report.loaded.items()) or "no files found"
    err.print(f"loaded {loaded}", markup=False)
    if report.problems:
        raise InputProblems(f"{len(report.problems)} row(s) refused")


@queue_app.command("list")
def queue_list(
    status: Annotated[str | None, typer.Option(help="Only orders in this status.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many orders.")] = None,
) -> None:
    """Orders with their status, customer, group and open exceptions."""
    db = open_database()
    with db.session() as session:
        rows = list_summaries(session, status=status, limit=limit)
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    table = Table("order", "PO", "status", "customer", "group", "channel", "exceptions")
    for row in rows:
        reasons = ", ".join(e["reason"] for e in row["exceptions"])
        table.add_row(row["order_id"], row["buyer_order_number"], row["status"],
                      row["customer_id"] or "", row["group_id"] or "", row["channel"], reasons)
    out.print(table)


@queue_app.command("show")
def queue_show(
    order_id: Annotated[str, typer.Argument(help="The order id (ORD-...).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One order as it stands: canonical order, status, open exceptions, timeline."""
    db = open_database()
    with db.session() as session:
        shown = detail(session, order_id)
    if shown is None:
        raise InputProblems(f"no order {order_id}")
    if as_json:
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
        return
    _print_order(shown)


def _print_order(shown: dict[str, Any]) -> None:
    order = shown["order"]
    out.print(f"[bold]{shown['order_id']}[/]  PO {order['buyer_order_number']}  "
              f"status [bold]{shown['status']}[/]  customer {shown['customer_id'] or '-'}")
    lines = Table("#", "sku", "item", "description", "qty", "unit", "price")
    for line in order["lines"]:
        item = line.get("gtin") or line.get("seller_item_code") or line.get("buyer_item_code")
        lines.add_row(str(line["line_number"]), line.get("sku") or "", item or "",
                      line.get("description") or "", line["quantity"], line.get("unit") or "",
                      line.get("unit_price") or "")
    out.print(lines)
    for exc in shown["exceptions"]:
        out.print(f"[red]{exc['reason']}[/] {exc['field'] or ''}: {exc['message']}")
    for step in shown["timeline"]:
        out.print(f"{step['at']}  {step['status']:<10} {step['actor']}")


def _load_plugins() -> None:
    loaded, failures = plugins.load_each(plugins.COMMANDS)
    for name, register in loaded:
        try:
            register(app)
        except Exception as exc:  # a broken add-on must not take the core commands down
            failures.append(f"command plugin {name!r} failed to load: {exc}")
    for failure in failures:
        say_problem(f"o2c: {failure}")


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0911 - one exit per error kind
    """Run the command line; returns the exit code (0, 1, 2)."""
    logging.basicConfig(level=os.environ.get("O2C_LOG_LEVEL", "WARNING"), stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    _load_plugins()
    try:
        result = app(args=argv, standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        say_problem("aborted")
        return 1
    except TyperException as exc:  # typer's own click: usage errors and the like
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        return int(getattr(exc, "exit_code", 2))
    except InputProblems:
        return 1
    except O2CError as exc:
        say_problem(f"o2c: {exc}")
        return 2 if isinstance(exc, ConfigError) else 1
    except Exception as exc:
        if os.environ.get("O2C_DEBUG"):
            raise
        say_problem(f"o2c: internal error: {type(exc).__name__}: {exc} (O2C_DEBUG=1 shows details)")
        return 1
    return result if isinstance(result, int) else 0


#: Set by a command that asks the console script to end the process at once.
_AT_EXIT = {"leave_at_once": False}


def leave_at_once() -> None:
    """Ask the console script to end the process as soon as the command returns.

    For a command that built hundreds of thousands of records in memory and holds
    nothing outside the process (no database connection, no worker): the interpreter
    would otherwise spend a third of a second handing them back one by one to an
    allocator the operating system is about to reclaim whole. The output streams and
    logging are flushed first; the exit code is the command's.
    """
    _AT_EXIT["leave_at_once"] = True


def console() -> NoReturn:
    """The ``o2c`` console script: :func:`main`, then exit with its code."""
    code = main()
    if _AT_EXIT["leave_at_once"]:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise SystemExit(code)


if __name__ == "__main__":
    console()
