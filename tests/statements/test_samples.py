"""Every real sample parses; our parse of each copied sample is kept as a golden file."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.errors import BadDocument
from matching.statements import detect, parse
from tests.golden import assert_golden
from tests.statements.helpers import golden_document, local_samples, shared_samples

MALFORMED = {"moov_sample-parseError.txt"}
EXPECTED_FORMAT = {
    "camt053": "camt.053", "camt054": "camt.054", "cfonb120": "cfonb120", "bai2": "bai2",
}


@pytest.mark.parametrize("path", local_samples(), ids=lambda p: p.name)
def test_golden(path: Path) -> None:
    if path.name in MALFORMED:
        pytest.skip("the malformed file is covered by test_malformed_bai2_is_rejected")
    assert_golden(golden_document(path.read_bytes(), path.name), path.with_suffix(".json"))


def _expected_format(path: Path) -> str:
    folder = path.parent.name
    if folder == "mt940":
        return "mt942" if "942" in path.name else "mt940"
    return EXPECTED_FORMAT[folder]


@pytest.mark.parametrize("path", local_samples() + shared_samples(), ids=lambda p: p.name)
def test_detected_from_content(path: Path) -> None:
    assert detect(path.read_bytes()) == _expected_format(path)


@pytest.mark.parametrize("path", shared_samples(), ids=lambda p: p.name)
def test_every_shared_sample_parses(path: Path) -> None:
    if path.name in MALFORMED:
        pytest.skip("the malformed file is covered by test_malformed_bai2_is_rejected")
    statements = parse(path.read_bytes(), path.name, check=False)
    assert statements
    for statement in statements:
        assert statement.account
        for transaction in statement.transactions:
            assert transaction.currency
            assert transaction.booking_date


def test_malformed_bai2_is_rejected() -> None:
    path = next(p for p in local_samples() if p.name == "moov_sample-parseError.txt")
    with pytest.raises(BadDocument) as caught:
        parse(path.read_bytes(), path.name)
    assert caught.value.code == "BAD_RECORD"
    assert str(caught.value) == (
        "moov_sample-parseError.txt: line 1: a BAI2 file starts with a file header"
        " record 01, not '00'"
    )
