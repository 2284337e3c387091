"""The order checks: one table per rule, each run on a resolved order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from hub.model import Order
from robots.validation_index import History, PastOrder
from robots.validation_parties import resolve_address, resolve_customer
from robots.validation_products import resolve_line
from robots.validation_rules import (
    Context,
    Rule,
    check_confidence,
    check_delivery_dates,
    check_duplicates,
    check_mandatory,
    check_prices,
    check_quantities,
    check_totals,
    fingerprint,
)
from tests.robots.validate_data import TODAY, index, line, order, rules


def context(o: Order, past: History | None = None, order_id: str = "ORD-5",
            **settings: Any) -> Context:
    """The context validation builds for an order, resolved against the test data."""
    idx, s = index(), rules(**settings)
    match = resolve_customer(o, idx, s)
    customer = idx.customers.get(match.customer_id or "")
    lines = [resolve_line(li, match.customer_id, idx, s) for li in o.lines]
    currency = o.currency or (customer.currency if customer else None)
    ship_to = resolve_address(o.ship_to, "ship_to", idx.ship_tos(customer.customer_id), s
                              ).address_id if customer else None
    return Context(order_id, o, customer, lines, currency, idx, past or History(), s, TODAY,
                   fingerprint(lines), ship_to)


def found(rule: Rule, ctx: Context) -> list[tuple[str, str | None]]:
    return [(f.reason, f.field) for f in rule(ctx)]


MANDATORY_CASES = [
    ("complete order", {}, []),
    ("blank PO number", {"buyer_order_number": " "}, [("MISSING_FIELD", "buyer_order_number")]),
    ("zero quantity", {"lines": [line(quantity="0")]}, [("INVALID_VALUE", "lines[1].quantity")]),
    ("negative quantity", {"lines": [line(quantity="-2")]},
     [("INVALID_VALUE", "lines[1].quantity")]),
    ("no currency: the customer's", {"currency": None}, []),
    ("currency other than the account's", {"currency": "USD"}, [("INVALID_VALUE", "currency")]),
    ("no currency and unknown customer", {"currency": None, "buyer": {"name": "x"},
                                          "ship_to": None,
                                          "source": {"channel": "fax", "sha256": "a" * 64}},
     [("MISSING_FIELD", "currency")]),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in MANDATORY_CASES],
                         ids=[c[0] for c in MANDATORY_CASES])
def test_mandatory_data(changes: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert found(check_mandatory, context(order(**changes))) == expected


def test_missing_currency_is_a_finding_when_not_taken_from_the_customer() -> None:
    ctx = context(order(currency=None), currency_from_customer=False)
    ctx.currency = None
    assert found(check_mandatory, ctx) == [("MISSING_FIELD", "currency")]


P200 = "3000000000024"  # lead time 10 days
DATE_CASES = [
    ("no date", {}, []),
    ("tomorrow, no lead time", {"requested_delivery_date": "2026-03-03"}, []),
    ("today, no lead time", {"requested_delivery_date": "2026-03-02"}, []),
    ("yesterday", {"requested_delivery_date": "2026-03-01"},
     [("DELIVERY_DATE_INVALID", "requested_delivery_date")]),
    ("within the lead time", {"requested_delivery_date": "2026-03-05",
                              "lines": [line(gtin=P200)]},
     [("DELIVERY_DATE_INVALID", "requested_delivery_date")]),
    ("just after the lead time", {"requested_delivery_date": "2026-03-12",
                                  "lines": [line(gtin=P200)]}, []),
    ("line date within the lead time", {"lines": [line(
        gtin=P200, requested_delivery_date="2026-03-06")]},
     [("DELIVERY_DATE_INVALID", "lines[1].requested_delivery_date")]),
    ("past header reported once for two lines", {
        "requested_delivery_date": "2026-02-01",
        "lines": [line(), line(line_number=2, gtin=P200)]},
     [("DELIVERY_DATE_INVALID", "requested_delivery_date")]),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in DATE_CASES],
                         ids=[c[0] for c in DATE_CASES])
def test_delivery_dates(changes: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert found(check_delivery_dates, context(order(**changes))) == expected


def test_lead_time_finding_proposes_the_earliest_date() -> None:
    ctx = context(order(requested_delivery_date="2026-03-05", lines=[line(gtin=P200)]))
    finding = check_delivery_dates(ctx)[0]
    assert finding.expected == ">= 2026-03-12"
    assert finding.found == "2026-03-05"


PRICE_CASES = [
    # (case, line values, settings, expected)
    ("list price", {"unit_price": "10.00"}, {}, []),
    ("no price stated", {"unit_price": None}, {}, []),
    ("within 2%", {"unit_price": "10.19"}, {}, []),
    ("just over 2%", {"unit_price": "10.21"}, {}, [("PRICE_MISMATCH", "lines[1].unit_price")]),
    ("too low", {"unit_price": "9.50"}, {}, [("PRICE_MISMATCH", "lines[1].unit_price")]),
    ("customer's own tolerance", {"unit_price": "10.40"},
     {"customer_price_tolerance_pct": {"C1": Decimal(5)}}, []),
    ("carton price compared per piece", {"unit": "CT", "unit_price": "120"}, {}, []),
    ("carton price too high", {"unit": "CT", "unit_price": "130"}, {},
     [("PRICE_MISMATCH", "lines[1].unit_price")]),
]


@pytest.mark.parametrize(("values", "settings", "expected"), [c[1:] for c in PRICE_CASES],
                         ids=[c[0] for c in PRICE_CASES])
def test_prices(values: dict[str, Any], settings: dict[str, Any],
                expected: list[tuple[str, str]]) -> None:
    ctx = context(order(lines=[line(**values)]), **settings)
    assert found(check_prices, ctx) == expected


def test_price_mismatch_names_the_list_price() -> None:
    finding = check_prices(context(order(lines=[line(unit_price="11")])))[0]
    assert finding.expected == "10.00 per C62 (+/- 2%)"
    assert finding.found == "11"


TOTAL_CASES = [
    ("no amounts stated", {}, []),
    ("consistent", {"total_amount": "50.00", "lines": [line(line_amount="50.00")]}, []),
    ("line amount off", {"lines": [line(line_amount="55")]},
     [("INVALID_VALUE", "lines[1].line_amount")]),
    ("total off", {"total_amount": "60", "lines": [line(line_amount="50")]},
     [("INVALID_VALUE", "total_amount")]),
    ("total from list prices", {"total_amount": "50", "lines": [line(unit_price=None)]}, []),
    ("rounding within tolerance", {"total_amount": "50.01", "lines": [line()]}, []),
    ("total with an unknown product is not judged", {"total_amount": "999", "lines": [
        line(gtin="9999999999994", unit_price=None)]}, []),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in TOTAL_CASES],
                         ids=[c[0] for c in TOTAL_CASES])
def test_totals(changes: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert found(check_totals, context(order(**changes))) == expected


CONFIDENCE_CASES = [
    ("structured channel", {}, []),
    ("all fields sure", {"confidence": {"buyer_order_number": 0.99}}, []),
    ("one field unsure", {"confidence": {"buyer_order_number": 0.99,
                                         "lines[1].quantity": 0.6}},
     [("LOW_CONFIDENCE", "lines[1].quantity")]),
    ("at the threshold", {"confidence": {"currency": 0.85}}, []),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in CONFIDENCE_CASES],
                         ids=[c[0] for c in CONFIDENCE_CASES])
def test_confidence(changes: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert found(check_confidence, context(order(**changes))) == expected


def _history(count: int, quantity: str, others: int = 0, other_quantity: str = "10"
             ) -> History:
    """``count`` lines of C1 and ``others`` lines of C2 for P-100."""
    past = History()
    for _ in range(count):
        past.add_quantity("C1", "P-100", Decimal(quantity))
    for _ in range(others):
        past.add_quantity("C2", "P-100", Decimal(other_quantity))
    return past


QUANTITY_CASES = [
    ("usual quantity", _history(5, "10"), "5", []),
    ("ten times more is still allowed", _history(5, "10"), "100", []),
    ("far above", _history(5, "10"), "101", [("QUANTITY_ANOMALY", "lines[1].quantity")]),
    ("far below", _history(5, "100"), "5", [("QUANTITY_ANOMALY", "lines[1].quantity")]),
    ("thin history: twenty times more is allowed", _history(2, "10"), "200", []),
    ("thin history: a hundred times more", _history(2, "10"), "1000",
     [("QUANTITY_ANOMALY", "lines[1].quantity")]),
    ("thin history: one line is enough for a gross gap", _history(1, "2"), "200",
     [("QUANTITY_ANOMALY", "lines[1].quantity")]),
    ("thin history: far below", _history(1, "3000"), "5",
     [("QUANTITY_ANOMALY", "lines[1].quantity")]),
    ("thin history of the customer wins over the product's",
     _history(2, "10", others=9, other_quantity="1"), "150", []),
    ("no history of the customer: other customers' lines judge", _history(0, "10", others=5),
     "1001", [("QUANTITY_ANOMALY", "lines[1].quantity")]),
    ("no history of the customer: a big customer is not an anomaly",
     _history(0, "10", others=5), "900", []),
    ("too few lines of the product to judge", _history(0, "10", others=4), "5000", []),
    ("no history at all", History(), "5000", []),
]


@pytest.mark.parametrize(("past", "qty", "expected"),
                         [c[1:] for c in QUANTITY_CASES], ids=[c[0] for c in QUANTITY_CASES])
def test_quantities(past: History, qty: str, expected: list[tuple[str, str]]) -> None:
    ctx = context(order(lines=[line(quantity=qty)]), past)
    assert found(check_quantities, ctx) == expected


def _past(order_id: str, po: str, day: date, customer: str = "C1",
          lines: tuple[tuple[str, Decimal], ...] = (("P-100", Decimal(5)),),
          ship_to: str = "C1-LYON", status: str = "validated") -> History:
    past = History()
    past.add(PastOrder(order_id, customer, po, status, day, lines, Decimal(50), ship_to))
    return past


DUPLICATE_CASES = [
    ("first order", History(), "ORD-5", {}, []),
    ("same PO earlier", _past("ORD-1", "PO-1", date(2025, 1, 1)), "ORD-5", {"lines": [
        line(quantity="7")]}, [("DUPLICATE_ORDER", "buyer_order_number")]),
    ("same PO of another customer", _past("ORD-1", "PO-1", TODAY, "C2"), "ORD-5", {}, []),
    ("a later copy still in exception does not flag the earlier",
     _past("ORD-9", "PO-1", TODAY, status="exception"), "ORD-5", {"lines": [line(quantity="7")]},
     []),
    ("a later copy already validated flags the earlier (another worker was first)",
     _past("ORD-9", "PO-1", TODAY), "ORD-5", {"lines": [line(quantity="7")]},
     [("DUPLICATE_ORDER", "buyer_order_number")]),
    ("same lines as a later copy still in exception",
     _past("ORD-9", "PO-0", TODAY, status="exception"), "ORD-5", {}, []),
    ("same lines as a later copy already validated",
     _past("ORD-9", "PO-0", TODAY), "ORD-5", {}, [("DUPLICATE_ORDER", "lines")]),
    ("same lines within the window", _past("ORD-1", "PO-0", date(2026, 2, 27)), "ORD-5", {},
     [("DUPLICATE_ORDER", "lines")]),
    ("same lines to another ship-to", _past("ORD-1", "PO-0", TODAY, ship_to="C1-X"), "ORD-5",
     {}, []),
    ("same lines outside the window", _past("ORD-1", "PO-0", date(2026, 1, 1)), "ORD-5", {},
     []),
    ("other quantity", _past("ORD-1", "PO-0", TODAY), "ORD-5", {"lines": [line(quantity="6")]},
     []),
]


@pytest.mark.parametrize(("past", "order_id", "changes", "expected"),
                         [c[1:] for c in DUPLICATE_CASES], ids=[c[0] for c in DUPLICATE_CASES])
def test_duplicates(past: History, order_id: str, changes: dict[str, Any],
                    expected: list[tuple[str, str]]) -> None:
    ctx = context(order(**changes), past, order_id=order_id)
    assert found(check_duplicates, ctx) == expected
