"""Write the small committed samples: ``python -m tests.fax_ocr.make_samples``.

The golden JSON beside each sample is written by the tests with ``O2C_WRITE_GOLDEN=1``
(only when missing) and reviewed by hand against the values the generator printed.
"""

from __future__ import annotations

from tests.conftest import SAMPLES
from tests.fax_ocr.corpus import make_spec
from tests.fax_ocr.render import render_pdf

PDF_SAMPLES = {"fr_classic": 11, "en_classic": 12, "fr_boxed": 13, "fr_compact": 14}


def main() -> None:
    """Write every committed sample."""
    folder = SAMPLES / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    for layout, seed in PDF_SAMPLES.items():
        (folder / f"{layout}.pdf").write_bytes(render_pdf(make_spec(seed, layout)))


if __name__ == "__main__":
    main()
