"""Faxed and scanned purchase orders: pages → clean-up → Tesseract → layout reader.

Formats: ``tiff-scan`` (fax TIFF, CCITT G3/G4, fine or standard), ``pdf-scan`` (PDF
pages without a text layer), ``image-scan`` (PNG/JPEG). Channel ``fax`` unless the
document came by another channel (a scan attached to an e-mail stays ``email``).

Every field carries an honest confidence in ``order.confidence``: what the OCR engine
thought of the glyphs, capped at 0.85 unless an independent check confirms the value
(arithmetic, check digit, master data). Fields under :attr:`OcrSettings.min_confidence`
are listed in ``order.low_confidence`` for validation to route to ADV.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar

from PIL import Image
from pydantic import Field

from connectors.base import Extractor, RawDocument
from connectors.documents.build import build_order
from connectors.documents.checks import OCR, apply_checks
from connectors.documents.layout import Reading, read_layout
from connectors.documents.pdf import is_pdf, pdf_profile
from connectors.documents.words import Page
from connectors.fax_ocr import ocr
from connectors.fax_ocr.clean import BLANK_INK, clean_page
from connectors.fax_ocr.pages import PDF, ScanKind, load_pages, sniff
from connectors.fax_ocr.repair import repair_reading
from hub.errors import BadDocument, NotAnOrder
from hub.model import Order
from hub.settings import Section

READABLE = 0.55  # mean word confidence under which a page is suspected upside down


class OcrSettings(Section):
    """The fax/scan reader (``[fax_ocr]`` in ``o2c.toml``)."""

    min_confidence: float = Field(default=0.85, ge=0, le=1)
    """Fields read with less confidence are flagged for validation (LOW_CONFIDENCE)."""

    page_timeout: float = Field(default=30.0, gt=0)
    """Seconds Tesseract may spend on one page before the document is refused."""

    workers: int = Field(default=max(1, os.cpu_count() or 1), ge=1)
    """Pages read side by side, one Tesseract process each."""


@dataclass
class ReadPage:
    """One page after clean-up and OCR."""

    page: Page
    turn: int = 0
    blank: bool = False


class FaxOcrExtractor(Extractor):
    """Orders in faxes, scanned PDFs and photos of paper orders."""

    name: ClassVar[str] = "fax-ocr"
    formats: ClassVar[tuple[str, ...]] = ("tiff-scan", "pdf-scan", "image-scan")
    settings: OcrSettings = OcrSettings()

    def identify(self, raw: RawDocument) -> bool:
        """TIFF, PNG and JPEG images, and PDFs without a text layer."""
        return _kind(raw) is not None

    def extract(self, raw: RawDocument) -> list[Order]:
        """The order on the pages.

        Raises:
            NotAnOrder: the pages hold no order (a letter, a cover sheet).
            BadDocument: blank pages, corrupt or oversized image, unreadable page, OCR
                past its time limit, order number or lines missing.
        """
        kind = _kind(raw)
        if kind is None:
            raise BadDocument("not a scan: TIFF, PNG, JPEG or image-only PDF expected",
                              source=raw.name)
        try:
            return [self._extract(raw, kind)]
        except BadDocument as exc:
            raise exc.with_source(raw.name) from None

    def _extract(self, raw: RawDocument, kind: ScanKind) -> Order:
        images = load_pages(raw.content, kind)
        read = self.read_pages(images)
        pages = [r.page for r in read if not r.blank]
        if not pages:
            raise BadDocument(f"{'every page is' if len(read) > 1 else 'the page is'} blank",
                              code="BLANK_PAGE")
        reading = read_layout(pages, ocr=True)
        apply_checks(reading, OCR)
        repair_reading(reading, self.reference)
        channel = "fax" if raw.channel == "file" else raw.channel
        order = build_order(reading, _with_channel(raw, channel), format=kind.format,
                            threshold=self.settings.min_confidence, unread=_unread(reading))
        turned = {r.page.number: r.turn for r in read if r.turn}
        for entry in order.evidence.values():  # type: ignore[attr-defined]
            if turn := turned.get(entry["page"]):
                entry["turn"] = turn
        return order

    def read_pages(self, images: list[Image.Image]) -> list[ReadPage]:
        """Clean and read every page, side by side."""
        workers = min(self.settings.workers, len(images))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(self.read_page, images, range(1, len(images) + 1)))

    def read_page(self, image: Image.Image, number: int) -> ReadPage:
        """Clean one page and read its words; turn it upright when OSD says so."""
        cleaned, ink = clean_page(image)
        empty = Page(number, cleaned.width, cleaned.height, ())
        if ink < BLANK_INK:
            return ReadPage(empty, blank=True)
        timeout = self.settings.page_timeout
        words = ocr.read_words(cleaned, number, timeout)
        if ocr.mean_confidence(words) >= READABLE:
            return ReadPage(Page(number, cleaned.width, cleaned.height, tuple(words)))
        turn, _ = ocr.orientation(cleaned, number, timeout)
        if turn:
            cleaned = cleaned.rotate(-turn, expand=True)
            words = ocr.read_words(cleaned, number, timeout)
        if ocr.mean_confidence(words) < READABLE:
            raise BadDocument(
                f"page does not read (mean OCR confidence {ocr.mean_confidence(words):.0%}"
                f"{', even turned upright' if turn else ''})",
                location=f"page {number}", code="UNREADABLE_DOCUMENT")
        return ReadPage(Page(number, cleaned.width, cleaned.height, tuple(words)), turn=turn)


def _unread(reading: Reading) -> frozenset[str]:
    """Header fields a purchase order prints that OCR may have lost: the order date and
    the total always; the delivery date when the page speaks of one."""
    expected = {"order_date", "total_amount"}
    text = " ".join(reading.text).lower()
    if "ivraison" in text or "elivery" in text:  # also when a letter is misread
        expected.add("requested_delivery_date")
    return frozenset(expected - set(reading.fields))


def _kind(raw: RawDocument) -> ScanKind | None:
    if is_pdf(raw.head):
        return PDF if pdf_profile(raw.content).kind == "image" else None
    return sniff(raw.head)


def _with_channel(raw: RawDocument, channel: str) -> RawDocument:
    from dataclasses import replace

    return replace(raw, channel=channel)  # type: ignore[arg-type]


__all__ = ["FaxOcrExtractor", "NotAnOrder", "OcrSettings"]
