"""``o2c cash match``: cash application from files to ``matches.csv``, no database."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from matching.book import Proposal
from matching.candidates import Ledger
from matching.csvio import (
    read_customers,
    read_history,
    read_open_items,
    write_matches,
    write_rendered,
)
from matching.engine import Engine
from matching.parallel import can_fork, decide_in_two
from matching.rules import Context
from matching.settings import MatchSettings
from matching.statement_files import (
    StatementParser,
    default_parser,
    parse_in_worker,
    read_statements,
)
from matching.statements.model import Statement


@dataclass
class MatchRun:
    """What one run read, decided and could not handle."""

    proposals: list[Proposal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows: int = 0
    #: Wall seconds of each step, in order (master data, indexes, statements, ...).
    seconds: dict[str, float] = field(default_factory=dict)

    def took(self, step: str, since: float) -> float:
        """Record the wall time of ``step`` begun at ``since``; returns the time now."""
        now = time.perf_counter()
        self.seconds[step] = now - since
        return now

    def counts(self) -> dict[str, int]:
        """Transactions per status."""
        counts = {"auto": 0, "suggested": 0, "unmatched": 0}
        for proposal in self.proposals:
            counts[proposal.status] += 1
        return counts


#: Statements this large are parsed in a worker process while the ledger is indexed.
PARALLEL_BYTES = 4 * 1024 * 1024


class StatementReading:
    """Statements read in the background while the caller loads master data.

    Parsing and indexing are independent and each takes seconds at 100,000 entries; on
    a machine with two cores they run side by side. One worker parses the files in
    order: a second one would take the core the indexing needs (measured slower), and
    the caller looks up each file's transactions as soon as it arrives. Small inputs,
    or a parser given by the caller, are read in the calling process when asked for.
    """

    def __init__(self, paths: Sequence[Path], parse: StatementParser | None) -> None:
        self.paths, self.parse = list(paths), parse
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[tuple[list[Statement], str | None]]] = []
        size = sum(p.stat().st_size for p in self.paths if p.is_file())
        if parse is None and size >= PARALLEL_BYTES and (os.cpu_count() or 1) > 1:
            context = multiprocessing.get_context("spawn")  # no fork under running threads
            self.pool = ProcessPoolExecutor(1, mp_context=context,
                                            initializer=gc.disable)
            self.futures = [self.pool.submit(parse_in_worker, str(p)) for p in self.paths]

    def files(self, problems: list[str]) -> Generator[list[Statement], None, None]:
        """The statements of each file in file order, each as soon as it is read;
        unreadable files added to ``problems``."""
        if self.pool is None:
            yield read_statements(self.paths, self.parse or default_parser(), problems)
            return
        try:
            for future in self.futures:
                statements, problem = future.result()
                if problem:
                    problems.append(problem)
                yield statements
        finally:
            self.pool.shutdown()


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
    began = time.perf_counter()
    reading = StatementReading(statements, parse)
    known = read_customers(customers, result.problems)
    ids = {c.customer_id for c in known}
    items = read_open_items(open_items, ids, result.problems)
    aliases = read_history(history, ids, result.problems) if history else []
    began = result.took("master data read", began)
    ledger = Ledger(known, items, aliases)
    engine = Engine(ledger, settings)
    began = result.took("indexes built", began)
    payers = ledger.payers
    contexts: list[Context] = []
    known_then = 0  # how many own accounts the contexts so far were looked up with
    # Each file's transactions are looked up while the next one is still being parsed.
    with contextlib.closing(reading.files(result.problems)) as files:
        for read in files:
            payers.add_own_accounts(s.account for s in read)
            known_then = known_then if contexts else len(payers.own_ibans)
            contexts += [engine.context(t) for s in read for t in s.transactions]
    if len(payers.own_ibans) > known_then:
        # A later file named as ours an account an earlier one may have been paid from.
        contexts = [engine.context(c.tx) if payers.is_own_account(c.tx.payer_iban) else c
                    for c in contexts]
    began = result.took("statements read and looked up", began)
    if not can_fork(engine, len(contexts)):
        result.proposals = engine.decide_all(contexts, on_progress=on_progress)
        began = result.took("decisions", began)
        result.rows = write_matches(out, result.proposals)
        result.took("matches written", began)
        return result
    result.proposals, rendered = decide_in_two(engine, contexts)
    if on_progress:
        on_progress(len(contexts), len(contexts))
    began = result.took("decisions and rows rendered, on two cores", began)
    write_rendered(out, rendered)
    result.rows = sum(max(1, len(p.applications)) for p in result.proposals)
    result.took("matches written", began)
    return result
