"""The canonical model serialises exactly to the contract's schema."""

from __future__ import annotations

import json
from decimal import Decimal

import jsonschema
import pytest
from pydantic import ValidationError

from hub.model import Order, decimal_text
from tests.conftest import ROOT, SHARED_SAMPLES
from tests.hub.factories import order


def test_order_json_is_valid_against_the_contract_schema(order_schema: dict) -> None:
    data = order(lines=3).to_json_dict()
    jsonschema.Draft202012Validator(
        order_schema, format_checker=jsonschema.FormatChecker()
    ).validate(data)
    assert data["lines"][0]["quantity"] == "1.5"
    assert data["total_amount"] == "99.90"
    assert data["order_date"] == "2026-11-20"


def test_money_stays_decimal_in_python_and_string_in_json() -> None:
    parsed = order()
    assert parsed.lines[0].unit_price == Decimal("12.40")
    assert isinstance(parsed.lines[0].quantity, Decimal)
    again = Order.model_validate(json.loads(parsed.to_json()))
    assert again == parsed


def test_float_amounts_are_refused() -> None:
    with pytest.raises(ValidationError, match="never float"):
        order(total_amount=12.5)


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("1E+2"), "100"), (Decimal("0.000"), "0.000"), (Decimal("-0"), "0"),
     (Decimal("-12.50"), "-12.50"), (Decimal("1234567.891"), "1234567.891")],
)
def test_decimal_text_never_uses_exponents(value: Decimal, text: str) -> None:
    assert decimal_text(value) == text


def test_an_order_needs_a_line_and_a_po_number() -> None:
    with pytest.raises(ValidationError):
        order(lines=0)
    with pytest.raises(ValidationError):
        order(po="")


def test_schema_copy_matches_the_contract() -> None:
    contract = SHARED_SAMPLES.parent / "contracts" / "canonical-order.schema.json"
    if not contract.exists():
        pytest.skip("shared contracts folder not beside the repository")
    copy = ROOT / "tests" / "canonical-order.schema.json"
    assert json.loads(copy.read_text()) == json.loads(contract.read_text())
