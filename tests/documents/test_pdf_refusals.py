"""Text PDFs that must be refused, each with its reason, and PDFs that are not ours."""

from __future__ import annotations

import io

import pytest
from reportlab.pdfgen.canvas import Canvas

from connectors.documents.pdf import PdfTextExtractor, pdf_profile
from hub.documents import RawDocument
from hub.errors import BadDocument, NotAnOrder
from tests.fax_ocr.corpus import make_spec
from tests.fax_ocr.render import cover_sheet_pdf, letter_pdf, render_pdf


def _pdf(pages: int = 1, *, encrypt: str | None = None, text: str = "Bon de commande") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, encrypt=encrypt, invariant=1)
    for _ in range(pages):
        canvas.drawString(72, 720, f"{text} n° 12345")
        canvas.drawString(72, 690, "Réf.   Désignation   Qté   PU   Montant")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _refusal(content: bytes) -> str:
    raw = RawDocument(content, "po.pdf")
    extractor = PdfTextExtractor()
    assert extractor.identify(raw)
    with pytest.raises(BadDocument) as caught:
        extractor.extract(raw)
    return str(caught.value)


def test_encrypted_pdf_is_refused() -> None:
    assert "encrypted PDF" in _refusal(_pdf(encrypt="secret"))


def test_500_page_pdf_is_refused() -> None:
    assert "500 pages, over the 50-page cap" in _refusal(_pdf(500))


def test_truncated_pdf_is_refused() -> None:
    content = render_pdf(make_spec(2))
    assert "does not parse" in _refusal(content[:600])


def test_order_words_without_order_data() -> None:
    message = _refusal(_pdf())
    assert message.startswith("po.pdf: lines table: no order lines found")
    assert "encrypted" not in message


def test_letter_and_cover_sheet_are_not_claimed() -> None:
    extractor = PdfTextExtractor()
    for content in (letter_pdf(), cover_sheet_pdf()):
        assert pdf_profile(content).kind == "text"
        assert not extractor.identify(RawDocument(content, "letter.pdf"))


def test_letter_extracted_on_purpose_is_not_an_order() -> None:
    with pytest.raises(NotAnOrder, match="holds no order"):
        PdfTextExtractor().extract(RawDocument(letter_pdf(), "letter.pdf"))


def test_non_pdf_is_not_claimed() -> None:
    assert not PdfTextExtractor().identify(RawDocument(b"UNA:+.? 'UNB+UNOC:3", "x.pdf"))
