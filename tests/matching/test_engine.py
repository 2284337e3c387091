"""The engine's decisions, one match kind per test."""

from __future__ import annotations

from decimal import Decimal

from matching.book import PayerAlias
from matching.references import make_rf
from tests.matching.builders import ACME_IBAN, BOLT_IBAN, OUR_IBAN, engine, item, tx

D = Decimal


def ledger_items():
    return [
        item("FA-2026-000101", "C001", "1200.00"),
        item("FA-2026-000102", "C001", "300.00"),
        item("FA-2026-000103", "C001", "450.50"),
        item("FA-2026-000201", "C002", "980.00", reference=make_rf("2026000201")),
        item("FA-2026-000202", "C002", "120.00"),
        item("FA-2026-000301", "C003", "5000.00"),
        item("FA-2026-000401", "C004", "77.70"),
        item("FA-2026-000402", "C004", "77.70"),
    ]


def one(transaction, items=None, **kw):
    return engine(items or ledger_items(), **kw).match([transaction])[0]


def test_exact_invoice_number_and_amount_is_auto():
    p = one(tx("1200.00", name="ACME INDUSTRIES", text="Payment FA-2026-000101"))
    assert (p.status, p.invoice_ids, p.rule) == ("auto", ("FA-2026-000101",), "reference")
    assert p.applications[0].applied_amount == D("1200.00")
    assert p.confidence >= 0.9


def test_number_without_prefix_zeros_or_separators_is_found():
    p = one(tx("300.00", text="inv 2026/102"))
    assert (p.status, p.invoice_ids) == ("auto", ("FA-2026-000102",))


def test_creditor_reference_with_valid_check_digits():
    p = one(tx("980.00", structured=make_rf("2026000201")))
    assert (p.status, p.invoice_ids) == ("auto", ("FA-2026-000201",))
    assert "rf" in p.reason


def test_invalid_creditor_reference_is_not_trusted():
    bad = make_rf("2026000201")
    bad = bad[:2] + ("00" if bad[2:4] != "00" else "01") + bad[4:]
    p = one(tx("980.00", structured=bad))
    assert p.status != "auto" or "rf" not in p.reason


def test_ocr_errors_and_wrapped_numbers():
    assert one(tx("450.50", text="FA-2O26-OOO1O3")).invoice_ids == ("FA-2026-000103",)
    p = one(tx("450.50", text="REGLEMENT FACTURE FA-2026-0001\n03 MERCI"))
    assert (p.status, p.invoice_ids) == ("auto", ("FA-2026-000103",))


def test_one_payment_for_several_named_invoices():
    p = one(tx("1500.00", iban=ACME_IBAN, text="FA-2026-000101 FA-2026-000102"))
    assert p.status == "auto"
    assert sorted(p.invoice_ids) == ["FA-2026-000101", "FA-2026-000102"]
    assert p.applied_total == D("1500.00")


def test_named_invoices_partly_paid_picks_the_subset():
    p = one(tx("750.50", iban=ACME_IBAN, text="FA-2026-000101 000102 000103"))
    assert sorted(p.invoice_ids) == ["FA-2026-000102", "FA-2026-000103"]


def test_payer_iban_and_amount_without_reference():
    p = one(tx("5000.00", name="STE GENERALE DES EAUX MINERALES DE", text="VIREMENT"))
    assert (p.invoice_ids, p.customer_id) == (("FA-2026-000301",), "C003")
    p = one(tx("120.00", iban=BOLT_IBAN))
    assert (p.status, p.invoice_ids) == ("auto", ("FA-2026-000202",))


def test_two_invoices_of_the_same_amount_are_never_auto():
    p = one(tx("77.70", name="COUDERT FRERES"))
    assert p.status == "suggested"
    assert {p.invoice_ids[0], p.alternatives[0].invoice_ids[0]} == {
        "FA-2026-000401", "FA-2026-000402"}


def test_subset_of_payer_items_by_due_date():
    p = one(tx("1500.00", iban=ACME_IBAN, text="monthly settlement"))
    assert sorted(p.invoice_ids) == ["FA-2026-000101", "FA-2026-000102"]
    assert p.rule == "payer_subset"


