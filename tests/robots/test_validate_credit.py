"""Credit holds (pure): blocked accounts, exposure against the limit, overdue items."""

from __future__ import annotations

from decimal import Decimal

import pytest

from robots.validation_credit import check_credit
from tests.robots.validate_data import TODAY, index, rules

CREDIT_CASES = [
    # (case, customer, order value, open orders, settings, expected reasons)
    ("well within the limit", "C1", "100", "0", {}, []),
    ("exactly at the limit", "C1", "50000", "0", {}, []),
    ("order alone above the limit", "C1", "50000.01", "0", {}, ["CREDIT_LIMIT_EXCEEDED"]),
    ("open orders push it over", "C1", "100", "49950", {}, ["CREDIT_LIMIT_EXCEEDED"]),
    ("open items push it over", "C2", "150", "0", {}, ["CREDIT_LIMIT_EXCEEDED"]),
    ("open items leave room", "C2", "100", "0", {}, []),
    ("no credit limit on file", "C4", "1000000", "0", {}, []),
    ("blocked customer", "C3", "1", "0", {}, ["CUSTOMER_BLOCKED"]),
    ("overdue more than 30 days", "C6", "1", "0", {}, ["OVERDUE_BALANCE"]),
    ("overdue within the allowed days", "C6", "1", "0", {"overdue_days": 60}, []),
    ("credit checks switched off", "C3", "1", "0", {"credit_check": False}, []),
]


@pytest.mark.parametrize(("customer", "value", "open_orders", "settings", "expected"),
                         [c[1:] for c in CREDIT_CASES], ids=[c[0] for c in CREDIT_CASES])
def test_credit(customer: str, value: str, open_orders: str, settings: dict[str, object],
                expected: list[str]) -> None:
    findings = check_credit(customer, order_value=Decimal(value),
                            open_orders=Decimal(open_orders), index=index(),
                            settings=rules(**settings), today=TODAY)
    assert [f.reason for f in findings] == expected
    assert all(f.owner == "finance" for f in findings)


def test_exposure_finding_shows_the_figures() -> None:
    finding = check_credit("C2", order_value=Decimal(150), open_orders=Decimal(0),
                           index=index(), settings=rules(), today=TODAY)[0]
    assert finding.found == "1050"
    assert finding.expected == "<= 1000"


def test_overdue_finding_names_the_oldest_invoice() -> None:
    finding = check_credit("C6", order_value=Decimal(1), open_orders=Decimal(0), index=index(),
                           settings=rules(), today=TODAY)[0]
    assert "INV-2" in finding.message
    assert finding.found == "300 overdue"
