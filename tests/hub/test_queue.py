"""The queue: idempotent enqueue, the state machine, leases and claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from hub import audit, clock, queue
from hub.db import Database
from hub.orders import detail, list_summaries, timeline
from hub.tables import OrderRow
from tests.hub.factories import order


@pytest.fixture
def frozen_clock():
    moment = [datetime(2026, 11, 22, 9, 0, tzinfo=UTC)]
    clock.set_clock(lambda: moment[0])
    yield moment
    clock.set_clock(None)


def test_enqueue_is_idempotent_on_the_order_identity(db: Database) -> None:
    orders = [order("PO-1"), order("PO-2")]
    with db.session() as session:
        first = queue.enqueue(session, orders, actor="test")
    with db.session() as session:
        second = queue.enqueue(session, orders, actor="test")
    assert len(first.created) == 2
    assert second.created == []
    assert sorted(second.existing) == sorted(first.created)


def test_same_po_from_another_document_is_a_new_queue_entry(db: Database) -> None:
    with db.session() as session:
        created = queue.enqueue(session, [order("PO-1", doc="a"), order("PO-1", doc="b")],
                                actor="test").created
    assert len(created) == 2  # duplicate detection is the validation robot's business


def test_lines_and_decimals_round_trip(db: Database) -> None:
    with db.session() as session:
        (order_id,) = queue.enqueue(session, [order(lines=3)], actor="test").created
    with db.session() as session:
        shown = detail(session, order_id)
    assert shown is not None
    assert [line["quantity"] for line in shown["order"]["lines"]] == ["1.5", "2.5", "3.5"]
    assert Decimal(shown["order"]["lines"][0]["unit_price"]) == Decimal("12.40")
    assert Decimal(shown["order"]["total_amount"]) == Decimal("99.90")


def test_transitions_follow_the_state_machine_and_are_audited(db: Database, frozen_clock) -> None:
    with db.session() as session:
        (order_id,) = queue.enqueue(session, [order()], actor="connector:test").created
    frozen_clock[0] += timedelta(minutes=5)
    with db.session() as session:
        queue.transition(session, [order_id], "validated", actor="robot:validate")
    refused = pytest.raises(queue.InvalidTransition, match="cannot go from validated to released")
    with db.session() as session, refused:
        queue.transition(session, [order_id], "released", actor="robot:release")
    with db.session() as session:
        steps = timeline(session, order_id)
        events = audit.history(session, "order", order_id)
    assert [s.status for s in steps] == ["extracted", "validated"]
    assert steps[1].seconds_since_previous == 300
    assert events[-1].before == {"status": "extracted"}
    assert events[-1].actor == "robot:validate"


def test_final_states_are_final(db: Database) -> None:
    with db.session() as session:
        (order_id,) = queue.enqueue(session, [order()], actor="test").created
        queue.transition(session, [order_id], "rejected", actor="adv1", detail="not ours")
    with db.session() as session, pytest.raises(queue.InvalidTransition):
        queue.transition(session, [order_id], "extracted", actor="adv1")


def test_claims_never_overlap_and_leases_expire(db: Database, frozen_clock) -> None:
    with db.session() as session:
        queue.enqueue(session, [order(f"PO-{n}") for n in range(10)], actor="test")
    with db.session() as session:
        first = queue.claim(session, "extracted", limit=6, owner="w1", lease_seconds=60)
    with db.session() as session:
        second = queue.claim(session, "extracted", limit=6, owner="w2", lease_seconds=60)
    assert len(first) == 6 and len(second) == 4
    assert not set(first) & set(second)
    frozen_clock[0] += timedelta(seconds=61)  # w1 died: its lease runs out
    with db.session() as session:
        third = queue.claim(session, "extracted", limit=10, owner="w3", lease_seconds=60)
    assert sorted(third) == sorted(first + second)


def test_a_transition_clears_the_lease(db: Database) -> None:
    with db.session() as session:
        queue.enqueue(session, [order()], actor="test")
    with db.session() as session:
        (order_id,) = queue.claim(session, "extracted", limit=1, owner="w1")
        queue.transition(session, [order_id], "validated", actor="robot:validate")
    with db.session() as session:
        row = session.scalar(select(OrderRow).where(OrderRow.id == order_id))
        assert row is not None and row.lease_owner is None
        assert queue.claim(session, "validated", limit=5, owner="w2") == [order_id]


def test_exceptions_open_and_resolve(db: Database) -> None:
    with db.session() as session:
        (order_id,) = queue.enqueue(session, [order()], actor="test").created
        queue.add_exceptions(session, order_id, [
            queue.Finding("UNKNOWN_PRODUCT", "no product with GTIN 3012345678901",
                          field="lines[0].gtin"),
            queue.Finding("CREDIT_LIMIT_EXCEEDED", "exposure 12,000 over 10,000", owner="finance"),
        ], actor="robot:validate")
        queue.transition(session, [order_id], "exception", actor="robot:validate")
    with db.session() as session:
        listed = list_summaries(session, status="exception")
        assert [e["reason"] for e in listed[0]["exceptions"]] == [
            "UNKNOWN_PRODUCT", "CREDIT_LIMIT_EXCEEDED"]
        closed = queue.resolve_exceptions(session, order_id, actor="adv1",
                                          resolution="product fixed", reasons=["UNKNOWN_PRODUCT"])
    with db.session() as session:
        remaining = list_summaries(session)[0]["exceptions"]
    assert closed == 1
    assert [e["reason"] for e in remaining] == ["CREDIT_LIMIT_EXCEEDED"]


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_claims_never_walk_finished_orders(db: Database) -> None:
    from sqlalchemy import text

    with db.session() as session:
        queue.enqueue(session, [order(f"PO-{n}", lines=1) for n in range(5000)], actor="test")
        # A queue in service: most orders are finished, a few wait at the front.
        session.execute(text("UPDATE orders SET status = 'released' "
                             "WHERE buyer_order_number NOT LIKE 'PO-49%'"))
        session.execute(text("ANALYZE orders"))
    with db.session() as session:
        plan = "\n".join(session.scalars(text(
            "EXPLAIN SELECT id FROM orders WHERE status = 'extracted' "
            "AND (lease_expires_at IS NULL OR lease_expires_at < now()) "
            "ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED")))
    # The claim reaches waiting orders through an index on the status, never by walking
    # the finished ones (the partial index, or another one led by the status).
    assert "Index Cond: ((status)::text = 'extracted'::text)" in plan
    assert "Seq Scan" not in plan


def test_readers_do_not_wait_for_each_other(db: Database) -> None:
    with db.session() as session:
        queue.enqueue(session, [order()], actor="test")
    with db.session(read_only=True) as first, db.session(read_only=True) as second:
        # On SQLite a writer's BEGIN IMMEDIATE would wait here for the first session.
        assert len(list_summaries(first)) == len(list_summaries(second)) == 1
