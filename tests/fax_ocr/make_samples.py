"""Write the small committed samples: ``python -m tests.fax_ocr.make_samples``.

The golden JSON beside each sample is written by the tests with ``O2C_WRITE_GOLDEN=1``
(only when missing) and reviewed by hand against the values the generator printed.
"""

from __future__ import annotations

from tests.conftest import SAMPLES
from tests.fax_ocr.corpus import make_spec
from tests.fax_ocr.degrade import FINE, STANDARD, fax_order
from tests.fax_ocr.render import render_pdf

PDF_SAMPLES = {"fr_classic": 11, "en_classic": 12, "fr_boxed": 13, "fr_compact": 14}
# name: (order seed, layout, resolution, CCITT compression)
FAX_SAMPLES = {
    "fr_classic_fine": (0, "fr_classic", FINE, "group4"),
    "fr_boxed_standard": (2, "fr_boxed", STANDARD, "group3"),
}


def main() -> None:
    """Write every committed sample."""
    folder = SAMPLES / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    for layout, seed in PDF_SAMPLES.items():
        (folder / f"{layout}.pdf").write_bytes(render_pdf(make_spec(seed, layout)))
    folder = SAMPLES / "fax"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (seed, layout, resolution, compression) in FAX_SAMPLES.items():
        spec = make_spec(seed, layout)
        tiff = fax_order(render_pdf(spec), spec.buyer["name"], seed, resolution,
                         compression=compression)
        (folder / f"{name}.tif").write_bytes(tiff)


if __name__ == "__main__":
    main()
