"""ORDERS and ORDCHG messages (D96A, D01B, EANCOM) to canonical orders.

Every segment is either mapped to a canonical field or written to ``notes`` as its
EDIFACT text (``"line 2: PIA+5+00:VL"``), so nothing a buyer sends is dropped silently.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydifact.segments import Segment

from connectors.edi.edifact_envelope import EdifactMessage, component, element_at, value
from connectors.edi.edifact_syntax import render
from connectors.edi.values import (
    UnsupportedFormat,
    build_order,
    country_or_none,
    edi_decimal,
    edifact_date,
    gln_or_none,
    gtin_or_none,
    unit_code,
)
from hub.errors import BadDocument
from hub.model import Address, Contact, Line, Order, Party, PaymentTerms, Source

ORDER_MESSAGES = ("ORDERS", "ORDCHG")
_PARTY_ROLES = {"BY": "buyer", "SU": "seller", "DP": "ship_to", "ST": "ship_to", "IV": "bill_to"}
_DELIVERY_QUALIFIERS = ("2", "69", "64")
_ITEM_TYPES_GTIN = ("EN", "SRV", "UP", "EU")
_ITEM_TYPES_BUYER = ("IN", "BP")
_ITEM_TYPES_SELLER = ("SA", "MF")
_PARTY_GROUP = ("NAD", "LOC", "FII", "RFF", "DTM", "DOC", "CTA", "COM")
# UNCL 1229 line actions, kept on the line as ``action`` for applying a change.
_LINE_ACTIONS = {"1": "add", "2": "delete", "3": "change", "4": "unchanged", "5": "accepted"}
_INCOTERMS = frozenset(
    ("EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP", "DAT"),
)


_HANDLERS = {
    "BGM": "_bgm", "DTM": "_dtm", "NAD": "_nad", "RFF": "_rff", "CTA": "_cta", "COM": "_com",
    "CUX": "_cux", "PAT": "_pat", "TOD": "_tod", "FTX": "_ftx", "LIN": "_lin", "PIA": "_pia",
    "IMD": "_imd", "QTY": "_qty", "PRI": "_pri", "MOA": "_moa", "UNS": "_uns", "CNT": "_cnt",
    "UNH": "_ignore", "UNT": "_ignore",
}  # fmt: skip


class _LineDraft:
    """What the segments of one LIN group say, before it becomes a :class:`Line`."""

    def __init__(self, number: int, where: str) -> None:
        self.number = number
        self.where = where
        self.fields: dict[str, Any] = {}
        self.quantity: Decimal | None = None
        self.fallback_quantity: tuple[Decimal, str, str] | None = None
        self.delivery: dict[str, tuple[date, str]] = {}

    def set_once(self, name: str, new: Any) -> bool:
        """Set a field unless already set; False when it was (the caller keeps a note)."""
        if new in (None, "") or self.fields.get(name) is not None:
            return new in (None, "")
        self.fields[name] = new
        return True


class OrderMapper:
    """Maps one EDIFACT message to one canonical order.

    Args:
        message: The checked message (UNH..UNT).
        source: The ``source`` block shared by the orders of the document.
    """

    def __init__(self, message: EdifactMessage, source: dict[str, Any]) -> None:
        self.message = message
        self.source = source
        self.order: dict[str, Any] = {"notes": []}
        self.parties: dict[str, dict[str, Any]] = {}
        self.party: dict[str, Any] | None = None
        self.party_label = ""
        self.lines: list[_LineDraft] = []
        self.line: _LineDraft | None = None
        self.summary = False
        self.index = 0
        self.delivery: dict[str, tuple[date, str]] = {}
        self.references: dict[str, str] = {}
        self.line_count_stated: tuple[int, str] | None = None

    @property
    def where(self) -> str:
        """Location of the segment being read."""
        return self.message.where(self.index)

    def map(self) -> Order:
        """Read every segment and build the order.

        Raises:
            BadDocument: naming the segment, for a value that cannot be read.
        """
        if self.message.type not in ORDER_MESSAGES:
            raise BadDocument(
                f"message type {self.message.type or '(none)'} is not an order "
                f"(ORDERS or ORDCHG expected)",
                location=self.message.where(0),
                code="UNSUPPORTED_MESSAGE",
            )
        for index, segment in enumerate(self.message.segments):
            self.index = index
            if segment.tag not in _PARTY_GROUP:
                self.party = None
            # Looked up per segment rather than kept as bound methods on the mapper: that
            # would make a reference cycle holding every message until the cyclic GC runs.
            getattr(self, _HANDLERS.get(segment.tag, "_unmapped"))(segment)
        return self._build()

    # --- notes ---------------------------------------------------------------------

    def note(self, text: str) -> None:
        """Keep something the order has no field for."""
        prefix = f"line {self.line.number}: " if self.line and not self.summary else ""
        self.order["notes"].append(prefix + text)

    def _ignore(self, segment: Segment) -> None:
        """UNH and UNT: read by the envelope walker."""

    def _unmapped(self, segment: Segment) -> None:
        self.note(render(segment, self.message.syntax.chars))

    # --- header ----------------------------------------------------------------------

    def _bgm(self, segment: Segment) -> None:
        name_code = value(segment, 0)
        number = value(segment, 1)
        function = value(segment, 2)
        if not number:
            raise BadDocument("BGM has no document number", location=self.where,
                              code="MISSING_FIELD")  # fmt: skip
        self.order["buyer_order_number"] = number
        if function == "1" or (function == "3" and self.message.type == "ORDCHG"):
            self.order["document_type"] = "order_cancel"
        elif self.message.type == "ORDCHG" or name_code == "230":
            self.order["document_type"] = "order_change"
        else:
            self.order["document_type"] = "order"
        if name_code not in ("", "220", "105", "230", "221", "226", "227", "402"):
            self.note(f"BGM document name code {name_code}")
        if function not in ("", "9", "1"):
            self.note(f"BGM message function {function}")
        if value(segment, 3):
            self.note(f"BGM response type {value(segment, 3)}")

    def _dtm(self, segment: Segment) -> None:
        qualifier, text, fmt = (value(segment, 0, i) for i in range(3))
        try:
            day = edifact_date(text, fmt, location=self.where)
        except UnsupportedFormat:
            self.note(render(segment, self.message.syntax.chars))
            return
        if self.party is not None and not self.line:
            self.note(f"NAD+{self.party_label} DTM+{qualifier}: {day.isoformat()}")
            return
        if self.line and not self.summary:
            if qualifier in _DELIVERY_QUALIFIERS and qualifier not in self.line.delivery:
                self.line.delivery[qualifier] = (day, render(segment, self.message.syntax.chars))
            else:
                self.note(f"DTM+{qualifier}: {day.isoformat()}")
            return
        if qualifier in ("137", "4") and "order_date" not in self.order:
            self.order["order_date"] = day
        elif qualifier in _DELIVERY_QUALIFIERS and qualifier not in self.delivery:
            self.delivery[qualifier] = (day, render(segment, self.message.syntax.chars))
        else:
            self.note(f"DTM+{qualifier}: {day.isoformat()}")

    def _cux(self, segment: Segment) -> None:
        currency = value(segment, 0, 1)
        if len(currency) == 3 and currency.isalpha() and "currency" not in self.order:
            self.order["currency"] = currency.upper()
        else:
            self._unmapped(segment)

    def _pat(self, segment: Segment) -> None:
        terms = element_at(segment, 1)
        text = " ".join(c for c in (component(terms, 3), component(terms, 4)) if c)
        period, count = value(segment, 2, 2), value(segment, 2, 3)
        days = None
        if count.isdigit() and period in ("D", "W"):
            days = int(count) * (7 if period == "W" else 1)
        elif count:
            self.note(render(segment, self.message.syntax.chars))
        if "payment_terms" in self.order:
            self._unmapped(segment)
            return
        self.order["payment_terms"] = PaymentTerms(days=days, description=text or None)

    def _tod(self, segment: Segment) -> None:
        code = value(segment, 2).upper()
        if code in _INCOTERMS and "incoterms" not in self.order:
            self.order["incoterms"] = code
            if value(segment, 2, 3):
                self.note(f"TOD {code}: {value(segment, 2, 3)}")
        else:
            self._unmapped(segment)

    def _ftx(self, segment: Segment) -> None:
        texts = element_at(segment, 3)
        lines = texts if isinstance(texts, list) else [texts or ""]
        text = " ".join(t.strip() for t in lines if t.strip())
        if text:
            self.note(text)
        else:
            self._unmapped(segment)

    def _rff(self, segment: Segment) -> None:
        qualifier, reference = value(segment, 0), value(segment, 0, 1)
        if self.party is not None and not self.line:
            if qualifier == "VA" and not self.party.get("vat_id"):
                self.party["vat_id"] = reference
                return
            self.note(f"NAD+{self.party_label} RFF+{qualifier}: {reference}")
            return
        if qualifier == "ON" and not self.line:
            self.references.setdefault("ON", reference)
        self.note(f"RFF+{qualifier}: {reference}")

    # --- parties ---------------------------------------------------------------------

    def _nad(self, segment: Segment) -> None:
        qualifier = value(segment, 0)
        role = _PARTY_ROLES.get(qualifier)
        party = self._party_from_nad(segment)
        self.party, self.party_label = party, qualifier
        if role is None or role in self.parties:
            self.note(render(segment, self.message.syntax.chars))
            return
        self.parties[role] = party

    def _party_from_nad(self, segment: Segment) -> dict[str, Any]:
        identifier, agency = value(segment, 1), value(segment, 1, 2)
        party: dict[str, Any] = {}
        if agency == "9" and gln_or_none(identifier):
            party["gln"] = identifier
        elif identifier:
            party["buyer_assigned_id"] = identifier
        name = " ".join(_components(element_at(segment, 3)))
        unstructured = _components(element_at(segment, 2))
        party["name"] = name or (unstructured[0] if unstructured else None)
        street = ", ".join(_components(element_at(segment, 4)))
        city, postal, country = value(segment, 5), value(segment, 7), value(segment, 8)
        if value(segment, 6):
            self.note(f"NAD+{value(segment, 0)} country subdivision {value(segment, 6)}")
        if country and not country_or_none(country):
            self.note(f"NAD+{value(segment, 0)} country {country!r} is not an ISO 3166 code")
        if street or city or postal or country_or_none(country):
            party["address"] = Address(
                street=street or None, city=city or None, postal_code=postal or None,
                country=country_or_none(country),
            )  # fmt: skip
        return party

    def _cta(self, segment: Segment) -> None:
        if self.party is None:
            self._unmapped(segment)
            return
        contact = self.party.setdefault("contact", {})
        name = value(segment, 1, 1) or value(segment, 1, 0)
        if name and not contact.get("name"):
            contact["name"] = name

    def _com(self, segment: Segment) -> None:
        number, channel = value(segment, 0), value(segment, 0, 1)
        field = {"TE": "phone", "EM": "email"}.get(channel)
        if self.party is None or field is None:
            self._unmapped(segment)
            return
        contact = self.party.setdefault("contact", {})
        if contact.get(field):
            self._unmapped(segment)
            return
        contact[field] = number

    # --- lines -----------------------------------------------------------------------

    def _lin(self, segment: Segment) -> None:
        number_text = value(segment, 0)
        self.party = None
        if not number_text:
            number = len(self.lines) + 1
        elif number_text.isdigit() and int(number_text) >= 1:
            number = int(number_text)
        else:
            raise BadDocument(f"line number {number_text!r} is not a positive whole number",
                              location=self.where, code="INVALID_VALUE")  # fmt: skip
        if any(line.number == number for line in self.lines):
            raise BadDocument(f"duplicate line number {number}", location=self.where,
                              code="DUPLICATE_LINE")  # fmt: skip
        self.line = _LineDraft(number, self.where)
        self.lines.append(self.line)
        if not number_text:
            self.note("LIN without line number: numbered by position")
        action = value(segment, 1)
        if action:
            if action in _LINE_ACTIONS:
                self.line.fields["action"] = _LINE_ACTIONS[action]
            else:
                self.note(f"LIN action {action} (unknown code)")
        self._item_id(value(segment, 2), value(segment, 2, 1))

    def _item_id(self, identifier: str, kind: str) -> None:
        assert self.line is not None
        if not identifier:
            return
        if kind in _ITEM_TYPES_GTIN and gtin_or_none(identifier):
            stored = self.line.set_once("gtin", identifier)
        elif kind in _ITEM_TYPES_BUYER:
            stored = self.line.set_once("buyer_item_code", identifier)
        elif kind in _ITEM_TYPES_SELLER:
            stored = self.line.set_once("seller_item_code", identifier)
        else:
            stored = False
        if not stored:
            self.note(f"item id {identifier} ({kind or 'no type'})")

    def _pia(self, segment: Segment) -> None:
        if self.line is None:
            self._unmapped(segment)
            return
        for position in range(1, len(segment.elements)):
            self._item_id(value(segment, position), value(segment, position, 1))

    def _imd(self, segment: Segment) -> None:
        text = " ".join(c for c in (value(segment, 2, 3), value(segment, 2, 4)) if c)
        if self.line is None or not text or not self.line.set_once("description", text):
            self._unmapped(segment)

    def _qty(self, segment: Segment) -> None:
        qualifier, amount, unit = (value(segment, 0, i) for i in range(3))
        if self.line is None:
            self._unmapped(segment)
            return
        quantity = edi_decimal(amount, location=self.where, what="quantity")
        if qualifier == "21" and self.line.quantity is None:
            self.line.quantity = quantity
            self.line.set_once("unit", unit_code(unit))
        elif qualifier == "1" and self.line.fallback_quantity is None:
            self.line.fallback_quantity = (quantity, unit, self.where)
        else:
            self.note(f"QTY+{qualifier}: {amount}{' ' + unit if unit else ''}")

    def _pri(self, segment: Segment) -> None:
        qualifier, amount = value(segment, 0), value(segment, 0, 1)
        basis = value(segment, 0, 4)
        if self.line is None or qualifier != "AAA" or "unit_price" in self.line.fields:
            self._unmapped(segment)
            return
        price = edi_decimal(amount, location=self.where, what="price")
        if basis and basis not in ("1", "1.0"):
            price = price / edi_decimal(basis, location=self.where, what="price basis")
            self.note(f"PRI+AAA {amount} per {basis} units")
        self.line.fields["unit_price"] = price

    def _moa(self, segment: Segment) -> None:
        qualifier, amount = value(segment, 0), value(segment, 0, 1)
        money = edi_decimal(amount, location=self.where, what="amount")
        if self.summary and qualifier in ("79", "128") and "total_amount" not in self.order:
            self.order["total_amount"] = money
        elif self.line and not self.summary and qualifier in ("203", "66"):
            if not self.line.set_once("line_amount", money):
                self._unmapped(segment)
        else:
            self._unmapped(segment)

    def _uns(self, segment: Segment) -> None:
        self.summary = True
        if value(segment, 0) not in ("S", ""):
            self._unmapped(segment)

    def _cnt(self, segment: Segment) -> None:
        if value(segment, 0) == "2" and value(segment, 0, 1).isdigit():
            self.line_count_stated = (int(value(segment, 0, 1)), self.where)
        else:
            self._unmapped(segment)

    # --- building --------------------------------------------------------------------

    def _build(self) -> Order:
        if "buyer_order_number" not in self.order:
            raise BadDocument("message has no BGM", location=self.message.where(0),
                              code="MISSING_FIELD")  # fmt: skip
        if self.line_count_stated and self.line_count_stated[0] != len(self.lines):
            stated, where = self.line_count_stated
            raise BadDocument(f"CNT+2 states {stated} lines, message has {len(self.lines)}",
                              location=where, code="CONTROL_COUNT_MISMATCH")  # fmt: skip
        if not self.lines:
            raise BadDocument("order has no lines (LIN)", location=self.message.where(0),
                              code="MISSING_FIELD")  # fmt: skip
        self._apply_change_reference()
        data = dict(self.order)
        data["requested_delivery_date"] = self._first(self.delivery, "")
        data["source"] = Source(**self.source, format=self.format_name())
        data["lines"] = [self._line(draft) for draft in self.lines]
        for role in ("buyer", "seller", "bill_to", "ship_to"):
            party = self.parties.get(role)
            if party is not None:
                data[role] = _party(party)
        return build_order(data, location=self.message.where(0))

    def _apply_change_reference(self) -> None:
        # A change or cancellation names the order it amends in RFF+ON; that order number
        # is what the buyer and the queue know the order by.
        original = self.references.get("ON")
        if original and self.order.get("document_type") != "order":
            self.note(f"{self.message.type} document number {self.order['buyer_order_number']}")
            self.order["buyer_order_number"] = original

    def _line(self, draft: _LineDraft) -> Line:
        quantity = draft.quantity
        if quantity is None and draft.fallback_quantity:
            quantity, unit, _ = draft.fallback_quantity
            draft.set_once("unit", unit_code(unit))
            self.order["notes"].append(f"line {draft.number}: quantity from QTY+1 (no QTY+21)")
        if quantity is None:
            raise BadDocument(f"line {draft.number} has no ordered quantity (QTY+21)",
                              location=draft.where, code="MISSING_FIELD")  # fmt: skip
        return Line(line_number=draft.number, quantity=quantity,
                    requested_delivery_date=self._first(draft.delivery, f"line {draft.number}: "),
                    **draft.fields)  # fmt: skip

    def _first(self, dates: dict[str, tuple[date, str]], prefix: str) -> date | None:
        """The requested delivery date by preference (2, 69, 64); the others become notes."""
        chosen = next((q for q in _DELIVERY_QUALIFIERS if q in dates), None)
        for qualifier, (_day, text) in dates.items():
            if qualifier != chosen:
                self.order["notes"].append(prefix + text)
        return dates[chosen][0] if chosen else None

    def format_name(self) -> str:
        """The ``source.format`` of this message, e.g. ``edifact-d96a-orders``."""
        return f"edifact-{self.message.directory or 'unknown'}-{self.message.type.lower()}"


def _components(element: Any) -> list[str]:
    parts = element if isinstance(element, list) else [element or ""]
    return [p.strip() for p in parts if p and p.strip()]


def _party(data: dict[str, Any]) -> Party:
    contact = data.pop("contact", None)
    return Party(**data, contact=Contact(**contact) if contact else None)


