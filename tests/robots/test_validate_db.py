"""Validation on a real database (SQLite and PostgreSQL): from orders in the queue to
``validated`` or ``exception``, with what was resolved written back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from hub import queue
from hub.db import Database
from hub.model import Order
from hub.orders import list_summaries
from hub.settings import Settings
from hub.tables import (
    AuditEventRow,
    CustomerAddressRow,
    CustomerItemRow,
    CustomerRow,
    EdiPartnerRow,
    OpenItemRow,
    OrderExceptionRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
)
from robots import validate
from robots.validation_credit import (
    CreditReleaseError,
    approve_credit_release,
    propose_credit_release,
    release_credit_hold,
)
from robots.validation_settings import ValidateSettings
from tests.robots.validate_data import (
    ADDRESSES,
    CUSTOMER_ITEMS,
    CUSTOMERS,
    EDI_PARTNERS,
    OPEN_ITEMS,
    PRODUCTS,
    TODAY,
    line,
    order,
)

SETTINGS = Settings({"validate": {"sender_customers": {"portal-martin": "C2"},
                                  "four_eyes_amount": 100}})


def load_master_data(db: Database) -> None:
    with db.session() as s:
        s.execute(insert(CustomerRow), [
            {**asdict(c), "email_domains": list(c.email_domains), "ibans": []} for c in CUSTOMERS])
        s.execute(insert(CustomerAddressRow), [asdict(a) for a in ADDRESSES])
        s.execute(insert(ProductRow), [asdict(p) for p in PRODUCTS])
        s.execute(insert(CustomerItemRow), [
            {"customer_id": c, "customer_item_code": k, "sku": v} for c, k, v in CUSTOMER_ITEMS])
        s.execute(insert(EdiPartnerRow), [
            {"partner_id": p, "customer_id": c} for p, c in EDI_PARTNERS])
        s.execute(insert(OpenItemRow), [
            {"invoice_id": i.invoice_id, "customer_id": i.customer_id,
             "issue_date": date(2025, 12, 1), "due_date": i.due_date, "currency": "EUR",
             "amount": i.open_amount, "open_amount": i.open_amount, "reference": None}
            for i in OPEN_ITEMS])


def enqueue(db: Database, *orders: Order) -> list[str]:
    with db.session() as s:
        return queue.enqueue(s, list(orders), actor="connector:test").created


def sha(n: int) -> str:
    return f"{n:064x}"


def src(n: int, channel: str = "edi", sender: str = "EDI-DUPONT") -> dict[str, Any]:
    return {"channel": channel, "sender": sender, "sha256": sha(n)}


def run(db: Database) -> dict[str, int]:
    return validate.run(db, SETTINGS, today=TODAY, batch_size=2)


def row(db: Database, order_id: str) -> OrderRow:
    with db.session() as s:
        found = s.get(OrderRow, order_id)
        assert found is not None
        return found


def open_reasons(db: Database, order_id: str) -> list[str]:
    with db.session() as s:
        return [e.reason for e in queue.open_exceptions(s, [order_id])[order_id]]


def line_rows(db: Database, order_id: str) -> list[OrderLineRow]:
    with db.session() as s:
        return list(s.scalars(select(OrderLineRow).where(OrderLineRow.order_id == order_id)
                              .order_by(OrderLineRow.line_number)))


@pytest.fixture
def mdb(db: Database) -> Database:
    load_master_data(db)
    return db


def test_orders_end_validated_or_exception_with_resolution_written_back(mdb: Database) -> None:
    clean, unknown, carton = enqueue(
        mdb,
        order(source=src(1)),
        order(buyer_order_number="PO-2", source=src(2), lines=[line(gtin="9999999999994")]),
        order(buyer_order_number="PO-3", source=src(3), currency=None,
              lines=[line(unit="CT", quantity="2", unit_price="120")]),
    )
    counts = run(mdb)
    assert (counts["validated"], counts["exception"], counts["rule:gln"]) == (2, 1, 3)
    assert row(mdb, clean).status == "validated"
    first = row(mdb, clean)
    assert (first.customer_id, first.ship_to_address_id, first.bill_to_address_id) == (
        "C1", "C1-LYON", "C1-BILL")
    assert first.header["buyer"]["customer_id"] == "C1"
    assert first.header["ship_to"]["customer_id"] == "C1"
    assert [li.sku for li in line_rows(mdb, clean)] == ["P-100"]
    converted = line_rows(mdb, carton)[0]
    assert (converted.quantity, converted.unit, converted.unit_price) == (
        Decimal(24), "C62", Decimal(10))
    assert converted.extra == {"ordered_quantity": "2", "ordered_unit": "CT",
                               "ordered_unit_price": "120"}
    assert row(mdb, carton).currency == "EUR"
    assert row(mdb, carton).header["currency"] == "EUR"
    assert row(mdb, unknown).status == "exception"
    with mdb.session() as s:
        exc = s.scalars(select(OrderExceptionRow).where(
            OrderExceptionRow.order_id == unknown)).one()
    assert (exc.reason, exc.field, exc.owner, exc.created_by) == (
        "UNKNOWN_PRODUCT", "lines[1].sku", "adv", "robot:validate")
    assert exc.expected
    assert exc.found == "GTIN 9999999999994"


def _snapshot(db: Database) -> tuple[Any, ...]:
    with db.session() as s:
        orders = s.execute(select(OrderRow.id, OrderRow.status, OrderRow.customer_id,
                                  OrderRow.header, OrderRow.updated_at).order_by(OrderRow.id)).all()
        lines = s.execute(select(OrderLineRow.order_id, OrderLineRow.sku, OrderLineRow.quantity)
                          .order_by(OrderLineRow.order_id)).all()
        counts = (s.scalar(select(func.count()).select_from(OrderExceptionRow)),
                  s.scalar(select(func.count()).select_from(AuditEventRow)))
    return tuple(orders), tuple(lines), counts


def test_running_twice_changes_nothing(mdb: Database) -> None:
    enqueue(mdb, order(source=src(1)), order(buyer_order_number="PO-2", source=src(2),
                                              lines=[line(gtin="9999999999994")]))
    assert validate.pending(mdb) == 2
    run(mdb)
    assert validate.pending(mdb) == 0
    before = _snapshot(mdb)
    assert run(mdb) == {}
    assert _snapshot(mdb) == before


def test_duplicates_in_one_run_keep_the_first(mdb: Database) -> None:
    first, again, same_lines = enqueue(
        mdb, order(source=src(1)), order(source=src(2)),
        order(buyer_order_number="PO-9", source=src(3)))
    run(mdb)
    # Ids made in the same millisecond order at random: the first claimed is the original,
    # the others repeat its PO or its lines.
    kept, *duplicates = sorted([first, again, same_lines])
    assert row(mdb, kept).status == "validated"
    assert [open_reasons(mdb, d) for d in duplicates] == [["DUPLICATE_ORDER"]] * 2


def test_a_fixed_order_goes_back_through_validation(mdb: Database) -> None:
    (order_id,) = enqueue(mdb, order(source=src(1), lines=[line(gtin="9999999999994")]))
    run(mdb)
    assert open_reasons(mdb, order_id) == ["UNKNOWN_PRODUCT"]
    with mdb.session() as s:  # what the workbench does when ADV picks the product
        s.execute(update(OrderLineRow).where(OrderLineRow.order_id == order_id)
                  .values(sku="P-100"))
        queue.resolve_exceptions(s, order_id, actor="alice", resolution="product chosen")
        queue.transition(s, [order_id], "extracted", actor="alice")
    counts = run(mdb)
    assert counts.get("validated") == 1, counts
    assert row(mdb, order_id).status == "validated"
    assert [li.sku for li in line_rows(mdb, order_id)] == ["P-100"]


def test_an_accepted_price_is_not_raised_again(mdb: Database) -> None:
    (order_id,) = enqueue(mdb, order(source=src(1), lines=[line(unit_price="11")]))
    run(mdb)
    assert open_reasons(mdb, order_id) == ["PRICE_MISMATCH"]
    with mdb.session() as s:
        queue.resolve_exceptions(s, order_id, actor="alice", resolution="agreed price")
        queue.transition(s, [order_id], "extracted", actor="alice")
    run(mdb)
    assert row(mdb, order_id).status == "validated"


def test_a_change_applies_to_the_original_and_a_cancel_cancels_it(mdb: Database) -> None:
    (original,) = enqueue(mdb, order(source=src(1)))
    run(mdb)
    (change,) = enqueue(mdb, order(document_type="order_change", source=src(2),
                                   lines=[line(quantity="9", gtin=None, unit_price=None)]))
    counts = run(mdb)
    assert counts["changes_applied"] == 1
    assert row(mdb, original).status == "validated"
    assert [li.quantity for li in line_rows(mdb, original)] == [Decimal(9)]
    assert (row(mdb, change).status, row(mdb, change).original_order_id) == (
        "cancelled", original)
    (cancel,) = enqueue(mdb, order(document_type="order_cancel", source=src(3)))
    run(mdb)
    assert row(mdb, original).status == "cancelled"
    assert row(mdb, cancel).original_order_id == original
    with mdb.session() as s:
        assert s.scalar(select(func.count()).select_from(OrderRow).where(
            OrderRow.document_type == "order")) == 1


def test_a_change_without_original_waits_for_a_person(mdb: Database) -> None:
    (change,) = enqueue(mdb, order(document_type="order_cancel", buyer_order_number="PO-X",
                                   source=src(1)))
    run(mdb)
    assert row(mdb, change).status == "exception"
    assert open_reasons(mdb, change) == ["INVALID_VALUE"]


def test_queue_list_shows_the_open_exceptions(mdb: Database) -> None:
    (order_id,) = enqueue(mdb, order(source=src(1, "email", "a@dupont.fr"), buyer={"name": "X"},
                                     ship_to=None, confidence={"lines[1].quantity": 0.4}))
    run(mdb)
    with mdb.session() as s:
        (summary,) = list_summaries(s)
    assert summary["order_id"] == order_id
    assert summary["customer_id"] == "C1"
    assert summary["exceptions"] == [{"reason": "LOW_CONFIDENCE", "field": "lines[1].quantity",
                                      "message": "lines[1].quantity was read with confidence 0.40"}]


def _held(db: Database, quantity: str) -> str:
    (order_id,) = enqueue(db, order(buyer={"gln": "3012345000003"}, ship_to=None,
                                    source=src(int(quantity)),
                                    lines=[line(quantity=quantity)]))
    run(db)
    assert open_reasons(db, order_id) == ["CUSTOMER_BLOCKED"]
    with db.session() as s:
        owners = s.scalars(select(OrderExceptionRow.owner).where(
            OrderExceptionRow.order_id == order_id)).all()
    assert owners == ["finance"]
    return order_id


def test_a_small_credit_hold_is_released_by_one_person(mdb: Database) -> None:
    order_id = _held(mdb, "5")
    release = release_credit_hold(mdb, order_id, "fiona",
                                  settings=ValidateSettings(four_eyes_amount=Decimal(100)))
    assert (release.status, release.released, release.amount) == ("validated", 1, Decimal(50))
    assert row(mdb, order_id).status == "validated"


def test_a_large_credit_hold_needs_four_eyes(mdb: Database) -> None:
    order_id = _held(mdb, "50")
    rules = ValidateSettings(four_eyes_amount=Decimal(100))
    with pytest.raises(CreditReleaseError, match="second person"):
        release_credit_hold(mdb, order_id, "fiona", settings=rules)
    with pytest.raises(CreditReleaseError, match="must not be fiona"):
        release_credit_hold(mdb, order_id, "fiona", "fiona", settings=rules)
    assert row(mdb, order_id).status == "exception"
    assert propose_credit_release(mdb, order_id, "fiona", settings=rules) is None
    with pytest.raises(CreditReleaseError, match="must not be fiona"):
        approve_credit_release(mdb, order_id, "fiona", settings=rules)
    release = approve_credit_release(mdb, order_id, "gerard", settings=rules)
    assert release.status == "validated"
    with mdb.session() as s:
        event = s.scalars(select(AuditEventRow).where(
            AuditEventRow.entity_id == order_id, AuditEventRow.action == "credit_release")).one()
    assert event.after == {"amount": "500", "released_by": "fiona", "approved_by": "gerard"}
    with mdb.session() as s:  # a later change sends it through validation: the release holds
        queue.transition(s, [order_id], "extracted", actor="alice")
    run(mdb)
    assert row(mdb, order_id).status == "validated"


def test_two_workers_share_the_queue_without_doing_an_order_twice(mdb: Database) -> None:
    enqueue(mdb, *[order(buyer_order_number=f"PO-{n}", source=src(n),
                         lines=[line(quantity=str(n))]) for n in range(1, 41)])
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _n: validate.run(mdb, SETTINGS, today=TODAY,
                                                          batch_size=3), range(2)))
    assert sum(r.get("validated", 0) + r.get("exception", 0) for r in results) == 40
    with mdb.session() as s:
        moves = s.execute(select(AuditEventRow.entity_id, func.count())
                          .where(AuditEventRow.action == "status",
                                 AuditEventRow.actor == "robot:validate")
                          .group_by(AuditEventRow.entity_id)).all()
    assert len(moves) == 40
    assert {count for _id, count in moves} == {1}
