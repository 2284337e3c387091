"""Bad EDIFACT input: each fault is a typed BadDocument naming the segment."""

from __future__ import annotations

import pytest

from connectors.base import Registry
from connectors.edi import edifact_syntax
from connectors.edi.edifact import EdifactExtractor
from hub.documents import RawDocument
from hub.errors import BadDocument
from tests.conftest import SAMPLES

GOOD = (
    "UNB+UNOC:3+SENDER:ZZ+RECEIVER:ZZ+250101:0900+REF1'"
    "UNH+1+ORDERS:D:96A:UN'"
    "BGM+220+PO-1+9'"
    "DTM+137:20250101:102'"
    "NAD+BY+5412345000013::9'"
    "LIN+1++4006381333931:EN'"
    "QTY+21:5'"
    "UNS+S'"
    "UNT+8+1'"
    "UNZ+1+REF1'"
)


def _raw(text: str | bytes) -> RawDocument:
    content = text.encode("latin-1") if isinstance(text, str) else text
    return RawDocument(content, "partner.edi", channel="edi")


def _error(text: str | bytes) -> BadDocument:
    with pytest.raises(BadDocument) as caught:
        EdifactExtractor().extract(_raw(text))
    return caught.value


def test_the_template_is_a_good_order() -> None:
    (order,) = EdifactExtractor().extract(_raw(GOOD))
    assert order.buyer_order_number == "PO-1"
    assert order.source.document_ref == "REF1/1"


def test_truncated_inside_a_segment_names_the_segment() -> None:
    error = _error(GOOD[: GOOD.index("QTY+21") + 5])
    assert error.location == "segment 7 (QTY)"
    assert "truncated" in error.reason


def test_truncated_inside_a_message_says_unt_is_missing() -> None:
    error = _error(GOOD[: GOOD.index("UNS+S")])
    assert "UNT missing" in error.reason
    assert error.location == "after segment 7"


def test_missing_unz_is_refused() -> None:
    error = _error(GOOD[: GOOD.index("UNZ")])
    assert "UNZ missing" in error.reason


def test_wrong_unt_count_names_the_unt_segment() -> None:
    error = _error(GOOD.replace("UNT+8+1", "UNT+7+1"))
    assert error.code == "CONTROL_COUNT_MISMATCH"
    assert error.location == "segment 9 (UNT), message 1"
    assert str(error) == (
        "partner.edi: segment 9 (UNT), message 1: UNT counts '7' segments, message 1 has 8"
    )


def test_wrong_unt_reference_is_refused() -> None:
    error = _error(GOOD.replace("UNT+8+1", "UNT+8+2"))
    assert error.code == "CONTROL_REFERENCE_MISMATCH"


@pytest.mark.parametrize(
    ("unz", "reason"),
    [("UNZ+2+REF1'", "UNZ counts '2' messages"), ("UNZ+1+REF9'", "UNZ reference 'REF9'")],
)
def test_wrong_unz_is_refused(unz: str, reason: str) -> None:
    error = _error(GOOD.replace("UNZ+1+REF1'", unz))
    assert error.location == "segment 10 (UNZ)"
    assert reason in error.reason


def test_data_after_unz_is_refused() -> None:
    assert "after UNZ" in _error(GOOD + "UNH+2+ORDERS:D:96A:UN'").reason


def test_unknown_message_type() -> None:
    error = _error(GOOD.replace("ORDERS:D:96A", "INVOIC:D:96A"))
    assert error.code == "UNSUPPORTED_MESSAGE"
    assert error.location == "segment 2 (UNH), message 1"


@pytest.mark.parametrize("date", ["20250230:102", "2025011:102", "202501011200:102", "251301:101"])
def test_invalid_date(date: str) -> None:
    error = _error(GOOD.replace("20250101:102", date))
    assert error.location == "segment 4 (DTM), message 1"
    assert error.code == "INVALID_VALUE"


def test_non_numeric_quantity() -> None:
    error = _error(GOOD.replace("QTY+21:5", "QTY+21:5x"))
    assert (error.location, error.reason) == (
        "segment 7 (QTY), message 1",
        "quantity '5x' is not a number",
    )


