"""Party blocks of a paper order: the buyer's letterhead, supplier, ship-to, bill-to.

On a purchase order the buyer is the company whose letterhead issues it (top left of the
first page); the block labelled "Fournisseur"/"Supplier" names the seller. A labelled
block is the run of lines under its label, within the label's column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from connectors.documents.header import BLOCK_LABELS, FIELD_LABELS, LabelHit, find_labels
from connectors.documents.values import Read, identifiers, read_of
from connectors.documents.words import TextLine, Word

_TITLES = {"bon", "commande", "purchase", "order", "bdc", "po", "page"}
_FAX_HEADER = re.compile(r"\d{1,2}:\d{2}|\bp(?:age)?\.?\s*\d+\s*/\s*\d+|\bfax\b", re.IGNORECASE)
_POSTAL = re.compile(r"^(?:[A-Z]{1,2}-)?(\d{4,5})\s+(.+)$")
_POSTAL_AFTER = re.compile(r"^(.+?)\s+(\d{5})$")
_UK_POSTCODE = re.compile(r"^(.+?),?\s+([A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})$")
_UK_POSTCODE_FIRST = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}),?\s+(.+)$")
_STREET_POSTAL = re.compile(r"^(.+?)\s*[,\-–]\s*(\d{5})\s+(.+)$")
_IDENTIFIER_LINE = re.compile(
    r"\b(tva|vat|siret|siren|gln|t[ée]l|tel|phone|fax|e-?mail|www|capital|rcs)\b|@",
    re.IGNORECASE,
)
COUNTRIES = {
    "france": "FR", "belgique": "BE", "belgium": "BE", "united kingdom": "GB", "uk": "GB",
    "royaume-uni": "GB", "england": "GB", "germany": "DE", "allemagne": "DE", "spain": "ES",
    "espagne": "ES", "italy": "IT", "italie": "IT", "suisse": "CH", "switzerland": "CH",
    "luxembourg": "LU", "netherlands": "NL", "pays-bas": "NL", "ireland": "IE", "irlande": "IE",
}


@dataclass
class PartyRead:
    """A party block as read: its lines, and the fields found in them."""

    lines: list[list[Word]]
    fields: dict[str, Read] = field(default_factory=dict)


def party_blocks(lines: list[TextLine], page_width: float) -> dict[str, PartyRead]:
    """The labelled party blocks, plus the buyer's letterhead when none is labelled."""
    blocks: dict[str, PartyRead] = {}
    for index, line in enumerate(lines):
        hits = find_labels(line, BLOCK_LABELS)
        for hit in hits:
            if hit.kind in blocks:
                continue
            right = _right_limit(hit, hits, page_width)
            block = _block(hit, lines[index + 1 :], right)
            if block:
                blocks[hit.kind] = parse_party(block)
    if "buyer" not in blocks and (letterhead := _letterhead(lines, page_width)):
        blocks["buyer"] = parse_party(letterhead)
    return blocks


def _right_limit(hit: LabelHit, hits: list[LabelHit], page_width: float) -> float:
    to_the_right = [h.words[0].x0 for h in hits if h.words[0].x0 > hit.words[-1].x1]
    # a little short of the next label: a scan's residual skew shifts its column left
    return min(to_the_right, default=page_width) - 0.8 * max(hit.line.height, 1.0)


def _block(hit: LabelHit, below: list[TextLine], right: float) -> list[list[Word]]:
    height = max(hit.line.height, 1.0)
    left = hit.words[0].x0 - 1.5 * height
    block: list[list[Word]] = []
    after = [w for w in hit.after if w.token not in ("", ":") and w.x0 < right]
    if after:
        block.append(after)
    bottom = hit.line.bottom
    for line in below:
        if line.page != hit.line.page or line.top - bottom > 1.9 * height or len(block) >= 7:
            break
        words = [w for w in line.words if left <= w.x0 < right]
        if not words:
            continue
        if find_labels(TextLine(words), FIELD_LABELS | BLOCK_LABELS) and block:
            break
        block.append(words)
        bottom = line.bottom
    return block


def _letterhead(lines: list[TextLine], page_width: float) -> list[list[Word]]:
    first_page = [line for line in lines if line.page == lines[0].page]
    block: list[list[Word]] = []
    bottom = None
    for line in first_page:
        words = [w for p in line.phrases(1.2) if p[0].x0 < page_width * 0.45 for w in p]
        if not words:
            continue
        if bottom is None and (_is_noise(TextLine(words)) or words[0].x0 > page_width * 0.3
                               or line.top < page_width * 0.035):
            continue  # titles, and the fax machine's header band at the very top
        if bottom is not None and line.top - bottom > 1.9 * max(line.height, 1.0):
            break
        if find_labels(TextLine(words), FIELD_LABELS | BLOCK_LABELS):
            break
        block.append(words)
        bottom = line.bottom
    return block


def _is_noise(line: TextLine) -> bool:
    tokens = set(line.tokens)
    return bool(_FAX_HEADER.search(line.text)) or len(tokens & _TITLES) >= 2


def parse_party(block: list[list[Word]]) -> PartyRead:
    """Name, address and identifiers from the lines of a party block."""
    party = PartyRead(block)
    texts = [" ".join(w.text for w in ws) for ws in block]
    party.fields["name"] = read_of(texts[0], block[0])
    postal_index = None
    for i, text in enumerate(texts[1:], start=1):
        if _IDENTIFIER_LINE.search(text):
            continue
        if postal_index is None and _postal(text, block[i], party):
            postal_index = i
        elif postal_index is not None and (country := COUNTRIES.get(text.strip().lower())):
            party.fields["country"] = read_of(country, block[i])
    streets = [i for i in range(1, postal_index or 0) if not _IDENTIFIER_LINE.search(texts[i])]
    if streets and "street" not in party.fields:
        words = [w for i in streets for w in block[i]]
        party.fields["street"] = read_of(", ".join(texts[i] for i in streets), words)
    for key, value in identifiers("\n".join(texts)).items():
        party.fields[key] = read_of(value, _words_holding(value, block))
    return party


def _postal(text: str, words: list[Word], party: PartyRead) -> bool:
    text = text.strip(" '\"‘’`.,;:|")
    if match := _STREET_POSTAL.match(text):
        party.fields["street"] = read_of(match[1], words)
        party.fields["postal_code"] = read_of(match[2], words)
        party.fields["city"] = read_of(match[3], words)
        return True
    for pattern, code_group, city_group in ((_POSTAL, 1, 2), (_POSTAL_AFTER, 2, 1),
                                            (_UK_POSTCODE_FIRST, 1, 2), (_UK_POSTCODE, 2, 1)):
        if match := pattern.match(text):
            party.fields["postal_code"] = read_of(match[code_group], words)
            party.fields["city"] = read_of(match[city_group].strip(" ,"), words)
            return True
    return False


def _words_holding(value: str, block: list[list[Word]]) -> list[Word]:
    compact = value.replace(" ", "")
    for words in block:
        if compact in "".join(w.text for w in words).replace(" ", ""):
            return words
    return block[0]
