"""Count and render the sample PDFs from eight threads at once; print each digest.

Run in its own process by ``test_safe_pdf``: without the lock PDFium corrupts its heap
within a few hundred calls and the process dies, which a test must see as a failure,
not as the end of the whole test session.
"""

from __future__ import annotations

import hashlib
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hub.safe_pdf import open_pdf, pdf_page_count, render_page

SAMPLES = sorted((Path(__file__).parents[1] / "samples" / "pdf").glob("*.pdf"))


def digest(content: bytes) -> str:
    """Pages and a hash of the first page's pixels, read after the document is closed."""
    pages = pdf_page_count(content)
    with open_pdf(content) as document:
        image = render_page(document[0], 1.0)
    return f"{pages} {hashlib.sha256(image.tobytes()).hexdigest()}"


def main(rounds: int) -> None:
    """Print the digest of every sample ``rounds`` times over, in order."""
    contents = [path.read_bytes() for path in SAMPLES]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for line in pool.map(digest, contents * rounds):
            print(line)


if __name__ == "__main__":
    main(int(sys.argv[1]))
