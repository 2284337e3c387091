"""Intake: raw bytes first, one clear reason on failure, idempotent re-ingest."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import queue, store
from hub.db import Database
from hub.documents import RawDocument
from hub.errors import BadDocument, NotAnOrder
from hub.intake import Handled, ingest
from hub.tables import DocumentRow, OrderRow
from tests.hub.factories import order


class LineHandler:
    """Reads documents of the form ``PO;n`` (one order per line), refusing anything else."""

    name: ClassVar[str] = "lines"
    priority: ClassVar[int] = 1

    def identify(self, raw: RawDocument) -> bool:
        return raw.content.startswith(b"PO")

    def handle(self, session: Session, document: DocumentRow, raw: RawDocument) -> Handled:
        text = raw.content.decode()
        if "junk" in text:
            raise BadDocument("junk is not an order", location="line 2")
        if "hello" in text:
            raise NotAnOrder("a greeting")
        orders = [order(line.split(";")[0], doc=raw.sha256) for line in text.splitlines()]
        orders = [o.model_copy(update={"source": o.source.model_copy(
            update={"sha256": raw.sha256})}) for o in orders]
        made = queue.enqueue(session, orders, actor="test")
        return Handled(format="lines", created={"orders": len(made.created)})


def _documents(db: Database) -> list[DocumentRow]:
    with db.session() as session:
        return list(session.scalars(select(DocumentRow)))


def test_a_document_becomes_orders_and_is_marked_extracted(db: Database) -> None:
    report = ingest(db, RawDocument(b"PO-1;1\nPO-2;1", "two.txt"), handlers=[LineHandler()])
    assert report.ok and report.created == {"orders": 2} and report.format == "lines"
    (document,) = _documents(db)
    assert document.status == "extracted" and document.order_count == 2
    with db.session() as session:
        assert store.content(session, document.sha256) == b"PO-1;1\nPO-2;1"


def test_the_same_bytes_twice_are_a_duplicate_and_change_nothing(db: Database) -> None:
    raw = RawDocument(b"PO-1;1", "one.txt")
    ingest(db, raw, handlers=[LineHandler()])
    again = ingest(db, RawDocument(b"PO-1;1", "renamed.txt"), handlers=[LineHandler()])
    assert again.status == "duplicate" and not again.ok
    assert again.error is not None and "already ingested" in again.error
    with db.session() as session:
        assert len(list(session.scalars(select(OrderRow)))) == 1


def test_bad_document_is_kept_with_its_reason_and_nothing_half_written(db: Database) -> None:
    report = ingest(db, RawDocument(b"PO-1;1\njunk", "bad.txt"), handlers=[LineHandler()])
    assert report.status == "failed"
    assert report.error == "line 2: junk is not an order"
    (document,) = _documents(db)
    assert document.status == "failed" and document.error == "line 2: junk is not an order"
    with db.session() as session:
        assert store.content(session, document.sha256) is not None
        assert list(session.scalars(select(OrderRow))) == []


def test_not_an_order_is_classified_not_failed(db: Database) -> None:
    report = ingest(db, RawDocument(b"PO hello", "hi.txt"), handlers=[LineHandler()])
    assert report.status == "not_order" and report.ok
    assert _documents(db)[0].error_code == "NOT_AN_ORDER"


def test_unknown_empty_and_oversized_documents_fail_with_a_reason(db: Database) -> None:
    handlers = [LineHandler()]
    unknown = ingest(db, RawDocument(b"\x00\x01binary", "x.bin"), handlers=handlers)
    empty = ingest(db, RawDocument(b"  \n", "empty.csv"), handlers=handlers)
    big = ingest(db, RawDocument(b"PO" + b"x" * 100, "big.txt"), handlers=handlers, max_bytes=50)
    assert unknown.error == "no reader recognises this document format"
    assert empty.error == "empty file"
    assert big.error == "102 bytes is over the 50-byte document cap"
    assert {d.status for d in _documents(db)} == {"failed"}


def test_a_failed_document_is_read_again_when_ingested_again(db: Database) -> None:
    raw = RawDocument(b"PO-9;1", "late.txt")
    ingest(db, raw, handlers=[])
    retried = ingest(db, raw, handlers=[LineHandler()])
    assert retried.status == "extracted" and retried.created == {"orders": 1}


def test_document_names_never_carry_folders() -> None:
    assert store.safe_name("../../etc/passwd") == "passwd"
    assert store.safe_name("C:\\evil\\x.csv") == "x.csv"
    assert store.safe_name("a\x00b\n.csv") == "ab.csv"
    assert store.safe_name("") == "unnamed"


def test_scanned_orders_keep_a_crop_of_each_field(db: Database) -> None:
    from connectors.intake import OrderHandler
    from hub.tables import EvidenceRow
    from tests.conftest import SAMPLES

    fax = (SAMPLES / "fax" / "fr_classic_fine.tif").read_bytes()
    report = ingest(db, RawDocument(fax, "fax.tif", channel="fax"), handlers=[OrderHandler()])
    assert report.created == {"orders": 1}
    with db.session() as session:
        rows = list(session.scalars(select(EvidenceRow)))
    assert {"buyer_order_number", "lines[0].quantity"} <= {r.field for r in rows}
    assert all(r.content and r.content.startswith(b"\x89PNG") for r in rows)
