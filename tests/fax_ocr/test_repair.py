"""Repairs of misread codes, GTINs and numbers, and what they do to confidence."""

from __future__ import annotations

from decimal import Decimal

from connectors.documents.checks import OCR, REPAIRED, apply_checks
from connectors.documents.layout import Reading
from connectors.documents.table import Row
from connectors.documents.values import Read, gtin_valid
from connectors.documents.words import Word
from connectors.fax_ocr.repair import (
    KNOWN,
    SNAPPED,
    UNKNOWN,
    by_pattern,
    repair_code,
    repair_gtin,
    snap_name,
)

CODES = frozenset({"AB-1024", "AB-1031", "OF-9034", "SL-4410", "BV-5001", "BV-5010"})
WORD = Word("x", 0, 10, 0, 10, 0.93)


def _read(value: object, confidence: float = 0.85) -> Read:
    return Read(value, (WORD,), confidence)


def test_look_alikes_repaired_by_position_to_a_known_code() -> None:
    for seen, meant in (("AB-1O24", "AB-1024"), ("0F-9034", "OF-9034"), ("5L-4410", "SL-4410"),
                        ("ab-io31", "AB-1031"), ("ÀB-1024", "AB-1024")):
        read = _read(seen)
        repair_code(read, CODES)
        assert read.value == meant
        assert read.confidence == KNOWN
        assert read.snapped_from is None


def test_unknown_code_snaps_only_when_one_known_code_is_near() -> None:
    read = _read("BY-5001")
    repair_code(read, CODES)
    assert (read.value, read.snapped_from, read.confidence) == ("BV-5001", "BY-5001", SNAPPED)
    far = _read("ZZ-7777")
    repair_code(far, CODES)
    assert far.value == "ZZ-7777"
    assert far.confidence == UNKNOWN


def test_pattern_repair_without_master_data() -> None:
    assert by_pattern("AB-1O24") == "AB-1024"
    assert by_pattern("0F-9034") == "OF-9034"
    read = _read("AB-1O24")
    repair_code(read, frozenset())
    assert read.value == "AB-1024"
    assert read.repaired_from == "AB-1O24"
    assert read.confidence <= 0.85


def test_gtin_check_digit_and_snap() -> None:
    assert gtin_valid("3012345000017")
    assert not gtin_valid("3012345000018")
    letters = _read("3O12345000017")
    repair_gtin(letters, frozenset())
    assert letters.value == "3012345000017"
    one_off = _read("3012345000011")
    repair_gtin(one_off, frozenset({"3012345000017", "3012345000024"}))
    assert one_off.value == "3012345000017"
    assert one_off.snapped_from == "3012345000011"


def test_buyer_name_snaps_to_known_customer() -> None:
    read = _read("Hétel du Pare SAS")
    snap_name(read, frozenset({"Hôtel du Parc SAS", "Garage Dupont et Fils"}))
    assert read.value == "Hôtel du Parc SAS"
    assert read.snapped_from == "Hétel du Pare SAS"


def _row(quantity: str, price: str, amount: str) -> Reading:
    cells = {"quantity": _read(Decimal(quantity), 0.95), "unit_price": _read(Decimal(price), 0.95),
             "line_amount": _read(Decimal(amount), 0.95)}
    return Reading(rows=[Row(cells)])


def test_arithmetic_confirms_a_line() -> None:
    reading = _row("12", "3.50", "42.00")
    apply_checks(reading, OCR)
    assert {r.confidence for r in reading.rows[0].cells.values()} == {OCR.confirmed}


def test_arithmetic_repairs_one_glyph_and_never_confirms_it() -> None:
    reading = _row("501", "292.23", "14611.50")  # "50 l" read as "501"
    apply_checks(reading, OCR)
    quantity = reading.rows[0].cells["quantity"]
    assert quantity.value == Decimal("50")
    assert quantity.confidence == REPAIRED < 0.9


def test_arithmetic_failure_lowers_every_number() -> None:
    reading = _row("7", "12.00", "99.99")
    apply_checks(reading, OCR)
    assert all(r.confidence <= OCR.doubtful for r in reading.rows[0].cells.values())


def test_total_confirmed_by_the_sum_of_lines() -> None:
    reading = _row("2", "10.00", "20.00")
    reading.fields["total_amount"] = _read(Decimal("20.00"), 0.6)
    apply_checks(reading, OCR)
    assert reading.fields["total_amount"].confidence == OCR.confirmed
    reading = _row("2", "10.00", "20.00")
    reading.fields["total_amount"] = _read(Decimal("25.00"), 0.99)
    apply_checks(reading, OCR)
    assert reading.fields["total_amount"].confidence == OCR.doubtful
