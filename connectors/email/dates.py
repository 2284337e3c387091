"""Dates as customers write them in French and English mails.

``12/12``, ``12/12/2026``, ``jeudi 12 décembre``, ``12 déc. 2026``, ``December 12th``,
``2026-12-12``. A day and month without a year is the next such date on or after the
reference date (the order date), as the canonical schema says.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from hub.dates import MONTHS

WEEKDAYS: dict[str, int] = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6, "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4,
    "sat": 5, "sun": 6,
}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
DATE_PATTERN = (
    rf"(?:(?P<wd>{_WEEKDAY})\.?,?\s+)?(?:"
    r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?(?![\d/.]\d)"
    rf"|(?P<td>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?P<tm>{_MONTH})\.?(?:,?\s+(?P<ty>\d{{4}}))?"
    rf"|(?P<em>{_MONTH})\.?\s+(?P<ed>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<ey>\d{{4}}))?"
    r")(?![\w])"
)
DATE_RE = re.compile(DATE_PATTERN, re.IGNORECASE)


def fold(text: str) -> str:
    """Lower case without accents, for matching month and day names."""
    return plain(text).lower()


def plain(text: str) -> str:
    """The text without accents, character for character (same length, same case).

    Matching runs on this form so that spans found in it index the original text too.
    """
    return "".join(_plain_char(c) for c in text)


def _plain_char(char: str) -> str:
    if char.isascii():
        return char
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return base if len(base) == 1 else char


@dataclass(frozen=True)
class WrittenDate:
    """A date read from text, and how sure the reading is."""

    value: date
    confidence: float
    note: str | None = None


def read_date(match: re.Match[str], reference: date | None) -> WrittenDate | None:
    """The date a :data:`DATE_RE` match names (matched on :func:`plain` text).

    Args:
        match: A match of :data:`DATE_RE`.
        reference: The order date, for dates written without a year.

    Returns:
        None when the numbers are not a real date.
    """
    parts = _parts(match)
    if parts is None:
        return None
    day, month, year = parts
    confidence = 0.9
    if year is None:
        if reference is None:
            return None
        year, confidence = reference.year, 0.85
        if _safe_date(year, month, day) and _safe_date(year, month, day) < reference:  # type: ignore[operator]
            year += 1
    elif year < 100:
        year += 2000
    value = _safe_date(year, month, day)
    if value is None:
        return None
    return _check_weekday(value, match.group("wd"), confidence)


def _parts(match: re.Match[str]) -> tuple[int, int, int | None] | None:
    g = match.group
    if g("iy"):
        return int(g("id")), int(g("im")), int(g("iy"))
    if g("d"):
        return int(g("d")), int(g("m")), int(g("y")) if g("y") else None
    if g("td"):
        return int(g("td")), MONTHS[fold(g("tm"))], int(g("ty")) if g("ty") else None
    if g("em"):
        return int(g("ed")), MONTHS[fold(g("em"))], int(g("ey")) if g("ey") else None
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _check_weekday(value: date, weekday: str | None, confidence: float) -> WrittenDate:
    if not weekday:
        return WrittenDate(value, confidence)
    expected = WEEKDAYS[fold(weekday)]
    if value.weekday() == expected:
        return WrittenDate(value, min(1.0, confidence + 0.05))
    return WrittenDate(
        value,
        0.4,
        f"the date {value.isoformat()} is not a {weekday}: check the requested date",
    )


def next_weekday(reference: date, weekday: int) -> date:
    """The first such weekday strictly after ``reference``."""
    return reference + timedelta(days=(weekday - reference.weekday() - 1) % 7 + 1)
