"""Order lines as customers type them in a mail, in French or English.

``10 cartons réf. AB-123``, ``Réf AB-123 x 10``, ``2 x EAN 3012345678901 à 12,50 € HT``,
``- AB-123 : 10 pcs @ 4.20``. Matching runs on the accent-free form of a line
(:func:`connectors.email.dates.plain`), which has the same length as the original, so
the spans found index the original text for codes and descriptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from connectors.email.dates import plain
from connectors.email.units import UNIT_PATTERN, to_rec20
from hub.numbers import parse_decimal

CODE = r"[A-Za-z0-9](?:[A-Za-z0-9]|[-_./](?=[A-Za-z0-9])){0,30}"
QNUM = r"\d+(?:[.,]\d+)?"
PRICE_NUM = (
    r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d{1,4})?"  # 1 234,50 and 1.234,50
    r"|\d{1,3}(?:,\d{3})+(?:\.\d{1,4})?"  # 1,234.50
    r"|\d+(?:[.,]\d{1,4})?"
)
CURRENCY = r"(?:€|\$|£|eur(?:os?)?\b|usd\b|gbp\b|chf\b)"
CURRENCY_CODES = {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD",
                  "usd": "USD", "£": "GBP", "gbp": "GBP", "chf": "CHF"}
_PRICE_TAIL = (
    r"(?:\s*(?:ht|h\.t\.?|hors\s+taxes?|net|excl\.?\s*vat|ex\.?\s*vat|l'unite|each|piece"
    r"|(?:/|par\s+|per\s+|the\s+)(?:" + UNIT_PATTERN + r"|unite|unit|u)\.?))*"
)

MARKED_CODE = re.compile(
    r"(?P<own>\b(?:notre|nos|our)\s+)?"
    r"\b(?:references?|refs?|articles?|art|codes?(?:\s+article)?|items?|sku|products?|produits?"
    r"|part\s*(?:no|number|#)?|p/n)\b(?:\s*[.:#]\s*|\s+)(?:n[°o]\.?\s*|#\s*|:\s*)?"
    rf"(?P<code>{CODE})",
    re.IGNORECASE,
)
MARKED_GTIN = re.compile(
    r"\b(?:ean\s*-?\s*(?:13|8)?|gtin(?:\s*-?\s*1[34])?|code[- ]barres?)"
    r"\s*[:#]?\s*(?P<gtin>\d{8,14})\b",
    re.IGNORECASE,
)
BARE_GTIN = re.compile(r"(?<![\d.,])(?P<gtin>\d{13})(?![\d.,])")
BARE_CODE = re.compile(r"(?<![\w/])(?P<code>[A-Z]{1,6}[-_.]?\d{2,}(?:[-_./]?[A-Z0-9]+)*)(?![\w/])")
PRICE_MARKED = re.compile(
    r"(?P<mk>@|\b(?:a|at|prix(?:\s+unitaire)?(?:\s+ht)?|p\.?\s?u\.?(?:\s*ht)?|unit\s+price|price|tarif)\b)"
    rf"\s*[:=]?\s*(?P<c0>[€$£])?\s*(?P<p>{PRICE_NUM})(?![\d/])\s*(?P<c>{CURRENCY})?{_PRICE_TAIL}",
    re.IGNORECASE,
)
PRICE_CURRENCY = re.compile(
    rf"(?P<c0>[€$£])\s*(?P<p0>{PRICE_NUM})(?![\d/]){_PRICE_TAIL}"
    rf"|(?<![\w.,])(?P<p>{PRICE_NUM})\s*(?P<c>{CURRENCY}){_PRICE_TAIL}",
    re.IGNORECASE,
)
_UNIT = rf"(?P<u>{UNIT_PATTERN})"
QUANTITY_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(
        rf"\b(?:qty|qte|quantite|quantity|quant\.?|nb|nombre)\s*[:=]?\s*(?P<q>{QNUM})(?:\s*{_UNIT})?",
        re.IGNORECASE), 0.95),
    (re.compile(rf"(?<![\w.,/])(?P<q>{QNUM})\s*{_UNIT}", re.IGNORECASE), 0.95),
    (re.compile(rf"(?<!\w)[x×*]\s*(?P<q>{QNUM})(?![\w.,/])(?:\s*{_UNIT})?", re.IGNORECASE), 0.9),
    (re.compile(rf"(?<![\w.,/])(?P<q>{QNUM})\s*[x×*](?![a-z\d])", re.IGNORECASE), 0.9),
    (re.compile(rf"^[\s\-•*·]*(?P<q>{QNUM})(?![\w.,/:])", re.IGNORECASE), 0.8),
    (re.compile(rf"[:=\-–]\s*(?P<q>{QNUM})(?![\w.,/])", re.IGNORECASE), 0.75),
    (re.compile(r"(?<![\w.,/-])(?P<q>\d{1,6})(?![\w.,/])", re.IGNORECASE), 0.6),
)
_FILLER = re.compile(
    r"^(?:\s|[-–•*·:;,.|()/]|\b(?:de|d'|des|du|of|pour|for|svp|please|merci|the|le|la|les"
    r"|send|ship|order|commander|livrer|envoyer|nous|us|me|moi)\b)+"
    r"|(?:\s|[-–•*·:;,.|()/]|\b(?:de|d'|des|du|of|svp|please|merci|la|le|each|chacun)\b)+$",
    re.IGNORECASE,
)


@dataclass
class ReadLine:
    """One order line read from text, with a confidence per field."""

    quantity: Decimal
    gtin: str | None = None
    seller_item_code: str | None = None
    buyer_item_code: str | None = None
    description: str | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    currency: str | None = None
    requested_delivery_date: date | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def gtin_check_digit_ok(gtin: str) -> bool:
    """Whether the GS1 check digit of a GTIN-8/12/13/14 is right."""
    digits = [int(c) for c in gtin]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def read_line(line: str) -> ReadLine | None:
    """The order line written on ``line``, or None when it is not one.

    A line is an order line when it names an item (a reference, an EAN or a product
    described with a unit) and a quantity.
    """
    if len(_CELL_SPLIT.split(line)) >= 3:
        cells = _read_cells(line)
        if cells is not None:
            return cells
    text = plain(line)
    mask = [False] * len(text)
    item = _find_item(text, line, mask)
    price = _find_price(text, mask)
    quantity = _find_quantity(text, mask, strong_only=item is None)
    if quantity is None:
        return None
    value, unit, q_conf = quantity
    description = _description(line, mask)
    if item is None and (unit is None or not description):
        return None
    read = ReadLine(quantity=value, unit=to_rec20(unit), description=description)
    read.confidence["quantity"] = q_conf
    if read.unit:
        read.confidence["unit"] = q_conf
    _apply_item(read, item)
    if price is None:
        price = _loose_price(text, mask)
    if price is not None:
        read.unit_price, read.currency, read.confidence["unit_price"] = price
    read.description = _description(line, mask) if item else description
    return read


def _blank(mask: list[bool], start: int, end: int) -> None:
    for i in range(start, end):
        mask[i] = True


def _free(mask: list[bool], start: int, end: int) -> bool:
    return not any(mask[start:end])


def _find_item(text: str, line: str, mask: list[bool]) -> tuple[str, str, float] | None:
    """(field, value, confidence) of the item identifier, its span blanked in ``mask``."""
    for match in MARKED_GTIN.finditer(text):
        _blank(mask, match.start(), match.end())
        gtin = match.group("gtin")
        return "gtin", gtin, 0.98 if gtin_check_digit_ok(gtin) else 0.5
    for match in MARKED_CODE.finditer(text):
        code = line[match.start("code") : match.end("code")]
        if any(c.isdigit() for c in code) and len(code) >= 2:
            _blank(mask, match.start(), match.end())
            kind = "buyer_item_code" if match.group("own") else "seller_item_code"
            return kind, code, 0.95
    for match in BARE_GTIN.finditer(text):
        if gtin_check_digit_ok(match.group("gtin")):
            _blank(mask, match.start(), match.end())
            return "gtin", match.group("gtin"), 0.85
    for match in BARE_CODE.finditer(text):
        _blank(mask, match.start(), match.end())
        return "seller_item_code", match.group("code"), 0.8
    return None


def _find_price(text: str, mask: list[bool]) -> tuple[Decimal, str | None, float] | None:
    for match in PRICE_MARKED.finditer(text):
        if not _free(mask, match.start(), match.end()):
            continue
        marker, currency = match.group("mk").lower(), match.group("c0") or match.group("c")
        number = match.group("p")
        weak = marker in ("a", "at")
        if weak and not currency and not re.search(r"[.,]\d{1,4}$", number):
            continue
        return _take_price(mask, match, number, currency)
    for match in PRICE_CURRENCY.finditer(text):
        if _free(mask, match.start(), match.end()):
            number = match.group("p0") or match.group("p")
            return _take_price(mask, match, number, match.group("c0") or match.group("c"))
    return None


def _take_price(
    mask: list[bool], match: re.Match[str], number: str, currency: str | None
) -> tuple[Decimal, str | None, float] | None:
    try:
        value = parse_decimal(number)
    except ValueError:
        return None
    _blank(mask, match.start(), match.end())
    code = CURRENCY_CODES.get(currency.lower()) if currency else None
    return value, code, 0.9


_LOOSE_PRICE = re.compile(
    r"(?<![\w.,/])(?P<p>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+,\d{2}|\d{1,3}(?:,\d{3})+\.\d{2}"
    r"|\d+[.,]\d{2})(?![\w.,/])"
)


def _loose_price(text: str, mask: list[bool]) -> tuple[Decimal, str | None, float] | None:
    """A lone two-decimal number left on an order line ("AB-123 | 10 | 12,50")."""
    visible = "".join(" " if m else c for c, m in zip(text, mask, strict=True))
    found = list(_LOOSE_PRICE.finditer(visible))
    if len(found) != 1:
        return None
    _blank(mask, found[0].start(), found[0].end())
    return parse_decimal(found[0].group("p")), None, 0.7


def _find_quantity(
    text: str, mask: list[bool], *, strong_only: bool
) -> tuple[Decimal, str | None, float] | None:
    patterns = QUANTITY_PATTERNS[:2] if strong_only else QUANTITY_PATTERNS
    visible = "".join(" " if m else c for c, m in zip(text, mask, strict=True))
    for pattern, confidence in patterns:
        for match in pattern.finditer(visible):
            try:
                value = parse_decimal(match.group("q"))
            except ValueError:
                continue
            if value <= 0:
                continue
            _blank(mask, match.start(), match.end())
            unit = match.groupdict().get("u")
            return value, unit, confidence
    return None


def _description(line: str, mask: list[bool]) -> str | None:
    visible = "".join(" " if m else c for c, m in zip(line, mask, strict=True))
    words = " ".join(visible.split())
    words = _FILLER.sub("", words).strip()
    letters = sum(c.isalpha() for c in words)
    return words if letters >= 3 else None


def _apply_item(read: ReadLine, item: tuple[str, str, float] | None) -> None:
    if item is None:
        read.confidence["description"] = 0.5
        read.notes.append(f"no item reference, only a description: {read.description}")
        return
    kind, value, confidence = item
    setattr(read, kind, value)
    read.confidence[kind] = confidence
    if kind == "gtin" and confidence < 0.9 and not gtin_check_digit_ok(value):
        read.notes.append(f"EAN {value} has a wrong check digit")


_CELL_SPLIT = re.compile(r"\s*[|;\t]\s*")
_QTY_CELL = re.compile(rf"(?P<q>{QNUM})(?:\s*{_UNIT})?", re.IGNORECASE)
_PRICE_CELL = re.compile(rf"(?:[€$£]\s*)?(?P<p>{PRICE_NUM})(?:\s*{CURRENCY})?{_PRICE_TAIL}",
                         re.IGNORECASE)


def _read_cells(line: str) -> ReadLine | None:
    """A line written as a table row: ``Réf. AB-123 | gants | 10 | 12,50``.

    The item is read from the first cell that names one, the quantity from the first
    cell that is only a number (with a unit), the unit price from a later number cell.
    """
    cells = [c for c in _CELL_SPLIT.split(line.strip(" |")) if c]
    found = [(i, _find_item(plain(c), c, [False] * len(c))) for i, c in enumerate(cells)]
    named = [(i, item) for i, item in found if item is not None]
    if not named:
        return None
    index, item = named[0]
    rest = cells[index + 1 :]
    numbers = [(i, _QTY_CELL.fullmatch(plain(c))) for i, c in enumerate(rest)]
    quantities = [(i, m) for i, m in numbers if m]
    if not quantities:
        return None
    q_index, q_match = quantities[0]
    read = ReadLine(quantity=parse_decimal(q_match.group("q")), unit=to_rec20(q_match.group("u")))
    read.confidence["quantity"] = 0.85
    if read.unit:
        read.confidence["unit"] = 0.85
    _apply_item(read, item)
    for cell in rest[q_index + 1 :]:
        if (price := _PRICE_CELL.fullmatch(plain(cell))) is not None:
            read.unit_price = parse_decimal(price.group("p"))
            read.currency = _currency_of(cell)
            read.confidence["unit_price"] = 0.85
            break
    words = [c for i, c in enumerate(rest) if i != q_index and not _PRICE_CELL.fullmatch(plain(c))]
    read.description = " ".join(words) or None
    return read


def _currency_of(text: str) -> str | None:
    found = re.search(CURRENCY, text, re.IGNORECASE)
    return CURRENCY_CODES.get(found.group(0).lower()) if found else None
