"""Cross-checks of a reading: each one raises or lowers the confidence of the fields it
involves.

* quantity x unit price = line amount (to the cent), per line;
* the sum of the line amounts = the stated total;
* GTIN check digits.

A value that passes an independent check is very unlikely to be misread, whatever the
OCR engine thought of its glyphs; a value that fails one is never left confident.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz.distance import Levenshtein

from connectors.documents.layout import Reading
from connectors.documents.values import Read, gtin_valid

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Confidences:
    """The confidence levels the checks set.

    Attributes:
        unchecked: Ceiling for a value no check confirms (what the words alone justify).
        confirmed: Floor for a value an arithmetic or check-digit test confirms.
        doubtful: Ceiling for a value a check contradicts.
    """

    unchecked: float
    confirmed: float
    doubtful: float = 0.5
    repair: bool = False


TEXT_LAYER = Confidences(unchecked=0.95, confirmed=1.0, doubtful=0.6)
OCR = Confidences(unchecked=0.85, confirmed=0.97, doubtful=0.5, repair=True)
REPAIRED = 0.8  # one character of one number changed so that the line adds up


def apply_checks(reading: Reading, levels: Confidences) -> None:
    """Cap every field at ``levels.unchecked``, then run the checks."""
    for read in reading.fields.values():
        read.confidence = min(read.confidence, levels.unchecked)
    for party in reading.parties.values():
        for read in party.fields.values():
            read.confidence = min(read.confidence, levels.unchecked)
    for row in reading.rows:
        for read in row.cells.values():
            read.confidence = min(read.confidence, levels.unchecked)
    lines_ok = [_check_line(row.cells, levels) for row in reading.rows]
    _check_total(reading, levels, all_lines_ok=all(lines_ok) and bool(lines_ok))
    for row in reading.rows:
        if gtin := row.cells.get("gtin"):
            if gtin_valid(str(gtin.value)):
                gtin.raise_to(levels.confirmed if gtin.confidence >= 0.6 else 0.8, "check digit")
            else:
                gtin.lower(0.3, "GTIN check digit wrong")


def _check_line(cells: dict[str, Read], levels: Confidences) -> bool:
    quantity, price, amount = (cells.get(k) for k in ("quantity", "unit_price", "line_amount"))
    if quantity is None or price is None or amount is None:
        return False
    if _amounts_agree(quantity.value * price.value, amount.value):
        for read in (quantity, price, amount):
            read.raise_to(levels.confirmed, "quantity x unit price = amount")
        return True
    for read in (quantity, price, amount):
        read.lower(levels.doubtful, "quantity x unit price != amount")
    if levels.repair:
        _repair_line(quantity, price, amount)
    return False


def _repair_line(quantity: Read, price: Read, amount: Read) -> None:
    """When exactly one of the three numbers is one character away from the value that
    makes the line add up, take that value (OCR drops, adds or swaps one glyph)."""
    fixes = []
    if price.value:
        wanted = amount.value / price.value
        if wanted > 0 and wanted == wanted.quantize(Decimal("0.5")):
            fixes.append((quantity, wanted.quantize(Decimal("0.5")).normalize()))
    if quantity.value:
        wanted = amount.value / quantity.value
        if wanted > 0 and wanted == wanted.quantize(CENT):
            fixes.append((price, wanted.quantize(CENT)))
    fixes.append((amount, (quantity.value * price.value).quantize(CENT)))
    near = [(read, value) for read, value in fixes if _one_glyph_away(read.value, value)]
    if len(near) != 1:
        return
    read, value = near[0]
    read.repaired_from = read.text
    read.value = value
    read.confidence = REPAIRED
    read.checks.append("one glyph repaired so that quantity x unit price = amount")
    for other in (quantity, price, amount):
        if other is not read:
            other.confidence = REPAIRED + 0.05


def _one_glyph_away(read: Decimal, wanted: Decimal) -> bool:
    digits = ["".join(c for c in format(v.normalize(), "f") if c.isdigit()) for v in (read, wanted)]
    return digits[0] != digits[1] and Levenshtein.distance(digits[0], digits[1]) <= 1


def _amounts_agree(computed: Decimal, stated: Decimal) -> bool:
    return abs(computed.quantize(CENT) - stated) <= CENT


def _check_total(reading: Reading, levels: Confidences, *, all_lines_ok: bool) -> None:
    total = reading.fields.get("total_amount")
    if total is None or not reading.rows:
        return
    amounts = [row.cells.get("line_amount") for row in reading.rows]
    if any(a is None for a in amounts):
        return
    computed = sum((a.value for a in amounts if a is not None), Decimal(0))
    if _amounts_agree(computed, total.value):
        total.raise_to(levels.confirmed, "sum of lines = total")
    else:
        total.lower(levels.doubtful, "sum of lines != total")
        if all_lines_ok:
            return
        for amount in amounts:
            if amount is not None and amount.confidence < levels.confirmed:
                amount.lower(levels.doubtful, "sum of lines != total")
