"""Commands for channels: ``o2c extract`` and ``o2c connectors``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from connectors.base import Registry
from connectors.intake import extract_all
from hub.cli import InputProblems, err, out, progress, read_document, say_problem, walk
from hub.errors import BadDocument, NotAnOrder, O2CError
from hub.settings import Settings

connectors_app = typer.Typer(help="Channel connectors.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the channel commands to the ``o2c`` command line."""
    app.command("extract")(extract_command)
    app.add_typer(connectors_app, name="connectors")


def extract_command(
    files: Annotated[list[Path], typer.Argument(help="Documents to convert.")],
    connector: Annotated[
        str | None, typer.Option(help="Use this extractor instead of detecting the format.")
    ] = None,
) -> None:
    """Print every order found in the files as JSON Lines (no database)."""
    registry = Registry.default()
    max_bytes = Settings.load().core.max_document_bytes
    paths = list(walk(files))
    failures = 0
    with progress(len(paths), "extracting") as bar:
        task = bar.add_task("extract", total=len(paths))
        for path in paths:
            failures += 0 if _extract_one(registry, path, connector, max_bytes) else 1
            bar.advance(task)
    if failures:
        raise InputProblems(f"{failures} file(s) could not be read")


def _extract_one(registry: Registry, path: Path, connector: str | None, max_bytes: int) -> bool:
    try:
        raw = read_document(path)
        if not raw.content.strip():
            raise BadDocument("empty file")
        if len(raw.content) > max_bytes:
            raise BadDocument(f"{len(raw.content):,} bytes is over the {max_bytes:,}-byte cap")
        extractor = registry.extractor(connector) if connector else registry.identify(raw)
        orders, problems = extract_all(registry, extractor, raw)
    except NotAnOrder as exc:
        say_problem(f"{path}: not an order: {exc.reason}")
        return True
    except BadDocument as exc:
        say_problem(f"{path}: {_reason(exc)}")
        return False
    except O2CError as exc:
        say_problem(str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}")
        return False
    for order in orders:
        sys.stdout.write(order.to_json() + "\n")
    for problem in problems:
        say_problem(f"{path}: {problem}")
    return not problems


def _reason(exc: BadDocument) -> str:
    return f"{exc.location}: {exc.reason}" if exc.location else exc.reason


@connectors_app.command("list")
def list_connectors() -> None:
    """The installed extractors and transports."""
    registry = Registry.default()
    table = Table("kind", "name", "formats", "class")
    for name, extractor in sorted(registry.extractors.items()):
        kind = type(extractor)
        table.add_row("extractor", name, ", ".join(extractor.formats),
                      f"{kind.__module__}.{kind.__qualname__}")
    for name, transport in sorted(registry.transports.items()):
        table.add_row("transport", name, "", f"{transport.__module__}.{transport.__qualname__}")
    out.print(table)
    err.print(f"{len(registry.extractors)} extractor(s), {len(registry.transports)} transport(s)")
