"""Invoice references read out of remittance text.

The numbering is learned from the open items themselves: no prefix is hard-coded. An
invoice number is cut into runs of letters and digits (``FA-2024/000123`` gives ``FA``,
``2024``, ``000123``) and indexed under several keys, so that a customer who drops the
prefix, the leading zeros or changes the separators still finds it:

* the full key, letters and digits as printed (``FA2024000123``);
* the core key, digit runs without leading zeros (``2024.123``);
* the digit run glued, with and without leading zeros (``2024000123``, ``2024123``).

Remittance text is cut the same way and every short window of runs is looked up. Typing
and OCR errors are repaired by mapping look-alike letters between digits (``O`` → ``0``)
and, for what still is not found, by an edit-distance comparison against a small
candidate set (see :func:`near_misses`). ISO 11649 creditor references are read with
their check digits verified.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein

_RUNS = re.compile(r"[A-Z]+|[0-9]+")
_WORD = re.compile(r"[A-Z0-9]+(?:[-/._][A-Z0-9]+)*")
_RF = re.compile(r"RF\s?[0-9]{2}(?:\s?[A-Z0-9]){1,21}")
_LOOKALIKE = str.maketrans("OQDILSBZ", "00011582")
_OCR_RUN = re.compile(r"(?<=[0-9])[OQDILSBZ]{1,3}|[OQDILSBZ]{1,3}(?=[0-9])")
_ALNUM_BREAK = re.compile(r"(?<=[A-Z0-9])\s*\n\s*(?=[A-Z0-9])")

#: How sure a hit is, by the way it was found.
STRENGTH = {
    "rf": 1.0,
    "reference": 0.97,
    "exact": 0.97,
    "core": 0.95,
    "no-prefix": 0.85,
    "short": 0.6,
    "ocr": 0.8,
    "wrapped": 0.85,
    "habit": 0.85,
    "typo": 0.6,
}


def is_valid_rf(reference: str) -> bool:
    """Whether ``reference`` is an ISO 11649 creditor reference with right check digits.

    Args:
        reference: ``RF`` + two check digits + up to 21 letters or digits, spaces allowed.
    """
    compact = "".join(reference.split()).upper()
    if not re.fullmatch(r"RF[0-9]{2}[A-Z0-9]{1,21}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def make_rf(body: str) -> str:
    """The ISO 11649 creditor reference for ``body`` (letters and digits)."""
    body = body.upper()
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def compact(text: str) -> str:
    """Letters and digits only, upper case: the form references are compared in."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _core(runs: list[str]) -> str:
    return ".".join(r.lstrip("0") or "0" for r in runs if r.isdigit())


@dataclass(frozen=True)
class RefHit:
    """An invoice named in a transaction's text, and how it was recognised."""

    invoice_id: str
    how: str
    text: str

    @property
    def strength(self) -> float:
        """How sure the recognition is, in [0, 1]."""
        return STRENGTH[self.how]


@dataclass
class Extraction:
    """Everything a text told: invoices it names, and number-like tokens not found."""

    hits: list[RefHit]
    unresolved: list[str]
    unknown_rf: list[str]


class Numbering:
    """The shape of the invoice numbering, learned from the invoice ids.

    Args:
        invoice_ids: Every invoice id known (open or paid).
    """

    def __init__(self, invoice_ids: Iterable[str]) -> None:
        prefixes: Counter[str] = Counter()
        lengths: Counter[int] = Counter()
        for invoice_id in invoice_ids:
            runs = _RUNS.findall(invoice_id.upper())
            if runs and runs[0].isalpha():
                prefixes[runs[0]] += 1
            lengths[len(_core(runs).replace(".", ""))] += 1
        total = sum(lengths.values()) or 1
        # A prefix used by a handful of ids is a one-off, not the numbering scheme.
        self.prefixes = {p for p, n in prefixes.items() if n * 200 >= total or n >= 20}
        typical = [n for n, c in lengths.items() if c * 20 >= total]
        self.min_digits = max(1, min(typical, default=4))

    def looks_like_invoice(self, runs: list[str]) -> bool:
        """Whether a window of runs is shaped like one of our invoice numbers."""
        if runs[0] in self.prefixes:
            return True
        digits = len(_core(runs).replace(".", ""))
        return digits >= max(4, self.min_digits - 1)


