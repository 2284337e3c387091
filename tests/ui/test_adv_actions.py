"""ADV decisions through the workbench: fix and approve, reject, bulk (TestClient)."""

from __future__ import annotations

import json

from sqlalchemy import select

from hub.tables import AuditEventRow, OrderLineRow, OrderRow, OutboxRow
from tests.ui.conftest import csrf_of


def _status(db, order_id):
    with db.session() as session:
        return session.scalar(select(OrderRow.status).where(OrderRow.id == order_id))


def test_fix_unknown_product_and_approve_revalidates(client_for, seeded, db):
    client = client_for("adv1")
    page = client.get(f"/orders/{seeded.pdf_order}").text
    response = client.post(f"/orders/{seeded.pdf_order}/approve",
                           data={"csrf_token": csrf_of(page), "customer_id": "C001",
                                 "ship_to": "S1", "sku_1": "SKU-100"})
    assert response.status_code == 200
    assert "after validation it is validated" in response.text
    assert _status(db, seeded.pdf_order) == "validated"
    with db.session() as session:
        line = session.get(OrderLineRow, (seeded.pdf_order, 1))
        corrected = session.scalars(select(AuditEventRow).where(
            AuditEventRow.entity_id == seeded.pdf_order,
            AuditEventRow.action == "corrected")).one()
    assert line.sku == "SKU-100"
    assert corrected.actor == "adv1"
    assert corrected.before == {"lines[1].sku": None}
    assert corrected.after == {"lines[1].sku": "SKU-100"}


def test_unknown_product_in_picker_is_refused(client_for, seeded, db):
    client = client_for("adv1")
    page = client.get(f"/orders/{seeded.pdf_order}").text
    response = client.post(f"/orders/{seeded.pdf_order}/approve",
                           data={"csrf_token": csrf_of(page), "sku_1": "NOPE"})
    assert "product NOPE is not an active product" in response.text
    assert _status(db, seeded.pdf_order) == "exception"


def test_pickers_offer_master_data(client_for, seeded):
    client = client_for("adv1")
    assert "SKU-100" in client.get("/pickers/products", params={"sku_1": "widget"}).text
    assert "C002" in client.get("/pickers/customers", params={"customer_id": "bistro"}).text
    ship = client.get("/pickers/ship-to", params={"customer_id": "C001"}).text
    assert "S1" in ship and "S2" not in ship


def test_reject_edi_order_queues_order_response(client_for, seeded, db):
    client = client_for("adv1")
    page = client.get(f"/orders/{seeded.edi_order}").text
    client.post(f"/orders/{seeded.edi_order}/reject",
                data={"csrf_token": csrf_of(page), "reason_code": "product_unavailable",
                      "note": "range discontinued"})
    assert _status(db, seeded.edi_order) == "rejected"
    with db.session() as session:
        message = session.scalars(select(OutboxRow).where(
            OutboxRow.subject_id == seeded.edi_order)).one()
    payload = json.loads(message.payload)
    assert message.kind == "order-response" and message.target == "5412345000013"
    assert payload["decision"] == "rejected"
    assert payload["reason"] == "Product not available: range discontinued"
    assert payload["order"]["buyer_order_number"] == "PO-EDI-1"


def test_reject_non_edi_order_sends_nothing(client_for, seeded, db):
    client = client_for("adv1")
    page = client.get(f"/orders/{seeded.pdf_order}").text
    client.post(f"/orders/{seeded.pdf_order}/reject",
                data={"csrf_token": csrf_of(page), "reason_code": "duplicate"})
    assert _status(db, seeded.pdf_order) == "rejected"
    with db.session() as session:
        assert session.scalars(select(OutboxRow)).all() == []


def test_bulk_reject_and_filters(client_for, seeded, db):
    client = client_for("adv1")
    listing = client.get("/adv/exceptions", params={"channel": "edi"}).text
    assert "PO-EDI-1" in listing and "PO-PDF-1" not in listing
    by_customer = client.get("/adv/exceptions", params={"customer": "C002"}).text
    assert "PO-C2" in by_customer and "PO-EDI-1" not in by_customer
    by_reason = client.get("/adv/exceptions", params={"reason": "PRICE_MISMATCH"}).text
    assert "Nothing waits for ADV" in by_reason
    page = client.get("/adv/exceptions").text
    response = client.post("/adv/bulk", data={
        "csrf_token": csrf_of(page), "order_ids": [seeded.pdf_order, seeded.other_rep_order],
        "action": "reject", "reason_code": "price"})
    assert "2 order(s) rejected" in response.text
    assert _status(db, seeded.other_rep_order) == "rejected"
    assert "PO-PDF-1" not in client.get("/adv/exceptions").text


def test_adv_approval_leaves_a_credit_hold_to_finance(client_for, seeded, db):
    from decimal import Decimal

    from hub.tables import CustomerRow, OrderExceptionRow

    with db.session() as session:
        session.get(CustomerRow, "C002").credit_limit = Decimal(10)
    client = client_for("adv1")
    page = client.get(f"/orders/{seeded.other_rep_order}").text
    client.post(f"/orders/{seeded.other_rep_order}/approve",
                data={"csrf_token": csrf_of(page), "sku_1": "SKU-100"})
    page = client.get(f"/orders/{seeded.other_rep_order}").text
    client.post(f"/orders/{seeded.other_rep_order}/approve", data={"csrf_token": csrf_of(page)})
    assert _status(db, seeded.other_rep_order) == "exception"
    with db.session() as session:
        open_reasons = set(session.scalars(select(OrderExceptionRow.reason).where(
            OrderExceptionRow.order_id == seeded.other_rep_order,
            OrderExceptionRow.resolved_at.is_(None))))
    assert open_reasons == {"CREDIT_LIMIT_EXCEEDED"}
