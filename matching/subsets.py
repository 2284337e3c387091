"""Which of a customer's invoices add up to a payment: bounded subset sums.

Searching every subset is exponential and, beyond about fifty open items, an amount alone
no longer singles out one subset: many combinations reach the same total. So the search
is bounded (subset size, nodes visited) and reports whether the answer is unique; the
rules decide what that uniqueness is worth.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

#: Beyond this many open items an amount-only subset is never unique enough to apply.
AMOUNT_ONLY_LIMIT = 50


def milli(amount: Decimal) -> int:
    """An amount in thousandths, the unit sums are searched in.

    Exact for every ISO 4217 currency (none has more than three decimals), and integer
    sums are several times cheaper than decimal ones in a search visiting thousands of
    nodes.
    """
    return int(amount.scaleb(3))


def due_date_windows(amounts: Sequence[Decimal], target: Decimal) -> list[range]:
    """Runs of consecutive invoices (in due-date order) whose amounts sum to ``target``.

    Customers who pay "everything due up to the end of the month" pay such a run.

    Args:
        amounts: Open amounts, all positive, in due-date order.
        target: The payment.
    """
    return windows_of([milli(a) for a in amounts], milli(target))


def windows_of(values: Sequence[int], goal: int) -> list[range]:
    """:func:`due_date_windows` over amounts already in thousandths (:func:`milli`)."""
    found = []
    start, total = 0, 0
    for end, value in enumerate(values):
        total += value
        while total > goal and start <= end:
            total -= values[start]
            start += 1
        if total == goal and start <= end:
            found.append(range(start, end + 1))
    return found


def exact_subsets(
    amounts: Sequence[Decimal],
    target: Decimal,
    *,
    max_size: int = 5,
    limit: int = 2,
    budget: int = 1_000,
) -> tuple[list[tuple[int, ...]], bool]:
    """Subsets of ``amounts`` summing exactly to ``target``, searched within bounds.

    Args:
        amounts: Open amounts, all positive.
        target: The payment.
        max_size: Largest subset considered.
        limit: Stop after this many solutions (2 is enough to know one is not unique).
        budget: Nodes visited at most.

    Returns:
        The solutions as index tuples, and whether the search finished within its budget
        (when it did not, a single solution found does not prove uniqueness).
    """
    return subsets_of([milli(a) for a in amounts], milli(target), max_size=max_size,
                      limit=limit, budget=budget)


def subsets_of(
    amounts: Sequence[int],
    goal: int,
    *,
    max_size: int = 5,
    limit: int = 2,
    budget: int = 1_000,
) -> tuple[list[tuple[int, ...]], bool]:
    """:func:`exact_subsets` over amounts already in thousandths (:func:`milli`)."""
    order = sorted(range(len(amounts)), key=amounts.__getitem__)
    values = [amounts[i] for i in order]
    # reach[k]: the most that k more items can add (the k largest), to prune early.
    reach = [0]
    for value in reversed(values[-max_size:]):
        reach.append(reach[-1] + value)
    solutions: list[tuple[int, ...]] = []
    visits = 0
    stack: list[tuple[int, int, tuple[int, ...]]] = [(0, 0, ())]
    while stack:
        visits += 1
        if visits > budget:
            return solutions, False
        start, total, chosen = stack.pop()
        if total + reach[min(max_size - len(chosen), len(reach) - 1)] < goal:
            continue
        # Ascending values: once one overshoots, every later one does too.
        for i in range(start, len(values)):
            value = total + values[i]
            if value > goal:
                break
            if value == goal:
                solutions.append(tuple(sorted(order[j] for j in (*chosen, i))))
                if len(solutions) >= limit:
                    return solutions, True
            elif len(chosen) + 1 < max_size:
                stack.append((i + 1, value, (*chosen, i)))
    return solutions, True