class ReferenceIndex:
    """Invoice ids and printed payment references, indexed under tolerant keys.

    Args:
        items: ``(invoice_id, reference)`` pairs; ``reference`` may be ``None``.
    """

    def __init__(self, items: Iterable[tuple[str, str | None]]) -> None:
        self.keys: dict[str, list[tuple[str, str]]] = {}
        self.references: dict[str, list[str]] = {}
        ids: list[str] = []
        for invoice_id, reference in items:
            ids.append(invoice_id)
            self._add_invoice(invoice_id)
            if reference:
                self.references.setdefault(compact(reference), []).append(invoice_id)
        self.numbering = Numbering(ids)
        self.max_runs = 5

    def _add_invoice(self, invoice_id: str) -> None:
        runs = _RUNS.findall(invoice_id.upper())
        if not runs:
            return
        digit_runs = [r for r in runs if r.isdigit()]
        keys = {("F" + "".join(runs), "exact"), ("C" + _core(runs), "core")}
        if len(digit_runs) > 1:
            keys.add(("C" + "".join(digit_runs).lstrip("0"), "core"))
            keys.add(("C" + _core(runs).replace(".", ""), "core"))
        for key, how in keys:
            entries = self.keys.setdefault(key, [])
            if all(e[0] != invoice_id for e in entries):
                entries.append((invoice_id, how))

    # --- reading text ------------------------------------------------------------------

    def extract(self, *texts: str | None) -> Extraction:
        """Every invoice the texts name (remittance, structured reference, end-to-end id).

        Line breaks inside a number (bank wrapping at 27, 35 or 65 characters) are
        glued back first; hits found only when the lines are read apart count less.
        """
        found: dict[str, RefHit] = {}
        unresolved: list[str] = []
        unknown_rf: list[str] = []
        for text in texts:
            if not text:
                continue
            upper = text.upper()
            glued = _ALNUM_BREAK.sub("", upper)
            self._read_rf(glued, found, unknown_rf)
            self._read(glued, found, unresolved, wrapped=False)
            if glued != upper:
                self._read(upper.replace("\n", " "), found, unresolved, wrapped=True)
        return Extraction(list(found.values()), unresolved, unknown_rf)

    def _read_rf(self, text: str, found: dict[str, RefHit], unknown: list[str]) -> None:
        for match in _RF.finditer(text):
            raw = "".join(match.group().split())
            # The pattern may swallow the next word; keep the longest valid prefix.
            for end in range(len(raw), 4, -1):
                candidate = raw[:end]
                if is_valid_rf(candidate):
                    invoices = self.references.get(candidate, [])
                    for invoice_id in invoices:
                        _keep(found, RefHit(invoice_id, "rf", candidate))
                    if not invoices:
                        unknown.append(candidate)
                    break

    def _read(
        self, text: str, found: dict[str, RefHit], unresolved: list[str], *, wrapped: bool
    ) -> None:
        words = _WORD.findall(text)
        for word in words:
            if word in self.references or compact(word) in self.references:
                for invoice_id in self.references.get(word) or self.references[compact(word)]:
                    _keep(found, RefHit(invoice_id, "reference", word))
        runs = [r for w in words for r in _RUNS.findall(w)]
        self._windows(runs, found, wrapped=wrapped, ocr=False)
        repaired = [self._repair(w) for w in words]
        if repaired != words:
            runs = [r for w in repaired for r in _RUNS.findall(w)]
            self._windows(runs, found, wrapped=wrapped, ocr=True)
        texts = [h.text for h in found.values()]
        unresolved.extend(self._number_like(words, texts))

    def _repair(self, word: str) -> str:
        """Look-alike letters next to digits read as digits, the numbering's prefix kept."""
        runs = _RUNS.findall(word)
        keep = runs[0] if runs and runs[0] in self.numbering.prefixes else ""
        rest = word[len(keep) :]
        return keep + _OCR_RUN.sub(lambda m: m.group().translate(_LOOKALIKE), rest)

    def _number_like(self, words: list[str], hit_texts: list[str]) -> list[str]:
        tokens = []
        for word in words:
            flat = compact(word)
            if any(t in flat or flat in t for t in hit_texts):
                continue
            digits = "".join(r for r in _RUNS.findall(word) if r.isdigit())
            if digits and self.numbering.looks_like_invoice([digits]):
                tokens.append(digits)
        return tokens

    def _windows(
        self,
        runs: list[str],
        found: dict[str, RefHit],
        *,
        wrapped: bool,
        ocr: bool,
    ) -> None:
        used_until = -1
        for start, first in enumerate(runs):
            if start <= used_until or not (first.isdigit() or first in self.numbering.prefixes):
                continue
            end = self._longest_hit(runs, start, found, wrapped=wrapped, ocr=ocr)
            if end is not None:
                used_until = end

    def _longest_hit(
        self, runs: list[str], start: int, found: dict[str, RefHit], *, wrapped: bool, ocr: bool
    ) -> int | None:
        stop = min(len(runs), start + self.max_runs)
        for end in range(stop - 1, start - 1, -1):
            window = runs[start : end + 1]
            if not window[-1].isdigit() or any(r.isalpha() for r in window[1:]):
                continue
            hits = self._lookup(window)
            if hits:
                for invoice_id, found_how in hits:
                    how = "ocr" if ocr else "wrapped" if wrapped else found_how
                    _keep(found, RefHit(invoice_id, how, "".join(window)))
                return end
        return None

    def _lookup(self, window: list[str]) -> list[tuple[str, str]]:
        exact = self.keys.get("F" + "".join(window))
        if exact:
            return [(i, "exact") for i, _ in exact]
        core = _core(window)
        entries = self.keys.get("C" + core)
        if not entries and len(window) > 1:
            # A number cut by a line break or a space: its digit runs glued back.
            entries = self.keys.get("C" + "".join(r for r in window if r.isdigit()).lstrip("0"))
        if not entries:
            return []
        prefixed = window[0].isalpha()
        digits = len(core.replace(".", ""))
        if prefixed:
            how = "core"
        elif digits >= max(5, self.numbering.min_digits):
            how = "no-prefix"
        else:
            how = "short"
        return [(i, how) for i, _ in entries]


def _keep(found: dict[str, RefHit], hit: RefHit) -> None:
    old = found.get(hit.invoice_id)
    if old is None or hit.strength > old.strength:
        found[hit.invoice_id] = hit


def near_misses(
    tokens: Iterable[str], candidates: Iterable[str], *, max_distance: int = 1
) -> list[tuple[str, str]]:
    """Invoices whose digits differ from a token by one typing error (or transposition).

    Only for a small candidate set (one customer's invoices, the invoices of one
    amount): never the whole ledger.

    Returns:
        ``(invoice_id, token)`` pairs.
    """
    pairs = []
    keyed = []
    for invoice_id in candidates:
        runs = _RUNS.findall(invoice_id.upper())
        core = _core(runs)
        glued = "".join(r for r in runs if r.isdigit()).lstrip("0")
        keyed.append((invoice_id, {core.replace(".", ""), core.rsplit(".", 1)[-1], glued}))
    for token in {t.lstrip("0") for t in tokens}:
        if len(token) < 4:
            continue
        for invoice_id, targets in keyed:
            if token in targets:
                continue
            if any(
                DamerauLevenshtein.distance(token, t, score_cutoff=max_distance) <= max_distance
                for t in targets
            ):
                pairs.append((invoice_id, token))
    return pairs
