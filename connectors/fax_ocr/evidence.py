"""Evidence crops: the image of the page region behind an extracted field.

``order.evidence`` maps each field path to ``{"page": n, "box": [x0, y0, x1, y1]}``,
the box as fractions of the page's width and height (plus ``"turn"`` when the page was
turned upright). The page is prepared exactly as at extraction (clean-up is
deterministic), so the crop shows what the reader saw. Text PDFs are rendered by
pypdfium2 (through `hub.safe_pdf`) instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from PIL import Image

from connectors.documents.pdf import is_pdf, pdf_profile
from connectors.fax_ocr.clean import clean_page
from connectors.fax_ocr.pages import PDF, load_pages, sniff
from hub.documents import RawDocument
from hub.errors import BadDocument
from hub.safe_pdf import UnreadablePdfError, open_pdf, render_page

MARGIN = 0.01  # of the page size, around the box, so the value is seen in context
TEXT_PDF_DPI = 150


def render_crop(raw: RawDocument, entry: dict[str, Any]) -> bytes:
    """A PNG of the page region named by one evidence entry.

    Args:
        raw: The document the order was extracted from.
        entry: ``{"page": 1, "box": [x0, y0, x1, y1]}`` (fractions), optional ``"turn"``.

    Raises:
        BadDocument: the document is not a scan or PDF, or the page does not exist.
    """
    page = _page_image(raw, int(entry["page"]), int(entry.get("turn", 0)))
    return _crop_png(page, entry["box"])


def render_crops(raw: RawDocument, evidence: dict[str, dict[str, Any]]) -> Iterator[
        tuple[str, dict[str, Any], bytes]]:
    """(field path, entry, PNG) for every evidence entry, preparing each page once."""
    pages: dict[tuple[int, int], Image.Image] = {}
    for field, entry in evidence.items():
        key = (int(entry["page"]), int(entry.get("turn", 0)))
        if key not in pages:
            pages[key] = _page_image(raw, *key)
        yield field, entry, _crop_png(pages[key], entry["box"])


def _page_image(raw: RawDocument, number: int, turn: int) -> Image.Image:
    if is_pdf(raw.head) and pdf_profile(raw.content).kind == "text":
        return _text_pdf_page(raw.content, number)
    kind = PDF if is_pdf(raw.head) else sniff(raw.head)
    if kind is None:
        raise BadDocument("no page images in this document", source=raw.name)
    images = load_pages(raw.content, kind)
    if not 1 <= number <= len(images):
        raise BadDocument(f"no page {number}", source=raw.name)
    cleaned, _ = clean_page(images[number - 1])
    return cleaned.rotate(-turn, expand=True) if turn else cleaned


def _text_pdf_page(content: bytes, number: int) -> Image.Image:
    try:
        with open_pdf(content) as document:
            if not 1 <= number <= len(document):
                raise BadDocument(f"no page {number}")
            return render_page(document[number - 1], TEXT_PDF_DPI / 72).convert("L")
    except UnreadablePdfError as exc:
        raise BadDocument(f"PDF does not open: {exc}") from None


def _crop_png(page: Image.Image, box: list[float]) -> bytes:
    x0, y0, x1, y1 = box
    width, height = page.size
    area = (
        max(0, round((x0 - MARGIN) * width)),
        max(0, round((y0 - MARGIN) * height)),
        min(width, round((x1 + MARGIN) * width)),
        min(height, round((y1 + MARGIN) * height)),
    )
    buffer = io.BytesIO()
    page.crop(area).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
