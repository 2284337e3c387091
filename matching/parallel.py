"""Decisions on two cores: independent groups of transactions decided side by side.

The engine decides transactions one after the other because each automatic application
changes the open amounts the next decision reads. Those reads and writes stay within
the customers a transaction can touch: its payer candidates (their open items, windows
and subsets) and the customers of the invoices it names. Transactions that share no
such customer, even through others, cannot influence each other: grouped into connected
components, each component decided in the usual order gives the very proposals of the
one-by-one run, whatever other component is decided beside it.

The one read outside a transaction's customers is the last resort, open items of the
same amount anywhere in the ledger; it never applies cash (its confidence stays below
the threshold), so it is answered again after both processes are done, from the open
amounts as they stood at that transaction's turn in the one-by-one order.

The components are cut into at most :data:`MAX_TASKS` tasks, largest first, and a
forked child (copy-on-write: the ledger is not copied nor pickled) and this process take
them from one queue until it is empty: whichever core is slower, or holds the largest
component, the other takes more, and both end within one small task of each other.
Without ``fork``, with one core, or with a threshold the last resort could reach,
decisions stay one by one.
"""

from __future__ import annotations

import dataclasses
import operator
import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, cast

from matching.book import Application, OpenItem, Proposal
from matching.candidates import Ledger
from matching.csvio import render_matches
from matching.engine import Engine
from matching.rules import AMOUNT_ONLY_CONFIDENCE, Context
from matching.statements.model import BankTransaction

#: Fewer transactions than this are decided in this process: a fork costs more.
PARALLEL_TRANSACTIONS = 20_000
#: At most this many tasks: their numbers fit in one atomic pipe write (512 bytes).
MAX_TASKS = 128
#: Proposals that went to the last resort: answered again with the open amounts of their turn.
LAST_RESORT = frozenset({"amount_only", "none"})


def can_fork(engine: Engine, count: int) -> bool:
    """Whether deciding on two cores is possible and worth it here."""
    return (hasattr(os, "fork") and (os.cpu_count() or 1) > 1
            and count >= PARALLEL_TRANSACTIONS
            and engine.settings.auto_threshold > AMOUNT_ONLY_CONFIDENCE)


def decide_in_two(
    engine: Engine, contexts: Sequence[Context]
) -> tuple[list[Proposal], list[str]]:
    """:meth:`Engine.decide_all` on two cores, the same proposals in the same order;
    beside them each one's ``matches.csv`` rows, rendered on the core that decided it."""
    order = engine.decision_order(contexts)
    work = tasks(engine.ledger, contexts, order)
    decided: list[Proposal | None] = [None] * len(contexts)
    rendered = [""] * len(contexts)
    queue = TaskQueue(len(work))
    try:
        child = Child(lambda: _decide_packed(engine, contexts, queue, work))
        _fill(decided, rendered, *_decide_taken(engine, contexts, queue, work))
    finally:
        queue.close()
    _fill(decided, rendered, *_collect(child, engine, contexts, order, decided))
    proposals = cast(list[Proposal], decided)
    again = _answer_last_resorts(engine, contexts, order, proposals)
    for k, text in zip(again, render_matches(proposals[k] for k in again), strict=True):
        rendered[k] = text
    return proposals, rendered


def _fill(
    decided: list[Proposal | None], rendered: list[str], which: list[int],
    proposals: list[Proposal], texts: list[str] | None = None,
) -> None:
    """Put proposals (and their rows, rendered here unless given) in their places."""
    texts = render_matches(proposals) if texts is None else texts
    for k, proposal, text in zip(which, proposals, texts, strict=True):
        decided[k] = proposal
        rendered[k] = text


# --- which transactions may influence each other ---------------------------------------


def customers_touched(ledger: Ledger, ctx: Context) -> list[str]:
    """The customers whose open items deciding ``ctx`` may read or apply cash to.

    Kept on the context: the look-ups work it out on both cores (see
    :mod:`matching.lookups`), before :func:`tasks` needs it on one.
    """
    touched = ctx.touched
    if touched is None:
        items = ledger.items
        hits = ctx.hits
        if not ctx.payers and len(hits) == 1 and hits[0].invoice_id in items:
            touched = [items[hits[0].invoice_id].customer_id]  # most: one invoice named
        else:
            touched = [p.customer_id for p in ctx.payers]
            touched += [items[h.invoice_id].customer_id for h in hits if h.invoice_id in items]
        ctx.touched = touched
    return touched


