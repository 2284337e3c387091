"""``o2c cash match``: cash application from files to ``matches.csv``, no database."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator, Sequence
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
from matching.lookups import look_up
from matching.parallel import can_fork, decide_in_two
from matching.rules import Context
from matching.settings import MatchSettings
from matching.statement_files import StatementParser, StatementReading
from matching.statements.model import BankTransaction


@dataclass
class MatchRun:
    """What one run read, decided and could not handle."""

    proposals: list[Proposal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows: int = 0
    #: Wall seconds of each step, in order (master data, indexes, statements, ...).
    seconds: dict[str, float] = field(default_factory=dict)
    #: The customers and invoices read, with the open amounts the run left.
    ledger: Ledger | None = None

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
    records hold no reference cycles. Afterwards they go straight to the oldest
    generation, as if they had survived the collections skipped: left in the youngest,
    all of them would be scanned by the first collection after the pause (0.4 s at
    300,000 open items), for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # every tracked object into the permanent generation...
        gc.unfreeze()  # ...and back into the oldest one: two list splices
        if enabled:
            gc.enable()


#: Transactions looked up between two checks of whether the parsing is finished.
LOOKUP_CHUNK = 1000


def _look_up_statements(
    reading: StatementReading, engine: Engine, problems: list[str]
) -> list[Context]:
    """Each file's transactions looked up as it arrives while the others are parsed;
    what is left once the parsing is finished is looked up on two cores."""
    payers = engine.ledger.payers
    contexts: list[Context] = []
    waiting: list[BankTransaction] = []
    known_then = 0  # how many own accounts the contexts so far were looked up with
    with contextlib.closing(reading.files(problems)) as files:
        for read in files:
            payers.add_own_accounts(s.account for s in read)
            known_then = known_then if contexts else len(payers.own_ibans)
            waiting += [t for s in read for t in s.transactions]
            while waiting and not reading.parsed_all():
                contexts += [engine.context(t) for t in waiting[:LOOKUP_CHUNK]]
                del waiting[:LOOKUP_CHUNK]
    if len(payers.own_ibans) > known_then:
        # A later file named as ours an account an earlier one may have been paid from.
        contexts = [engine.context(c.tx) if payers.is_own_account(c.tx.payer_iban) else c
                    for c in contexts]
    # The parsing worker is gone: both cores are free for the rest.
    return contexts + look_up(engine, waiting)


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
    ledger = result.ledger = Ledger(known, items, aliases)
    engine = Engine(ledger, settings)
    began = result.took("indexes built", began)
    contexts = _look_up_statements(reading, engine, result.problems)
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
