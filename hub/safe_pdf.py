"""PDF rendering that threads cannot crash.

PDFium, the library under pypdfium2, is not thread-safe: two threads inside it at
once, even on different documents, can crash the whole process. The workbench serves
page images from a thread pool and the scheduler runs connectors on threads, so every
call into pypdfium2 in o2c goes through here, one at a time under a process-wide lock.
Each document is closed before the lock is released: one left to the garbage
collector would be closed later, unlocked, on whichever thread happens to collect it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image
    from pypdfium2 import PdfDocument, PdfPage

# Re-entrant so that a caller holding a document may ask for its page count.
_PDFIUM = threading.RLock()


class UnreadablePdfError(ValueError):
    """PDFium refused to open the bytes.

    Attributes:
        encrypted: the document needs a password.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.encrypted = "password" in reason.lower()


@contextmanager
def open_pdf(content: bytes) -> Iterator[PdfDocument]:
    """The document of ``content``, usable only inside the ``with`` block.

    Other threads wait for PDFium until the block ends; keep it short.

    Raises:
        UnreadablePdfError: the bytes are not a PDF PDFium can open.
    """
    import pypdfium2 as pdfium

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(content)
        except pdfium.PdfiumError as exc:
            raise UnreadablePdfError(str(exc)) from None
        try:
            yield document
        finally:
            # Closing the document closes its pages and bitmaps too.
            document.close()


def pdf_page_count(content: bytes) -> int:
    """Number of pages; PDFium does not parse the pages to count them.

    Raises:
        UnreadablePdfError: the bytes are not a PDF PDFium can open.
    """
    with open_pdf(content) as document:
        return len(document)


def render_page(page: PdfPage, scale: float, *, grayscale: bool = False) -> Image.Image:
    """A page of a document opened with :func:`open_pdf`, as a Pillow image.

    The image owns its pixels: the PDFium bitmap behind it is freed before returning,
    so the image stays valid after the document is closed.

    Args:
        page: a page of the open document.
        scale: pixels per PDF point (1 is 72 dpi).
        grayscale: render in shades of grey (mode ``L``) rather than RGB.
    """
    with _PDFIUM:
        bitmap = page.render(scale=scale, grayscale=grayscale)
        try:
            return bitmap.to_pil().convert("L" if grayscale else "RGB")
        finally:
            bitmap.close()
