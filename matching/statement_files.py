"""Statement files read into statements, one problem line for a file that cannot be read.

Kept apart from the engine so that the worker processes which parse large statements
import the parsers only, not the matching engine and its libraries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from hub.errors import BadDocument
from matching.statements.model import Statement

StatementParser = Callable[[bytes, str], list[Statement]]


def default_parser() -> StatementParser:
    """The statement parsers of :mod:`matching.statements` (format found from content)."""
    from matching import statements

    return statements.parse


def read_statements(
    paths: Sequence[Path], parse: StatementParser, problems: list[str]
) -> list[Statement]:
    """Every statement of every file; a file that cannot be read is one problem line."""
    found: list[Statement] = []
    for path in paths:
        statements, problem = read_one(path, parse)
        found.extend(statements)
        if problem:
            problems.append(problem)
    return found


def read_one(path: Path, parse: StatementParser) -> tuple[list[Statement], str | None]:
    """The statements of one file, or none and the problem line."""
    try:
        return parse(path.read_bytes(), path.name), None
    except BadDocument as exc:
        return [], str(exc.with_source(str(path)))
    except OSError as exc:
        return [], f"{path}: cannot read: {exc.strerror}"


def parse_in_worker(path: str) -> tuple[list[Statement], str | None]:
    """:func:`read_one` with the default parsers, as a worker process runs it."""
    return read_one(Path(path), default_parser())
