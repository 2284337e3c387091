"""Order changes applied to the original order (pure)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from robots.validation_changes import apply_change
from tests.robots.validate_data import line, order

ORIGINAL = order(lines=[line(), line(line_number=2, gtin="3000000000024", quantity="8",
                                      unit_price="2.50")])

CHANGE_CASES = [
    # (case, change lines, expected (line number, quantity) after)
    ("new quantity on line 1", [line(quantity="7", gtin=None, unit_price=None)],
     [(1, "7"), (2, "8")]),
    ("quantity 0 removes the line", [line(line_number=2, quantity="0", gtin=None)],
     [(1, "5")]),
    ("action delete removes the line", [line(line_number=1, action="delete")], [(2, "8")]),
    ("a new line number adds a line", [line(line_number=3, quantity="1", gtin="3000000000048")],
     [(1, "5"), (2, "8"), (3, "1")]),
]


@pytest.mark.parametrize(("lines", "expected"), [c[1:] for c in CHANGE_CASES],
                         ids=[c[0] for c in CHANGE_CASES])
def test_line_changes(lines: list[dict[str, Any]], expected: list[tuple[int, str]]) -> None:
    changed = apply_change(ORIGINAL, order(document_type="order_change", lines=lines))
    assert changed is not None
    assert [(li.line_number, li.quantity) for li in changed.lines] == [
        (n, Decimal(q)) for n, q in expected]


def test_changed_line_keeps_what_the_change_does_not_state() -> None:
    changed = apply_change(ORIGINAL, order(document_type="order_change", lines=[
        line(quantity="7", gtin=None, unit_price=None, unit=None)]))
    assert changed is not None
    first = changed.lines[0]
    assert (first.gtin, first.unit_price, first.unit) == ("3000000000017", Decimal(10), "C62")


def test_header_values_of_the_change_replace_the_original() -> None:
    changed = apply_change(ORIGINAL, order(
        document_type="order_change", requested_delivery_date="2026-04-01",
        ship_to={"gln": "3012345200002"}, lines=[line(quantity="5")]))
    assert changed is not None
    assert changed.requested_delivery_date is not None
    assert changed.requested_delivery_date.isoformat() == "2026-04-01"
    assert changed.ship_to is not None
    assert changed.ship_to.gln == "3012345200002"
    assert changed.document_type == "order"


def test_removing_every_line_cancels() -> None:
    change = order(document_type="order_change", lines=[
        line(quantity="0"), line(line_number=2, quantity="0")])
    assert apply_change(ORIGINAL, change) is None


def test_a_new_quantity_drops_the_old_amounts() -> None:
    original = order(total_amount="50", lines=[line(line_amount="50")])
    changed = apply_change(original, order(document_type="order_change",
                                           lines=[line(quantity="7", gtin=None)]))
    assert changed is not None
    assert changed.lines[0].line_amount is None
    assert changed.total_amount is None
