"""Reads the capture the portal robot makes of a PO page that offers no download.

The capture is a small JSON document: the texts the recipe's selectors found, keyed by
canonical field path (``buyer.name``, ``ship_to.address.city``, ``lines[].quantity``),
with the page's date format. This extractor recognises only that format
(``web-portal``) and turns it into one canonical order; numbers go through
:func:`hub.numbers.parse_decimal`, dates through the recorded format.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

from pydantic import ValidationError

from connectors.base import Extractor, RawDocument
from hub.errors import BadDocument
from hub.model import Line, Order
from hub.numbers import parse_decimal

MARKER = "o2c-web-portal-capture/1"
_MAX_BYTES = 5 * 1024 * 1024

_ORDER_DATES = {"order_date", "requested_delivery_date"}
_ORDER_MONEY = {"total_amount"}
_ORDER_ROOTS = set(Order.model_fields) - {"lines", "source", "confidence"}
_LINE_DATES = {"requested_delivery_date"}
_LINE_MONEY = {"quantity", "unit_price", "line_amount"}
_INTEGERS = {"line_number", "payment_terms.days"}


class WebPortalExtractor(Extractor):
    """The order on a customer-portal PO page, as the portal robot captured it."""

    name: ClassVar[str] = "web-portal"
    formats: ClassVar[tuple[str, ...]] = ("web-portal",)

    def identify(self, raw: RawDocument) -> bool:
        """A JSON object whose first key is the robot's capture marker."""
        head = raw.head.lstrip()
        return head.startswith(b"{") and f'"capture": "{MARKER}"'.encode() in head[:200]

    def extract(self, raw: RawDocument) -> list[Order]:
        """The one order of the captured page.

        Raises:
            BadDocument: naming the captured field that cannot be read.
        """
        capture = _load(raw.content)
        fields, lines = capture.get("fields"), capture.get("lines")
        if not isinstance(fields, dict) or not isinstance(lines, list) or not lines:
            raise BadDocument("capture has no fields or no lines", location="capture")
        date_format = str(capture.get("date_format") or "%Y-%m-%d")
        comma = capture.get("decimal_comma")
        order: dict[str, Any] = {}
        for path, text in fields.items():
            where = f"fields.{path}"
            value = _value(
                path,
                text,
                date_format=date_format,
                comma=comma,
                dates=_ORDER_DATES,
                money=_ORDER_MONEY,
                where=where,
            )
            _put(order, path, value, roots=_ORDER_ROOTS, where=where)
        order["lines"] = [_line(i, line, date_format, comma) for i, line in enumerate(lines)]
        order["source"] = {
            "channel": "web",
            "format": "web-portal",
            "document_ref": capture.get("po_id") or raw.document_ref,
            "sender": capture.get("portal") or raw.sender,
            "received_at": raw.received_at,
            "sha256": raw.sha256,
        }
        order.setdefault("buyer_order_number", capture.get("po_id"))
        try:
            return [Order.model_validate(order)]
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadDocument(f"{where}: {first['msg']}", location=f"fields.{where}") from None


def _load(content: bytes) -> dict[str, Any]:
    if len(content) > _MAX_BYTES:
        raise BadDocument(f"capture larger than {_MAX_BYTES} bytes", location="capture")
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadDocument(f"capture is not JSON: {exc}", location="capture") from None
    if not isinstance(data, dict) or data.get("capture") != MARKER:
        raise BadDocument("not a web-portal capture", location="capture")
    return data


def _line(index: int, line: Any, date_format: str, comma: bool | None) -> dict[str, Any]:
    if not isinstance(line, dict):
        raise BadDocument("line is not an object", location=f"lines[{index}]")
    result: dict[str, Any] = {"line_number": index + 1}
    for name, text in line.items():
        where = f"lines[{index}].{name}"
        value = _value(
            name,
            text,
            date_format=date_format,
            comma=comma,
            dates=_LINE_DATES,
            money=_LINE_MONEY,
            where=where,
        )
        _put(result, name, value, roots=set(Line.model_fields), where=where)
    return result


def _value(
    path: str,
    text: Any,
    *,
    date_format: str,
    comma: bool | None,
    dates: set[str],
    money: set[str],
    where: str,
) -> Any:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    text = str(text).strip()
    try:
        if path in dates:
            return datetime.strptime(text, date_format).date()  # noqa: DTZ007 - a date, no time
        if path in money:
            return parse_decimal(text, decimal_comma=comma)
        if path in _INTEGERS:
            return int(text)
    except ValueError:
        raise BadDocument(f"cannot read {text!r}", location=where) from None
    if path == "notes":
        return [text]
    return text


def _put(target: dict[str, Any], path: str, value: Any, *, roots: set[str], where: str) -> None:
    parts = path.split(".")
    if parts[0] not in roots or not all(parts):
        raise BadDocument(f"unknown field {path!r}", location=where)
    if value is None:
        return
    for part in parts[:-1]:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            raise BadDocument(f"field {path!r} clashes with another", location=where)
        target = child
    target[parts[-1]] = value
