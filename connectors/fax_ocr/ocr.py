"""Tesseract through pytesseract: positioned words with confidences, and orientation.

pytesseract runs one ``tesseract`` process per call, so each page is read by its own
process; pages of a document run side by side from a thread pool. ``OMP_THREAD_LIMIT=1``
keeps each process on one thread: OpenMP threads gave no speed-up on two cores and caused
very slow outliers when pages ran in parallel. ``--psm 4`` (a single column of text of
variable sizes) reads order tables better than ``--psm 6``.
"""

from __future__ import annotations

import os

from PIL import Image

from connectors.documents.words import Word
from hub.errors import BadDocument

LANGUAGES = "fra+eng"
PAGE_SEGMENTATION = "--psm 4"

# pytesseract hands os.environ to every tesseract process it starts.
os.environ["OMP_THREAD_LIMIT"] = "1"


class OcrTimeout(BadDocument):
    """OCR of a page ran past its time limit."""


def read_words(image: Image.Image, page: int, timeout: float) -> list[Word]:
    """The words Tesseract reads on a page, in pixels, confidence 0..1.

    Raises:
        OcrTimeout: past ``timeout`` seconds (the process is killed).
        BadDocument: Tesseract failed on the image.
    """
    import pytesseract

    try:
        data = pytesseract.image_to_data(image, lang=LANGUAGES, config=PAGE_SEGMENTATION,
                                         timeout=timeout, output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise OcrTimeout(f"OCR passed its {timeout:g} s limit", location=f"page {page}",
                             code="OCR_TIMEOUT") from None
        raise BadDocument(f"OCR failed: {exc}", location=f"page {page}") from None
    except pytesseract.TesseractError as exc:
        raise BadDocument(f"OCR failed: {exc.message}", location=f"page {page}") from None
    return _words(data, page)


def _words(data: dict[str, list], page: int) -> list[Word]:
    heights = sorted(h for h, c in zip(data["height"], data["conf"], strict=True) if float(c) > 0)
    floor = 0.35 * heights[len(heights) // 2] if heights else 0
    words = []
    for text, conf, left, top, width, height in zip(
        data["text"], data["conf"], data["left"], data["top"], data["width"], data["height"],
        strict=True,
    ):
        confidence = float(conf)
        if confidence < 0 or height < floor or not _meaningful(text.strip()):
            continue  # empty boxes, remains of ruled lines, specks read as glyphs
        words.append(Word(text.strip(), float(left), float(left + width), float(top),
                          float(top + height), round(confidence / 100, 3), page))
    return words


def _meaningful(text: str) -> bool:
    """Not line noise: mostly letters and digits, or a sign that carries meaning."""
    if text in ("€", "£", "$", "%", "#", "&"):
        return True
    return sum(c.isalnum() for c in text) * 2 >= len(text) > 0


def orientation(image: Image.Image, page: int, timeout: float) -> tuple[int, float]:
    """Tesseract OSD: the clockwise turn (0, 90, 180, 270) that sets the page upright,
    and OSD's confidence in it; (0, 0.0) when OSD finds too little text to decide."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(image, config="--psm 0", timeout=timeout,
                                       output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise OcrTimeout(f"orientation detection passed its {timeout:g} s limit",
                             location=f"page {page}", code="OCR_TIMEOUT") from None
        return 0, 0.0
    except pytesseract.TesseractError:
        return 0, 0.0  # "too few characters": nothing to turn
    return int(osd.get("rotate", 0)) % 360, float(osd.get("orientation_conf", 0.0))


def mean_confidence(words: list[Word]) -> float:
    """Average word confidence, weighted by word length (0 for no words)."""
    total = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / total if total else 0.0
