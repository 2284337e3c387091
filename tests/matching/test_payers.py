"""Payer identification: IBANs, bank-mangled names, aliases and intermediaries."""

from __future__ import annotations

from matching.book import Customer, PayerAlias
from matching.payers import PayerIndex, normalise_iban, normalise_name

ACME = "FR7630006000011234567890189"


def payers(*aliases: PayerAlias) -> PayerIndex:
    return PayerIndex([
        Customer("C1", "Établissements Lefèvre & Fils SARL", (ACME,)),
        Customer("C2", "Société Générale des Eaux Minérales de Montagne SA"),
        Customer("C3", "Lefèvre Transports SAS"),
        Customer("C4", "Bolt GmbH", ("DE89 3704 0044 0532 0130 00",)),
    ], aliases)


def test_names_are_compared_without_case_accents_or_legal_form():
    assert normalise_name("Établissements Lefèvre & Fils SARL") == "ETS LEFEVRE FILS"
    assert normalise_name("ETS LEFEVRE ET FILS") == "ETS LEFEVRE FILS"
    assert normalise_name("BOLT G.m.b.H.") == "BOLT G M B H"  # spelt out letters stay
    assert normalise_name("Bolt GmbH") == "BOLT"


def test_ibans_are_validated_by_schwifty():
    assert normalise_iban("de89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert normalise_iban("DE89370400440532013001") is None
    assert normalise_iban("") is None


def test_iban_identifies_the_customer():
    (match,) = payers().identify("WHOEVER", "DE89370400440532013000")
    assert (match.customer_id, match.how) == ("C4", "IBAN")


def test_bank_truncated_name_at_35_characters():
    name = "STE GENERALE DES EAUX MINERALES DE MONTAGNE"[:35]
    found = payers().identify(name, None)
    assert found[0].customer_id == "C2"


def test_fuzzy_name_only_proposes():
    found = payers().identify("ETS LEFEBVRE FILS", None)
    assert found
    assert found[0].customer_id == "C1"
    assert found[0].score < 0.9  # never as sure as an IBAN: amounts and references confirm


def test_unknown_payer_is_nobody():
    assert payers().identify("ZZZ UNRELATED TRADING", None) == []


def test_learned_alias_and_groups_paying_for_several():
    index = payers(PayerAlias("C3", payer_name="LFV LOGISTIQUE"),
                   PayerAlias("C1", payer_name="GROUPE LEFEVRE"),
                   PayerAlias("C3", payer_name="GROUPE LEFEVRE"))
    assert [m.customer_id for m in index.identify("LFV LOGISTIQUE", None)] == ["C3"]
    assert index.is_intermediary("GROUPE LEFEVRE", None)
    assert index.is_intermediary("PAYPAL EUROPE SARL", None)
    assert not index.is_intermediary("LFV LOGISTIQUE", None)
