"""``o2c cash match``: cash application from files to ``matches.csv``, no database.

This module starts the work and holds what it returns; the matching itself is in
:mod:`matching.cashrun`, imported once the statements are being parsed.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from matching.statement_files import StatementParser, StatementReading

if TYPE_CHECKING:
    from matching.book import Proposal
    from matching.candidates import Ledger
    from matching.settings import MatchSettings


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
    # The parsing worker starts first: its start-up overlaps the import of the engine.
    reading = StatementReading(statements, parse)
    try:
        from matching.cashrun import match_files

        with paused_gc():
            return match_files(reading, customers=customers, open_items=open_items,
                               out=out, history=history, settings=settings,
                               on_progress=on_progress)
    finally:
        reading.close()  # a run stopped early (unreadable master data) leaves nothing behind


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
