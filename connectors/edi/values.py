"""Reading the values EDI standards write: dates, numbers, codes."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from hub.errors import BadDocument
from hub.model import Order

_NUMBER = re.compile(r"-?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")

# EDIFACT 2379 date/time/period format codes and the slice holding the date.
_DATE_FORMATS: dict[str, tuple[int, str]] = {
    "102": (8, "CCYYMMDD"),
    "203": (12, "CCYYMMDDHHMM"),
    "204": (14, "CCYYMMDDHHMMSS"),
    "101": (6, "YYMMDD"),
    "718": (17, "CCYYMMDD-CCYYMMDD"),
    "719": (25, "CCYYMMDDHHMM-CCYYMMDDHHMM"),
}
_BY_LENGTH = {8: "102", 12: "203", 14: "204", 6: "101"}


class UnsupportedFormat(ValueError):  # noqa: N818 - a kind of value, not a failure to report
    """A date format code o2c does not read (the value is kept as a note instead)."""


def edifact_date(text: str, fmt: str, *, location: str) -> date:
    """Read an EDIFACT date; a range (718/719) gives its first day.

    Raises:
        UnsupportedFormat: for a format code not listed above.
        BadDocument: for a value that is not a valid date in its format.
    """
    fmt = fmt or _BY_LENGTH.get(len(text), "")
    if fmt not in _DATE_FORMATS:
        raise UnsupportedFormat(fmt)
    length, pattern = _DATE_FORMATS[fmt]
    digits = text.replace("-", "") if fmt in ("718", "719") else text
    if len(text) != length or not digits.isdigit():
        raise BadDocument(
            f"date {text!r} does not fit format {fmt} ({pattern})",
            location=location,
            code="INVALID_VALUE",
        )
    if fmt == "101":
        year = int(text[:2])
        return _date(2000 + year if year < 70 else 1900 + year, text[2:4], text[4:6], location)
    return _date(int(text[:4]), text[4:6], text[6:8], location)


def _date(year: int, month: str, day: str, location: str) -> date:
    try:
        return date(year, int(month), int(day))
    except ValueError:
        raise BadDocument(
            f"invalid date {year:04d}-{month}-{day}", location=location, code="INVALID_VALUE"
        ) from None


def iso_date(text: str, *, location: str) -> date:
    """Read a YYYY-MM-DD (XML) or CCYYMMDD (X12, CII 102) date.

    Raises:
        BadDocument: for anything else.
    """
    digits = text.strip().replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        raise BadDocument(f"invalid date {text!r}", location=location, code="INVALID_VALUE")
    return _date(int(digits[:4]), digits[4:6], digits[6:8], location)


def edi_decimal(text: str, *, location: str, what: str = "number") -> Decimal:
    """Read a number as EDI writes it: no thousands separators, '.' or ',' as decimal mark.

    Raises:
        BadDocument: naming ``what`` and the location when the text is not a number.
    """
    cleaned = text.strip()
    if not _NUMBER.fullmatch(cleaned):
        raise BadDocument(
            f"{what} {text!r} is not a number", location=location, code="INVALID_VALUE"
        )
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        raise BadDocument(f"{what} {text!r} is not a number", location=location) from None


def gln_or_none(identifier: str) -> str | None:
    """The identifier when it is a 13-digit GS1 GLN, else None."""
    return identifier if len(identifier) == 13 and identifier.isdigit() else None


def gtin_or_none(identifier: str) -> str | None:
    """The identifier when it has the length of a GTIN-8, -12, -13 or -14, else None."""
    return identifier if len(identifier) in (8, 12, 13, 14) and identifier.isdigit() else None


def country_or_none(code: str) -> str | None:
    """The code when it is written as an ISO 3166 alpha-2 code."""
    return code if len(code) == 2 and code.isalpha() and code.isupper() else None


# UN/ECE Recommendation 20 for the EDIFACT 6411 and X12 355 codes that are not Rec 20.
UNIT_CODES = {"PCE": "C62", "PCS": "C62", "PC": "C62", "UN": "C62", "KG": "KGM"}


def unit_code(code: str) -> str | None:
    """The UN/ECE Rec 20 unit for an EDI unit code (unknown codes kept as written)."""
    if not code:
        return None
    return UNIT_CODES.get(code.upper(), code)


def build_order(data: dict[str, Any], *, location: str) -> Order:
    """The canonical order from mapped values.

    Raises:
        BadDocument: naming the canonical field a value does not fit (a currency that is
            not three letters, a line number below 1...).
    """
    try:
        return Order(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise BadDocument(
            f"{field}: {first['msg']} ({first.get('input')!r})",
            location=location,
            code="INVALID_VALUE",
        ) from None
