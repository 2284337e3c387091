"""Product resolution and unit conversion: one table each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hub.model import Line
from robots.validation_products import resolve_line
from tests.robots.validate_data import index, rules

PRODUCT_CASES = [
    # (case, line values, customer, expected sku, expected rule or reason)
    ("GTIN", {"gtin": "3000000000017"}, "C1", "P-100", "gtin"),
    ("GTIN-14 with a leading zero", {"gtin": "03000000000017"}, "C1", "P-100", "gtin"),
    ("GTIN stored with a leading zero", {"gtin": "3000000000048"}, "C1", "P-400", "gtin"),
    ("our SKU as seller code", {"seller_item_code": " p-200 "}, "C1", "P-200",
     "seller_item_code"),
    ("customer's own code", {"buyer_item_code": "DUP-001"}, "C1", "P-100", "customer_item"),
    ("customer's code spaced differently", {"buyer_item_code": "mf-200"}, "C2", "P-200",
     "customer_item"),
    ("another customer's code", {"buyer_item_code": "DUP-001"}, "C2", None, "UNKNOWN_PRODUCT"),
    ("SKU set by a person wins", {"sku": "P-400", "gtin": "3000000000017"}, "C1", "P-400",
     "sku"),
    ("identifiers that disagree", {"gtin": "3000000000017", "seller_item_code": "P-200"}, "C1",
     None, "UNKNOWN_PRODUCT"),
    ("identifiers that agree", {"gtin": "3000000000017", "seller_item_code": "P-100",
                                "buyer_item_code": "DUP-001"}, "C1", "P-100", "gtin"),
    ("description alone never decides", {"description": "Stylo bille bleu"}, "C1", None,
     "UNKNOWN_PRODUCT"),
    ("unknown GTIN", {"gtin": "9999999999994"}, "C1", None, "UNKNOWN_PRODUCT"),
    ("inactive product", {"gtin": "3000000000031"}, "C1", "P-300", "INVALID_VALUE"),
]


def _line(values: dict[str, Any]) -> Line:
    return Line.model_validate({"line_number": 3, "quantity": "2", **values})


@pytest.mark.parametrize(("values", "customer", "sku", "decided"),
                         [c[1:] for c in PRODUCT_CASES], ids=[c[0] for c in PRODUCT_CASES])
def test_product_resolution(values: dict[str, Any], customer: str, sku: str | None,
                            decided: str) -> None:
    resolved = resolve_line(_line(values), customer, index(), rules())
    assert resolved.sku == sku
    reasons = [f.reason for f in resolved.findings]
    if decided.isupper():
        assert reasons == [decided]
        assert resolved.findings[0].field == "lines[3].sku"
    else:
        assert resolved.rule == decided
        assert reasons == []


def test_unknown_product_suggests_by_description_only() -> None:
    resolved = resolve_line(_line({"description": "stylo bleu bille"}), "C1", index(), rules())
    assert resolved.product is None
    assert (resolved.findings[0].suggestion or "").startswith("similar products: P-100")


UNIT_CASES = [
    # (case, gtin, unit, quantity, price, expected quantity, unit, price, reason)
    ("carton of 12 becomes 12 pieces", "3000000000017", "CT", "3", "120", "36", "C62", "10",
     None),
    ("carton spelled as a word", "3000000000017", "carton", "1", None, "12", "C62", None, None),
    ("pieces spelled pcs", "3000000000017", "pcs", "4", "10", "4", "C62", "10", None),
    ("no unit means the product's", "3000000000017", None, "4", None, "4", "C62", None, None),
    ("unit the product is not sold by", "3000000000017", "KGM", "4", None, "4", "C62", None,
     "INVALID_VALUE"),
    ("no pack size: no carton", "3000000000024", "CT", "2", None, "2", "C62", None,
     "INVALID_VALUE"),
]


@pytest.mark.parametrize(("gtin", "unit", "qty", "price", "want_qty", "want_unit", "want_price",
                          "reason"), [c[1:] for c in UNIT_CASES], ids=[c[0] for c in UNIT_CASES])
def test_unit_conversion(gtin: str, unit: str | None, qty: str, price: str | None,
                         want_qty: str, want_unit: str, want_price: str | None,
                         reason: str | None) -> None:
    values = {"gtin": gtin, "unit": unit, "quantity": qty, "unit_price": price}
    resolved = resolve_line(_line({k: v for k, v in values.items() if v is not None}), "C1",
                            index(), rules())
    assert resolved.quantity == Decimal(want_qty)
    assert resolved.unit == want_unit
    assert resolved.unit_price == (Decimal(want_price) if want_price else None)
    assert [f.reason for f in resolved.findings] == ([reason] if reason else [])
    if reason:
        assert resolved.findings[0].field == "lines[3].unit"
