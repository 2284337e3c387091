"""Positioned words, and the text lines and phrases they form on a page.

Both readers of paper orders produce the same input: words with a box and a
confidence. pdfplumber gives them for text PDFs (confidence 1.0); Tesseract's
``image_to_data`` gives them for scans. Everything downstream works on these alone, so
the layout logic is written once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from statistics import median


@dataclass(frozen=True)
class Word:
    """One word on a page, in page units (PDF points or image pixels), y down.

    Attributes:
        text: The word as read.
        x0: Left edge.
        x1: Right edge.
        top: Top edge.
        bottom: Bottom edge.
        confidence: 0..1; 1.0 for a text layer, Tesseract's word confidence for scans.
        page: Page number, from 1.
    """

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float = 1.0
    page: int = 1

    @property
    def height(self) -> float:
        """Height of the word's box."""
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        """Vertical centre."""
        return (self.top + self.bottom) / 2

    @cached_property
    def token(self) -> str:
        """The word normalised for matching labels: lower case, no accents, no edge
        punctuation; ``N°`` and its OCR variants become ``no``."""
        return normalise(self.text)


@dataclass(frozen=True)
class Page:
    """The words of one page and its size (same units as the words)."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]


_NUMERO = re.compile(r"^n[°º*o]$|^no\.?$|^nr\.?$|^#$")


def normalise(text: str) -> str:
    """Lower case, accents removed, edge punctuation stripped; ``N°`` → ``no``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("º", "°").strip(":;,()[]{}'\"‘’`«»")
    if _NUMERO.match(plain):
        return "no"
    return plain.strip(".°") if len(plain) > 1 else plain


class TextLine:
    """Words that share a baseline, left to right."""

    def __init__(self, words: list[Word]) -> None:
        self.words = sorted(words, key=lambda w: w.x0)

    @property
    def page(self) -> int:
        """Page number."""
        return self.words[0].page

    @property
    def top(self) -> float:
        """Top of the highest word."""
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        """Bottom of the lowest word."""
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        """Left edge."""
        return self.words[0].x0

    @property
    def x1(self) -> float:
        """Right edge."""
        return max(w.x1 for w in self.words)

    @property
    def height(self) -> float:
        """Typical word height on the line."""
        return median(w.height for w in self.words)

    @property
    def text(self) -> str:
        """The words joined by spaces."""
        return " ".join(w.text for w in self.words)

    @property
    def tokens(self) -> list[str]:
        """Normalised words."""
        return [w.token for w in self.words]

    def phrases(self, gap_ratio: float = 0.8) -> list[list[Word]]:
        """Runs of words closer than ``gap_ratio`` line heights: the cells of the line."""
        limit = gap_ratio * max(self.height, 1.0)
        runs: list[list[Word]] = [[self.words[0]]]
        for word in self.words[1:]:
            if word.x0 - runs[-1][-1].x1 > limit:
                runs.append([word])
            else:
                runs[-1].append(word)
        return runs

    def __repr__(self) -> str:
        return f"TextLine(p{self.page} y={self.top:.0f} {self.text!r})"


def group_lines(page: Page) -> list[TextLine]:
    """The page's words grouped into text lines, top to bottom.

    A word joins the line whose vertical extent overlaps at least half of the smaller of
    the two heights, which tolerates mixed font sizes and a little residual skew.
    """
    lines: list[list[Word]] = []
    for word in sorted(page.words, key=lambda w: (w.middle, w.x0)):
        if not word.text.strip():
            continue
        target = _matching_line(lines, word)
        if target is None:
            lines.append([word])
        else:
            target.append(word)
    return sorted((TextLine(ws) for ws in lines), key=lambda line: (line.top, line.x0))


def _matching_line(lines: list[list[Word]], word: Word) -> list[Word] | None:
    for line in reversed(lines[-4:]):
        top = median(w.top for w in line)
        bottom = median(w.bottom for w in line)
        overlap = min(bottom, word.bottom) - max(top, word.top)
        if overlap >= 0.5 * min(bottom - top, word.height):
            return line
    return None


def words_text(words: list[Word] | tuple[Word, ...]) -> str:
    """Words joined by single spaces."""
    return " ".join(w.text for w in words)


def box_of(words: list[Word] | tuple[Word, ...]) -> tuple[float, float, float, float]:
    """The box around some words: (x0, top, x1, bottom)."""
    return (
        min(w.x0 for w in words),
        min(w.top for w in words),
        max(w.x1 for w in words),
        max(w.bottom for w in words),
    )
