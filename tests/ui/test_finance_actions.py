"""Finance decisions through the workbench: confirm, split with four eyes, deductions,
write-offs, credit holds (TestClient)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from hub.schema_ui import CashDecisionRow, DisputeRow
from hub.tables import (
    BankTransactionRow,
    CustomerRow,
    OpenItemRow,
    PayerAliasRow,
    PaymentApplicationRow,
)
from tests.ui.conftest import csrf_of


def _open(db, invoice_id):
    with db.session() as session:
        return session.get(OpenItemRow, invoice_id).open_amount


def _payment_status(db, transaction_id):
    with db.session() as session:
        return session.get(BankTransactionRow, transaction_id).status


def _token(client):
    return csrf_of(client.get("/finance/payments").text)


def test_confirm_suggestion_in_one_click(client_for, seeded, db):
    client = client_for("fin1")
    response = client.post("/finance/payments/TRX-S1/confirm",
                           data={"csrf_token": _token(client), "rank": "0"})
    assert "Payment TRX-S1 applied" in response.text
    assert _payment_status(db, "TRX-S1") == "confirmed"
    assert _open(db, "INV-3") == Decimal(0)
    with db.session() as session:
        statuses = sorted(session.scalars(select(PaymentApplicationRow.status).where(
            PaymentApplicationRow.transaction_id == "TRX-S1")))
        alias = session.scalars(select(PayerAliasRow)).one()
    assert statuses == ["confirmed", "superseded"]
    assert (alias.customer_id, alias.payer_name) == ("C002", "BISTRO NORD")


def _split(client, **extra):
    data = {"csrf_token": _token(client), "invoice_0": "INV-1", "amount_0": "9000.00",
            "invoice_1": "INV-2", "amount_1": "7 000,00", **extra}
    return client.post("/finance/payments/TRX-BIG/match", data=data)


def test_split_above_threshold_needs_a_second_person(client_for, seeded, db):
    first, second = client_for("fin1"), client_for("fin2")
    assert "waits for a second person" in _split(first).text
    assert _payment_status(db, "TRX-BIG") == "unmatched"
    assert _open(db, "INV-1") == Decimal("9000")
    with db.session() as session:
        decision = session.scalars(select(CashDecisionRow)).one()
    assert (decision.status, decision.proposed_by) == ("pending", "fin1")
    approvals = first.get("/finance/approvals").text
    assert "your own proposal" in approvals
    own = first.post(f"/finance/approvals/{decision.id}",
                     data={"csrf_token": csrf_of(approvals), "verdict": "approve"})
    assert "the person who proposed cannot approve" in own.text
    assert _payment_status(db, "TRX-BIG") == "unmatched"
    page = second.get("/finance/approvals").text
    done = second.post(f"/finance/approvals/{decision.id}",
                       data={"csrf_token": csrf_of(page), "verdict": "approve"})
    assert "approved and applied" in done.text
    assert _payment_status(db, "TRX-BIG") == "confirmed"
    assert (_open(db, "INV-1"), _open(db, "INV-2")) == (Decimal(0), Decimal(0))
    with db.session() as session:
        rows = session.scalars(select(PaymentApplicationRow).where(
            PaymentApplicationRow.transaction_id == "TRX-BIG")).all()
    assert sorted((r.invoice_id, r.applied_amount, r.proposed_by, r.approved_by)
                  for r in rows) == [("INV-1", Decimal(9000), "fin1", "fin2"),
                                     ("INV-2", Decimal(7000), "fin1", "fin2")]


def test_never_more_than_open_amount_or_payment(client_for, seeded, db):
    client = client_for("fin1")
    too_much = client.post("/finance/payments/TRX-BIG/match", data={
        "csrf_token": _token(client), "invoice_0": "INV-1", "amount_0": "9000.01"})
    assert "more than the 9000 still open on invoice INV-1" in too_much.text
    other_currency_or_customer = client.post("/finance/payments/TRX-S1/match", data={
        "csrf_token": _token(client), "invoice_0": "INV-1", "amount_0": "400",
        "invoice_1": "INV-2", "amount_1": "200"})
    assert "more than the payment" in other_currency_or_customer.text
    assert _payment_status(db, "TRX-S1") == "suggested"


def test_disputed_deduction_visible_to_adv_and_the_rep(client_for, seeded, db, app):
    with db.session() as session:
        session.get(BankTransactionRow, "TRX-S1").amount = Decimal("450.00")
    client = client_for("fin1")
    response = client.post("/finance/payments/TRX-S1/match", data={
        "csrf_token": _token(client), "invoice_0": "INV-3", "amount_0": "450",
        "remainder_kind": "deduction", "remainder_amount": "50", "remainder_invoice": "INV-3",
        "reason_code": "DAMAGED", "disputed": "yes", "note": "two crates broken"})
    assert "applied" in response.text
    assert _open(db, "INV-3") == Decimal(50)  # disputed: the invoice stays open for it
    with db.session() as session:
        dispute = session.scalars(select(DisputeRow)).one()
    assert (dispute.customer_id, dispute.amount, dispute.reason_code) == (
        "C002", Decimal(50), "DAMAGED")
    assert "two crates broken" in client_for("adv1").get("/disputes").text
    assert "two crates broken" in client_for("rep2").get("/disputes").text
    assert "two crates broken" not in client_for("rep1").get("/disputes").text


def test_write_off_within_tolerance_only(client_for, seeded, db):
    with db.session() as session:
        session.get(BankTransactionRow, "TRX-S1").amount = Decimal("497.00")
    client = client_for("fin1")
    refused = client.post("/finance/payments/TRX-S1/match", data={
        "csrf_token": _token(client), "invoice_0": "INV-3", "amount_0": "480",
        "remainder_kind": "write_off", "remainder_amount": "20", "remainder_invoice": "INV-3"})
    assert "a write-off is limited to 5" in refused.text
    client.post("/finance/payments/TRX-S1/match", data={
        "csrf_token": _token(client), "invoice_0": "INV-3", "amount_0": "497",
        "remainder_kind": "write_off", "remainder_amount": "3", "remainder_invoice": "INV-3"})
    assert _open(db, "INV-3") == Decimal(0)
    assert _payment_status(db, "TRX-S1") == "confirmed"


def test_credit_hold_release(client_for, seeded, db):
    with db.session() as session:
        session.get(CustomerRow, "C002").credit_limit = Decimal(10)
    adv = client_for("adv1")
    page = adv.get(f"/orders/{seeded.other_rep_order}").text
    adv.post(f"/orders/{seeded.other_rep_order}/approve",
             data={"csrf_token": csrf_of(page), "sku_1": "SKU-100"})
    finance = client_for("fin1")
    holds = finance.get("/finance/credit").text
    assert "PO-C2" in holds and "CREDIT_LIMIT_EXCEEDED" in holds
    done = finance.post(f"/finance/credit/{seeded.other_rep_order}",
                        data={"csrf_token": csrf_of(holds), "verdict": "release"})
    assert "Hold released." in done.text
    assert "PO-C2" not in finance.get("/finance/credit").text


def test_credit_release_above_amount_needs_a_second_person(db, seeded):
    from fastapi.testclient import TestClient

    from hub.settings import Settings
    from tests.ui.conftest import login
    from ui.app import create_app

    with db.session() as session:
        session.get(CustomerRow, "C002").credit_limit = Decimal(10)
    app = create_app(Settings({"validate": {"four_eyes_amount": "20"}}), db)
    adv, first, second = (login(TestClient(app), name) for name in ("adv1", "fin1", "fin2"))
    page = adv.get(f"/orders/{seeded.other_rep_order}").text
    adv.post(f"/orders/{seeded.other_rep_order}/approve",
             data={"csrf_token": csrf_of(page), "sku_1": "SKU-100"})
    holds = first.get("/finance/credit").text
    proposed = first.post(f"/finance/credit/{seeded.other_rep_order}",
                          data={"csrf_token": csrf_of(holds), "verdict": "release"})
    assert "a second person approves" in proposed.text
    assert "release proposed by you" in proposed.text
    own = first.post(f"/finance/credit/{seeded.other_rep_order}",
                     data={"csrf_token": csrf_of(holds), "verdict": "approve"})
    assert "must not be fin1" in own.text
    page = second.get("/finance/credit").text
    assert "proposed by fin1" in page
    done = second.post(f"/finance/credit/{seeded.other_rep_order}",
                       data={"csrf_token": csrf_of(page), "verdict": "approve"})
    assert "hold released" in done.text
    assert "PO-C2" not in second.get("/finance/credit").text
