"""Look-ups on two cores: payer candidates and named invoices of many transactions.

A look-up (:meth:`~matching.engine.Engine.context`) reads the ledger as it stands
before any decision, so it depends on the transaction alone: a forked child (sharing
the ledger and its indexes copy-on-write) looks up nine transactions of every twenty
while this process looks up the rest. The child hands back what it found as plain tuples in
transaction order; the transactions themselves are this process's own, never sent.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from matching.engine import Engine
from matching.parallel import Child, customers_touched
from matching.payers import PayerMatch
from matching.references import Extraction, RefHit
from matching.rules import Context
from matching.statements.model import BankTransaction

#: Fewer transactions than this are looked up in this process: a fork costs more.
PARALLEL_LOOKUPS = 10_000
#: The child takes this many of every twenty transactions: a little under half, as it
#: also packs and hands its answers over.
CHILD_OF_TWENTY = 9

_Hits = list[tuple[str, str, str]]
#: A context without its transaction, ledger and settings: payers, intermediary,
#: the extraction's hits, unresolved tokens and unknown RF references, the trusted hits
#: (None when they are the extraction's own list), whether paid exactly as named, and
#: the customers it touches.
Packed = tuple[list[tuple[str, float, str]], bool, _Hits, list[str], list[str],
               _Hits | None, bool, list[str] | None]


def can_fork_lookups(count: int) -> bool:
    """Whether looking ``count`` transactions up on two cores is possible and worth it."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and count >= PARALLEL_LOOKUPS


def look_up(engine: Engine, transactions: Sequence[BankTransaction]) -> list[Context]:
    """``[engine.context(t) for t in transactions]``, on two cores when worth it.

    The answers are the same either way; when the child fails, its share is looked up
    here after this process's own.
    """
    if not can_fork_lookups(len(transactions)):
        return [engine.context(t) for t in transactions]
    theirs = [k for k in range(len(transactions)) if k % 20 < CHILD_OF_TWENTY]
    child = Child(lambda: [[pack(_touching(engine, transactions[k])) for k in theirs]])
    contexts: list[Any] = [None] * len(transactions)
    for k, tx in enumerate(transactions):
        if k % 20 >= CHILD_OF_TWENTY:
            contexts[k] = _touching(engine, tx)
    pieces = child.result()
    got: list[Packed] | None = None if pieces is None else pieces[0]
    for n, k in enumerate(theirs):
        tx = transactions[k]
        contexts[k] = engine.context(tx) if got is None else unpack(engine, tx, got[n])
    return contexts


def _touching(engine: Engine, tx: BankTransaction) -> Context:
    """The context of ``tx`` with the customers it touches worked out."""
    ctx = engine.context(tx)
    customers_touched(engine.ledger, ctx)
    return ctx


def pack(ctx: Context) -> Packed:
    """What a look-up found, as plain tuples: pickled many times faster than the
    dataclasses, whose fields pickle one by one in Python."""
    refs = ctx.refs
    return ([(p.customer_id, p.score, p.how) for p in ctx.payers], ctx.intermediary,
            _pack_hits(refs.hits), refs.unresolved, refs.unknown_rf,
            None if ctx.hits is refs.hits else _pack_hits(ctx.hits), ctx.exact, ctx.touched)


def unpack(engine: Engine, tx: BankTransaction, packed: Packed) -> Context:
    """The context :func:`pack` packed, for transaction ``tx`` and this engine."""
    payers, intermediary, found, unresolved, unknown_rf, trusted, exact, touched = packed
    refs = Extraction(_unpack_hits(found), unresolved, unknown_rf)
    ctx = Context(tx, engine.ledger, engine.settings,
                  [PayerMatch(*p) for p in payers], intermediary, refs)
    ctx.hits = refs.hits if trusted is None else _unpack_hits(trusted)
    ctx.exact, ctx.touched = exact, touched
    return ctx


def _pack_hits(hits: list[RefHit]) -> _Hits:
    return [(h.invoice_id, h.how, h.text) for h in hits]


def _unpack_hits(hits: _Hits) -> list[RefHit]:
    return [RefHit(*h) for h in hits]
