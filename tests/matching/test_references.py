"""Invoice references read from remittance text, the numbering learned from the ids."""

from __future__ import annotations

import pytest

from matching.references import ReferenceIndex, is_valid_rf, make_rf, near_misses, words


def index(ids: list[str], references: dict[str, str] | None = None) -> ReferenceIndex:
    references = references or {}
    return ReferenceIndex((i, references.get(i)) for i in ids)


SCHEME = [f"VF/{year}/{n:05d}" for year in (25, 26) for n in range(1, 400)]


def named(ix: ReferenceIndex, text: str) -> dict[str, str]:
    return {h.invoice_id: h.how for h in ix.extract(text).hits}


def test_creditor_reference_check_digits():
    assert is_valid_rf("RF18 5390 0754 7034")
    assert is_valid_rf(make_rf("2026000201"))
    assert not is_valid_rf("RF19 5390 0754 7034")
    assert not is_valid_rf("RF18")


def test_the_numbering_is_learned_not_hard_coded():
    ix = index(SCHEME)
    assert ix.numbering.prefixes == {"VF"}
    assert named(ix, "VF/26/00123") == {"VF/26/00123": "exact"}
    assert named(ix, "vf 26-123") == {"VF/26/00123": "core"}


@pytest.mark.parametrize("text", [
    "26/00123", "26-123", "2600123", "Rechnung 26 00123", "VF2600123",
])
def test_missing_prefix_zeros_or_separators(text: str):
    assert list(named(index(SCHEME), text)) == ["VF/26/00123"]


def test_ocr_lookalikes_between_digits():
    assert named(index(SCHEME), "VF/26/OO123") == {"VF/26/00123": "ocr"}


def test_number_wrapped_across_lines_is_glued_back():
    assert list(named(index(SCHEME), "PAIEMENT VF/26/001\n23 MERCI")) == ["VF/26/00123"]


def test_several_numbers_in_one_text():
    found = named(index(SCHEME), "VF/26/00123, VF/26/00124 et 25/7")
    assert set(found) == {"VF/26/00123", "VF/26/00124", "VF/25/00007"}


def test_a_prefix_alone_inside_a_longer_number_names_nothing():
    # "VF/26" is not the invoice VF/26/00026's tail, nor any number: the word goes on.
    assert named(index(SCHEME), "VF/26/99999") == {}


def test_short_numbers_and_percentages_name_nothing():
    assert named(index(SCHEME), "ESCOMPTE 2 % LOT 12") == {}


def test_machine_references_are_read_verbatim_only():
    ix = index(SCHEME)
    hits = ix.extract(None, None, "E2E0000123").hits
    assert hits == []
    assert [h.invoice_id for h in ix.extract(None, None, "VF/26/00123").hits] == ["VF/26/00123"]


def test_printed_references_are_found():
    rf = make_rf("ACME42")
    ix = index(SCHEME, {"VF/26/00042": rf})
    assert named(ix, f"paiement {rf[:4]} {rf[4:]}") == {"VF/26/00042": "rf"}


def test_unresolved_numbers_are_reported_for_typo_repair():
    ix = index(SCHEME)
    extraction = ix.extract("facture 2600132 merci")
    assert extraction.hits
    typo = ix.extract("facture 2609123")
    assert "2609123" in typo.unresolved
    assert ("VF/26/00123", "2609123") in near_misses(typo.unresolved, ["VF/26/00123"])


def test_exact_only_fast_path():
    ix = index(SCHEME)
    assert ix.exact_only("Facture VF/26/00123 escompte 2 %") == ["VF/26/00123"]
    assert ix.exact_only("Facture 26/123") is None


def test_words_carry_digits():
    assert words("Contrat K-7781 du mois") == ["K7781"]
