"""Decisions on two cores give exactly the proposals of the one-by-one run."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from matching import parallel
from matching.book import Customer, OpenItem, PayerAlias
from matching.candidates import Ledger
from matching.csvio import render_matches, write_matches, write_rendered
from matching.engine import Engine
from matching.statements.model import BankTransaction

OURS = "FR1420041010050500013M02606"
FACTOR_IBAN = "FR7612345000019876543210987"
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _case(seed: int) -> tuple[list[Customer], list[OpenItem], list[PayerAlias],
                               list[BankTransaction]]:
    """Customers sharing payers and a factor, amounts that repeat across customers,
    invoices paid twice, paid by several customers' payers, and amounts alone."""
    rng = random.Random(seed)
    customers = [Customer(f"C{n:03}", f"{rng.choice(['Acme', 'Bolt', 'Kern', 'Lumo'])} "
                          f"{n} Industries SAS", (f"FR76300060000{n:014}",), "EUR")
                 for n in range(40)]
    amounts = [Decimal(rng.choice(["100.00", "250.50", "999.99"])) if rng.random() < 0.4
               else Decimal(rng.randint(1000, 90000)) / 100 for _ in range(300)]
    items = [OpenItem(f"INV-{n:05}", f"C{rng.randrange(40):03}", date(2026, 9, 1),
                      date(2026, 9, 1) + timedelta(days=rng.randrange(60)), "EUR", a, a)
             for n, a in enumerate(amounts)]
    # A factor pays for the first ten customers; a parent company's name for two more.
    aliases = [PayerAlias(f"C{n:03}", "FACTOR FINANCE", FACTOR_IBAN) for n in range(10)]
    aliases += [PayerAlias("C010", "HOLDING GROUP"), PayerAlias("C011", "HOLDING GROUP")]
    return customers, items, aliases, [_tx(rng, k, customers, items) for k in range(600)]


def _tx(rng: random.Random, k: int, customers: list[Customer],
        items: list[OpenItem]) -> BankTransaction:
    first, second = rng.choice(items), rng.choice(items)
    kind = rng.randrange(6)
    payer = next(c for c in customers if c.customer_id == first.customer_id)
    name, iban, text = payer.name.upper(), payer.ibans[0], f"INVOICE {first.invoice_id}"
    amount = first.amount
    if kind == 1:  # two invoices, possibly of two customers, paid by the factor
        name, iban = "FACTOR FINANCE", FACTOR_IBAN
        text, amount = f"{first.invoice_id} {second.invoice_id}", first.amount + second.amount
    elif kind == 2:  # the payer's account and the amount, no reference
        text = None
    elif kind == 3:  # the amount alone
        name = iban = text = None
    elif kind == 4:  # a partial payment under the parent company's name
        name, iban, amount = "HOLDING GROUP", None, (first.amount / 2).quantize(Decimal("0.01"))
    return BankTransaction(
        account=OURS, bank_reference=f"B{k}", booking_date=date(2026, 10, 1 + k % 28),
        amount=amount, currency="EUR", payer_name=name, payer_iban=iban, remittance=text)


def _engine(case: tuple[list[Customer], list[OpenItem], list[PayerAlias],
                        list[BankTransaction]]) -> Engine:
    customers, items, aliases, _ = case
    fresh = [OpenItem(i.invoice_id, i.customer_id, i.issue_date, i.due_date, i.currency,
                      i.amount, i.open_amount) for i in items]
    return Engine(Ledger(customers, fresh, aliases, own_ibans=[OURS]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_cores_decide_exactly_as_one(seed: int) -> None:
    case = _case(seed)
    one, two = _engine(case), _engine(case)
    transactions = case[3]
    expected = one.decide_all([one.context(t) for t in transactions])
    proposals, rendered = parallel.decide_in_two(two, [two.context(t) for t in transactions])
    assert proposals == expected
    assert rendered == render_matches(expected)
    rules = {p.rule for p in expected}
    assert {"reference", "already_paid", "amount_only"} <= rules  # the case covers them
    assert sum(p.status == "auto" for p in expected) > 100


def test_tasks_share_no_customer() -> None:
    case = _case(4)
    engine = _engine(case)
    contexts = [engine.context(t) for t in case[3]]
    order = engine.decision_order(contexts)
    work = parallel.tasks(engine.ledger, contexts, order)
    assert sorted(k for task in work for k in task) == list(range(len(contexts)))
    turn = {k: n for n, k in enumerate(order)}
    assert all([turn[k] for k in task] == sorted(turn[k] for k in task) for task in work)
    touched = [{c for k in task for c in parallel.customers_touched(engine.ledger, contexts[k])}
               for task in work]
    for n, customers in enumerate(touched):
        assert all(not customers & other for other in touched[n + 1:])
    assert 1 < len(work) <= parallel.MAX_TASKS


def test_tasks_never_outnumber_the_queue() -> None:
    # Components of one transaction each, packed a hundredth at a time, with a rest.
    sizes: Counter[object] = Counter(dict.fromkeys(range(10_000), 1) | {"big": 5_000})
    task_of = parallel._packed_tasks(sizes, 60)
    assert max(task_of.values()) == parallel.MAX_TASKS - 1
    assert task_of["big"] == 0


def test_each_task_is_taken_once_by_one_of_two_processes() -> None:
    queue = parallel.TaskQueue(parallel.MAX_TASKS)
    child = parallel.Child(lambda: list(iter(queue.take, None)))
    here = list(iter(queue.take, None))
    queue.close()
    there = child.result()
    assert sorted(here + there) == list(range(parallel.MAX_TASKS))
    with pytest.raises(ValueError, match="at most"):
        parallel.TaskQueue(parallel.MAX_TASKS + 1)


def test_a_failed_child_s_tasks_are_decided_here(monkeypatch: pytest.MonkeyPatch) -> None:
    case = _case(2)
    one, two = _engine(case), _engine(case)
    expected = one.decide_all([one.context(t) for t in case[3]])

    class FailedChild:
        """Takes two tasks off the queue, then dies."""

        def __init__(self, work: Callable[[], object]) -> None:
            self.queue = next(c.cell_contents for c in work.__closure__ or ()
                              if isinstance(c.cell_contents, parallel.TaskQueue))
            self.lost = [self.queue.take(), self.queue.take()]

        def result(self) -> None:
            return None

    monkeypatch.setattr(parallel, "Child", FailedChild)
    proposals, rendered = parallel.decide_in_two(two, [two.context(t) for t in case[3]])
    assert proposals == expected
    assert rendered == render_matches(expected)


def test_one_core_or_few_transactions_stay_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _engine(_case(5))
    assert not parallel.can_fork(engine, 100)
    assert parallel.can_fork(engine, 100_000) == ((os.cpu_count() or 1) > 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not parallel.can_fork(engine, 100_000)


def test_rendered_rows_are_the_rows_written(tmp_path: Path) -> None:
    case = _case(6)
    engine = _engine(case)
    proposals = engine.decide_all([engine.context(t) for t in case[3]])
    write_matches(tmp_path / "written.csv", proposals)
    write_rendered(tmp_path / "rendered.csv", render_matches(proposals))
    assert (tmp_path / "rendered.csv").read_bytes() == (tmp_path / "written.csv").read_bytes()


def test_packed_proposals_come_back_equal() -> None:
    case = _case(7)
    engine = _engine(case)
    proposals = engine.decide_all([engine.context(t) for t in case[3]])
    assert any(p.alternatives for p in proposals) and any(p.remainder_kind for p in proposals)
    assert [parallel.unpack(p.transaction, parallel.pack(p)) for p in proposals] == proposals
