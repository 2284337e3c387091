"""The layout reader that text PDFs and scans share: positioned words to order fields.

Input: the pages of a document as positioned words (:class:`Page` of :class:`Word`),
from pdfplumber for a text layer or from Tesseract for a scan. Output: a
:class:`Reading` holding each header field, party block and table row as a
:class:`~connectors.documents.values.Read` (value, words, confidence), which
:mod:`connectors.documents.build` turns into a canonical order after the checks.

Example:
    >>> reading = read_layout(pages, ocr=False)
    >>> reading.fields["buyer_order_number"].value
    'PO-2025-0042'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.documents.header import header_fields
from connectors.documents.parties import PartyRead, party_blocks
from connectors.documents.table import Row, find_header, read_rows
from connectors.documents.values import Read, currency_in, read_of
from connectors.documents.words import Page, TextLine, Word, group_lines

__all__ = ["Page", "Read", "Reading", "Word", "read_layout"]


@dataclass
class Reading:
    """Everything the layout reader found in a document.

    Attributes:
        fields: Header fields by canonical name (``buyer_order_number``, ``order_date``,
            ``requested_delivery_date``, ``currency``, ``payment_terms``,
            ``incoterms``, ``total_amount``).
        parties: Party blocks by role (``buyer``, ``seller``, ``ship_to``, ``bill_to``).
        rows: The lines table, in reading order.
        page_sizes: Width and height of each page, by page number.
        text: Every line of text, for classifying documents that hold no order.
    """

    fields: dict[str, Read] = field(default_factory=dict)
    parties: dict[str, PartyRead] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    page_sizes: dict[int, tuple[float, float]] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)


def read_layout(pages: list[Page], *, ocr: bool = False) -> Reading:
    """Read header fields, parties and the lines table from positioned words.

    Args:
        pages: The document's pages, in order.
        ocr: The words come from OCR: numbers are repaired for look-alike letters.

    Returns:
        The reading; fields the document does not state are absent.
    """
    reading = Reading(page_sizes={p.number: (p.width, p.height) for p in pages})
    outside: list[TextLine] = []
    for page in pages:
        lines = group_lines(page)
        reading.text.extend(line.text for line in lines)
        table_lines = _read_table(lines, reading, ocr=ocr)
        outside.extend(line for line in lines if id(line) not in table_lines)
    reading.fields = header_fields(outside, ocr=ocr)
    if pages:
        first = [line for line in outside if line.page == pages[0].number]
        reading.parties = party_blocks(first, pages[0].width)
    if "currency" not in reading.fields and (currency := _currency_sign(reading)):
        reading.fields["currency"] = currency
    return reading


def _read_table(lines: list[TextLine], reading: Reading, *, ocr: bool) -> set[int]:
    found = find_header(lines)
    if found is None:
        return set()
    index, columns = found
    rows = read_rows(lines[index + 1 :], columns, header_bottom=lines[index].bottom, ocr=ocr)
    reading.rows.extend(rows)
    last = max((line.bottom for row in rows for line in row.lines), default=lines[index].bottom)
    return {id(line) for line in lines[index:] if line.top <= last + 0.1}


def _currency_sign(reading: Reading) -> Read | None:
    words: list[Word] = [w for row in reading.rows for r in row.cells.values() for w in r.words]
    if total := reading.fields.get("total_amount"):
        words.extend(total.words)
    for word in words:
        if code := currency_in(word.text):
            return read_of(code, [word])
    return None