def test_partial_payments_never_exceed_open_amounts():
    e = engine(ledger_items())
    first, second, third = e.match([
        tx("500.00", ref="B1", iban=ACME_IBAN, text="FA-2026-000101 acompte"),
        tx("700.00", ref="B2", iban=ACME_IBAN, text="FA-2026-000101 solde", day=20),
        tx("700.00", ref="B3", iban=ACME_IBAN, text="FA-2026-000101", day=25),
    ])
    assert (first.status, first.remainder_kind) == ("auto", "partial")
    assert second.status == "auto"
    assert second.applied_total == D("700.00")
    assert third.status == "unmatched"
    assert "already paid" in third.reason
    assert e.ledger.open["FA-2026-000101"] == D(0)


def test_early_payment_discount():
    p = one(tx("1176.00", iban=ACME_IBAN, text="FA-2026-000101 escompte"))
    assert (p.status, p.remainder_kind, p.remainder) == ("auto", "discount", D("24.00"))
    assert p.applied_total == D("1176.00")


def test_bank_charges():
    p = one(tx("1192.50", iban=ACME_IBAN, text="FA-2026-000101"))
    assert p.remainder_kind == "bank_charges"


def test_disputed_deduction_opens_a_dispute_for_the_sales_rep():
    p = one(tx("1000.00", iban=ACME_IBAN, text="FA-2026-000101 deduction damaged goods"))
    assert p.remainder_kind == "deduction"
    assert "marie" in (p.dispute or "")
    assert "200.00" in p.dispute


def test_overpayment_is_named():
    p = one(tx("350.00", iban=ACME_IBAN, text="FA-2026-000102"))
    assert (p.remainder_kind, p.remainder, p.applied_total) == ("overpayment", D("50.00"),
                                                                 D("300.00"))


def test_payment_of_an_invoice_already_paid():
    items = [*ledger_items(), item("FA-2026-000099", "C001", "90.00", open_amount="0")]
    p = one(tx("90.00", iban=ACME_IBAN, text="FA-2026-000099"), items)
    assert p.status == "unmatched"
    assert "already paid" in p.reason


def test_non_customer_lines_stay_unmatched_with_their_reason():
    e = engine(ledger_items())
    cases = {
        "bank fees": tx("-12.00", text="FRAIS TENUE DE COMPTE"),
        "interest": tx("3.10", text="INTERETS CREDITEURS"),
        "card settlement": tx("840.12", text="REMISE CB 0412 TELECOLLECTE"),
        "own accounts": tx("10000.00", iban=OUR_IBAN, text="virement interne"),
        "returned payment": tx("-300.00", return_reason="AC04", text="FA-2026-000102"),
        "supplier refund": tx("41.00", name="OFFICE DEPOT", text="remboursement trop percu"),
        "outgoing payment": tx("-1500.00", name="SUPPLIER", text="INV 998"),
    }
    for expected, transaction in cases.items():
        p = e.match([transaction])[0]
        assert p.status == "unmatched", expected
        assert expected in p.reason, (expected, p.reason)
        assert not p.applications


def test_currency_without_open_items():
    p = one(tx("1200.00", currency="USD", iban=ACME_IBAN, text="FA-2026-000101"))
    assert p.status == "unmatched"
    assert not p.applications


def test_learned_alias_identifies_the_payer():
    t = tx("120.00", name="HOLDING BOLT INTERNATIONAL")
    assert one(t).status != "auto"
    learned = one(t, aliases=[PayerAlias("C002", payer_name="Holding Bolt International")])
    assert (learned.status, learned.invoice_ids) == ("auto", ("FA-2026-000202",))


def test_payment_provider_pays_by_reference():
    p = one(tx("300.00", name="PAYPAL EUROPE", text="FA-2026-000102"))
    assert (p.status, p.invoice_ids) == ("auto", ("FA-2026-000102",))


def test_typo_in_number_confirmed_by_payer_and_amount():
    p = one(tx("450.50", iban=ACME_IBAN, text="facture 2026000130"))
    assert p.invoice_ids == ("FA-2026-000103",)


def test_amount_only_is_never_auto():
    p = one(tx("5000.00", name="UNKNOWN PAYER LTD"))
    assert p.status == "suggested"
    assert p.invoice_ids == ("FA-2026-000301",)


def test_never_applies_more_than_the_transaction():
    p = one(tx("100.00", iban=ACME_IBAN, text="FA-2026-000101 FA-2026-000102"))
    assert p.applied_total == D("100.00")
    assert all(a.applied_amount <= D("1200.00") for a in p.applications)
