"""One order through every rule (pure): outcome, what was resolved, accepted findings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from robots.validation_index import History
from robots.validation_order import validate_order
from tests.robots.validate_data import TODAY, index, line, order, rules

OUTCOME_CASES = [
    # (case, order changes, status, expected reasons)
    ("clean EDI order", {}, "validated", []),
    ("unknown customer still checks the lines", {
        "buyer": {"name": "Nobody"}, "ship_to": None,
        "source": {"channel": "fax", "sha256": "a" * 64},
        "lines": [line(gtin="9999999999994")]}, "exception",
     ["UNKNOWN_CUSTOMER", "UNKNOWN_PRODUCT"]),
    ("several findings at once", {"lines": [line(unit_price="12", quantity="0")],
                                  "requested_delivery_date": "2026-01-01"}, "exception",
     ["INVALID_VALUE", "DELIVERY_DATE_INVALID", "PRICE_MISMATCH"]),
    ("blocked customer", {"buyer": {"gln": "3012345000003"}, "ship_to": None}, "exception",
     ["CUSTOMER_BLOCKED"]),
    ("several ship-tos, none named", {"buyer": {"gln": "3012345000002"}, "ship_to": None,
                                      "lines": [line(quantity="1")]},
     "exception", ["MISSING_FIELD"]),
]


@pytest.mark.parametrize(("changes", "status", "reasons"), [c[1:] for c in OUTCOME_CASES],
                         ids=[c[0] for c in OUTCOME_CASES])
def test_outcome(changes: dict[str, Any], status: str, reasons: list[str]) -> None:
    outcome = validate_order("ORD-1", order(**changes), index=index(), history=History(),
                             settings=rules(), today=TODAY)
    assert outcome.status == status
    assert [f.reason for f in outcome.findings] == reasons


def test_resolved_values() -> None:
    outcome = validate_order("ORD-1", order(currency=None, lines=[line(unit="CT", quantity="2",
                                                                       unit_price="120")]),
                             index=index(), history=History(), settings=rules(), today=TODAY)
    assert (outcome.customer_id, outcome.customer_rule) == ("C1", "gln")
    assert (outcome.ship_to_address_id, outcome.bill_to_address_id) == ("C1-LYON", "C1-BILL")
    assert outcome.currency == "EUR"
    assert outcome.lines[0].sku == "P-100"
    assert outcome.lines[0].quantity == Decimal(24)
    assert outcome.value == Decimal(240)
    assert outcome.fingerprint == (("P-100", Decimal(24)),)


def test_a_finding_a_person_accepted_is_not_raised_again() -> None:
    priced = order(lines=[line(unit_price="12")])
    accepted = frozenset({("PRICE_MISMATCH", "lines[1].unit_price", "12")})
    outcome = validate_order("ORD-1", priced, index=index(), history=History(),
                             settings=rules(), today=TODAY, accepted=accepted)
    assert outcome.status == "validated"


def test_an_accepted_finding_comes_back_when_the_value_changes() -> None:
    priced = order(lines=[line(unit_price="13")])
    accepted = frozenset({("PRICE_MISMATCH", "lines[1].unit_price", "12")})
    outcome = validate_order("ORD-1", priced, index=index(), history=History(),
                             settings=rules(), today=TODAY, accepted=accepted)
    assert [f.reason for f in outcome.findings] == ["PRICE_MISMATCH"]


def test_a_released_credit_hold_stays_released() -> None:
    held = order(buyer={"gln": "3012345000003"}, ship_to=None)
    accepted = frozenset({("CUSTOMER_BLOCKED", "buyer", None)})
    outcome = validate_order("ORD-1", held, index=index(), history=History(),
                             settings=rules(), today=TODAY, accepted=accepted)
    assert outcome.status == "validated"
