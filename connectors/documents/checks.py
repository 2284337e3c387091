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
from connectors.documents.table import INFERRED_CHECK
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
            if INFERRED_CHECK not in read.checks:  # a quantity derived from the other two
                read.raise_to(levels.confirmed, "quantity x unit price = amount")
        return True
    trust = {id(r): r.confidence for r in (quantity, price, amount)}
    for read in (quantity, price, amount):
        read.lower(levels.doubtful, "quantity x unit price != amount")
    if levels.repair:
        _repair_line(quantity, price, amount, trust)
    return False


def _repair_line(quantity: Read, price: Read, amount: Read, trust: dict[int, float]) -> None:
    """When one of the three numbers is one character away from the value that makes the
    line add up, take that value (OCR drops, adds or swaps one glyph); when several are,
    the one OCR was least sure of, if it is clearly the least sure."""
    fixes = []
    if price.value:
        wanted = (amount.value / price.value).quantize(Decimal("0.5")).normalize()
        if wanted > 0 and _amounts_agree(wanted * price.value, amount.value):
            fixes.append((quantity, wanted))
    if quantity.value:
        wanted = (amount.value / quantity.value).quantize(CENT)
        if wanted > 0 and _amounts_agree(quantity.value * wanted, amount.value):
            fixes.append((price, wanted))
    fixes.append((amount, (quantity.value * price.value).quantize(CENT)))
    # fewest glyphs first; then a number already read through look-alike letters; then
    # the one OCR was least sure of
    near = sorted(((_glyphs(read.value, value), read.repaired_from is None, trust[id(read)],
                    id(read), read, value)
                   for read, value in fixes if read.value != value
                   and _glyphs(read.value, value) <= 1), key=lambda n: n[:4])
    if not near or (len(near) > 1 and near[0][:2] == near[1][:2]
                    and near[1][2] - near[0][2] < 0.2):
        return  # two equally plausible repairs: leave the line to a person
    *_, read, value = near[0]
    read.repaired_from = read.text
    read.value = value
    read.confidence = REPAIRED
    read.checks.append("one glyph repaired so that quantity x unit price = amount")
    for other in (quantity, price, amount):
        if other is not read:
            other.confidence = REPAIRED + 0.05


def _glyphs(read: Decimal, wanted: Decimal) -> int:
    """Digits to change to go from one number to the other (a lost decimal separator
    counts as none: ``15`` for ``1,5``)."""
    digits = ["".join(c for c in format(v, "f") if c.isdigit()) for v in (read, wanted)]
    return int(Levenshtein.distance(digits[0], digits[1]))


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
