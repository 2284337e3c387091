"""The exact-reference baseline: what a rule-based ERP does.

An invoice number written exactly as printed, and the exact open amount: applied.
Anything else: unmatched. Same inputs, same parsers, same ``matches.csv``.
"""

from __future__ import annotations

import csv
import time
from decimal import Decimal
from pathlib import Path

from matching import statements as bank
from matching.book import Application, Proposal
from matching.csvio import write_matches


def run(open_items: Path, statements: list[Path], out: Path,
        seconds: dict[str, float] | None = None) -> int:
    """Match and write ``matches.csv``; returns the transactions read.

    ``seconds``, when given, receives the wall time of each step.
    """
    steps = seconds if seconds is not None else {}
    began = time.perf_counter()
    open_amount: dict[str, Decimal] = {}
    with open_items.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            open_amount[row["invoice_id"]] = Decimal(row["open_amount"])
    began = _took(steps, "open items read", began)
    proposals = []
    for path in statements:
        for statement in bank.parse(path.read_bytes(), path.name):
            for tx in statement.transactions:
                proposals.append(_match(tx, open_amount))
    began = _took(steps, "statements read and matched", began)
    write_matches(out, proposals)
    _took(steps, "matches written", began)
    return len(proposals)


def _took(steps: dict[str, float], step: str, since: float) -> float:
    now = time.perf_counter()
    steps[step] = now - since
    return now


def _match(tx, open_amount: dict[str, Decimal]) -> Proposal:
    words = f"{tx.remittance or ''} {tx.structured_reference or ''}".split()
    named = [w for w in words if w in open_amount]
    if tx.amount > 0 and len(named) == 1 and open_amount[named[0]] == tx.amount:
        open_amount[named[0]] = Decimal(0)
        return Proposal(tx, "auto", "exact_reference", "invoice number and amount", 1.0,
                        applications=[Application(named[0], tx.amount)])
    return Proposal(tx, "unmatched", "exact_reference", "no exact invoice number and amount", 0.0)
