"""Order-sheet samples beside their expected canonical JSON, validated against the schema."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from connectors.documents.sheets import SheetExtractor
from hub.documents import RawDocument
from tests.conftest import SAMPLES
from tests.golden import assert_golden

SHEETS = SAMPLES / "sheets"
CASES = sorted(p for p in SHEETS.iterdir() if p.suffix in (".csv", ".xlsx"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_sheet_gives_its_golden_orders(path: Path, order_schema: dict[str, object]) -> None:
    raw = RawDocument(path.read_bytes(), path.name)
    extractor = SheetExtractor()

    assert extractor.identify(raw)
    orders = [order.to_json_dict() for order in extractor.extract(raw)]

    checker = jsonschema.Draft202012Validator(
        order_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for order in orders:
        checker.validate(order)
    assert_golden(orders, path.with_suffix(".json"))


def test_every_sample_kind_is_covered() -> None:
    names = {p.name for p in CASES}
    assert {
        "fr_semicolon_cp1252.csv", "en_comma_utf8.csv", "fr_semicolon_utf8_bom.csv",
        "xlsx_real_dates.xlsx", "xlsx_text_dates.xlsx", "multi_orders_po_column.csv",
    } <= names
