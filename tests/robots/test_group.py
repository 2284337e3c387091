"""Grouping rules, one table: which orders share a delivery, and why."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from robots.group import Candidate, Group, GroupSettings, assign, describe

KEY = ("C001", "A1", "DAP", "EUR", None)


def order(order_id: str, day: int | None, *, key=KEY, separate=False, kg="0") -> Candidate:
    delivery = date(2026, 12, day) if day else None
    return Candidate(order_id, key, delivery, separate, Decimal(kg), Decimal(0))


CASES = [
    ("same key and date share a group", {}, [order("o1", 1), order("o2", 1)], [["o1", "o2"]]),
    ("another date needs a window", {}, [order("o1", 1), order("o2", 2)], [["o1"], ["o2"]]),
    ("inside the window they share", {"delivery_window_days": 2},
     [order("o1", 1), order("o2", 3)], [["o1", "o2"]]),
    ("outside the window they split", {"delivery_window_days": 2},
     [order("o1", 1), order("o2", 4)], [["o1"], ["o2"]]),
    ("another ship-to never shares", {},
     [order("o1", 1), order("o2", 1, key=("C001", "A2", "DAP", "EUR", None))], [["o1"], ["o2"]]),
    ("other incoterms never share", {},
     [order("o1", 1), order("o2", 1, key=("C001", "A1", "EXW", "EUR", None))], [["o1"], ["o2"]]),
    ("another currency never shares", {},
     [order("o1", 1), order("o2", 1, key=("C001", "A1", "DAP", "USD", None))], [["o1"], ["o2"]]),
    ("deliver separately is never merged", {},
     [order("o1", 1), order("o2", 1, separate=True), order("o3", 1)], [["o1", "o3"], ["o2"]]),
    ("weight limit opens a new group", {"max_weight_kg": Decimal(100)},
     [order("o1", 1, kg="60"), order("o2", 1, kg="50"), order("o3", 1, kg="40")],
     [["o1", "o3"], ["o2"]]),
    ("orders without a date group together", {}, [order("o1", None), order("o2", None)],
     [["o1", "o2"]]),
    ("input order does not matter", {"delivery_window_days": 1},
     [order("o3", 2), order("o1", 1), order("o2", 2)], [["o1", "o2", "o3"]]),
]


@pytest.mark.parametrize(("case", "rules", "candidates", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_grouping_rules(case, rules, candidates, expected) -> None:
    groups = assign(candidates, [], GroupSettings(**rules))
    assert sorted(g.members for g in groups) == sorted(expected)


def test_an_open_group_takes_a_late_order_within_its_limits() -> None:
    rules = GroupSettings(max_weight_kg=Decimal(100))
    existing = Group("GRP-1", KEY, date(2026, 12, 1), weight=Decimal(70), new=False)
    groups = assign([order("o1", 1, kg="20"), order("o2", 1, kg="20")], [existing], rules)
    by_id = {g.id: g.members for g in groups}
    assert by_id.pop("GRP-1") == ["o1"]
    assert list(by_id.values()) == [["o2"]]


def test_the_rule_is_recorded_in_words() -> None:
    rules = GroupSettings(delivery_window_days=2, cutoff=time(14, 0),
                          max_weight_kg=Decimal(900))
    group = Group("GRP-1", ("C001", "A1", "DAP", "EUR", date(2026, 11, 23)), date(2026, 12, 1))
    assert describe(group, rules) == (
        "same customer C001; ship-to A1; delivery from 2026-12-01 within 2 day(s); "
        "incoterms DAP; currency EUR; ships 2026-11-23 (cut-off 14:00); up to 900 kg")
    alone = Group("GRP-2", KEY, None, separate=True)
    assert describe(alone, rules) == "customer C001: delivered separately at the customer's request"
