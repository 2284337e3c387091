"""``o2c cash match``: cash application from files to ``matches.csv``, no database."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hub.errors import BadDocument
from matching.book import Proposal
from matching.candidates import Ledger
from matching.csvio import read_customers, read_history, read_open_items, write_matches
from matching.engine import Engine
from matching.settings import MatchSettings
from matching.statements.model import BankTransaction, Statement

StatementParser = Callable[[bytes, str], list[Statement]]


@dataclass
class MatchRun:
    """What one run read, decided and could not handle."""

    proposals: list[Proposal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows: int = 0

    def counts(self) -> dict[str, int]:
        """Transactions per status."""
        counts = {"auto": 0, "suggested": 0, "unmatched": 0}
        for proposal in self.proposals:
            counts[proposal.status] += 1
        return counts


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
        try:
            found.extend(parse(path.read_bytes(), path.name))
        except BadDocument as exc:
            problems.append(str(exc.with_source(str(path))))
        except OSError as exc:
            problems.append(f"{path}: cannot read: {exc.strerror}")
    return found


def run(
    *,
    customers: Path,
    open_items: Path,
    statements: Sequence[Path],
    out: Path,
    history: Path | None = None,
    settings: MatchSettings | None = None,
    parse: StatementParser | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> MatchRun:
    """Read the files, match every transaction, write ``matches.csv`` in one piece.

    Raises:
        BadDocument: when a master-data file cannot be read at all (missing columns).
    """
    with paused_gc():
        return _run(customers=customers, open_items=open_items, statements=statements, out=out,
                    history=history, settings=settings, parse=parse, on_progress=on_progress)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector while a run builds its indexes.

    A run allocates hundreds of thousands of small records that live until it ends;
    collecting in between only rescans them (it doubled the indexing time) and our
    records hold no reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(
    *,
    customers: Path,
    open_items: Path,
    statements: Sequence[Path],
    out: Path,
    history: Path | None,
    settings: MatchSettings | None,
    parse: StatementParser | None,
    on_progress: Callable[[int, int], None] | None,
) -> MatchRun:
    result = MatchRun()
    known = read_customers(customers, result.problems)
    ids = {c.customer_id for c in known}
    items = read_open_items(open_items, ids, result.problems)
    aliases = read_history(history, ids, result.problems) if history else []
    read = read_statements(statements, parse or default_parser(), result.problems)
    transactions: list[BankTransaction] = [t for s in read for t in s.transactions]
    ledger = Ledger(known, items, aliases, own_ibans={s.account for s in read})
    engine = Engine(ledger, settings)
    result.proposals = engine.match(transactions, on_progress=on_progress)
    result.rows = write_matches(out, result.proposals)
    return result
