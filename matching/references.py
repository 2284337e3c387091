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

import functools
import operator
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

_RUNS = re.compile(r"[A-Z]+|[0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
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


def words(text: str | None) -> list[str]:
    """The words of a text that carry a digit, compacted (``K-7781`` gives ``K7781``)."""
    return [compact(w) for w in _WORD.findall((text or "").upper())
            if any(ch.isdigit() for ch in w)]


def compact(text: str) -> str:
    """Letters and digits only, upper case: the form references are compared in."""
    upper = text.upper()
    if upper.isalnum() and upper.isascii():
        return upper  # most words need no cleaning: no pattern run
    return _NOT_ALNUM.sub("", upper)


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
        # Each key gives one invoice id, or a list when several ids share it (most keys
        # name one invoice: a list each would be a million lists at 300,000 items).
        exact: _Keys = ([], [])
        cores: _Keys = ([], [])
        tails: _Keys = ([], [])
        self.references: dict[str, list[str]] = {}
        ids: list[str] = []
        longest = 1
        findall = _RUNS.findall
        for invoice_id, reference in items:
            ids.append(invoice_id)
            runs = findall(invoice_id.upper())
            if runs:
                longest = max(longest, len(runs))
                _invoice_keys(invoice_id, runs, exact, cores, tails)
            if reference:
                self.references.setdefault(compact(reference), []).append(invoice_id)
        #: The id's letters and digits as printed (``FA2024000123``).
        self.exact = _grouped(*exact)
        #: Digit runs without leading zeros (``2024.123``), and glued (``2024000123``).
        self.cores = _grouped(*cores)
        #: The running number alone (``123``), for ids of several digit runs.
        self.tails = _grouped(*tails)
        # The scheme shows in a sample as well as in the whole ledger.
        self.numbering = Numbering(ids[:: max(1, len(ids) // 20_000)])
        # A window spans at most the runs of the longest id, plus one for a wrapped line.
        self.max_runs = longest + 1

    # --- reading text ------------------------------------------------------------------

    def exact_only(self, text: str | None) -> list[str] | None:
        """The invoices a text names when every number in it is an invoice id as printed.

        The common case, answered with one look-up per word; ``None`` when any number
        in the text needs the tolerant reading of :meth:`extract`.
        """
        if not text:
            return None
        ids = []
        for word in _WORD.findall(text.upper()):
            if word.isalnum():  # upper-case ASCII letters and digits only
                if word.isalpha() or (word.isdigit() and len(word) < 3):
                    continue  # words, and numbers too short to name an invoice ("2 %")
                flat = word
            elif any(map(str.isdigit, word)):
                flat = _NOT_ALNUM.sub("", word)
            else:
                continue
            found = self.exact.get(flat)
            if found is None or found.__class__ is not str:
                return None  # not an id as printed, or one shared by several invoices
            ids.append(found)
        return ids or None

    def by_reference(self, reference: str | None) -> list[str]:
        """Invoices whose printed payment reference is exactly ``reference``."""
        return list(self.references.get(compact(reference), ())) if reference else []

    def extract(self, *texts: str | None) -> Extraction:
        """Every invoice the texts name (remittance, structured reference, end-to-end id).

        The first text is what the payer typed and is read tolerantly; the others are
        machine references, searched for invoice ids and references as printed.

        Line breaks inside a number (bank wrapping at 27, 35 or 65 characters) are
        glued back first; hits found only when the lines are read apart count less.
        """
        found: dict[str, RefHit] = {}
        unresolved: list[str] = []
        unknown_rf: list[str] = []
        for number, text in enumerate(texts):
            if not text:
                continue
            upper = text.upper()
            glued = _ALNUM_BREAK.sub("", upper)
            # Only what the payer typed (the first text) is searched for typing errors;
            # machine references (end-to-end ids) are digits that resemble everything.
            if "RF" in glued:
                self._read_rf(glued, found, unknown_rf)
            if number > 0:
                self._read_machine(glued, found)
                continue
            self._read(glued, found, unresolved, wrapped=False)
            if glued != upper:
                self._read(upper.replace("\n", " "), found, unresolved, wrapped=True)
        return Extraction(list(found.values()), unresolved, unknown_rf)

    def _read_machine(self, text: str, found: dict[str, RefHit]) -> None:
        """A structured reference or end-to-end id: invoice ids or references verbatim."""
        for word in _WORD.findall(text):
            flat = compact(word)
            for invoice_id in self.references.get(flat, ()):
                _keep(found, RefHit(invoice_id, "reference", word))
            for invoice_id in _listed(self.exact.get(flat)):
                _keep(found, RefHit(invoice_id, "exact", word))

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
        """Read what the payer typed, tolerantly."""
        words = _WORD.findall(text)
        for word in words:
            if word in self.references or compact(word) in self.references:
                for invoice_id in self.references.get(word) or self.references[compact(word)]:
                    _keep(found, RefHit(invoice_id, "reference", word))
        self._windows(_word_runs(words), found, wrapped=wrapped, ocr=False)
        repaired = [self._repair(w) for w in words] if _OCR_RUN.search(text) else words
        if repaired != words:
            self._windows(_word_runs(repaired), found, wrapped=wrapped, ocr=True)
            # A tail read before the repair ("123" of "OO123") gives way to the whole number.
            whole = [h.text for h in found.values() if h.how == "ocr"]
            for invoice_id, hit in list(found.items()):
                if hit.how == "short" and any(hit.text in w for w in whole):
                    del found[invoice_id]
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
            if word.isalpha():
                continue  # no digits: nothing number-like
            flat = compact(word)
            if any(t in flat or flat in t for t in hit_texts):
                continue
            digits = "".join(r for r in _RUNS.findall(word) if r.isdigit())
            if digits and self.numbering.looks_like_invoice([digits]):
                tokens.append(digits)
        return tokens

    def _windows(
        self,
        runs: tuple[list[str], set[int]],
        found: dict[str, RefHit],
        *,
        wrapped: bool,
        ocr: bool,
    ) -> None:
        used_until = -1
        for start, first in enumerate(runs[0]):
            if start <= used_until or not (first.isdigit() or first in self.numbering.prefixes):
                continue
            end = self._longest_hit(runs, start, found, wrapped=wrapped, ocr=ocr)
            if end is not None:
                used_until = end

    def _longest_hit(
        self,
        runs: tuple[list[str], set[int]],
        start: int,
        found: dict[str, RefHit],
        *,
        wrapped: bool,
        ocr: bool,
    ) -> int | None:
        values, word_ends = runs
        stop = min(len(values), start + self.max_runs)
        for end in range(stop - 1, start - 1, -1):
            window = values[start : end + 1]
            # A window ends where a word ends: "FV-26" is not a number inside "FV-26-002019".
            if end not in word_ends or any(r.isalpha() for r in window[1:]):
                continue
            hits = self._lookup(window)
            if hits and hits[0][1] == "short" and len(_core(window)) < 3:
                # "2 %", "lot 12": a number this short names an invoice too easily.
                hits = []
            if hits:
                for invoice_id, found_how in hits:
                    how = "ocr" if ocr else "wrapped" if wrapped else found_how
                    _keep(found, RefHit(invoice_id, how, "".join(window)))
                return end
        return None

    def _lookup(self, window: list[str]) -> list[tuple[str, str]]:
        exact = self.exact.get("".join(window))
        if exact:
            return [(i, "exact") for i in _listed(exact)]
        core = _core(window)
        entries = self.cores.get(core)
        if not entries and len(window) > 1:
            # A number cut by a line break or a space: its digit runs glued back.
            entries = self.cores.get("".join(r for r in window if r.isdigit()).lstrip("0"))
        if not entries and len(window) == 1 and window[0].isdigit():
            entries = self.tails.get(core)
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
        return [(i, how) for i in _listed(entries)]


Ids = str | list[str]
"""One invoice id, or the several that share an index key."""
_Keys = tuple[list[str], list[str]]
"""Index keys and the invoice id of each, in ledger order."""


def _invoice_keys(invoice_id: str, runs: list[str], exact: _Keys, cores: _Keys,
                  tails: _Keys) -> None:
    """The keys one invoice id is found under (see the module's docstring)."""
    digit_runs = [r for r in runs if r.isdigit()]
    exact[0].append("".join(runs))
    exact[1].append(invoice_id)
    if len(digit_runs) > 1:
        stripped = [r.lstrip("0") or "0" for r in digit_runs]
        cores[0].extend((".".join(stripped), "".join(digit_runs).lstrip("0") or "0"))
        cores[1].extend((invoice_id, invoice_id))
        # The running number alone, as customers quote it within one year.
        tails[0].append(stripped[-1])
        tails[1].append(invoice_id)
    else:
        cores[0].append((digit_runs[0].lstrip("0") or "0") if digit_runs else "")
        cores[1].append(invoice_id)


def _grouped(keys: list[str], ids: list[str]) -> dict[str, Ids]:
    """Each key with its invoice id, or the list of them (in order) when several share it.

    Most keys name one invoice: one dictionary built in C, then lists for the few
    shared keys only (a list per key would be a million lists at 300,000 items).
    """
    index: dict[str, Ids] = dict(zip(keys, ids, strict=True))
    if len(index) == len(keys):
        return index
    shared: dict[str, list[str]] = {k: [] for k, n in Counter(keys).items() if n > 1}
    for key, invoice_id in zip(keys, ids, strict=True):
        listed = shared.get(key)
        if listed is not None:
            listed.append(invoice_id)
    index.update(shared)
    return index


def _listed(ids: Ids | None) -> Sequence[str]:
    if ids is None:
        return ()
    return (ids,) if isinstance(ids, str) else ids


def _word_runs(words: list[str]) -> tuple[list[str], set[int]]:
    """The letter and digit runs of the words, and the indexes where a word ends."""
    runs: list[str] = []
    ends: set[int] = set()
    for word in words:
        runs.extend(_RUNS.findall(word))
        if runs:
            ends.add(len(runs) - 1)
    return runs, ends


def _keep(found: dict[str, RefHit], hit: RefHit) -> None:
    old = found.get(hit.invoice_id)
    if old is None or hit.strength > old.strength:
        found[hit.invoice_id] = hit


@functools.lru_cache(maxsize=262144)
def _typo_targets(invoice_id: str) -> tuple[str, ...]:
    """The digit strings a customer may have meant for this invoice."""
    digit_runs = _DIGITS.findall(invoice_id)
    stripped = [r.lstrip("0") or "0" for r in digit_runs]
    tail = stripped[-1] if stripped else ""
    return tuple({"".join(stripped), tail, "".join(digit_runs).lstrip("0")})


def near_misses(
    tokens: Iterable[str], candidates: Iterable[str], *, max_distance: int = 1
) -> list[tuple[str, str]]:
    """Invoices whose digits differ from a token by one typing error (or transposition).

    Only for a small candidate set (one customer's invoices, the invoices of one
    amount): never the whole ledger.

    Returns:
        ``(invoice_id, token)`` pairs.
    """
    return TypoTargets(list(candidates)).near_misses(tokens, max_distance=max_distance)


class TypoTargets:
    """The digit strings a set of invoices may have been mistyped from, for
    :func:`near_misses`; built once for a pool that several payments compare with.

    Args:
        invoice_ids: The candidate invoices, without repeats.
    """

    def __init__(self, invoice_ids: Sequence[str]) -> None:
        self.invoice_ids = invoice_ids
        pairs = [(t, i) for i in invoice_ids for t in _typo_targets(i)]
        self.targets = [t for t, _ in pairs]
        self.owners = [i for _, i in pairs]

    def __add__(self, other: TypoTargets) -> TypoTargets:
        """Both pools, in order (the caller makes sure no invoice is in both)."""
        joined = TypoTargets(())
        joined.invoice_ids = [*self.invoice_ids, *other.invoice_ids]
        joined.targets = self.targets + other.targets
        joined.owners = self.owners + other.owners
        return joined

    def near_misses(
        self, tokens: Iterable[str], *, max_distance: int = 1
    ) -> list[tuple[str, str]]:
        """:func:`near_misses` against this pool."""
        wanted = [t for t in {t.lstrip("0") for t in tokens} if len(t) >= 4]
        if not wanted:
            return []
        targets, owners = self.targets, self.owners
        pairs: dict[tuple[str, str], None] = {}
        for token in wanted:
            exact = ({owners[k] for k, t in enumerate(targets) if t == token}
                     if token in targets else ())
            # One call in C++ for the whole pool, put back in pool order; the generator
            # of extract_iter was slower and left its frames as cyclic garbage.
            close = process.extract(token, targets, scorer=DamerauLevenshtein.distance,
                                    score_cutoff=max_distance, limit=None)
            for _, distance, k in sorted(close, key=operator.itemgetter(2)):
                if distance > 0 and owners[k] not in exact:
                    pairs[(owners[k], token)] = None
        return list(pairs)