def tasks(ledger: Ledger, contexts: Sequence[Context], order: list[int]) -> list[list[int]]:
    """The transactions in tasks that share no customer, each in decision order.

    Whole components, largest first: a large one is a task of its own, small ones are
    packed together up to a hundredth of the transactions, and what would go beyond
    :data:`MAX_TASKS` goes to the last.
    """
    root: dict[str, str] = {}
    touched = [customers_touched(ledger, c) for c in contexts]
    for customers in touched:
        if len(customers) > 1:  # most touch one customer: nothing to join
            _join(root, customers)
    # A transaction touching no customer is a component of its own.
    groups: list[object] = [
        (_find(root, customers[0]) if customers[0] in root else customers[0]) if customers else k
        for k, customers in enumerate(touched)]
    task_of = _packed_tasks(Counter(groups), max(1, len(contexts) // 100))
    work: list[list[int]] = [[] for _ in range(max(task_of.values(), default=-1) + 1)]
    for k in order:
        work[task_of[groups[k]]].append(k)
    return work


def _packed_tasks(sizes: Counter[object], target: int) -> dict[object, int]:
    """Each component's task number: largest first, small ones packed up to ``target``."""
    task_of: dict[object, int] = {}
    task, filled = 0, 0
    for group, size in sizes.most_common():
        if filled and filled + size > target and task < MAX_TASKS - 1:
            task, filled = task + 1, 0
        task_of[group] = task
        filled += size
    return task_of


class TaskQueue:
    """Task numbers in a pipe both processes read from: each number read once, by one.

    Written whole before the fork (a write of at most 512 bytes is atomic) and its
    writing end closed, so that an empty queue reads as the end of the pipe.
    """

    def __init__(self, count: int) -> None:
        if count > MAX_TASKS:
            raise ValueError(f"{count} tasks: at most {MAX_TASKS} fit in the queue")
        self.reading, writing = os.pipe()
        try:
            os.write(writing, b"".join(n.to_bytes(4, "little") for n in range(count)))
        finally:
            os.close(writing)

    def take(self) -> int | None:
        """The next task's number; None once the queue is empty."""
        got = os.read(self.reading, 4)
        return int.from_bytes(got, "little") if got else None

    def close(self) -> None:
        """Stop reading (this process's end only)."""
        os.close(self.reading)


def _tasks_decided(
    engine: Engine, contexts: Sequence[Context], queue: TaskQueue, work: list[list[int]]
) -> Iterator[tuple[int, list[Proposal]]]:
    """Each task taken from ``queue`` until it is empty: its number and proposals."""
    while (task := queue.take()) is not None:
        yield task, [engine.decide(contexts[k]) for k in work[task]]


def _decide_taken(
    engine: Engine, contexts: Sequence[Context], queue: TaskQueue, work: list[list[int]]
) -> tuple[list[int], list[Proposal], list[str]]:
    """This process's share: the transactions it decided, their proposals and rows.

    Rendered task by task, while the child still takes tasks: rendered after the queue
    is empty, the rows kept one core busy and the other idle.
    """
    taken: list[int] = []
    proposals: list[Proposal] = []
    texts: list[str] = []
    for task, decided in _tasks_decided(engine, contexts, queue, work):
        taken += work[task]
        proposals += decided
        texts += render_matches(decided)
    return taken, proposals, texts


def _find(root: dict[str, str], key: str) -> str:
    top = key
    while root.get(top, top) != top:
        top = root[top]
    while key != top:  # path compression keeps later look-ups short
        root[key], key = top, root[key]
    return top


def _join(root: dict[str, str], customers: list[str]) -> None:
    top = _find(root, customers[0])
    for other in customers[1:]:
        other_top = _find(root, other)
        if other_top != top:
            root[other_top] = top


# --- the child -------------------------------------------------------------------------


class Child:
    """Work done in a forked copy of this process (copy-on-write: the ledger and the
    indexes are shared, not pickled). The work yields its result in pieces, each
    pickled as soon as it is made, so that the hand-over left at the end is the last
    piece's."""

    def __init__(self, work: Callable[[], Iterable[object]]) -> None:
        handle, self.path = tempfile.mkstemp(prefix="o2c-match-", suffix=".pickle")
        os.close(handle)
        self.pid = os.fork()
        if self.pid == 0:  # the child: work, hand the result over, leave without clean-up
            status = 1
            try:
                with open(self.path, "wb") as stream:
                    for piece in work():
                        pickle.dump(piece, stream, pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)  # the parent's buffers and exit handlers are not ours to run

    def result(self) -> list[Any] | None:
        """The pieces the work yielded, once done; None when the child failed."""
        try:
            _, status = os.waitpid(self.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                return None
            pieces = []
            with open(self.path, "rb") as stream:
                while stream.peek(1):
                    # Our own child wrote this file, created private by mkstemp.
                    pieces.append(pickle.load(stream))  # noqa: S301
            return pieces
        finally:
            os.unlink(self.path)


#: What a proposal is besides its transaction and the lists it holds.
_SCALARS = tuple(f.name for f in dataclasses.fields(Proposal)
                 if f.name not in ("transaction", "applications", "alternatives"))
_scalars_of = operator.attrgetter(*_SCALARS)
#: How many of them come before the lists: the arguments are given by position, faster.
_LEADING = [f.name for f in dataclasses.fields(Proposal)].index("applications") - 1
#: A proposal's scalars, its applications as pairs, its alternatives packed alike.
Packed = tuple[tuple[object, ...], list[tuple[str, Decimal]], list[Any]]


def pack(proposal: Proposal) -> Packed:
    """A proposal as plain tuples, without its transaction: pickled several times
    faster than the dataclass, whose slots pickle field by field in Python."""
    return (_scalars_of(proposal),
            [(a.invoice_id, a.applied_amount) for a in proposal.applications],
            [pack(p) for p in proposal.alternatives])


def unpack(tx: BankTransaction, packed: Packed) -> Proposal:
    """The proposal :func:`pack` made, for transaction ``tx``."""
    scalars, applications, alternatives = packed
    return Proposal(tx, *scalars[:_LEADING],  # type: ignore[arg-type, call-arg]
                    [Application(*a) for a in applications],
                    [unpack(tx, p) for p in alternatives], *scalars[_LEADING:])


def _decide_packed(
    engine: Engine, contexts: Sequence[Context], queue: TaskQueue, work: list[list[int]]
) -> Iterator[tuple[list[int], list[Packed], list[str]]]:
    """The child's share, task by task: the transactions, their proposals packed and
    their rows, each handed over while the queue still holds work."""
    for task, decided in _tasks_decided(engine, contexts, queue, work):
        yield work[task], [pack(p) for p in decided], render_matches(decided)


def _collect(
    child: Child, engine: Engine, contexts: Sequence[Context], order: list[int],
    decided: list[Proposal | None],
) -> tuple[list[int], list[Proposal], list[str] | None]:
    """The transactions the child decided, their proposals and rows; when the child
    failed, every transaction not decided here is decided now (whole components: the
    same answers as had the child decided them)."""
    pieces = child.result()
    if pieces is None:
        theirs = [k for k in order if decided[k] is None]
        return theirs, [engine.decide(contexts[k]) for k in theirs], None
    theirs = [k for taken, _, _ in pieces for k in taken]
    packed = [p for _, packs, _ in pieces for p in packs]
    texts = [t for _, _, rows in pieces for t in rows]
    return theirs, [unpack(contexts[k].tx, p) for k, p in zip(theirs, packed, strict=True)], texts


# --- the last resort, answered in one-by-one order --------------------------------------


class LedgerAt:
    """The open amounts of one set of invoices as they stood at one turn.

    Just what the last-resort rule reads: items, ``open`` and :meth:`with_amount`.
    """

    def __init__(self, ledger: Ledger, opened: dict[str, Decimal]) -> None:
        self.items: dict[str, OpenItem] = ledger.items
        self.open = opened

    def with_amount(self, currency: str, amount: Decimal) -> list[str]:
        """Invoices of this amount then still open (the ledger's own index order)."""
        return [i for i in self.open if self.open[i] == amount]


def _answer_last_resorts(
    engine: Engine, contexts: Sequence[Context], order: list[int], decided: list[Proposal],
) -> list[int]:
    """Replace each last-resort proposal by the one the one-by-one run makes; returns
    the transactions answered again."""
    ledger = engine.ledger
    again = [k for k in order if decided[k].rule in LAST_RESORT]
    applied = _applications(order, decided, {
        i for k in again for i in _same_amount(ledger, contexts[k].tx)})
    # Where no invoice of the amount was ever applied, every side saw the same amounts.
    again = [k for k in again if any(i in applied for i in _same_amount(ledger, contexts[k].tx))]
    turns = {k: turn for turn, k in enumerate(order)}
    for k in again:
        opened = _open_at(ledger, contexts[k].tx, turns[k], applied)
        # The last-resort rule reads no more of the ledger than LedgerAt answers.
        at_turn = dataclasses.replace(contexts[k], ledger=cast(Ledger, LedgerAt(ledger, opened)))
        decided[k] = engine.last_resort(at_turn)
    return again


def _same_amount(ledger: Ledger, tx: BankTransaction) -> list[str]:
    """The invoices open for the amount of ``tx`` before any decision."""
    return ledger.by_amount.get((tx.currency, tx.amount), [])


def _applications(
    order: list[int], decided: list[Proposal], wanted: set[str]
) -> dict[str, list[tuple[int, Decimal]]]:
    """The cash applied to each invoice of ``wanted``, by turn in the one-by-one order."""
    applied: dict[str, list[tuple[int, Decimal]]] = {}
    for turn, k in enumerate(order):
        proposal = decided[k]
        if proposal.status == "auto":
            for a in proposal.applications:
                if a.invoice_id in wanted:
                    applied.setdefault(a.invoice_id, []).append((turn, a.applied_amount))
    return applied


def _open_at(
    ledger: Ledger, tx: BankTransaction, turn: int,
    applied: dict[str, list[tuple[int, Decimal]]],
) -> dict[str, Decimal]:
    """The open amounts, at ``turn``, of the invoices once open for the amount of ``tx``."""
    opened = {}
    for invoice_id in _same_amount(ledger, tx):
        left = ledger.items[invoice_id].open_amount
        for when, amount in applied.get(invoice_id, ()):
            if when < turn:
                left -= amount
        opened[invoice_id] = left
    return opened
