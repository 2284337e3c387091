"""ANSI ASC X12 850 purchase orders (004010, VICS), any element and segment terminators.

The envelopes are read by :mod:`connectors.edi.x12_envelope`; a fault inside one
transaction set is reported for it alone and the others go on.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from connectors.base import Extractor, RawDocument
from connectors.edi.values import (
    build_order,
    country_or_none,
    edi_decimal,
    edifact_date,
    gln_or_none,
    gtin_or_none,
    unit_code,
)
from connectors.edi.x12_envelope import WHITESPACE, Transaction, X12Walker, at
from hub.errors import BadDocument
from hub.model import Address, Contact, Line, Order, Party, PaymentTerms

_ROLES = {"BY": "buyer", "ST": "ship_to", "BT": "bill_to", "SE": "seller", "SU": "seller",
          "VN": "seller"}  # fmt: skip
_BUYER_CODES = ("BP", "IN", "CB", "SK", "PI")
_SELLER_CODES = ("VN", "VP", "VC", "SA", "MG")
_GTIN_CODES = ("UP", "EN", "UK", "UA", "EO")
_DELIVERY_DATES = ("002", "106", "074")
MAX_BYTES = 25 * 1024 * 1024


def x12_date(text: str, location: str) -> date:
    """CCYYMMDD or YYMMDD.

    Raises:
        BadDocument: for anything else.
    """
    return edifact_date(text, "102" if len(text) == 8 else "101", location=location)


class X12OrderExtractor(Extractor):
    """X12 850 purchase orders."""

    name: ClassVar[str] = "x12-850"
    formats: ClassVar[tuple[str, ...]] = ("x12-850",)

    def identify(self, raw: RawDocument) -> bool:
        """An interchange opens with ISA followed by a separator character."""
        head = raw.head.lstrip(b"\xef\xbb\xbf" + WHITESPACE.encode())
        return head[:3] == b"ISA" and len(head) > 3 and not head[3:4].isalnum()

    def extract(self, raw: RawDocument) -> list[Order]:
        """Every 850 in the interchange; see :meth:`extract_with_problems`.

        Raises:
            BadDocument: for an interchange fault, or when no transaction gives an order.
        """
        orders, problems = self.extract_with_problems(raw)
        if not orders:
            raise problems[0] if problems else BadDocument("interchange holds no transaction")
        return orders

    def extract_with_problems(self, raw: RawDocument) -> tuple[list[Order], list[BadDocument]]:
        """The orders and one problem per transaction set that gave none.

        Raises:
            BadDocument: for a fault of the interchange itself.
        """
        orders: list[Order] = []
        problems: list[BadDocument] = []
        for item in self.results(raw):
            if item.problem is not None:
                problems.append(item.problem.with_source(raw.name))
            elif item.order is not None:
                orders.append(item.order)
        return orders, problems

    def on_stored(self, session: Session, raw: RawDocument, orders: list[Order]) -> None:
        """Once the orders are queued: queue the acknowledgement the partner asked for.

        Called by the order handler in the same transaction, so the acknowledgement is
        sent if and only if the orders were stored.
        """
        from connectors.edi.partners import queue_acknowledgement  # imports this module

        queue_acknowledgement(session, raw, orders[0].source.sender if orders else None)

    def results(self, raw: RawDocument) -> list[Transaction]:
        """Every transaction set, with its ``order`` or its ``problem`` (for the 997).

        Raises:
            BadDocument: for a fault of the interchange itself.
        """
        if len(raw.content) > MAX_BYTES:
            raise BadDocument("interchange exceeds the 25 MiB limit", code="TOO_LARGE",
                              source=raw.name)  # fmt: skip
        text = raw.content.decode("utf-8", errors="replace").lstrip("\ufeff" + WHITESPACE)
        try:
            transactions = list(X12Walker(text).transactions())
        except BadDocument as error:
            raise error.with_source(raw.name) from None
        for item in transactions:
            if item.problem is None:
                try:
                    item.order = PurchaseOrderMapper(item, raw).order()
                except BadDocument as problem:
                    item.problem = problem
        return transactions


class PurchaseOrderMapper:
    """Maps one 850 transaction set."""

    def __init__(self, transaction: Transaction, raw: RawDocument) -> None:
        self.transaction = transaction
        self.raw = raw
        self.data: dict[str, Any] = {"notes": []}
        self.parties: dict[str, dict[str, Any]] = {}
        self.party: dict[str, Any] | None = None
        self.lines: list[dict[str, Any]] = []
        self.delivery: date | None = None
        self.line_count: tuple[int, str] | None = None
        self.index = 0

    @property
    def where(self) -> str:
        """Location of the segment being read."""
        return self.transaction.where(self.index)

    def order(self) -> Order:
        """Build the order.

        Raises:
            BadDocument: naming the segment of a value that cannot be read.
        """
        if self.transaction.kind != "850":
            raise BadDocument(
                f"transaction set {self.transaction.kind} is not an 850 order",
                location=self.transaction.where(0),
                code="UNSUPPORTED_MESSAGE",
            )
        handlers = {"BEG": self._beg, "CUR": self._cur, "DTM": self._dtm, "ITD": self._itd,
                    "N1": self._n1, "N2": self._n2, "N3": self._n3, "N4": self._n4,
                    "PER": self._per, "PO1": self._po1, "PID": self._pid, "CTT": self._ctt,
                    "AMT": self._amt, "MSG": self._msg, "ST": _skip, "SE": _skip}  # fmt: skip
        for index, segment in enumerate(self.transaction.segments):
            self.index = index
            handlers.get(segment[0], self._unmapped)(segment)
        return self._build()

    def note(self, text: str) -> None:
        """Keep something the order has no field for."""
        prefix = f"line {self.lines[-1]['line_number']}: " if self.lines else ""
        self.data["notes"].append(prefix + text)

    def _unmapped(self, segment: list[str]) -> None:
        self.note("*".join(segment).rstrip("*"))

    def _beg(self, segment: list[str]) -> None:
        purpose, number = at(segment, 1), at(segment, 3)
        if not number:
            raise BadDocument("BEG has no purchase order number", location=self.where,
                              code="MISSING_FIELD")  # fmt: skip
        self.data["buyer_order_number"] = number
        self.data["document_type"] = {"01": "order_cancel", "04": "order_change"}.get(
            purpose, "order"
        )
        if purpose not in ("00", "01", "04"):
            self.note(f"BEG purpose {purpose}")
        if at(segment, 5):
            self.data["order_date"] = x12_date(at(segment, 5), self.where)

    def _cur(self, segment: list[str]) -> None:
        self.data["currency"] = at(segment, 2) or None

    def _dtm(self, segment: list[str]) -> None:
        qualifier, day = at(segment, 1), x12_date(at(segment, 2), self.where)
        if qualifier in _DELIVERY_DATES:
            if self.lines and not self.lines[-1].get("requested_delivery_date"):
                self.lines[-1]["requested_delivery_date"] = day
                return
            if not self.lines and self.delivery is None:
                self.delivery = day
                return
        self.note(f"DTM*{qualifier}: {day.isoformat()}")

    def _itd(self, segment: list[str]) -> None:
        days = at(segment, 7)
        self.data["payment_terms"] = PaymentTerms(
            days=int(days) if days.isdigit() else None, description=at(segment, 12) or None
        )
        self._unmapped(segment)

    def _n1(self, segment: list[str]) -> None:
        role, qualifier, identifier = at(segment, 1), at(segment, 3), at(segment, 4)
        party: dict[str, Any] = {"name": at(segment, 2) or None}
        if qualifier == "UL" and gln_or_none(identifier):
            party["gln"] = identifier
        elif identifier:
            party["buyer_assigned_id"] = identifier
        self.party = party
        target = _ROLES.get(role)
        if target and target not in self.parties:
            self.parties[target] = party
        else:
            self._unmapped(segment)

    def _n2(self, segment: list[str]) -> None:
        if self.party is not None:
            self.party["name"] = " ".join(t for t in (self.party.get("name"), at(segment, 1)) if t)

    def _n3(self, segment: list[str]) -> None:
        if self.party is not None:
            address = self.party.setdefault("address", {})
            address["street"] = ", ".join(t for t in (at(segment, 1), at(segment, 2)) if t)

    def _n4(self, segment: list[str]) -> None:
        if self.party is None:
            return
        address = self.party.setdefault("address", {})
        address.update(
            city=at(segment, 1) or None,
            postal_code=at(segment, 3) or None,
            country=country_or_none(at(segment, 4)),
        )
        if at(segment, 2):
            self.note(f"N4 state {at(segment, 2)}")

    def _per(self, segment: list[str]) -> None:
        target = self.party if self.party is not None else self.parties.setdefault("buyer", {})
        contact = target.setdefault("contact", {"name": at(segment, 2) or None})
        for position in (3, 5, 7):
            kind, value = at(segment, position), at(segment, position + 1)
            field = {"TE": "phone", "EM": "email"}.get(kind)
            if field and value:
                contact.setdefault(field, value)

    def _po1(self, segment: list[str]) -> None:
        self.party = None
        text = at(segment, 1)
        number = int(text) if text.isdigit() and int(text) >= 1 else len(self.lines) + 1
        if any(line["line_number"] == number for line in self.lines):
            raise BadDocument(f"duplicate line number {number}", location=self.where,
                              code="DUPLICATE_LINE")  # fmt: skip
        line: dict[str, Any] = {"line_number": number}
        line["quantity"] = edi_decimal(at(segment, 2), location=self.where, what="quantity")
        line["unit"] = unit_code(at(segment, 3))
        if at(segment, 4):
            line["unit_price"] = edi_decimal(at(segment, 4), location=self.where, what="price")
        self.lines.append(line)
        if text != str(number):
            self.note(f"PO1 line id {text!r} numbered by position")
        self._item_ids(segment, line)

    def _item_ids(self, segment: list[str], line: dict[str, Any]) -> None:
        for position in range(6, len(segment), 2):
            qualifier, identifier = at(segment, position), at(segment, position + 1)
            if bool(qualifier) != bool(identifier):
                raise BadDocument(f"PO1{position:02d} and PO1{position + 1:02d} must both be "
                                  f"present or both absent", location=self.where,
                                  code="INVALID_VALUE")  # fmt: skip
            if not qualifier:
                continue
            key = ("gtin" if qualifier in _GTIN_CODES and gtin_or_none(identifier)
                   else "buyer_item_code" if qualifier in _BUYER_CODES
                   else "seller_item_code" if qualifier in _SELLER_CODES
                   else "description" if qualifier == "PD" else None)  # fmt: skip
            if key and key not in line:
                line[key] = identifier
            else:
                self.note(f"item id {qualifier} {identifier}")

    def _pid(self, segment: list[str]) -> None:
        text = at(segment, 5)
        if self.lines and text and "description" not in self.lines[-1]:
            self.lines[-1]["description"] = text
        else:
            self._unmapped(segment)

    def _ctt(self, segment: list[str]) -> None:
        count = at(segment, 1)
        if count.isdigit():
            self.line_count = (int(count), self.where)

    def _amt(self, segment: list[str]) -> None:
        if at(segment, 1) in ("1", "TT") and "total_amount" not in self.data:
            self.data["total_amount"] = edi_decimal(at(segment, 2), location=self.where,
                                                    what="amount")  # fmt: skip
        else:
            self._unmapped(segment)

    def _msg(self, segment: list[str]) -> None:
        self.note(at(segment, 1))

    def _build(self) -> Order:
        if "buyer_order_number" not in self.data:
            raise BadDocument("transaction has no BEG", location=self.transaction.where(0),
                              code="MISSING_FIELD")  # fmt: skip
        if not self.lines:
            raise BadDocument("order has no PO1 lines", location=self.transaction.where(0),
                              code="MISSING_FIELD")  # fmt: skip
        if self.line_count and self.line_count[0] != len(self.lines):
            raise BadDocument(f"CTT counts {self.line_count[0]} lines, order has "
                              f"{len(self.lines)}", location=self.line_count[1],
                              code="CONTROL_COUNT_MISMATCH")  # fmt: skip
        data = dict(self.data)
        for role, party in self.parties.items():
            data[role] = _party(party)
        data.setdefault("buyer", Party())
        data["requested_delivery_date"] = self.delivery
        data["lines"] = [Line(**line) for line in self.lines]
        data["source"] = {
            "channel": "edi", "format": "x12-850",
            "document_ref": f"{self.transaction.control}/{self.transaction.ref}",
            "sender": self.transaction.sender or None,
            "received_at": self.raw.received_at, "sha256": self.raw.sha256,
        }  # fmt: skip
        return build_order(data, location=self.transaction.where(0))


def _party(data: dict[str, Any]) -> Party:
    address, contact = data.pop("address", None), data.pop("contact", None)
    return Party(**data, address=Address(**address) if address else None,
                 contact=Contact(**contact) if contact else None)  # fmt: skip


def _skip(_segment: list[str]) -> None:
    return None
