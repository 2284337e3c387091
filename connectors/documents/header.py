"""Header fields of a paper order: label → value pairs, and the party blocks.

A label is a sequence of normalised words ("n° de commande", "po number"); its value is
the text after it on the same line, or, when nothing follows, the text just below it
(boxed forms print the value under the label). Each value must look like what the label
announces (an order number has a digit, a date parses as a date), so that a title such
as "BON DE COMMANDE" never yields a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from connectors.documents.values import Read, currency_in, parse_amount, parse_date, read_of
from connectors.documents.words import TextLine, Word

Label = tuple[str, ...]

FIELD_LABELS: dict[str, tuple[Label, ...]] = {
    "buyer_order_number": (
        ("no", "de", "commande"), ("no", "commande"), ("numero", "de", "commande"),
        ("numero", "commande"), ("bon", "de", "commande", "no"), ("bon", "de", "commande"),
        ("commande", "no"), ("po", "number"), ("po", "no"), ("po",), ("p.o", "no"),
        ("purchase", "order", "no"), ("purchase", "order", "number"), ("purchase", "order"),
        ("order", "no"), ("order", "number"), ("order", "ref"), ("ref", "commande"),
        ("reference", "commande"), ("votre", "commande"), ("commande",), ("no",),
    ),
    "order_date": (
        ("date", "de", "commande"), ("date", "commande"), ("date", "du", "bon"),
        ("date", "de", "la", "commande"), ("order", "date"), ("po", "date"), ("date",),
        ("issue", "date"), ("dated",),
    ),
    "requested_delivery_date": (
        ("date", "de", "livraison"), ("date", "livraison"), ("livraison", "souhaitee"),
        ("livraison", "souhaitee", "le"), ("date", "de", "livraison", "souhaitee"),
        ("livraison", "prevue"), ("livraison", "le"), ("a", "livrer", "le"), ("livrer", "le"),
        ("delivery", "date"), ("requested", "delivery", "date"), ("requested", "delivery"),
        ("deliver", "by"), ("delivery",), ("livraison",), ("required", "date"),
        ("delai", "de", "livraison"), ("date", "livraison", "souhaitee"),
    ),
    "currency": (("devise",), ("currency",), ("monnaie",)),
    "payment_terms": (
        ("conditions", "de", "paiement"), ("conditions", "de", "reglement"),
        ("mode", "de", "reglement"), ("reglement",), ("payment", "terms"), ("paiement",),
        ("terms",), ("echeance",),
    ),
    "incoterms": (("incoterm",), ("incoterms",)),
    "total_amount": (
        ("total", "ht"), ("total", "hors", "taxes"), ("montant", "total", "ht"),
        ("montant", "ht"), ("total", "net", "ht"), ("net", "total"), ("total", "net"),
        ("subtotal",), ("sous-total",), ("sous", "total"), ("total",), ("total", "amount"),
        ("total", "excl", "vat"), ("order", "total"), ("montant", "total"), ("net", "amount"),
    ),
}
BLOCK_LABELS: dict[str, tuple[Label, ...]] = {
    "ship_to": (
        ("adresse", "de", "livraison"), ("lieu", "de", "livraison"), ("livrer", "a"),
        ("a", "livrer", "a"), ("ship", "to"), ("delivery", "address"), ("deliver", "to"),
    ),
    "bill_to": (
        ("adresse", "de", "facturation"), ("facturation",), ("facturer", "a"), ("bill", "to"),
        ("invoice", "to"), ("invoice", "address"), ("billing", "address"),
    ),
    "seller": (("fournisseur",), ("supplier",), ("vendor",), ("destinataire",), ("seller",)),
    "buyer": (("acheteur",), ("buyer",), ("client",), ("customer",)),
}
_QUALIFIERS = {"ht", "ttc", "hors", "taxes", "tax", "vat", "tva", "net", "excl", "excluding",
               "h.t"}
_VAT_WORDS = {"ttc", "tva", "vat", "taxes"}
_EXCL_WORDS = {"ht", "hors", "excl", "excluding", "net"}
_ORDER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.\-]*[0-9][A-Za-z0-9/_.\-]*$")
_TERMS_DAYS = re.compile(r"(\d{1,3})\s*(?:j\b|jours|days|d\b)|net\s*(\d{1,3})", re.IGNORECASE)


@dataclass
class LabelHit:
    """A label found on a line."""

    kind: str
    size: int
    line: TextLine
    start: int
    end: int

    @property
    def words(self) -> list[Word]:
        """The label's words."""
        return self.line.words[self.start : self.end]

    @property
    def after(self) -> list[Word]:
        """The words of the line after the label."""
        return self.line.words[self.end :]


def spoken(line: TextLine) -> list[tuple[int, str]]:
    """(word index, token) of the words that hold a letter or digit: OCR strews stray
    dots and degree signs between the words of a label."""
    return [(i, t) for i, t in enumerate(line.tokens) if any(c.isalnum() for c in t)]


