"""Values as paper orders write them: dates, amounts, codes, identifiers.

Every reader returns a :class:`Read`: the parsed value, the words it came from (for
the evidence crop) and a confidence that the checks later raise or lower.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.documents.words import Word, box_of, normalise, words_text
from hub.dates import MONTHS as _MONTHS
from hub.numbers import parse_decimal


@dataclass
class Read:
    """One field as read from the page.

    Attributes:
        value: The parsed value (str, Decimal, date).
        words: The words it was read from; their box is the evidence.
        confidence: 0..1, adjusted by the checks.
        snapped_from: The text as read, when the value was snapped to master data.
        repaired_from: The text as read, when characters were repaired by pattern.
    """

    value: Any
    words: tuple[Word, ...]
    confidence: float
    snapped_from: str | None = None
    repaired_from: str | None = None
    checks: list[str] = field(default_factory=list)

    @property
    def page(self) -> int:
        """Page of the first word."""
        return self.words[0].page if self.words else 1

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        """The box around the words (page units)."""
        return box_of(self.words) if self.words else None

    @property
    def text(self) -> str:
        """The words as read."""
        return words_text(self.words)

    def lower(self, ceiling: float, why: str) -> None:
        """Cap the confidence (a failed check) and note why."""
        self.confidence = min(self.confidence, ceiling)
        self.checks.append(why)

    def raise_to(self, floor: float, why: str) -> None:
        """Raise the confidence (a passed check) and note why."""
        self.confidence = max(self.confidence, floor)
        self.checks.append(why)


def read_of(value: Any, words: list[Word] | tuple[Word, ...]) -> Read:
    """A :class:`Read` whose confidence is that of its least certain word."""
    confidence = min((w.confidence for w in words), default=0.0)
    return Read(value, tuple(words), confidence)


_NUMERIC_DATE = re.compile(r"\b(\d{1,4})[/.\-,](\d{1,2})[/.\-,](\d{2,4})\b")
_DAY_MONTH_NAME = re.compile(r"\b(\d{1,2})(?:er|st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})\b")
_MONTH_NAME_DAY = re.compile(r"\b([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


def parse_date(text: str) -> date | None:
    """The first date written in ``text`` (day first for numeric dates), else None.

    Reads ``12/03/2025``, ``12.03.25``, ``2025-03-12``, ``12 mars 2025``,
    ``jeudi 12 décembre 2024``, ``March 12, 2025``, ``12th March 2025``.
    """
    plain = normalise(text) if " " not in text else " ".join(normalise(t) for t in text.split())
    for found in _numeric_dates(plain):
        return found
    for match in _DAY_MONTH_NAME.finditer(plain):
        if (month := _MONTHS.get(match[2])) and (d := _date(match[3], month, match[1])):
            return d
    for match in _MONTH_NAME_DAY.finditer(plain):
        if (month := _MONTHS.get(match[1])) and (d := _date(match[3], month, match[2])):
            return d
    return None


def _numeric_dates(text: str) -> list[date]:
    found = []
    for match in _NUMERIC_DATE.finditer(text):
        a, b, c = match.groups()
        if len(a) == 4:
            d = _date(a, int(b), c)
        elif int(b) > 12 >= int(a):  # month written first: 03/25/2025
            d = _date(c, int(a), b)
        else:
            d = _date(c, int(b), a)
        if d:
            found.append(d)
    return found


def _date(year: str, month: int, day: str) -> date | None:
    y = int(year)
    if y < 100:
        y += 2000
    try:
        return date(y, month, int(day))
    except ValueError:
        return None


_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1",
                                   "|": "1", "i": "1", "S": "5", "s": "5", "B": "8", "Z": "2",
                                   "z": "2", "G": "6", "A": "4", "à": "4", "a": "4",
                                   "?": "7"})
_NUMBER = re.compile(r"^[-+(]?[0-9][0-9 .,\u00a0\u202f]*[)]?$")
_CURRENCY_MARKS = re.compile(r"(€|EUR|£|GBP|\$|USD|CHF)", re.IGNORECASE)
_TAX_SUFFIX = re.compile(r"\s*(HT|TTC)$", re.IGNORECASE)
CURRENCIES = {"€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "$": "USD", "usd": "USD",
              "chf": "CHF"}


def parse_amount(text: str, *, repair: bool = False) -> tuple[Decimal, bool] | None:
    """A written amount or quantity, and whether look-alike letters were repaired.

    Args:
        text: ``"1 234,50 €"``, ``"12.5"``, ``"1O,00"`` (with ``repair``).
        repair: Read O as 0, I/l as 1, S as 5... inside a number (OCR).

    Returns:
        ``(value, repaired)`` or None when the text is not a number.
    """
    cleaned = _TAX_SUFFIX.sub("", _CURRENCY_MARKS.sub("", text).strip()).strip(" '\"‘’`|*:")
    repaired = False
    if repair and not _NUMBER.match(cleaned):
        candidate = cleaned.translate(_DIGIT_LOOKALIKES)
        if candidate != cleaned and any(c.isdigit() for c in cleaned):
            cleaned, repaired = candidate, True
    if not cleaned or not _NUMBER.match(cleaned):
        return None
    try:
        return parse_decimal(cleaned), repaired
    except ValueError:
        return None


def as_digits(text: str) -> str:
    """``text`` with look-alike letters read as digits (``lo`` → ``10``)."""
    return text.translate(_DIGIT_LOOKALIKES)


def currency_in(text: str) -> str | None:
    """The ISO 4217 code of a currency sign or code written in ``text``."""
    match = _CURRENCY_MARKS.search(text)
    return CURRENCIES.get(match[1].lower()) if match else None


def gtin_valid(code: str) -> bool:
    """Whether ``code`` is a GTIN-8/12/13/14 with a correct GS1 check digit."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


_VAT = re.compile(r"\b([A-Z]{2}\s?[0-9A-Z]{2}\s?[0-9]{3}\s?[0-9]{3}\s?[0-9]{1,5})\b")
_SIRET = re.compile(r"\b(\d{3}\s?\d{3}\s?\d{3}\s?\d{5})\b")
_GLN = re.compile(r"\bGLN\b\W*(\d{13})\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:t[ée]l|phone|tel)\.?\s*:?\s*(\+?[\d][\d .()-]{7,})", re.IGNORECASE)


def identifiers(text: str) -> dict[str, str]:
    """VAT id, SIRET, GLN, e-mail and phone written in a party block."""
    found: dict[str, str] = {}
    if match := _GLN.search(text):
        found["gln"] = match[1]
    if match := re.search(r"(?:TVA|VAT)[^A-Z0-9]*" + _VAT.pattern, text, re.IGNORECASE):
        found["vat_id"] = match[1].replace(" ", "").upper()
    if match := re.search(r"SIRET\W*" + _SIRET.pattern, text, re.IGNORECASE):
        found["siret"] = match[1].replace(" ", "")
    if match := _EMAIL.search(text):
        found["email"] = match[0]
    if match := _PHONE.search(text):
        found["phone"] = match[1].strip()
    return found
