"""Damaged input never escapes as anything but a BadDocument.

Each sample is mutated deterministically (bytes deleted, duplicated, replaced by a
separator or a release character) and read again: the extractor returns orders that fit
the model, or raises BadDocument. Any other exception would reach the user as a bug.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from connectors.base import Extractor
from connectors.edi.edifact import EdifactExtractor
from connectors.edi.ubl import UblOrderExtractor
from connectors.edi.x12 import X12OrderExtractor
from hub.documents import RawDocument
from hub.errors import BadDocument
from tests.conftest import SAMPLES

CASES = [
    (EdifactExtractor, SAMPLES / "edifact" / "full_mapping_group.edi"),
    (EdifactExtractor, SAMPLES / "edifact" / "una_custom_chars.edi"),
    (X12OrderExtractor, SAMPLES / "x12" / "own_pipe_separators.edi"),
    (UblOrderExtractor, SAMPLES / "ubl" / "peppol_bis3_order.xml"),
]
NOISE = [b"'", b"+", b":", b"?", b"*", b"~", b"<", b"9", b"A", b"\xc3", b"-", b"."]


def _mutate(content: bytes, rng: random.Random) -> bytes:
    position = rng.randrange(len(content))
    kind = rng.randrange(3)
    if kind == 0:
        return content[:position] + content[position + rng.randint(1, 8):]
    if kind == 1:
        return content[:position] + rng.choice(NOISE) + content[position + 1:]
    return content[:position] + content[position:position + 12] + content[position:]


@pytest.mark.parametrize(("kind", "path"), CASES, ids=[c[1].name for c in CASES])
def test_mutated_samples_give_orders_or_bad_document(kind: type[Extractor], path: Path) -> None:
    extractor = kind()
    rng = random.Random(path.name)
    content = path.read_bytes()
    outcomes = {"orders": 0, "refused": 0}
    for number in range(150):
        mutated = _mutate(content, rng)
        try:
            orders = extractor.extract(RawDocument(mutated, f"mutant-{number}"))
        except BadDocument:
            outcomes["refused"] += 1
            continue
        assert all(order.lines for order in orders)
        outcomes["orders"] += 1
    assert outcomes["refused"] > 0
