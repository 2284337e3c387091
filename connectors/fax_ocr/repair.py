"""Repairs of what OCR misreads, by pattern and against master data.

* Item codes: O/0, I/1, S/5, B/8... are swapped by position inside the code's pattern
  (letters where the known codes have letters, digits where they have digits); then a
  code still unknown is snapped to the one nearest known code (rapidfuzz) when no other
  comes close. Snapped values keep the text as read in ``Read.snapped_from``.
* GTINs: look-alike letters read as digits, then the check digit decides; a GTIN that
  fails is snapped to the one known GTIN a single digit away, if there is exactly one.
* Buyer names: snapped to the nearest known customer name.

Master data only repairs what was read; deciding which product or customer it is stays
the validation robot's job.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process

from connectors.base import ReferenceData
from connectors.documents.layout import Reading
from connectors.documents.values import Read, gtin_valid

TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "|": "1", "S": "5", "B": "8",
            "Z": "2", "G": "6", "T": "7"}
TO_LETTER = {"0": "OD", "1": "IL", "5": "S", "8": "B", "2": "Z", "6": "G", "7": "T", "4": "A"}
KNOWN = 0.95     # read or repaired to a code the master data knows
REPAIRED = 0.85  # repaired by pattern alone
SNAPPED = 0.82   # nearest known code, well ahead of the next one
UNKNOWN = 0.6    # no known code near what was read
_EDGE = " .,;:|'\"‘’`"


def repair_reading(reading: Reading, reference: ReferenceData) -> None:
    """Repair item codes, GTINs and the buyer's name of a reading in place."""
    for row in reading.rows:
        for kind in ("seller_item_code", "buyer_item_code"):
            if (read := row.cells.get(kind)) is not None:
                repair_code(read, reference.item_codes)
        if (gtin := row.cells.get("gtin")) is not None:
            repair_gtin(gtin, reference.gtins)
    buyer = reading.parties.get("buyer")
    if buyer and (name := buyer.fields.get("name")) and reference.customer_names:
        snap_name(name, reference.customer_names)


def repair_code(read: Read, known: frozenset[str]) -> None:
    """Repair one item code by pattern, then by the nearest known code."""
    text = _plain(str(read.value)).strip(_EDGE).upper()
    if text in known:
        _set(read, text, KNOWN, "known item code")
        return
    candidates = {code for code in known if _fits(text, code)}
    if len(candidates) == 1:
        code = candidates.pop()
        read.repaired_from = str(read.value)
        _set(read, code, KNOWN, "look-alike characters repaired to a known code")
        return
    if not known:
        repaired = by_pattern(text)
        if repaired != text:
            read.repaired_from = str(read.value)
            read.lower(REPAIRED, "look-alike characters repaired by pattern")
        read.value = repaired
        return
    _snap(read, text, known)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fits(text: str, code: str) -> bool:
    """Whether ``text`` is ``code`` up to look-alike characters, position by position."""
    if len(text) != len(code):
        return False
    for seen, want in zip(text, code, strict=True):
        if seen == want:
            continue
        if want.isdigit() and TO_DIGIT.get(seen) == want:
            continue
        if want.isalpha() and want in TO_LETTER.get(seen, ""):
            continue
        return False
    return True


def by_pattern(text: str) -> str:
    """Without master data: digits in mostly-digit segments, letters in the letter
    prefix of a segment (``AB-1O24`` → ``AB-1024``, ``0F-9034`` → ``OF-9034``)."""
    parts = re.split(r"([-/. ])", text)
    return "".join(_segment(part) for part in parts)


def _segment(part: str) -> str:
    if len(part) < 2:
        return part
    digits = sum(c.isdigit() for c in part)
    if digits * 2 > len(part) and re.fullmatch(r"[A-Z]*[0-9A-Z]*", part):
        prefix = re.match(r"[A-Z]{1,3}(?=[0-9])", part) if digits < len(part) - 1 else None
        head = prefix.group(0) if prefix and part[len(prefix.group(0)):].isdigit() else ""
        return head + "".join(TO_DIGIT.get(c, c) for c in part[len(head):])
    if digits and digits * 2 <= len(part):
        return "".join(TO_LETTER.get(c, c)[0] for c in part)
    return part


def _snap(read: Read, text: str, known: frozenset[str]) -> None:
    best = process.extract(text, known, scorer=fuzz.ratio, limit=2)
    if best and best[0][1] >= 75 and (len(best) == 1 or best[0][1] - best[1][1] >= 10):
        read.snapped_from = str(read.value)
        _set(read, best[0][0], SNAPPED, f"snapped to the nearest known code ({best[0][1]:.0f})")
        read.confidence = min(read.confidence, SNAPPED)
        return
    read.value = by_pattern(text)
    read.lower(UNKNOWN, "not a known item code")


def _set(read: Read, value: str, confidence: float, why: str) -> None:
    read.value = value
    read.raise_to(confidence, why)


def repair_gtin(read: Read, known: frozenset[str]) -> None:
    """Look-alike letters to digits, then the check digit; snap a failing GTIN to the
    single known GTIN one digit away."""
    text = "".join(TO_DIGIT.get(c, c) for c in str(read.value).upper() if c not in _EDGE)
    if text != read.value:
        read.repaired_from = str(read.value)
        read.value = text
    if gtin_valid(text) and text in known:
        read.raise_to(KNOWN, "check digit right and a known GTIN")
    if gtin_valid(text) or not known:
        return
    near = [g for g in known if len(g) == len(text)
            and sum(a != b for a, b in zip(g, text, strict=True)) == 1]
    if len(near) == 1:
        read.snapped_from = str(read.repaired_from or read.value)
        read.value = near[0]
        read.confidence = SNAPPED
        read.checks.append("snapped to the known GTIN one digit away")


def snap_name(read: Read, names: frozenset[str]) -> None:
    """Snap a buyer name to the nearest known customer name."""
    text = str(read.value)
    if text in names:
        return
    best = process.extractOne(text, names, scorer=fuzz.ratio, score_cutoff=85)
    if best:
        read.snapped_from = text
        read.value = best[0]
        read.checks.append(f"snapped to a known customer name ({best[1]:.0f})")
