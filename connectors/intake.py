"""The order handler: how ``o2c ingest`` and every transport put orders in the queue.

Registered in the ``o2c.handlers`` entry-point group, so the hub reaches the extractors
without importing them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.base import Extractor, ReferenceData, Registry
from hub import queue
from hub.documents import RawDocument
from hub.errors import BadDocument
from hub.intake import Handled
from hub.model import Order
from hub.tables import CustomerItemRow, CustomerRow, DocumentRow, EvidenceRow, ProductRow


class OrderHandler:
    """Extracts orders with the registry and enqueues them, once each."""

    name: ClassVar[str] = "orders"
    priority: ClassVar[int] = 50

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry or Registry.default()

    def identify(self, raw: RawDocument) -> bool:
        """Whether some extractor claims the document (two claims are reported later)."""
        try:
            self.registry.identify(raw)
        except BadDocument as exc:
            return "several extractors" in exc.reason
        return True

    def handle(self, session: Session, document: DocumentRow, raw: RawDocument) -> Handled:
        """Extract, enqueue, keep evidence, and let the extractor react (EDI acknowledgements).

        Raises:
            BadDocument: when nothing in the document could be read.
        """
        self.registry.reference = reference_data(session)
        extractor = self.registry.identify(raw)
        orders, problems = extract_all(self.registry, extractor, raw)
        enqueued = queue.enqueue(session, orders, actor=f"connector:{extractor.name}")
        store_evidence(session, raw, orders, enqueued.created)
        hook = getattr(extractor, "on_stored", None)
        if callable(hook) and enqueued.created:
            hook(session, raw, orders)
        fmt = orders[0].source.format if orders else None
        return Handled(format=fmt, created={"orders": len(enqueued.created)},
                       already={"orders": len(enqueued.existing)}, problems=problems)


    def on_failed(
        self, session: Session, document: DocumentRow, raw: RawDocument, error: BadDocument
    ) -> None:
        """Let the extractor answer a document it could not read (an EDI rejection)."""
        try:
            extractor = self.registry.identify(raw)
        except BadDocument:
            return
        hook = getattr(extractor, "on_failed", None)
        if callable(hook):
            hook(session, raw, error)


def extract_all(
    registry: Registry, extractor: Extractor, raw: RawDocument
) -> tuple[list[Order], list[str]]:
    """The document's orders, and one line per part that could not be read.

    An extractor that reads documents in independent parts (an EDI interchange of many
    messages) offers ``extract_with_problems``; one bad part then does not stop the rest.

    Raises:
        BadDocument: when no order at all could be read.
    """
    partial = getattr(extractor, "extract_with_problems", None)
    if not callable(partial):
        return registry.extract(raw, connector=extractor.name), []
    try:
        orders, errors = partial(raw)
    except BadDocument as exc:
        raise exc.with_source(raw.name) from None
    problems = [_where(e) for e in errors]
    if not orders:
        raise BadDocument("; ".join(problems) or "no order found", source=raw.name)
    return orders, problems


def _where(error: BadDocument) -> str:
    return f"{error.location}: {error.reason}" if error.location else error.reason


def reference_data(session: Session) -> ReferenceData:
    """Known item codes, GTINs and customer names, for extractors that repair OCR."""
    skus = set(session.scalars(select(ProductRow.sku)))
    customer_codes = set(session.scalars(select(CustomerItemRow.customer_item_code)))
    gtins = {g for g in session.scalars(select(ProductRow.gtin)) if g}
    names = set(session.scalars(select(CustomerRow.name)))
    return ReferenceData(item_codes=frozenset(skus | customer_codes), gtins=frozenset(gtins),
                         customer_names=frozenset(names))


SCAN_FORMATS = frozenset({"tiff-scan", "pdf-scan", "image-scan"})


def store_evidence(
    session: Session, raw: RawDocument, orders: list[Order], order_ids: list[str]
) -> None:
    """Keep where on the page each field was read (``evidence`` on the order); for scans,
    the crop of the page region too, so a person sees the image beside the value."""
    for order, order_id in zip(orders, order_ids, strict=False):
        evidence: dict[str, Any] = (order.model_extra or {}).get("evidence") or {}
        crops = _crops(raw, evidence) if order.source.format in SCAN_FORMATS else {}
        for field_path, place in evidence.items():
            session.add(EvidenceRow(
                document_sha256=raw.sha256, order_id=order_id, field=field_path,
                page=place.get("page"), box=place.get("box"), media_type="image/png",
                content=crops.get(field_path),
            ))


def _crops(raw: RawDocument, evidence: dict[str, Any]) -> dict[str, bytes]:
    from connectors.fax_ocr.evidence import render_crops

    try:
        return {field_path: png for field_path, _place, png in render_crops(raw, evidence)}
    except BadDocument:  # the boxes stay; the workbench can still render them later
        return {}
