"""Page clean-up before OCR: binarise, despeckle, deskew (OpenCV on numpy arrays).

Orientation (upside-down pages) is Tesseract's OSD, asked in :mod:`connectors.fax_ocr.ocr`
only when a page does not read, because OSD costs as much as reading the page.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

MAX_SKEW = 3.0  # degrees searched either way; fax feeders stay within about 1.5
SKEW_STEP = 0.1
BLANK_INK = 0.001  # share of black pixels under which a page holds nothing


def binarise(grey: np.ndarray) -> np.ndarray:
    """Ink mask (True = black). Otsu for fax-like pages, adaptive for photos whose
    lighting varies across the sheet."""
    mid_tones = np.count_nonzero((grey > 40) & (grey < 215)) / grey.size
    if mid_tones < 0.05:
        _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    else:
        binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                       cv2.THRESH_BINARY, 41, 15)
    return binary == 0


def despeckle(ink: np.ndarray, max_area: int = 3) -> np.ndarray:
    """Remove specks: connected ink blobs of at most ``max_area`` pixels (line noise);
    the dot of an i at fax resolution is several times larger."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    small = np.zeros(count, dtype=bool)
    small[1:] = stats[1:, cv2.CC_STAT_AREA] <= max_area
    return ink & ~small[labels]


def remove_rules(ink: np.ndarray) -> np.ndarray:
    """Remove ruled lines (table rules, form boxes): long horizontal or vertical runs of
    ink that no glyph has. Text inside a box is then read as text, not as a border."""
    length = max(40, ink.shape[1] // 25)
    mask = ink.astype(np.uint8)
    across = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    down = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    rules = (np.asarray(across) > 0) | (np.asarray(down) > 0)
    return ink & ~rules


def skew_angle(ink: np.ndarray) -> float:
    """The rotation (degrees) that makes text rows horizontal: the angle whose
    horizontal projection has the sharpest peaks, searched on a quarter-size copy."""
    small = cv2.resize(ink.astype(np.uint8) * 255, (ink.shape[1] // 4, ink.shape[0] // 4),
                       interpolation=cv2.INTER_AREA)
    centre = (small.shape[1] / 2, small.shape[0] / 2)
    best, best_score = 0.0, -1.0
    for angle in np.arange(-MAX_SKEW, MAX_SKEW + SKEW_STEP / 2, SKEW_STEP):
        matrix = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        turned = cv2.warpAffine(small, matrix, (small.shape[1], small.shape[0]))
        rows = turned.sum(axis=1, dtype=np.float64)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return round(best, 2)


def rotate(ink: np.ndarray, angle: float) -> np.ndarray:
    """The ink mask turned by ``angle`` degrees (counter-clockwise), same size."""
    centre = (ink.shape[1] / 2, ink.shape[0] / 2)
    matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
    turned = cv2.warpAffine(ink.astype(np.uint8) * 255, matrix, (ink.shape[1], ink.shape[0]),
                            flags=cv2.INTER_LINEAR, borderValue=0)
    return turned > 127


def clean_page(image: Image.Image) -> tuple[Image.Image, float]:
    """A page ready for OCR (1-bit, black on white) and the share of ink on it.

    The same input always gives the same output, so an evidence crop can be cut later
    from the raw document with the boxes found at extraction.
    """
    ink = despeckle(binarise(np.asarray(image.convert("L"))))
    coverage = float(np.count_nonzero(ink)) / ink.size
    if coverage >= BLANK_INK and abs(angle := skew_angle(ink)) >= SKEW_STEP:
        ink = rotate(ink, angle)
    return Image.fromarray(~remove_rules(ink)), coverage
