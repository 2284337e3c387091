"""EDIFACT cross-checks: o2c's tokenizer against pydifact's own parser, and the orders
against the values the OCA/edi test suite asserts for its samples."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import pytest
from pydifact.parser import Parser

from connectors.edi.edifact import EdifactExtractor
from connectors.edi.edifact_syntax import detect_syntax, read_segments
from hub.documents import RawDocument
from tests.conftest import SAMPLES, SHARED_SAMPLES

# pydifact 0.2.3 takes a space in the UNA release position as a release character; ISO
# 9735 says the interchange then has none, so that sample is left out of the comparison.
SAMPLE_FILES = sorted(
    p for p in (SAMPLES / "edifact").glob("*.edi") if p.name != "una_no_release_char.edi"
) + sorted((SHARED_SAMPLES / "edifact_orders").glob("oca_*.txt"))


def _normal(element: Any) -> Any:
    if isinstance(element, list):
        while element and element[-1] == "":
            element = element[:-1]
        return element[0] if len(element) == 1 else element
    return element


def _shape(tag: str, elements: list[Any]) -> tuple[str, list[Any]]:
    normal = [_normal(e) for e in elements]
    while normal and normal[-1] == "":
        normal.pop()
    return tag, normal


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_tokenizer_gives_the_segments_pydifact_gives(path: Path) -> None:
    content = path.read_bytes()
    syntax = detect_syntax(content)
    ours = [_shape(s.tag, s.elements) for s in read_segments(io.BytesIO(content), syntax)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = content.decode(syntax.codec)
        theirs = [_shape(s.tag, list(s.elements)) for s in Parser().parse(text)
                  if s.tag != "UNA"]
    assert ours == theirs


def _shared(name: str) -> RawDocument:
    path = SHARED_SAMPLES / "edifact_orders" / name
    if not path.exists():
        pytest.skip(f"shared samples absent: {path}")
    return RawDocument(path.read_bytes(), name)


def test_oca_sample1_values() -> None:
    (order,) = EdifactExtractor().extract(_shared("oca_Retail_EDIFACT_ORDERS_sample1.txt"))
    assert (order.buyer_order_number, str(order.order_date)) == ("1AA1TEST", "2023-06-06")


def test_oca_no_ean_values() -> None:
    (order,) = EdifactExtractor().extract(
        _shared("oca_test_orders_no_ean_in_LIN_segments.txt"))
    assert order.buyer_order_number == "467819"
    assert (str(order.order_date), str(order.requested_delivery_date)) == (
        "2023-03-20", "2023-03-22")
    assert [int(line.quantity) for line in order.lines] == [12, 24, 12, 24, 90]


def test_oca_no_pri_values_once_its_unt_is_right() -> None:
    raw = _shared("oca_test_orders_no_PRI_segments.txt")
    fixed = RawDocument(raw.content.replace(b"UNT+267+", b"UNT+21+"), raw.name)
    (order,) = EdifactExtractor().extract(fixed)
    assert (order.buyer_order_number, str(order.order_date)) == ("COM-004017", "2023-03-20")
