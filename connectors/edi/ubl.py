"""UBL Order, OrderChange and OrderCancellation (UBL 2.0, 2.1, PEPPOL BIS 3) to orders.

Parsed only through :mod:`hub.safe_xml` (no DTD, no entities). Elements are found by
namespace, so any prefixes the sender uses work.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, ClassVar

from connectors.base import Extractor, RawDocument
from connectors.edi.values import build_order, country_or_none, gln_or_none, gtin_or_none, unit_code
from connectors.edi.xmlread import Element, XmlReader, starts_like_xml
from hub import safe_xml
from hub.errors import BadDocument, NotAnOrder
from hub.model import Address, Contact, Line, Order, Party, PaymentTerms

UBL_ROOT_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_KINDS = {"Order": "order", "OrderChange": "order_change", "OrderCancellation": "order_cancel"}
_FORMATS = {"Order": "order", "OrderChange": "order-change", "OrderCancellation": "order-cancel"}
_HEAD = re.compile(rb"urn:oasis:names:specification:ubl:schema:xsd:Order(Change|Cancellation)?-2")
_GLN_SCHEMES = ("GLN", "0088")
_INCOTERMS = frozenset(
    ("EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP", "DAT"),
)
# UBL LineStatusCode (OrderChange) as the line ``action`` a change is applied with.
_LINE_STATUS = {"Added": "add", "Cancelled": "delete", "Revised": "change"}
_X = XmlReader(NS)
_SCAN = 64 * 1024


def _is_gln(element: Element) -> bool:
    return element.get("schemeID") in _GLN_SCHEMES or element.get("schemeAgencyID") == "9"


class UblOrderExtractor(Extractor):
    """OASIS UBL Order, OrderChange and OrderCancellation documents."""

    name: ClassVar[str] = "ubl-order"
    formats: ClassVar[tuple[str, ...]] = (
        "ubl-2.1-order", "ubl-2.0-order", "ubl-2.1-order-change", "ubl-2.1-order-cancel",
    )  # fmt: skip

    def identify(self, raw: RawDocument) -> bool:
        """XML whose root is in a UBL Order, OrderChange or OrderCancellation namespace."""
        return starts_like_xml(raw.head) and bool(_HEAD.search(raw.content[:_SCAN]))

    def extract(self, raw: RawDocument) -> list[Order]:
        """The one order of the document.

        Raises:
            BadDocument: naming the XML path; NotAnOrder for another UBL document.
        """
        root = safe_xml.parse(raw.content)
        qname = root.tag.split("}")[-1] if isinstance(root.tag, str) else ""
        namespace = root.tag[1:].split("}")[0] if str(root.tag).startswith("{") else ""
        if qname not in _KINDS or not namespace.startswith(UBL_ROOT_NS):
            raise NotAnOrder(f"UBL {qname} is not an order document", location=f"/{qname}")
        return [UblMapper(root, qname, raw).order()]


class UblMapper:
    """Maps one parsed UBL order document."""

    def __init__(self, root: Element, kind: str, raw: RawDocument) -> None:
        self.root = root
        self.kind = kind
        self.raw = raw
        self.notes: list[str] = []

    def order(self) -> Order:
        """Build the canonical order.

        Raises:
            BadDocument: naming the element of a missing or unreadable value.
        """
        root = self.root
        number = _X.text(root, "cbc:ID")
        if not number:
            raise BadDocument("the order has no cbc:ID", location=f"/{self.kind}/cbc:ID",
                              code="MISSING_FIELD")  # fmt: skip
        buyer_order_number = self._original_reference(number)
        self.notes += [f"{n}" for n in self._texts(root, "cbc:Note")]
        self.notes += [f"{n}" for n in self._texts(root, "cbc:CancellationNote")]
        data: dict[str, Any] = {
            "document_type": _KINDS[self.kind],
            "buyer_order_number": buyer_order_number,
            "order_date": _X.date(root, "cbc:IssueDate"),
            "currency": _X.text(root, "cbc:DocumentCurrencyCode") or self._amount_currency(),
            "buyer": self._buyer(),
            "seller": self._party(_X.find(root, "cac:SellerSupplierParty/cac:Party")),
            "bill_to": self._party(_X.find(root, "cac:AccountingCustomerParty/cac:Party")),
            "ship_to": self._ship_to(),
            "requested_delivery_date": _X.date(
                root, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate"
            ),
            "payment_terms": self._payment_terms(),
            "incoterms": self._incoterms(),
            "total_amount": _X.decimal(
                root, "cac:AnticipatedMonetaryTotal/cbc:LineExtensionAmount", "total amount"
            ),
            "lines": self._lines(),
            "source": {
                "channel": "edi",
                "format": self.format_name(),
                "document_ref": number,
                "sender": self.raw.sender or self._endpoint(),
                "received_at": self.raw.received_at,
                "sha256": self.raw.sha256,
            },
        }
        self._references()
        data["notes"] = self.notes
        return build_order(data, location=f"/{self.kind}")

    def _endpoint(self) -> str | None:
        # The buyer's electronic address (PEPPOL participant id) is the UBL sender id that
        # edi_partners are keyed by, when the transport names no sender.
        return _X.text(self.root, "cac:BuyerCustomerParty/cac:Party/cbc:EndpointID")

    def format_name(self) -> str:
        """``ubl-<version>-<kind>``; PEPPOL BIS 3 documents state no version and are 2.1."""
        version = _X.text(self.root, "cbc:UBLVersionID") or "2.1"
        return f"ubl-{version}-{_FORMATS[self.kind]}"

    def _original_reference(self, number: str) -> str:
        # A change or cancellation names the order it amends; the queue knows it by that.
        original = _X.text(self.root, "cac:OrderReference/cbc:ID")
        if self.kind != "Order" and original:
            self.notes.append(f"{self.kind} document number {number}")
            return original
        return number

    def _texts(self, element: Element | None, path: str) -> list[str]:
        return [t for t in (_X.text(e) for e in _X.findall(element, path)) if t]

    def _amount_currency(self) -> str | None:
        found = _X.find(self.root, "cac:AnticipatedMonetaryTotal/cbc:LineExtensionAmount")
        return found.get("currencyID") if found is not None else None

    def _buyer(self) -> Party:
        customer = _X.find(self.root, "cac:BuyerCustomerParty")
        buyer = self._party(_X.find(customer, "cac:Party")) or Party()
        own_account = _X.text(customer, "cbc:CustomerAssignedAccountID")
        if own_account and not buyer.buyer_assigned_id:
            buyer.buyer_assigned_id = own_account
        supplier_account = _X.text(customer, "cbc:SupplierAssignedAccountID")
        if supplier_account:
            self.notes.append(f"buyer account at the supplier {supplier_account}")
        return buyer

    def _party(self, party: Element | None) -> Party | None:
        if party is None:
            return None
        data: dict[str, Any] = {"name": _X.text(party, "cac:PartyName/cbc:Name")}
        data["name"] = data["name"] or _X.text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
        for identifier in _X.findall(party, "cac:PartyIdentification/cbc:ID") + _X.findall(
            party, "cbc:EndpointID"
        ):
            self._identify(data, identifier)
        data["vat_id"] = _X.text(party, "cac:PartyTaxScheme/cbc:CompanyID")
        legal = _X.find(party, "cac:PartyLegalEntity/cbc:CompanyID")
        if legal is not None and legal.get("schemeID") == "0009":
            data["siret"] = (_X.text(legal) or "").replace(" ", "") or None
        data["address"] = self._address(_X.find(party, "cac:PostalAddress"))
        data["contact"] = self._contact(_X.find(party, "cac:Contact"), party)
        return Party(**data)

    @staticmethod
    def _identify(data: dict[str, Any], identifier: Element) -> None:
        text = _X.text(identifier) or ""
        if _is_gln(identifier) and gln_or_none(text):
            data.setdefault("gln", text)
        elif text and identifier.tag.endswith("}ID"):
            data.setdefault("buyer_assigned_id", text)

    def _address(self, address: Element | None) -> Address | None:
        if address is None:
            return None
        street = " ".join(
            t for t in (_X.text(address, "cbc:StreetName"), _X.text(address, "cbc:BuildingNumber"))
            if t
        )  # fmt: skip
        extra = _X.text(address, "cbc:AdditionalStreetName")
        country = _X.text(address, "cac:Country/cbc:IdentificationCode") or ""
        return Address(
            street=", ".join(t for t in (street, extra) if t) or None,
            city=_X.text(address, "cbc:CityName"),
            postal_code=_X.text(address, "cbc:PostalZone"),
            country=country_or_none(country),
        )

    @staticmethod
    def _contact(contact: Element | None, party: Element) -> Contact | None:
        person = " ".join(
            t for t in (_X.text(party, "cac:Person/cbc:FirstName"),
                        _X.text(party, "cac:Person/cbc:FamilyName")) if t
        )  # fmt: skip
        values = {
            "name": _X.text(contact, "cbc:Name") or person or None,
            "email": _X.text(contact, "cbc:ElectronicMail"),
            "phone": _X.text(contact, "cbc:Telephone"),
        }
        return Contact(**values) if any(values.values()) else None

    def _ship_to(self) -> Party | None:
        delivery = _X.find(self.root, "cac:Delivery")
        location = _X.find(delivery, "cac:DeliveryLocation")
        party = self._party(_X.find(delivery, "cac:DeliveryParty"))
        if location is None:
            return party
        data = party.model_dump() if party else {}
        identifiers = _X.findall(location, "cbc:ID") + _X.findall(location, "cac:Address/cbc:ID")
        for identifier in identifiers:
            if _is_gln(identifier) and gln_or_none(_X.text(identifier) or ""):
                data["gln"] = _X.text(identifier)
                break
        data["address"] = self._address(_X.find(location, "cac:Address"))
        latest = _X.text(delivery, "cbc:LatestDeliveryDate")
        if latest:
            self.notes.append(f"latest delivery date {latest}")
        return Party(**data)

    def _payment_terms(self) -> PaymentTerms | None:
        terms = _X.find(self.root, "cac:PaymentTerms")
        if terms is None:
            return None
        days = _X.text(terms, "cac:SettlementPeriod/cbc:DurationMeasure")
        return PaymentTerms(
            days=int(days) if days and days.isdigit() else None,
            description=_X.text(terms, "cbc:Note"),
        )

    def _incoterms(self) -> str | None:
        code = _X.text(self.root, "cac:DeliveryTerms/cbc:ID")
        if code and code.upper() in _INCOTERMS:
            return code.upper()
        if code:
            self.notes.append(f"delivery terms {code}")
        return None

    def _references(self) -> None:
        for label, path in (
            ("customer reference", "cbc:CustomerReference"),
            ("sales order", "cbc:SalesOrderID"),
            ("quotation", "cac:QuotationDocumentReference/cbc:ID"),
            ("contract", "cac:Contract/cbc:ID"),
            ("accounting cost", "cbc:AccountingCostCode"),
        ):
            value = _X.text(self.root, path)
            if value:
                self.notes.append(f"{label} {value}")
        for charge in _X.findall(self.root, "cac:AllowanceCharge"):
            kind = "charge" if _X.text(charge, "cbc:ChargeIndicator") == "true" else "allowance"
            reason = _X.text(charge, "cbc:AllowanceChargeReason") or ""
            self.notes.append(f"{kind} {reason} {_X.text(charge, 'cbc:Amount')}".replace("  ", " "))

    def _lines(self) -> list[Line]:
        lines: list[Line] = []
        for position, order_line in enumerate(_X.findall(self.root, "cac:OrderLine"), start=1):
            line = self._line(order_line, position)
            if any(existing.line_number == line.line_number for existing in lines):
                raise BadDocument(f"duplicate line number {line.line_number}",
                                  location=_X.where(order_line), code="DUPLICATE_LINE")  # fmt: skip
            lines.append(line)
        if not lines and self.kind == "OrderCancellation":
            return [self._whole_order_cancelled()]
        if not lines:
            raise BadDocument("the order has no cac:OrderLine", location=f"/{self.kind}",
                              code="MISSING_FIELD")  # fmt: skip
        return lines

    def _whole_order_cancelled(self) -> Line:
        # An OrderCancellation carries no lines, but every canonical order has at least one:
        # a single line of quantity 0 stands for "the whole order", and the note says so.
        self.notes.append("OrderCancellation cancels the whole order (no lines sent)")
        return Line(line_number=1, quantity=Decimal(0), description="whole order cancelled")

    def _line(self, order_line: Element, position: int) -> Line:
        item = _X.find(order_line, "cac:LineItem")
        if item is None:
            raise BadDocument("order line without cac:LineItem", location=_X.where(order_line),
                              code="MISSING_FIELD")  # fmt: skip
        number = self._line_number(item, position)
        for note in self._texts(order_line, "cbc:Note"):
            self.notes.append(f"line {number}: {note}")
        quantity_element = _X.find(item, "cbc:Quantity")
        quantity = _X.decimal(item, "cbc:Quantity", "quantity")
        if quantity is None or quantity_element is None:
            raise BadDocument(f"line {number} has no cbc:Quantity", location=_X.where(item),
                              code="MISSING_FIELD")  # fmt: skip
        status = _X.text(item, "cbc:LineStatusCode")
        extra = {"action": _LINE_STATUS[status]} if status in _LINE_STATUS else {}
        if status and not extra and status != "NoStatus":
            self.notes.append(f"line {number}: status {status}")
        return Line(
            **extra,
            line_number=number,
            quantity=quantity,
            unit=unit_code(quantity_element.get("unitCode") or ""),
            unit_price=self._price(item, number),
            line_amount=_X.decimal(item, "cbc:LineExtensionAmount", "line amount"),
            requested_delivery_date=_X.date(
                item, "cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate"
            ),
            **self._item(_X.find(item, "cac:Item"), number),
        )

    def _line_number(self, item: Element, position: int) -> int:
        text = _X.text(item, "cbc:ID") or ""
        if text.isdigit() and int(text) >= 1:
            return int(text)
        self.notes.append(f"line {position}: line id {text!r} replaced by its position")
        return position

    def _price(self, item: Element, number: int) -> Any:
        price = _X.decimal(item, "cac:Price/cbc:PriceAmount", "price")
        base = _X.decimal(item, "cac:Price/cbc:BaseQuantity", "price base quantity")
        if price is not None and base not in (None, 0, 1):
            self.notes.append(f"line {number}: price {price} per {base} units")
            return price / base
        return price

    def _item(self, item: Element | None, number: int) -> dict[str, Any]:
        gtin_text = _X.text(item, "cac:StandardItemIdentification/cbc:ID") or ""
        if gtin_text and not gtin_or_none(gtin_text):
            self.notes.append(f"line {number}: standard item id {gtin_text}")
        return {
            "gtin": gtin_or_none(gtin_text),
            "buyer_item_code": _X.text(item, "cac:BuyersItemIdentification/cbc:ID"),
            "seller_item_code": _X.text(item, "cac:SellersItemIdentification/cbc:ID"),
            "description": _X.text(item, "cbc:Name") or _X.text(item, "cbc:Description"),
        }
