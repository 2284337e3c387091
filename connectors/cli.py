"""Commands for channels: ``o2c extract`` and ``o2c connectors``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from connectors.base import Registry
from connectors.intake import extract_all
from hub.cli import InputProblems, err, out, progress, read_document, say_problem, walk
from hub.errors import BadDocument, ConfigError, NotAnOrder, O2CError
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


@connectors_app.command("new")
def new_connector(
    name: Annotated[str, typer.Argument(help="Registry name, e.g. acme-portal.")],
    kind: Annotated[Literal["transport", "extractor"], typer.Option(
        help="transport (fetches documents) or extractor (reads a format).")],
    directory: Annotated[Path, typer.Option("--dir", help="Where to create o2c-NAME/.")] = Path(),
) -> None:
    """Create an installable connector package from the SDK's template."""
    from connectors.sdk.scaffold import scaffold

    written = scaffold(name, kind, directory)
    for path in written[1:]:
        out.print(str(path), markup=False)
    err.print(f"created {written[0]}: pip install -e {written[0]}, then "
              f"o2c connectors check {name}", markup=False)


@connectors_app.command("check")
def check_connector(
    name: Annotated[str, typer.Argument(help="An installed connector's name.")],
    kind: Annotated[Literal["transport", "extractor"] | None, typer.Option(
        help="Only this kind, when the name is both.")] = None,
    samples: Annotated[list[Path] | None, typer.Option(
        "--samples", help="Its own samples (default: samples/ beside its module).")] = None,
    repository: Annotated[Path | None, typer.Option(
        help="Samples it must refuse (default: the repository's tests/samples).")] = None,
    section: Annotated[str | None, typer.Option(
        help="Take transport settings from [connectors.SECTION] of o2c.toml.")] = None,
) -> None:
    """Run the connector contract on an installed connector: one line per check."""
    from connectors.sdk.runner import check_installed

    failed = 0
    for found, result in check_installed(name, kind=kind, samples=samples,
                                         repository=repository,
                                         settings=_section(section, name)):
        (out if result.ok else err).print(f"{found} {name}: {result.line()}", markup=False)
        failed += 0 if result.ok else 1
    if failed:
        raise InputProblems(f"{failed} check(s) failed")


def _section(section: str | None, transport: str) -> dict[str, Any] | None:
    """The transport's own keys of ``[connectors.SECTION]`` (the trigger keys are the
    scheduler's)."""
    if section is None:
        return None
    settings = Settings.load()
    raw = settings.raw("connectors").get(section)
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{settings.path}: no [connectors.{section}] section")
    transports = Registry.default().transports
    fields = transports[transport].config_model.model_fields if transport in transports else {}
    return {key: value for key, value in raw.items() if key in fields}
