"""Reading amounts and quantities as people and machines write them.

Every reader of documents and statements goes through :func:`parse_decimal` so that
French and English notations (``1 234,50``, ``1,234.50``, ``1.234,50``) give the same
:class:`~decimal.Decimal` and nothing ever passes through a float.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"(EUR|USD|GBP|CHF|€|\$|£)", re.IGNORECASE)


def parse_decimal(text: str, *, decimal_comma: bool | None = None) -> Decimal:
    """Parse a written number into a Decimal.

    Args:
        text: ``"1 234,50"``, ``"1,234.50"``, ``"12.5 €"``, ``"-3"``.
        decimal_comma: Force the comma's meaning; by default it is guessed: the last
            separator followed by one, two or more than three digits is the decimal one.

    Raises:
        ValueError: with the text, when it is not a number.
    """
    cleaned = _CURRENCY.sub("", _SPACES.sub("", text.strip()))
    negative = cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    cleaned = cleaned.strip("+-()")
    if not cleaned or not re.fullmatch(r"[0-9.,]+", cleaned):
        raise ValueError(f"not a number: {text!r}")
    normalised = _normalise_separators(cleaned, decimal_comma)
    try:
        value = Decimal(normalised)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    return -value if negative else value


def _normalise_separators(text: str, decimal_comma: bool | None) -> str:  # noqa: PLR0911
    if decimal_comma is True:
        return text.replace(".", "").replace(",", ".")
    if decimal_comma is False:
        return text.replace(",", "")
    last_comma, last_dot = text.rfind(","), text.rfind(".")
    if last_comma >= 0 and last_dot >= 0:
        if last_comma > last_dot:
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")
    sep = "," if last_comma >= 0 else "." if last_dot >= 0 else None
    if sep is None:
        return text
    head, _, tail = text.rpartition(sep)
    if text.count(sep) > 1 or (len(tail) == 3 and sep == "," and head.isdigit() is False):
        return text.replace(sep, "")
    if len(tail) == 3 and text.count(sep) == 1 and sep == ".":
        # "1.234" is ambiguous; in order documents a thousands dot is the common case only
        # with a comma decimal elsewhere, so a lone dot stays a decimal point.
        return text
    return head.replace(sep, "") + "." + tail
