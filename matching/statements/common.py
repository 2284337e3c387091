"""Small pieces every statement parser shares: dates, amounts, creditor references."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from hub.errors import BadDocument

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SIX_DIGITS = re.compile(r"\d{6}")
_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
_RF = re.compile(r"\bRF\s?(\d{2})\s?((?:[0-9A-Z]\s?){1,21})", re.IGNORECASE)


def make_date(year: int, month: int, day: int, *, text: str, location: str | None) -> date:
    """A calendar date, or ``BAD_DATE`` naming the text as written.

    Raises:
        BadDocument: ``BAD_DATE`` for a day that does not exist (``2023-02-30``).
    """
    try:
        return date(year, month, day)
    except ValueError:
        raise BadDocument(
            f"invalid date {text!r}", location=location, code="BAD_DATE"
        ) from None


def iso_date(text: str, *, location: str | None) -> date:
    """``2023-01-31`` or ``2023-01-31T10:00:00+01:00`` (the date part is kept)."""
    found = _iso_date(text.strip()[:10])
    if found is None:
        raise BadDocument(f"invalid date {text!r}", location=location, code="BAD_DATE")
    return found


@lru_cache(maxsize=4096)
def _iso_date(head: str) -> date | None:
    # A statement covers a few days: most of its dates have been seen before.
    if not _ISO_DATE.fullmatch(head):
        return None
    try:
        return date(int(head[:4]), int(head[5:7]), int(head[8:10]))
    except ValueError:
        return None


def yymmdd(text: str, *, location: str | None, pivot: int = 80) -> date:
    """A SWIFT or BAI ``YYMMDD`` date; years below ``pivot`` are 20xx."""
    found = _yymmdd(text, pivot)
    if found is None:
        raise BadDocument(f"invalid date {text!r}", location=location, code="BAD_DATE")
    return found


def ddmmyy(text: str, *, location: str | None) -> date:
    """A CFONB ``DDMMYY`` date."""
    found = _ddmmyy(text)
    if found is None:
        raise BadDocument(f"invalid date {text!r}", location=location, code="BAD_DATE")
    return found


@lru_cache(maxsize=4096)
def _ddmmyy(text: str) -> date | None:
    return _yymmdd(text[4:6] + text[2:4] + text[:2], 80) if len(text) == 6 else None


@lru_cache(maxsize=4096)
def _yymmdd(text: str, pivot: int) -> date | None:
    # A statement covers a few days: most of its dates have been seen before.
    if not _SIX_DIGITS.fullmatch(text):
        return None
    year = int(text[:2])
    year += 2000 if year < pivot else 1900
    try:
        return date(year, int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def decimal_of(text: str, *, location: str | None) -> Decimal:
    """A plain decimal as XML and SWIFT write it (``1234.50``, ``1234,50``, ``1234,``).

    Raises:
        BadDocument: ``BAD_AMOUNT`` for anything else.
    """
    cleaned = text.strip().replace(",", ".")
    if cleaned.endswith("."):
        cleaned = cleaned[:-1]
    if not _DECIMAL.fullmatch(cleaned):
        raise BadDocument(f"invalid amount {text!r}", location=location, code="BAD_AMOUNT")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above rules it out
        raise BadDocument(
            f"invalid amount {text!r}", location=location, code="BAD_AMOUNT"
        ) from None


def is_creditor_reference(candidate: str) -> bool:
    """Whether ``candidate`` is a valid ISO 11649 ``RF`` creditor reference (mod 97)."""
    ref = candidate.replace(" ", "").upper()
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", ref):
        return False
    moved = ref[4:] + ref[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


def find_creditor_reference(text: str | None) -> str | None:
    """The first valid ISO 11649 reference in free text, without spaces, else None."""
    # Most texts hold no "RF" at all: a substring test is far cheaper than the pattern.
    if not text or ("RF" not in text and "RF" not in text.upper()):
        return None
    for match in _RF.finditer(text):
        # A reference may be followed by other words: try the longest run first.
        body = match.group(2).replace(" ", "")
        for end in range(len(body), 0, -1):
            candidate = f"RF{match.group(1)}{body[:end]}".upper()
            if is_creditor_reference(candidate):
                return candidate
    return None


def clean(text: str | None) -> str | None:
    """Collapse white space; empty becomes None."""
    if text is None:
        return None
    joined = " ".join(text.split())
    return joined or None