def find_labels(line: TextLine, labels: dict[str, tuple[Label, ...]]) -> list[LabelHit]:
    """Every label on ``line``, longest first at each position, left to right."""
    indexed = spoken(line)
    tokens = [t for _, t in indexed]
    hits: list[LabelHit] = []
    i = 0
    while i < len(tokens):
        best: tuple[str, int] | None = None
        for kind, names in labels.items():
            for name in names:
                if (not best or len(name) > best[1]) and _says(tokens[i : i + len(name)], name):
                    best = (kind, len(name))
        if best:
            start, end = indexed[i][0], indexed[i + best[1] - 1][0] + 1
            hits.append(LabelHit(best[0], best[1], line, start, end))
            i += best[1]
        else:
            i += 1
    return hits


def _says(tokens: list[str], name: Label) -> bool:
    """Whether the tokens spell the label; long words may be misread by a letter or two
    (``fivraison``)."""
    if len(tokens) != len(name):
        return False
    last = len(name) - 1
    return all(
        t == n
        or (len(n) >= 6 and fuzz.ratio(t, n) >= 80)
        or (i == last and len(n) >= 5 and t.startswith(n))  # "Totallexcl." for "Total (excl."
        for i, (t, n) in enumerate(zip(tokens, name, strict=True))
    )


def header_fields(lines: list[TextLine], *, ocr: bool) -> dict[str, Read]:
    """Label → value pairs outside the lines table; per field the longest label wins."""
    found: dict[str, tuple[int, Read]] = {}
    for index, line in enumerate(lines):
        for hit in find_labels(line, FIELD_LABELS):
            read = _value(hit, lines, index, ocr=ocr)
            if read is not None and hit.size > found.get(hit.kind, (0, None))[0]:
                found[hit.kind] = (hit.size, read)
    return {kind: read for kind, (_, read) in found.items()}


def _value(hit: LabelHit, lines: list[TextLine], index: int, *, ocr: bool) -> Read | None:
    if hit.kind == "total_amount" and not _excludes_vat(hit.line):
        return None
    for candidate in _candidates(hit, lines, index):
        words = [w for w in candidate if any(c.isalnum() or c in "€£$" for c in w.text)]
        if words and (read := _parse(hit.kind, words, ocr=ocr)) is not None:
            return read
    return None


def _excludes_vat(line: TextLine) -> bool:
    tokens = set(line.tokens)
    excluded = bool(tokens & _EXCL_WORDS) or any("exc" in t for t in tokens)
    return not (tokens & _VAT_WORDS) or excluded


def _candidates(hit: LabelHit, lines: list[TextLine], index: int) -> list[list[Word]]:
    after = [w for w in hit.after if any(c.isalnum() or c in "€£$" for c in w.text)]
    while hit.kind == "total_amount" and after and (
        after[0].token in _QUALIFIERS or after[0].token.startswith("exc")
    ):
        after = after[1:]  # "Total (excl. VAT)  1 234,50": the value follows the qualifier
    candidates: list[list[Word]] = []
    if after:
        phrases = TextLine(after).phrases(gap_ratio=1.2)
        gap = after[0].x0 - hit.words[-1].x1
        # a value far to the right belongs to the label only when nothing else sits between
        if gap < 12 * max(hit.line.height, 1.0):
            candidates.append(phrases[0])
    below = _below(hit, lines, index)
    if below:
        candidates.append(below)
    return candidates


def _below(hit: LabelHit, lines: list[TextLine], index: int) -> list[Word] | None:
    label_x0, label_x1 = hit.words[0].x0, hit.words[-1].x1
    height = max(hit.line.height, 1.0)
    for line in lines[index + 1 : index + 3]:
        if line.page != hit.line.page or line.top - hit.line.bottom > 2.2 * height:
            return None
        for phrase in line.phrases(gap_ratio=1.2):
            if phrase[0].x0 < label_x1 + height and phrase[-1].x1 > label_x0 - height:
                # the next label's own value is not this label's
                return None if find_labels(TextLine(phrase), FIELD_LABELS) else phrase
    return None


def _parse(kind: str, words: list[Word], *, ocr: bool) -> Read | None:
    text = " ".join(w.text for w in words)
    value: Any
    if kind == "buyer_order_number":
        token = words[0].text.strip(":;,").lstrip("#")
        return read_of(token, words[:1]) if _ORDER_NUMBER.match(token) else None
    if kind in ("order_date", "requested_delivery_date"):
        value = parse_date(text)
    elif kind == "total_amount":
        parsed = parse_amount(text, repair=ocr)
        value = parsed[0] if parsed else None
    elif kind == "currency":
        value = currency_in(text) or (text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else None)
    elif kind == "payment_terms":
        value = text
    else:
        value = text.split()[0].upper() if text else None
    return read_of(value, words) if value is not None else None


def terms_days(text: str) -> int | None:
    """Net days in payment terms as written: ``30 jours fin de mois``, ``Net 45``."""
    match = _TERMS_DAYS.search(text)
    if not match:
        return None
    return int(match[1] or match[2])
