"""BAI2 free text with accents, whichever encoding the bank wrote it in."""

from __future__ import annotations

import pytest

from matching.statements import parse

TEMPLATE = """01,SENDER,RECEIVER,240515,1200,7,,,2/
02,RECEIVER,SENDER,1,240515,,EUR,2/
03,998877,EUR,010,100000,,,015,125000,,/
16,195,25000,V,240517,,BR2,,H\u00d4TEL DU PARC FACTURE FA-2026-00025/
49,250000,3/
98,250000,1,5/
99,250000,1,7/
"""


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_accented_payer_text_reads_the_same_in_either_encoding(encoding: str) -> None:
    (statement,) = parse(TEMPLATE.encode(encoding), f"accents-{encoding}.bai")
    assert [t.remittance for t in statement.transactions] == [
        "H\u00d4TEL DU PARC FACTURE FA-2026-00025"]
