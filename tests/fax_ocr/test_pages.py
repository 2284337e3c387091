"""Page decoding and clean-up, without OCR: caps, corrupt files, aspect, skew, specks."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from PIL import Image, ImageDraw

from connectors.fax_ocr.clean import clean_page, despeckle, rotate, skew_angle
from connectors.fax_ocr.pages import MAX_PIXELS, PNG, TIFF, load_pages, sniff
from hub.errors import BadDocument
from tests.fax_ocr.corpus import make_spec
from tests.fax_ocr.degrade import FINE, STANDARD, fax_order, rasterise
from tests.fax_ocr.render import render_pdf


def _huge_tiff(width: int, height: int) -> bytes:
    """A TIFF header declaring a huge 1-bit page, with no pixel data behind it."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 1), (259, 3, 1, 4),
               (262, 3, 1, 0), (273, 4, 1, 8), (278, 4, 1, height), (279, 4, 1, 16)]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHII", tag, kind, count, value)
    ifd += struct.pack("<I", 0)
    body = b"\x00" * 16
    return b"II*\x00" + struct.pack("<I", 8 + len(body)) + body + ifd


def test_pixel_cap_is_checked_before_decoding() -> None:
    with pytest.raises(BadDocument, match="pixel cap"):
        load_pages(_huge_tiff(100_000, 100_000), TIFF)


def test_page_just_over_the_cap_is_refused_by_our_check() -> None:
    side = int(MAX_PIXELS**0.5) + 10
    with pytest.raises(BadDocument, match=r"page 1: .* over the .*-pixel cap"):
        load_pages(_huge_tiff(side, side), TIFF)


def test_corrupt_tiff() -> None:
    good = fax_order(render_pdf(make_spec(1)), "X", 1)
    with pytest.raises(BadDocument, match="corrupt TIFF"):
        load_pages(good[:200], TIFF)


def test_sniff_by_content() -> None:
    assert sniff(b"II*\x00rest") is TIFF
    assert sniff(b"\x89PNG\r\n\x1a\nrest") is PNG
    assert sniff(b"%PDF-1.4") is None


def test_standard_mode_fax_gets_square_pixels() -> None:
    pdf = render_pdf(make_spec(4))
    fine = load_pages(fax_order(pdf, "X", 4, FINE), TIFF)[0]
    standard = load_pages(fax_order(pdf, "X", 4, STANDARD), TIFF)[0]
    assert abs(standard.height / standard.width - fine.height / fine.width) < 0.01
    assert abs(fine.height / fine.width - 297 / 210) < 0.02


def test_multipage_tiff_gives_every_page() -> None:
    pdf = render_pdf(make_spec(5))
    pages = rasterise(pdf) * 3
    buffer = io.BytesIO()
    frames = [p.convert("1") for p in pages]
    frames[0].save(buffer, format="TIFF", compression="group4", dpi=FINE, save_all=True,
                   append_images=frames[1:])
    assert len(load_pages(buffer.getvalue(), TIFF)) == 3


def _text_page() -> np.ndarray:
    image = Image.new("L", (800, 1000), 255)
    draw = ImageDraw.Draw(image)
    for row in range(60, 940, 40):
        draw.rectangle((60, row, 740, row + 14), fill=0)
    return np.asarray(image) < 128


def test_skew_is_measured_and_undone() -> None:
    page = _text_page()
    turned = rotate(page, 1.2)
    angle = skew_angle(turned)
    assert abs(angle + 1.2) <= 0.15
    assert abs(skew_angle(rotate(turned, angle))) <= 0.15


def test_specks_go_and_text_stays() -> None:
    page = _text_page()
    noisy = page.copy()
    rng = np.random.default_rng(7)
    noisy[rng.random(page.shape) < 0.002] = True
    cleaned = despeckle(noisy)
    assert np.count_nonzero(cleaned & ~page) < 0.1 * np.count_nonzero(noisy & ~page)
    assert np.count_nonzero(page & ~cleaned) == 0


def test_blank_page_has_no_ink() -> None:
    _, ink = clean_page(Image.new("L", (1728, 2200), 255))
    assert ink == 0
