"""Customer, ship-to and bill-to resolution: one table per rule."""

from __future__ import annotations

from typing import Any

import pytest

from hub.model import Party
from robots.validation_parties import resolve_address, resolve_customer
from tests.robots.validate_data import index, order, rules

NO_IDS: dict[str, Any] = {"buyer": {"name": "Nobody Known"}, "ship_to": None,
                          "source": {"channel": "email", "sender": "x@nowhere.test",
                                     "sha256": "a" * 64}}

CUSTOMER_CASES = [
    # (case, order changes, expected customer, expected rule or reason)
    ("buyer GLN", {}, "C1", "gln"),
    ("store GLN of ship-to", {**NO_IDS, "ship_to": {"gln": "3012345200002"}}, "C2", "gln"),
    ("VAT id written with spaces", {**NO_IDS, "buyer": {"vat_id": "fr12345678901"}}, "C1",
     "vat_id"),
    ("SIRET", {**NO_IDS, "buyer": {"siret": "12345678900011"}}, "C1", "siret"),
    ("EDI partner", {**NO_IDS, "source": {"channel": "edi", "sender": "EDI-DUPONT",
                                          "sha256": "a" * 64}}, "C1", "edi_partner"),
    ("portal account", {**NO_IDS, "source": {"channel": "web", "sender": "portal-martin",
                                             "sha256": "a" * 64}}, "C2", "sender"),
    ("API sender equal to a customer id", {**NO_IDS, "source": {
        "channel": "api", "sender": "C4", "sha256": "a" * 64}}, "C4", "sender"),
    ("e-mail domain", {**NO_IDS, "source": {"channel": "email", "sender": "Achats <a@dupont.fr>",
                                            "sha256": "a" * 64}}, "C1", "email_domain"),
    ("contact e-mail domain", {**NO_IDS, "buyer": {"contact": {"email": "b@martin.fr"}}},
     "C2", "email_domain"),
    ("fuzzy name and postal code", {**NO_IDS, "buyer": {
        "name": "DUPONT DISTRIBUTION", "address": {"postal_code": "75 002"}}}, "C1",
     "fuzzy_name"),
    ("GLN beats a VAT id of another customer", {"buyer": {
        "gln": "3012345000001", "vat_id": "FR98765432109"}}, "C1", "gln"),
    ("customer id set by a person", {**NO_IDS, "buyer": {"customer_id": "C6"}}, "C6",
     "customer_id"),
    ("two customers close by name", {**NO_IDS, "buyer": {
        "name": "Boulangerie Lefevbre", "address": {"postal_code": "44000"}}}, None,
     "AMBIGUOUS_CUSTOMER"),
    ("shared e-mail domain and no name", {**NO_IDS, "buyer": {"name": "zzz"}, "source": {
        "channel": "email", "sender": "a@shared.fr", "sha256": "a" * 64}}, None,
     "AMBIGUOUS_CUSTOMER"),
    ("name alone without postal code", {**NO_IDS, "buyer": {"name": "Dupont Distribution"}},
     None, "UNKNOWN_CUSTOMER"),
    ("name below the threshold", {**NO_IDS, "buyer": {
        "name": "Dupuis Logistique", "address": {"postal_code": "75002"}}}, None,
     "UNKNOWN_CUSTOMER"),
    ("EDI partner without customer", {**NO_IDS, "source": {
        "channel": "edi", "sender": "EDI-NONE", "sha256": "a" * 64}}, None, "UNKNOWN_CUSTOMER"),
    ("portal sender on the e-mail channel is not an account", {**NO_IDS, "source": {
        "channel": "email", "sender": "portal-martin", "sha256": "a" * 64}}, None,
     "UNKNOWN_CUSTOMER"),
]


@pytest.mark.parametrize(("changes", "customer", "decided"),
                         [c[1:] for c in CUSTOMER_CASES], ids=[c[0] for c in CUSTOMER_CASES])
