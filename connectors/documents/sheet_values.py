"""Cell values of order sheets: text, numbers, dates and identifiers as people type them.

Each reader raises :class:`CellError` with the reason only; the sheet layout adds the
row and column.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from connectors.documents.sheet_read import Cell
from hub.dates import MONTHS as _MONTHS
from hub.numbers import parse_decimal


class CellError(ValueError):
    """A cell that does not hold what its column says."""


@dataclass(frozen=True)
class Conventions:
    """How one document writes numbers and dates.

    Attributes:
        decimal_comma: True when ``1,5`` means one and a half, False when ``1,500``
            means fifteen hundred, None when the document does not say (then each
            number is read on its own).
        month_first: True for ``03/12/2025`` meaning 12 March (US); the default is day
            first, as French and British sheets write.
    """

    decimal_comma: bool | None = None
    month_first: bool = False


def text(cell: Cell) -> str | None:
    """The cell as trimmed text, None when empty."""
    if cell is None:
        return None
    if type(cell) is str:  # the common case first: most cells are text
        return " ".join(cell.split()) or None
    if isinstance(cell, float):
        value = str(excel_number(cell))
    elif isinstance(cell, datetime):
        value = cell.date().isoformat() if cell.time() == time() else cell.isoformat()
    elif isinstance(cell, date):
        value = cell.isoformat()
    else:
        value = str(cell)
    value = " ".join(value.split())
    return value or None


def excel_number(value: float) -> Decimal:
    """A numeric XLSX cell as a Decimal.

    XLSX stores numbers as binary doubles and openpyxl hands them over as floats: this is
    the one place a float becomes a Decimal, at the 15 significant digits Excel shows, so
    ``12.5`` stays ``12.5`` and a computed ``0.30000000000000004`` reads ``0.3``.
    """
    if not math.isfinite(value):
        raise CellError("not a number")
    return Decimal(format(value, ".15g"))


def decimal(cell: Cell, conventions: Conventions) -> Decimal | None:
    """The cell as a Decimal, None when empty.

    Raises:
        CellError: when the cell holds something else than a number.
    """
    if isinstance(cell, bool | date | time | timedelta):
        raise CellError(f"{text(cell)!r} is not a number")
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        return excel_number(cell)
    if isinstance(cell, Decimal):
        return cell
    written = text(cell)
    if written is None:
        return None
    try:
        return parse_decimal(written, decimal_comma=conventions.decimal_comma)
    except ValueError:
        raise CellError(f"{written!r} is not a number") from None


_QTY_WITH_UNIT = re.compile(r"^([-+]?[\d\s\u00a0\u202f.,]*\d)\s*([^\d\s][^\d]*)$")


def split_quantity(cell: Cell) -> tuple[Cell, str | None]:
    """A quantity cell written with its unit (``12 pcs``) as (number, unit text)."""
    if isinstance(cell, str):
        match = _QTY_WITH_UNIT.match(cell.strip())
        if match:
            return match.group(1), match.group(2).strip()
    return cell, None


def decide_decimal_comma(samples: list[str]) -> bool | None:
    """Whether the numbers of a document use a decimal comma, from what they look like.

    Args:
        samples: Number cells as written (quantities, prices, amounts).
    """
    comma = point = 0
    for sample in samples:
        compact = re.sub(r"[\s\u00a0\u202f]", "", sample)
        if re.search(r"\d,\d{1,2}$|\d,\d{4,}$|\.\d{3},", compact):
            comma += 1
        elif re.search(r"\d\.\d{1,2}$|\d\.\d{4,}$|,\d{3}\.", compact):
            point += 1
    if comma and not point:
        return True
    if point and not comma:
        return False
    return None


# --- dates -------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_NUMERIC = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?(?: \d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DAY_NAME_YEAR = re.compile(r"^(\d{1,2})(?:er)?[\s\-]+([a-z]+)\.?[\s\-]+(\d{4}|\d{2})$")
_NAME_DAY_YEAR = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_WEEKDAY = re.compile(
    r"^(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday),?\s+"
)
_EXCEL_SERIALS = range(20_000, 80_000)  # 1954 to 2119: a bare number in a date column


def _plain(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def month_first_evidence(samples: list[str]) -> bool:
    """Whether numeric dates show month first (a second number above 12, none first)."""
    day_first = month_first = False
    for sample in samples:
        match = _NUMERIC.match(sample.strip())
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            day_first |= first > 12
            month_first |= second > 12
    return month_first and not day_first


def day(cell: Cell, conventions: Conventions, after: date | None = None) -> date | None:
    """The cell as a date, None when empty.

    Args:
        cell: A real date (XLSX), an Excel serial number, or a written date
            (``2025-03-12``, ``12/03/2025``, ``12.03.25``, ``12 mars 2025``,
            ``March 12, 2025``, ``12/03`` without a year).
        conventions: Day or month first.
        after: For a date written without a year: the next such date after this one.

    Raises:
        CellError: when the cell is not a date.
    """
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _excel_serial(cell)
    written = text(cell)
    if written is None:
        return None
    try:
        return _written_date(_WEEKDAY.sub("", _plain(written)), conventions, after)
    except ValueError as exc:
        raise CellError(f"{written!r} is not a date ({exc})") from None


def _excel_serial(value: float) -> date:
    from openpyxl.utils.datetime import from_excel

    if int(value) not in _EXCEL_SERIALS:
        raise CellError(f"{text(value)!r} is not a date")
    result = from_excel(value)
    return result.date() if isinstance(result, datetime) else result


def _written_date(value: str, conventions: Conventions, after: date | None) -> date:
    if match := _ISO.match(value):
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _NUMERIC.match(value):
        first, second = int(match.group(1)), int(match.group(2))
        day_, month = (second, first) if conventions.month_first else (first, second)
        return _with_year(day_, month, match.group(3), after)
    if match := _DAY_NAME_YEAR.match(value):
        return _with_year(int(match.group(1)), _month(match.group(2)), match.group(3), after)
    if match := _NAME_DAY_YEAR.match(value):
        return _with_year(int(match.group(2)), _month(match.group(1)), match.group(3), after)
    raise ValueError("unknown date format")


def _month(name: str) -> int:
    if name not in _MONTHS:
        raise ValueError(f"unknown month {name!r}")
    return _MONTHS[name]


def _with_year(day_: int, month: int, year: str | None, after: date | None) -> date:
    if year is not None:
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day_)
    if after is None:
        raise ValueError("no year, and no order date to count from")
    candidate = date(after.year, month, day_)
    return candidate if candidate >= after else date(after.year + 1, month, day_)


# --- identifiers -------------------------------------------------------------------


def digits(cell: Cell, *, lengths: tuple[int, ...], what: str) -> str | None:
    """An identifier made of digits (GLN, SIRET), spaces and dots removed.

    Raises:
        CellError: when it is not that many digits.
    """
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    written = text(cell)
    if written is None:
        return None
    compact = re.sub(r"[\s.\-]", "", written)
    if not re.fullmatch(r"[0-9]+", compact) or len(compact) not in lengths:
        counts = " or ".join(str(n) for n in lengths)
        raise CellError(f"{what} {written!r} is not {counts} digits")
    return compact


def gtin(cell: Cell) -> str | None:
    """A GTIN (EAN-8, UPC-A, EAN-13, GTIN-14) with its check digit verified.

    Raises:
        CellError: wrong length, not digits, or a wrong check digit (a typo).
    """
    value = digits(cell, lengths=(8, 12, 13, 14), what="GTIN")
    if value is not None and not _check_digit_ok(value):
        raise CellError(f"GTIN {value!r} has a wrong check digit")
    return value


def _check_digit_ok(value: str) -> bool:
    body = [int(c) for c in reversed(value[:-1])]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    return (10 - total % 10) % 10 == int(value[-1])


def code(cell: Cell) -> str | None:
    """An item code as written; a number typed in a cell keeps no ``.0``."""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return text(cell)
