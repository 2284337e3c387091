"""Page images out of a scan or fax: TIFF (CCITT G3/G4), PNG, JPEG, image-only PDF.

Sizes are checked from the file header before any pixel is decoded, so a decompression
bomb is refused without allocating it. Standard-mode faxes (204 x 98 dpi) have pixels
twice as tall as wide; they are stretched back to the page's real proportions.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageSequence, UnidentifiedImageError

from hub.errors import BadDocument
from hub.safe_pdf import UnreadablePdfError, open_pdf, render_page

if TYPE_CHECKING:
    from pypdfium2 import PdfPage

MAX_PAGES = 20
MAX_PIXELS = 40_000_000  # an A4 page at 600 dpi is 35 Mpx; fax pages are about 4 Mpx
PDF_DPI = 200
FAX_WIDTHS = (1728, 2048, 2432, 3456)
# PIL's own guard refuses anything twice this size even if a caller forgets the check.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class ScanKind:
    """What kind of scan the bytes are: ``tiff``, ``png``, ``jpeg`` or ``pdf``."""

    name: str
    format: str


TIFF = ScanKind("tiff", "tiff-scan")
PNG = ScanKind("png", "image-scan")
JPEG = ScanKind("jpeg", "image-scan")
PDF = ScanKind("pdf", "pdf-scan")


def sniff(head: bytes) -> ScanKind | None:
    """The scan kind from the first bytes (PDFs are asked about separately)."""
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG
    if head[:3] == b"\xff\xd8\xff":
        return JPEG
    return None


def load_pages(content: bytes, kind: ScanKind) -> list[Image.Image]:
    """Every page as a greyscale image with square pixels.

    Raises:
        BadDocument: corrupt image, over the pixel or page cap.
    """
    if kind is PDF:
        return _pdf_pages(content)
    try:
        image = Image.open(io.BytesIO(content))
        pages = [_square(frame, number) for number, frame in enumerate(_frames(image), 1)]
    except Image.DecompressionBombError:
        raise BadDocument(f"image over the {MAX_PIXELS:,}-pixel cap") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BadDocument(f"corrupt {kind.name.upper()} image: {exc}") from None
    if not pages:
        raise BadDocument(f"{kind.name.upper()} image has no page")
    return pages


def _frames(image: Image.Image) -> Iterator[Image.Image]:
    for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
        if number > MAX_PAGES:
            raise BadDocument(f"more than {MAX_PAGES} pages, over the cap for one order")
        width, height = frame.size
        if width * height > MAX_PIXELS:  # checked from the header, before decoding
            raise BadDocument(f"page {number}: {width}x{height} pixels, over the "
                              f"{MAX_PIXELS:,}-pixel cap", location=f"page {number}")
        yield frame


def _square(frame: Image.Image, number: int) -> Image.Image:
    frame.load()
    grey = frame.convert("L")
    stretch = _vertical_stretch(frame)
    if abs(stretch - 1) > 0.02:
        size = (grey.width, round(grey.height * stretch))
        grey = grey.resize(size, Image.Resampling.BILINEAR)
    return grey


def _vertical_stretch(frame: Image.Image) -> float:
    dpi = frame.info.get("dpi")
    if dpi and dpi[0] and dpi[1] and float(dpi[1]) > 0:
        return float(dpi[0]) / float(dpi[1])
    width, height = frame.size
    # No resolution tag: a fax-width page far wider than A4 is standard mode.
    if width in FAX_WIDTHS and height / width < 0.8:
        return 2.0
    return 1.0


def _pdf_pages(content: bytes) -> list[Image.Image]:
    try:
        with open_pdf(content) as document:
            if len(document) > MAX_PAGES:
                raise BadDocument(f"{len(document)} pages, over the {MAX_PAGES}-page cap")
            return [_render(page, number) for number, page in enumerate(document, start=1)]
    except UnreadablePdfError as exc:
        raise BadDocument(f"PDF does not open: {exc}") from None


def _render(page: PdfPage, number: int) -> Image.Image:
    width, height = page.get_size()
    scale = PDF_DPI / 72
    if width * height * scale * scale > MAX_PIXELS:
        raise BadDocument(f"page {number}: {width:.0f}x{height:.0f} pt, too large to render",
                          location=f"page {number}")
    return render_page(page, scale, grayscale=True)
