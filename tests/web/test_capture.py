"""The web-portal capture extractor: reads only its own format, into a canonical order."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import jsonschema
import pytest

from connectors.base import BUILTIN_EXTRACTORS, RawDocument, Registry
from connectors.web.capture import MARKER, WebPortalExtractor
from hub.errors import BadDocument
from tests.conftest import SAMPLES
from tests.golden import assert_golden

SAMPLE = SAMPLES / "web-portal" / "po-00001.capture.json"
RECEIVED = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def raw(content: bytes, name: str = "PO-00001.json") -> RawDocument:
    return RawDocument(
        content,
        name,
        channel="web",
        sender="test-portal-page",
        received_at=RECEIVED,
        document_ref="PO-00001",
    )


def capture(**changes: Any) -> dict[str, Any]:
    data = json.loads(SAMPLE.read_bytes())
    for key, value in changes.items():
        data[key] = value
    return data


def as_raw(data: dict[str, Any]) -> RawDocument:
    return raw(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode())


def test_sample_gives_its_golden_order(order_schema: dict[str, object]) -> None:
    document = raw(SAMPLE.read_bytes())
    [order] = WebPortalExtractor().extract(document)
    data = order.to_json_dict()
    jsonschema.validate(data, order_schema)
    assert_golden(data, SAMPLES / "web-portal" / "po-00001.json")


def test_amounts_are_exact_decimals() -> None:
    [order] = WebPortalExtractor().extract(raw(SAMPLE.read_bytes()))
    assert order.total_amount == Decimal("1128.11")
    assert order.lines[0].line_amount == Decimal("1044.04")
    assert [line.line_number for line in order.lines] == [1, 2]


def test_registry_finds_the_extractor_from_content_alone() -> None:
    assert "connectors.web.capture:WebPortalExtractor" in BUILTIN_EXTRACTORS
    document = raw(SAMPLE.read_bytes(), name="no-hint.bin")
    assert Registry([WebPortalExtractor]).identify(document).name == "web-portal"


@pytest.mark.parametrize(
    "content",
    [
        b'{"buyer_order_number": "PO-1", "lines": []}',
        b"%PDF-1.4 capture",
        b"",
        b'{"capture": "o2c-web-portal-capture/2"}',
    ],
)
def test_identifies_only_its_own_capture(content: bytes) -> None:
    assert not WebPortalExtractor().identify(raw(content))


def test_unreadable_quantity_names_the_line_and_field() -> None:
    data = capture()
    data["lines"][1]["quantity"] = "douze"
    with pytest.raises(BadDocument) as caught:
        WebPortalExtractor().extract(as_raw(data))
    assert caught.value.location == "lines[1].quantity"
    assert "douze" in str(caught.value)


def test_unreadable_date_names_the_field() -> None:
    data = capture()
    data["fields"]["order_date"] = "2026-13-45"
    with pytest.raises(BadDocument, match="cannot read") as caught:
        WebPortalExtractor().extract(as_raw(data))
    assert caught.value.location == "fields.order_date"


def test_unknown_field_is_refused() -> None:
    data = capture()
    data["fields"]["source.sha256"] = "0" * 64
    with pytest.raises(BadDocument, match=r"unknown field 'source\.sha256'"):
        WebPortalExtractor().extract(as_raw(data))


def test_invalid_value_reported_with_its_path() -> None:
    data = capture()
    data["fields"]["ship_to.address.country"] = "France"
    with pytest.raises(BadDocument) as caught:
        WebPortalExtractor().extract(as_raw(data))
    assert caught.value.location == "fields.ship_to.address.country"


def test_capture_without_lines_is_bad() -> None:
    with pytest.raises(BadDocument, match="no lines"):
        WebPortalExtractor().extract(as_raw(capture(lines=[])))


def test_marker_in_head_but_broken_json_is_bad() -> None:
    broken = f'{{\n "capture": "{MARKER}",\n "fields": {{'.encode()
    extractor = WebPortalExtractor()
    assert extractor.identify(raw(broken))
    with pytest.raises(BadDocument, match="not JSON"):
        extractor.extract(raw(broken))
