"""Text-PDF purchase orders: pdfplumber's positioned words through the layout reader.

A PDF belongs here when it has a text layer and that text reads as an order; a PDF
without a text layer is a scan and belongs to the OCR extractor. Both ask
:func:`pdf_profile`, so the two never claim the same document. Encrypted PDFs, PDFs
over the page or size cap and PDFs that do not parse are claimed here and refused with
their reason.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from connectors.base import Extractor, RawDocument
from connectors.documents.checks import TEXT_LAYER, apply_checks
from connectors.documents.layout import read_layout
from connectors.documents.table import find_header
from connectors.documents.words import Page, Word, group_lines
from hub.errors import BadDocument
from hub.model import Order

log = logging.getLogger(__name__)

MAX_PAGES = 50
MAX_BYTES = 25 * 1024 * 1024
MIN_TEXT_CHARS = 40
LOW_CONFIDENCE = 0.85  # as the validation robot's default floor
_ENCRYPTED = "encrypted PDF: ask the sender for a copy without a password"


@dataclass(frozen=True)
class PdfProfile:
    """What a PDF is, decided once for every extractor that asks.

    Attributes:
        kind: ``text`` (a text layer), ``image`` (pages without text: a scan),
            ``embedded`` (carries an XML order/invoice: Order-X, Factur-X),
            ``refused`` (encrypted, too big, too many pages, broken).
        pages: Number of pages (0 when unknown).
        order_like: The text layer reads as an order.
        reason: Why a ``refused`` PDF is refused.
    """

    kind: str
    pages: int = 0
    order_like: bool = False
    reason: str = ""


def is_pdf(content: bytes) -> bool:
    """Whether the bytes start like a PDF (the header may follow up to 1 KiB of junk)."""
    return b"%PDF-" in content[:1024]


def pdf_profile(content: bytes) -> PdfProfile:
    """Classify a PDF: text layer, scan, embedded XML, or refused with a reason."""
    if len(content) > MAX_BYTES:
        return PdfProfile("refused", reason=f"PDF over the {MAX_BYTES // 2**20} MB cap")
    if b"/EmbeddedFile" in content:
        return PdfProfile("embedded")
    return _profile(content)


@lru_cache(maxsize=8)  # identify and extract of one document ask in turn
def _profile(content: bytes) -> PdfProfile:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            count = len(pdf.pages)
            refusal = _refusal(pdf.doc.encryption is not None, count)
            text = "" if refusal else " ".join(p.extract_text() or "" for p in pdf.pages[:2])
    except Exception as exc:  # pdfminer raises many types on broken and locked files
        if isinstance(exc, PDFPasswordIncorrect) or b"/Encrypt" in content:
            return PdfProfile("refused", reason=_ENCRYPTED)
        return PdfProfile("refused", reason=f"PDF does not parse: {type(exc).__name__}")
    if refusal:
        return PdfProfile("refused", count, reason=refusal)
    if len(text.strip()) < MIN_TEXT_CHARS:
        return PdfProfile("image", count)
    return PdfProfile("text", count, order_like=_reads_as_order(content))


def _refusal(encrypted: bool, pages: int) -> str:
    if encrypted:
        return _ENCRYPTED
    if pages > MAX_PAGES:
        return f"{pages} pages, over the {MAX_PAGES}-page cap for an order"
    return ""


def _reads_as_order(content: bytes) -> bool:
    """A lines-table header (Réf/Qté/PU...) on one of the first two pages."""
    return any(find_header(group_lines(page)) for page in pdf_pages(content, limit=2))


def pdf_pages(content: bytes, limit: int | None = None) -> list[Page]:
    """The positioned words of each page of a text PDF (the first ``limit`` pages)."""
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for number, page in enumerate(pdf.pages[:limit], start=1):
            words = tuple(
                Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]),
                     float(w["bottom"]), 1.0, number)
                for w in page.extract_words(keep_blank_chars=False, use_text_flow=False)
            )
            pages.append(Page(number, float(page.width), float(page.height), words))
    return pages


class PdfTextExtractor(Extractor):
    """Purchase orders printed to PDF with a text layer (format ``pdf-text``)."""

    name: ClassVar[str] = "pdf-text"
    formats: ClassVar[tuple[str, ...]] = ("pdf-text",)
    low_confidence: float = LOW_CONFIDENCE

    def identify(self, raw: RawDocument) -> bool:
        """A PDF with a text layer that reads as an order, or one to refuse."""
        if not is_pdf(raw.head):
            return False
        profile = pdf_profile(raw.content)
        return profile.kind == "refused" or (profile.kind == "text" and profile.order_like)

    def extract(self, raw: RawDocument) -> list[Order]:
        """The order printed in the PDF.

        Raises:
            BadDocument: encrypted, over a cap, broken, or no order number/lines.
            NotAnOrder: readable text that holds no order.
        """
        from connectors.documents.build import build_order

        profile = pdf_profile(raw.content)
        if profile.kind == "refused":
            raise BadDocument(profile.reason, source=raw.name)
        if profile.kind != "text":
            raise BadDocument("PDF has no text layer: a scan for the OCR reader",
                              source=raw.name)
        reading = read_layout(pdf_pages(raw.content), ocr=False)
        apply_checks(reading, TEXT_LAYER)
        try:
            return [build_order(reading, raw, format="pdf-text", threshold=self.low_confidence)]
        except BadDocument as exc:
            raise exc.with_source(raw.name) from None
