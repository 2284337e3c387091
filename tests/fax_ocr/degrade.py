"""Turn a clean PDF into what a fax machine delivers: 1-bit pages at fax resolution,
slightly rotated, with speckle, dropped scan lines and the sender's header line."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from hub.safe_pdf import open_pdf, render_page

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FINE = (204, 196)
STANDARD = (204, 98)


@dataclass(frozen=True)
class Noise:
    """How badly the line treated the page.

    Attributes:
        angle: Rotation of the paper in the feeder, degrees.
        speckle: Share of pixels flipped to black.
        dropouts: Number of scan lines lost (white streaks).
        threshold: Grey level under which a pixel prints black.
        upside_down: The sheet went in head first.
    """

    angle: float = 0.0
    speckle: float = 0.0
    dropouts: int = 0
    threshold: int = 150
    upside_down: bool = False


def random_noise(rng: random.Random, *, upside_down: bool = False) -> Noise:
    """A plausible fax degradation: up to 1.5 degrees, light speckle, a few drop-outs."""
    return Noise(angle=rng.uniform(-1.5, 1.5), speckle=rng.uniform(0.0005, 0.003),
                 dropouts=rng.randrange(0, 6), threshold=rng.randrange(130, 175),
                 upside_down=upside_down)


def rasterise(pdf: bytes, resolution: tuple[int, int] = FINE) -> list[Image.Image]:
    """Grey pages at a fax resolution (horizontal, vertical dpi); pixels are not square
    in standard mode, exactly as the fax machine samples them."""
    pages = []
    with open_pdf(pdf) as document:
        for page in document:
            image = render_page(page, resolution[0] / 72).convert("L")
            height = round(image.height * resolution[1] / resolution[0])
            pages.append(image.resize((image.width, height), Image.Resampling.LANCZOS))
    return pages


def degrade(page: Image.Image, noise: Noise, rng: random.Random, header: str) -> Image.Image:
    """One page as received: rotated, thresholded to 1 bit, speckled, with drop-outs and
    the transmitting machine's header line on top."""
    image = page.rotate(noise.angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    if noise.upside_down:
        image = image.rotate(180)
    pixels = np.asarray(image) < noise.threshold
    nprng = np.random.default_rng(rng.randrange(2**32))
    pixels |= nprng.random(pixels.shape) < noise.speckle
    for _ in range(noise.dropouts):
        row = rng.randrange(pixels.shape[0])
        pixels[row : row + rng.randrange(1, 3), :] = False
    result = Image.fromarray(~pixels).convert("1")
    _stamp_header(result, header)
    return result


def _stamp_header(image: Image.Image, header: str) -> None:
    # The header font is squeezed in standard mode like everything the machine prints.
    squeeze = image.height / image.width / 1.414
    font = ImageFont.truetype(FONT, 22)
    strip = Image.new("1", (image.width, 30), 1)
    ImageDraw.Draw(strip).text((20, 3), header, font=font, fill=0)
    strip = strip.resize((image.width, max(8, round(30 * squeeze))))
    image.paste(strip, (0, 4))


def fax_tiff(pages: list[Image.Image], resolution: tuple[int, int] = FINE,
             compression: str = "group4") -> bytes:
    """A multi-page CCITT TIFF as a fax server stores it."""
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", compression=compression, dpi=resolution,
                  save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def fax_header(rng: random.Random, sender: str, page: int, pages: int) -> str:
    """``12/03/2025 10:42  +33 4 78 12 34 56  SENDER  P. 001/002``."""
    phone = f"+33 {rng.randrange(1, 6)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} " \
            f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}"
    return (f"{rng.randrange(1, 28):02d}/{rng.randrange(1, 12):02d}/2025 "
            f"{rng.randrange(7, 19):02d}:{rng.randrange(60):02d}  {phone}  {sender[:24].upper()}"
            f"  P. {page:03d}/{pages:03d}")


def fax_order(pdf: bytes, sender: str, seed: int, resolution: tuple[int, int] = FINE,
              *, upside_down: bool = False, compression: str = "group4") -> bytes:
    """A degraded fax TIFF of a PDF, reproducible from ``seed``."""
    rng = random.Random(seed)
    pages = rasterise(pdf, resolution)
    noisy = [degrade(page, random_noise(rng, upside_down=upside_down), rng,
                     fax_header(rng, sender, number, len(pages)))
             for number, page in enumerate(pages, start=1)]
    return fax_tiff(noisy, resolution, compression)
