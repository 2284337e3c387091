"""Bounded subset sums over a customer's open items."""

from __future__ import annotations

from decimal import Decimal

from matching.subsets import due_date_windows, exact_subsets

D = Decimal


def test_due_date_windows_are_consecutive_runs():
    amounts = [D("100.00"), D("250.00"), D("50.00"), D("300.00")]
    assert due_date_windows(amounts, D("300.00")) == [range(1, 3), range(3, 4)]


def test_unique_subset_is_found_and_known_unique():
    amounts = [D("10.01"), D("20.02"), D("30.05"), D("41.10")]
    solutions, finished = exact_subsets(amounts, D("71.15"))
    assert finished
    assert solutions == [(2, 3)]


def test_ambiguous_subsets_are_reported_as_such():
    amounts = [D("10.00"), D("20.00"), D("30.00"), D("40.00")]
    solutions, _ = exact_subsets(amounts, D("50.00"))
    assert len(solutions) == 2


def test_search_stops_at_its_budget():
    amounts = [D(f"{n}.00") for n in range(1, 60)]
    _, finished = exact_subsets(amounts, D("150.00"), limit=10_000, budget=50)
    assert not finished
