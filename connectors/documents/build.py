"""A checked reading to a canonical order, with a confidence and evidence per field.

``order.confidence`` holds the confidence of every field read (path → 0..1) and
``order.evidence`` (an extra top-level field) the page and box each one was read from,
as fractions of the page's width and height, so that a crop can be cut from any
rendering of the page. ``order.low_confidence`` lists the fields under the threshold and
``order.snapped`` the fields replaced by a master-data value, with the text as read.
"""

from __future__ import annotations

from typing import Any

from connectors.documents.header import terms_days
from connectors.documents.layout import Reading
from connectors.documents.parties import PartyRead
from connectors.documents.values import Read
from hub.documents import RawDocument
from hub.errors import BadDocument, NotAnOrder
from hub.model import Address, Contact, Line, Order, Party, PaymentTerms, Source

_LINE_FIELDS = ("gtin", "seller_item_code", "buyer_item_code", "description", "quantity",
                "unit", "unit_price", "line_amount")


class _Collector:
    """Gathers values, confidences and evidence under their field paths."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading
        self.confidence: dict[str, float] = {}
        self.evidence: dict[str, dict[str, Any]] = {}
        self.snapped: dict[str, str] = {}

    def take(self, path: str, read: Read | None) -> Any:
        if read is None or read.value is None:
            return None
        self.confidence[path] = round(read.confidence, 3)
        if read.snapped_from is not None:
            self.snapped[path] = read.snapped_from
        if (box := read.box) is not None:
            width, height = self.reading.page_sizes.get(read.page, (1.0, 1.0))
            self.evidence[path] = {
                "page": read.page,
                "box": [round(box[0] / width, 4), round(box[1] / height, 4),
                        round(box[2] / width, 4), round(box[3] / height, 4)],
            }
        return read.value


def build_order(
    reading: Reading, raw: RawDocument, *, format: str, threshold: float,
    unread: frozenset[str] = frozenset(),
) -> Order:
    """The canonical order a checked reading states.

    Args:
        reading: The layout reading after :func:`connectors.documents.checks.apply_checks`.
        raw: The document, for the source block.
        format: ``source.format`` (``pdf-text``, ``tiff-scan``...).
        threshold: Fields under this confidence are listed in ``order.low_confidence``.
        unread: Fields the page most likely states but that could not be read: they stay
            null with confidence 0, since an absent confidence would mean certainty.

    Raises:
        NotAnOrder: when the document has neither an order number nor order lines.
        BadDocument: when one of the two is missing.
    """
    fields = reading.fields
    number = fields.get("buyer_order_number")
    if number is None and not reading.rows:
        raise NotAnOrder("no order number and no lines table: this page holds no order")
    if number is None:
        raise BadDocument("no order number found (N° de commande / PO number)",
                          location="header", code="MISSING_FIELD")
    if not reading.rows:
        raise BadDocument("no order lines found under a Réf/Qté/PU table header",
                          location="lines table", code="MISSING_FIELD")
    c = _Collector(reading)
    c.confidence.update({field: 0.0 for field in unread if field not in fields})
    order = Order(
        buyer_order_number=c.take("buyer_order_number", number),
        order_date=c.take("order_date", fields.get("order_date")),
        requested_delivery_date=c.take("requested_delivery_date",
                                       fields.get("requested_delivery_date")),
        currency=c.take("currency", fields.get("currency")),
        buyer=_party("buyer", reading.parties.get("buyer"), c) or Party(),
        seller=_party("seller", reading.parties.get("seller"), c),
        bill_to=_party("bill_to", reading.parties.get("bill_to"), c),
        ship_to=_party("ship_to", reading.parties.get("ship_to"), c),
        payment_terms=_terms(fields.get("payment_terms"), c),
        incoterms=c.take("incoterms", fields.get("incoterms")),
        lines=_lines(reading, c),
        total_amount=c.take("total_amount", fields.get("total_amount")),
        source=_source(raw, format),
        confidence=c.confidence,
    )
    extra: dict[str, Any] = {
        "evidence": c.evidence,
        "low_confidence": sorted(p for p, v in c.confidence.items() if v < threshold),
    }
    if c.snapped:
        extra["snapped"] = c.snapped
    return order.model_copy(update=extra)


def _source(raw: RawDocument, format: str) -> Source:
    return Source(channel=raw.channel, format=format, document_ref=raw.document_ref or raw.name,
                  sender=raw.sender, received_at=raw.received_at, sha256=raw.sha256)


def _lines(reading: Reading, c: _Collector) -> list[Line]:
    lines = []
    for index, row in enumerate(reading.rows):
        prefix = f"lines[{index}]"
        values = {k: c.take(f"{prefix}.{k}", row.cells.get(k)) for k in _LINE_FIELDS}
        number = row.cells.get("line_number")
        values["line_number"] = number.value if number and number.value >= 1 else index + 1
        lines.append(Line(**values))
    return lines


def _party(role: str, block: PartyRead | None, c: _Collector) -> Party | None:
    if block is None:
        return None
    f = block.fields
    address = Address(
        street=c.take(f"{role}.address.street", f.get("street")),
        postal_code=c.take(f"{role}.address.postal_code", f.get("postal_code")),
        city=c.take(f"{role}.address.city", f.get("city")),
        country=c.take(f"{role}.address.country", f.get("country")),
    )
    contact = Contact(email=c.take(f"{role}.contact.email", f.get("email")),
                      phone=c.take(f"{role}.contact.phone", f.get("phone")))
    return Party(
        name=c.take(f"{role}.name", f.get("name")),
        gln=c.take(f"{role}.gln", f.get("gln")),
        vat_id=c.take(f"{role}.vat_id", f.get("vat_id")),
        siret=c.take(f"{role}.siret", f.get("siret")),
        address=address if any(address.model_dump().values()) else None,
        contact=contact if any(contact.model_dump().values()) else None,
    )


def _terms(read: Read | None, c: _Collector) -> PaymentTerms | None:
    text = c.take("payment_terms", read)
    return PaymentTerms(days=terms_days(text), description=text) if text else None
