"""PDFium behind one lock: renders from many threads at once agree with one thread."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hub.safe_pdf import UnreadablePdfError, open_pdf, pdf_page_count, render_page
from tests.email.bad_mails import pdf
from tests.hub import pdfium_threads

ROOT = Path(__file__).parents[2]
SAMPLES = pdfium_threads.SAMPLES


def test_a_rendered_page_outlives_its_document() -> None:
    content = SAMPLES[0].read_bytes()
    with open_pdf(content) as document:
        image = render_page(document[0], 0.5)
        size = document[0].get_size()
    # Read after the document is closed: the image must own its pixels.
    assert image.mode == "RGB"
    assert image.size == (round(size[0] * 0.5), round(size[1] * 0.5))
    assert image.getextrema() != ((255, 255), (255, 255), (255, 255)), "a blank page"


def test_grayscale_pages_are_one_channel() -> None:
    with open_pdf(SAMPLES[0].read_bytes()) as document:
        image = render_page(document[0], 0.5, grayscale=True)
    assert image.mode == "L"
    assert image.getextrema() != (255, 255), "a blank page"


def test_threads_rendering_at_once_get_what_one_thread_gets() -> None:
    rounds = 150
    done = subprocess.run(
        [sys.executable, "-m", "tests.hub.pdfium_threads", str(rounds)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    one_thread = [pdfium_threads.digest(path.read_bytes()) for path in SAMPLES]
    assert done.stdout.splitlines() == one_thread * rounds


def test_page_count_does_not_render() -> None:
    assert pdf_page_count(pdf(500)) == 500


@pytest.mark.parametrize(
    ("content", "encrypted"),
    [(b"%PDF-1.7\n1 0 obj garbage", False), (b"not a pdf at all", False),
     (pdf(password="secret"), True)],
    ids=["corrupt", "junk", "encrypted"],
)
def test_unreadable_bytes_raise_a_typed_error(content: bytes, encrypted: bool) -> None:
    with pytest.raises(UnreadablePdfError) as caught:
        pdf_page_count(content)
    assert caught.value.encrypted is encrypted
    assert str(caught.value)


def test_the_lock_is_released_after_an_error() -> None:
    with pytest.raises(UnreadablePdfError):
        pdf_page_count(b"junk")
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(pdf_page_count, SAMPLES[0].read_bytes()).result(timeout=30) >= 1
