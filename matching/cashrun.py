"""The matching of ``o2c cash match``: master data, indexes, look-ups, decisions, rows."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from matching.candidates import Ledger
from matching.cashmatch import MatchRun
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
from matching.statement_files import StatementReading
from matching.statements.model import BankTransaction

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


def match_files(
    reading: StatementReading,
    *,
    customers: Path,
    open_items: Path,
    out: Path,
    history: Path | None,
    settings: MatchSettings | None,
    on_progress: Callable[[int, int], None] | None,
) -> MatchRun:
    """:func:`matching.cashmatch.run` once the statements are being read.

    Raises:
        BadDocument: when a master-data file cannot be read at all (missing columns).
    """
    result = MatchRun()
    began = time.perf_counter()
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
