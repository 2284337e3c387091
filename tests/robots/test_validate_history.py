"""The queue history validation judges by: kept per order, and refreshed from what
other workers committed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from hub.db import Database
from hub.tables import OrderLineRow, OrderRow
from robots.validation_index import History, PastOrder
from robots.validation_load import load_history, refresh_customers
from tests.robots.test_validate_db import enqueue, sha
from tests.robots.validate_data import TODAY, order

P100 = (("P-100", Decimal(5)),)


def _past(order_id: str, status: str = "validated", customer: str = "C1") -> PastOrder:
    return PastOrder(order_id, customer, f"PO-{order_id}", status, TODAY, P100, Decimal(50),
                     "C1-LYON", P100 if status == "validated" else ())


def test_forgetting_an_order_takes_back_its_exposure_and_quantities() -> None:
    history = History()
    history.add(_past("ORD-1"))
    history.add(_past("ORD-2"))
    history.add(_past("ORD-3", customer="C2"))
    assert history.average_quantity("C1", "P-100") == (2, Decimal(5))
    assert history.product_average("P-100") == (3, Decimal(5))
    assert history.exposure["C1"] == Decimal(100)
    history.remove("ORD-2")
    history.add(_past("ORD-1", status="exception"))  # replaced: no longer accepted
    assert history.average_quantity("C1", "P-100") == (0, None)
    assert history.product_average("P-100") == (1, Decimal(5))
    assert history.exposure["C1"] == Decimal(0)
    assert history.by_customer["C1"] == {"ORD-1"}


def _decide(db: Database, order_id: str, **values: Any) -> None:
    """What another worker commits: the order resolved to C1 with its SKU."""
    with db.session() as s:
        s.execute(update(OrderRow).where(OrderRow.id == order_id).values(
            customer_id="C1", ship_to_address_id="C1-LYON", total_amount=Decimal(50),
            **values))
        s.execute(update(OrderLineRow).where(OrderLineRow.order_id == order_id)
                  .values(sku="P-100"))


REFRESH_CASES = [
    ("nothing changed", {"status": "validated"}, {"status": "validated"}, set(), 1),
    ("another worker validated it", None, {"status": "validated"}, {"C1"}, 1),
    ("another worker raised an exception", None, {"status": "exception"}, {"C1"}, 0),
    ("it was cancelled meanwhile", {"status": "validated"}, {"status": "cancelled"},
     {"C1"}, 0),
]


@pytest.mark.parametrize(("before", "after", "changed", "lines"),
                         [c[1:] for c in REFRESH_CASES], ids=[c[0] for c in REFRESH_CASES])
def test_refresh_brings_what_other_workers_committed(
        db: Database, before: dict[str, Any] | None, after: dict[str, Any],
        changed: set[str], lines: int) -> None:
    [order_id] = enqueue(db, order(source={"channel": "edi", "sender": "EDI-DUPONT",
                                           "sha256": sha(1)}))
    if before:
        _decide(db, order_id, **before)
    with db.session() as s:
        history = load_history(s, TODAY, 365)
    _decide(db, order_id, **after)
    with db.session() as s:
        assert refresh_customers(s, history, {"C1"}, skip=(), today=TODAY, days=365) == changed
        # Refreshed again, nothing is new.
        assert refresh_customers(s, history, {"C1"}, skip=(), today=TODAY, days=365) == set()
    live = after["status"] != "cancelled"
    assert history.by_po.get(("C1", "PO-1"), set()) == ({order_id} if live else set())
    assert history.average_quantity("C1", "P-100")[0] == lines
    assert history.exposure["C1"] == (Decimal(50) if lines else Decimal(0))


def test_orders_of_the_batch_itself_are_left_to_the_batch(db: Database) -> None:
    [order_id] = enqueue(db, order(source={"channel": "edi", "sender": "EDI-DUPONT",
                                           "sha256": sha(2)}))
    _decide(db, order_id, status="validated")
    history = History()
    with db.session() as s:
        assert refresh_customers(s, history, {"C1"}, skip={order_id}, today=TODAY,
                                 days=365) == set()
    assert history.orders == {}