def test_customer_resolution(changes: dict[str, Any], customer: str | None, decided: str) -> None:
    match = resolve_customer(order(**changes), index(), rules())
    assert match.customer_id == customer
    if customer:
        assert match.rule == decided
        assert match.finding is None
    else:
        assert match.finding is not None
        assert match.finding.reason == decided
        assert match.finding.field == "buyer"


def test_unknown_customer_suggests_the_nearest_names() -> None:
    match = resolve_customer(order(**{**NO_IDS, "buyer": {"name": "Dupont Distrib"}}), index(),
                             rules())
    assert match.finding is not None
    assert match.finding.suggestion is not None
    assert "C1 Dupont Distribution SAS" in match.finding.suggestion


def test_ambiguous_customer_names_both_candidates() -> None:
    match = resolve_customer(order(**{**NO_IDS, "buyer": {
        "name": "Boulangerie Lefevbre", "address": {"postal_code": "44000"}}}), index(), rules())
    assert match.finding is not None
    assert "C4" in (match.finding.suggestion or "")
    assert "C5" in (match.finding.suggestion or "")


ADDRESS_CASES = [
    # (case, customer, role, stated party, expected address id, expected reason)
    ("only ship-to when none stated", "C1", "ship_to", None, "C1-LYON", None),
    ("several ship-tos and none stated", "C2", "ship_to", None, None, "MISSING_FIELD"),
    ("by GLN", "C2", "ship_to", {"gln": "3012345200001"}, "C2-NORD", None),
    ("by address id", "C2", "ship_to", {"buyer_assigned_id": "c2-sud"}, "C2-SUD", None),
    ("by normalised postal address", "C2", "ship_to", {"address": {
        "street": "8, Rue de LILLE", "postal_code": "59000"}}, "C2-NORD", None),
    ("street written differently", "C1", "ship_to", {"address": {
        "street": "12 av. Jean Jaures", "postal_code": "69007"}}, "C1-LYON", None),
    ("same street, other postal code", "C2", "ship_to", {"address": {
        "street": "8 rue de Lille", "postal_code": "59800"}}, None, "UNKNOWN_SHIP_TO"),
    ("GLN of another customer's store", "C2", "ship_to", {"gln": "3012345100001"}, None,
     "UNKNOWN_SHIP_TO"),
    ("only bill-to when none stated", "C1", "bill_to", None, "C1-BILL", None),
    ("bill-to naming the account's GLN", "C1", "bill_to", {"gln": "3012345000001"}, "C1-BILL",
     None),
    ("unknown bill-to", "C1", "bill_to", {"address": {"street": "9 rue Z",
                                                       "postal_code": "13000"}}, None,
     "INVALID_VALUE"),
]


@pytest.mark.parametrize(("customer", "role", "stated", "address_id", "reason"),
                         [c[1:] for c in ADDRESS_CASES], ids=[c[0] for c in ADDRESS_CASES])
def test_address_resolution(customer: str, role: str, stated: dict[str, Any] | None,
                            address_id: str | None, reason: str | None) -> None:
    idx = index()
    known = idx.ship_tos(customer) if role == "ship_to" else idx.bill_tos(customer)
    party = Party.model_validate(stated) if stated is not None else None
    match = resolve_address(party, role, known, rules(),
                            customer_gln=idx.customers[customer].gln)
    assert match.address_id == address_id
    assert (match.finding.reason if match.finding else None) == reason
    if match.finding:
        assert match.finding.field == role


def test_unknown_ship_to_suggests_the_nearest_known_addresses() -> None:
    idx = index()
    stated = Party.model_validate({"name": "Martin Nord", "address": {
        "street": "8 rue de Lille", "postal_code": "59800"}})
    match = resolve_address(stated, "ship_to", idx.ship_tos("C2"), rules())
    assert match.finding is not None
    assert (match.finding.suggestion or "").startswith("nearest known: C2-NORD")