def test_duplicate_line_number() -> None:
    lines = "LIN+1++4006381333931:EN'QTY+21:5'"
    text = GOOD.replace(lines, lines + lines).replace("UNT+8+1", "UNT+10+1")
    error = _error(text)
    assert error.code == "DUPLICATE_LINE"
    assert error.location == "segment 8 (LIN), message 1"


def test_invalid_segment_tag() -> None:
    assert _error(GOOD.replace("UNS+S", "uns+S")).location == "segment 8"


def test_not_starting_with_unb() -> None:
    assert "UNB" in _error("UNH+1+ORDERS:D:96A:UN'UNT+2+1'").reason


def test_undeclared_character_set_is_refused() -> None:
    assert "not supported" in _error(GOOD.replace("UNOC", "UNOX")).reason


def test_bytes_invalid_in_declared_utf8_are_refused() -> None:
    text = GOOD.replace("UNOC", "UNOW").encode().replace(b"PO-1", b"PO-\xff")
    assert "not valid in UNOW" in _error(text).reason


def test_an_interchange_over_the_size_cap_is_refused_before_reading() -> None:
    padding = b"FTX+AAI+++" + b"x" * 70 + b"'"
    huge = GOOD.encode()[:-11] + padding * (30 * 1024 * 1024 // len(padding)) + b"UNZ+1+REF1'"
    assert len(huge) > 30 * 1024 * 1024
    error = _error(huge)
    assert error.code == "TOO_LARGE"
    assert "exceeds the 25 MiB limit" in error.reason


def test_size_cap_can_be_raised_per_installation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("O2C_EDI_MAX_BYTES", "100")
    assert _error(GOOD).code == "TOO_LARGE"


def test_one_bad_message_does_not_stop_the_others() -> None:
    raw = _raw((SAMPLES / "edifact" / "multi_message_with_problems.edi").read_bytes())
    orders = EdifactExtractor().extract(raw)
    assert [o.buyer_order_number for o in orders] == ["PO-OK-1", "PO-OK-4"]
    _orders, problems = EdifactExtractor().extract_with_problems(raw)
    assert [p.location for p in problems] == [
        "segment 12 (DTM), message A2",
        "segment 18 (UNH), message A3",
        "segment 29 (UNT), message A4",
        "segment 35 (QTY), message A5",
        "segment 46 (LIN), message A6",
    ]


def test_a_message_cut_short_by_the_next_unh_is_one_problem() -> None:
    text = GOOD.replace("UNT+8+1'", "UNH+2+ORDERS:D:96A:UN'BGM+220+PO-2+9'"
                        "LIN+1++4006381333931:EN'QTY+21:1'UNT+5+2'").replace("UNZ+1", "UNZ+2")
    orders, problems = EdifactExtractor().extract_with_problems(_raw(text))
    assert [o.buyer_order_number for o in orders] == ["PO-2"]
    assert problems[0].reason == "message 1 has no UNT: UNH follows"


def test_registry_reports_the_file_name() -> None:
    registry = Registry([EdifactExtractor])
    with pytest.raises(BadDocument, match=r"^partner\.edi: segment 9 \(UNT\)"):
        registry.extract(_raw(GOOD.replace("UNT+8+1", "UNT+9+1")))


@pytest.mark.parametrize("chunk", [1, 2, 3, 7])
def test_chunk_boundaries_do_not_change_the_result(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = SAMPLES / "edifact" / "una_custom_chars.edi"
    expected = EdifactExtractor().extract(_raw(path.read_bytes()))
    monkeypatch.setattr(edifact_syntax, "CHUNK_SIZE", chunk)
    assert EdifactExtractor().extract(_raw(path.read_bytes())) == expected


def test_identify_reads_content_not_names() -> None:
    extractor = EdifactExtractor()
    assert extractor.identify(RawDocument(b"\xef\xbb\xbf\r\nUNA:+.? 'UNB+UNOC:3", "x.xml"))
    assert not extractor.identify(RawDocument(b"<?xml version='1.0'?><Order/>", "order.edi"))
    assert not extractor.identify(RawDocument(b"ISA*00*", "order.edi"))
