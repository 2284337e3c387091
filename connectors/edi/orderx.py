"""Order-X (UN/CEFACT CII D20B, FNFE-MPE/FeRD) orders, BASIC and COMFORT, to orders.

Parsed only through :mod:`hub.safe_xml`. The profile comes from the guideline id
(``urn:order-x.eu:1p0:basic``...), the same rule the ``factur-x`` library applies; the
tests cross-check it against ``facturx.get_level``.
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

RSM = "urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"
NS = {
    "rsm": RSM,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128",
}
_X = XmlReader(NS)
_SCAN = 64 * 1024
_HEAD = re.compile(rb"SCRDMCCBDACIOMessageStructure")
_INCOTERMS = frozenset(
    ("EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP", "DAT"),
)
_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_DELIVERY = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery"
_SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
_HEADER_TOTAL = "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:LineTotalAmount"
_LINE_TOTAL = (
    "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
    "ram:LineTotalAmount"
)
_DOCUMENT = "/SCRDMCCBDACIOMessageStructure/rsm:ExchangedDocument"


def level(root: Element) -> str | None:
    """The Order-X profile (``basic``, ``comfort``, ``extended``) from the guideline id."""
    guideline = _X.text(
        root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    )
    if guideline and guideline.startswith("urn:order-x.eu:1p0:"):
        return guideline.rsplit(":", 1)[-1]
    return None


class OrderXExtractor(Extractor):
    """Order-X (CII) orders, order changes and cancellations."""

    name: ClassVar[str] = "order-x"
    formats: ClassVar[tuple[str, ...]] = ("order-x",)

    def identify(self, raw: RawDocument) -> bool:
        """XML whose root is the Order-X message structure."""
        return starts_like_xml(raw.head) and bool(_HEAD.search(raw.content[:_SCAN]))

    def extract(self, raw: RawDocument) -> list[Order]:
        """The one order of the document.

        Raises:
            BadDocument: naming the XML path; NotAnOrder for an order response.
        """
        root = safe_xml.parse(raw.content)
        if root.tag != f"{{{RSM}}}SCRDMCCBDACIOMessageStructure":
            raise NotAnOrder("not an Order-X message", location="/")
        return [CiiMapper(root, raw).order()]


class CiiMapper:
    """Maps one parsed Order-X message."""

    def __init__(self, root: Element, raw: RawDocument) -> None:
        self.root = root
        self.raw = raw
        self.notes: list[str] = []

    def order(self) -> Order:
        """Build the canonical order.

        Raises:
            BadDocument: naming the element of a missing or unreadable value.
        """
        document = _X.find(self.root, "rsm:ExchangedDocument")
        number = _X.text(document, "ram:ID")
        if not number:
            raise BadDocument(
                "the order has no ExchangedDocument/ID", code="MISSING_FIELD", location=_DOCUMENT
            )
        for note in _X.findall(document, "ram:IncludedNote"):
            self.notes += [t for t in [_X.text(note, "ram:Content")] if t]
        agreement = _X.find(self.root, _AGREEMENT)
        delivery = _X.find(self.root, _DELIVERY)
        settlement = _X.find(self.root, _SETTLEMENT)
        data: dict[str, Any] = {
            "document_type": self._document_type(document),
            "buyer_order_number": number,
            "order_date": _X.date(document, "ram:IssueDateTime/udt:DateTimeString"),
            "currency": _X.text(settlement, "ram:OrderCurrencyCode"),
            "buyer": self._party(_X.find(agreement, "ram:BuyerTradeParty")) or Party(),
            "seller": self._party(_X.find(agreement, "ram:SellerTradeParty")),
            "bill_to": self._party(_X.find(settlement, "ram:InvoiceeTradeParty")),
            "ship_to": self._party(_X.find(delivery, "ram:ShipToTradeParty")),
            "requested_delivery_date": self._delivery_date(delivery),
            "payment_terms": self._payment_terms(settlement),
            "incoterms": self._incoterms(agreement),
            "total_amount": _X.decimal(settlement, _HEADER_TOTAL, "total amount"),
            "lines": self._lines(),
            "source": {
                "channel": "edi",
                "format": "order-x",
                "document_ref": number,
                "sender": self.raw.sender,
                "received_at": self.raw.received_at,
                "sha256": self.raw.sha256,
            },
        }
        self._references(agreement)
        profile = level(self.root)
        if profile:
            self.notes.append(f"Order-X profile {profile.upper()}")
        data["notes"] = self.notes
        return build_order(data, location="/SCRDMCCBDACIOMessageStructure")

    def _document_type(self, document: Element | None) -> str:
        type_code = _X.text(document, "ram:TypeCode")
        purpose = _X.text(document, "ram:PurposeCode")
        if type_code == "231":
            raise NotAnOrder(
                "Order-X order response (TypeCode 231) is not an order", location=_DOCUMENT
            )
        if purpose == "1":
            return "order_cancel"
        return "order_change" if type_code == "230" else "order"

    @staticmethod
    def _delivery_date(delivery: Element | None) -> Any:
        event = "ram:RequestedDeliverySupplyChainEvent/"
        return _X.date(delivery, event + "ram:OccurrenceDateTime/udt:DateTimeString") or _X.date(
            delivery, event + "ram:OccurrenceSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString"
        )

    def _party(self, party: Element | None) -> Party | None:
        if party is None:
            return None
        data: dict[str, Any] = {"name": _X.text(party, "ram:Name")}
        data["buyer_assigned_id"] = _X.text(party, "ram:ID")
        for global_id in _X.findall(party, "ram:GlobalID"):
            text = _X.text(global_id) or ""
            if global_id.get("schemeID") == "0088" and gln_or_none(text):
                data.setdefault("gln", text)
            elif text:
                self.notes.append(f"{data['name'] or 'party'} global id {text}")
        legal = _X.find(party, "ram:SpecifiedLegalOrganization/ram:ID")
        legal_text = (_X.text(legal) or "").replace(" ", "")
        if legal is not None and legal.get("schemeID") == "0009" and len(legal_text) == 14:
            data["siret"] = legal_text
        for tax in _X.findall(party, "ram:SpecifiedTaxRegistration/ram:ID"):
            if tax.get("schemeID") == "VA":
                data["vat_id"] = (_X.text(tax) or "").replace(" ", "") or None
        data["address"] = self._address(_X.find(party, "ram:PostalTradeAddress"))
        data["contact"] = self._contact(_X.find(party, "ram:DefinedTradeContact"))
        return Party(**data)

    @staticmethod
    def _address(address: Element | None) -> Address | None:
        if address is None:
            return None
        lines = [_X.text(address, f"ram:Line{n}") for n in ("One", "Two", "Three")]
        return Address(
            street=", ".join(t for t in lines if t) or None,
            city=_X.text(address, "ram:CityName"),
            postal_code=_X.text(address, "ram:PostcodeCode"),
            country=country_or_none(_X.text(address, "ram:CountryID") or ""),
        )

    @staticmethod
    def _contact(contact: Element | None) -> Contact | None:
        values = {
            "name": _X.text(contact, "ram:PersonName") or _X.text(contact, "ram:DepartmentName"),
            "email": _X.text(contact, "ram:EmailURIUniversalCommunication/ram:URIID"),
            "phone": _X.text(contact, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
        }
        return Contact(**values) if any(values.values()) else None

    @staticmethod
    def _payment_terms(settlement: Element | None) -> PaymentTerms | None:
        description = _X.text(settlement, "ram:SpecifiedTradePaymentTerms/ram:Description")
        return PaymentTerms(description=description) if description else None

    def _incoterms(self, agreement: Element | None) -> str | None:
        code = _X.text(agreement, "ram:ApplicableTradeDeliveryTerms/ram:DeliveryTypeCode")
        if code and code.upper() in _INCOTERMS:
            return code.upper()
        if code:
            self.notes.append(f"delivery terms {code}")
        return None

    def _references(self, agreement: Element | None) -> None:
        buyer_reference = _X.text(agreement, "ram:BuyerReference")
        if buyer_reference:
            self.notes.append(f"buyer reference {buyer_reference}")
        for kind in ("Quotation", "Contract", "BlanketOrder", "PreviousOrderChange"):
            value = _X.text(agreement, f"ram:{kind}ReferencedDocument/ram:IssuerAssignedID")
            if value:
                self.notes.append(f"{kind} reference {value}")

    def _lines(self) -> list[Line]:
        lines: list[Line] = []
        path = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
        for item in _X.findall(self.root, path):
            line = self._line(item)
            if any(existing.line_number == line.line_number for existing in lines):
                raise BadDocument(f"duplicate line number {line.line_number}",
                                  location=_X.where(item), code="DUPLICATE_LINE")  # fmt: skip
            lines.append(line)
        if not lines:
            raise BadDocument(
                "the order has no IncludedSupplyChainTradeLineItem",
                location="/SCRDMCCBDACIOMessageStructure",
                code="MISSING_FIELD",
            )
        return lines

    def _line(self, item: Element) -> Line:
        line_id = _X.text(item, "ram:AssociatedDocumentLineDocument/ram:LineID") or ""
        if not line_id.isdigit() or int(line_id) < 1:
            raise BadDocument(f"line id {line_id!r} is not a positive whole number",
                              location=_X.where(item), code="INVALID_VALUE")  # fmt: skip
        number = int(line_id)
        for note in _X.findall(item, "ram:AssociatedDocumentLineDocument/ram:IncludedNote"):
            self.notes.append(f"line {number}: {_X.text(note, 'ram:Content')}")
        delivery = _X.find(item, "ram:SpecifiedLineTradeDelivery")
        quantity_element = _X.find(delivery, "ram:RequestedQuantity")
        quantity = _X.decimal(delivery, "ram:RequestedQuantity", "quantity")
        if quantity is None or quantity_element is None:
            raise BadDocument(f"line {number} has no RequestedQuantity", location=_X.where(item),
                              code="MISSING_FIELD")  # fmt: skip
        return Line(
            line_number=number,
            quantity=quantity,
            unit=unit_code(quantity_element.get("unitCode") or ""),
            unit_price=self._price(_X.find(item, "ram:SpecifiedLineTradeAgreement"), number),
            line_amount=_X.decimal(item, _LINE_TOTAL, "line amount"),
            requested_delivery_date=self._delivery_date(delivery),
            **self._product(_X.find(item, "ram:SpecifiedTradeProduct"), number),
        )

    def _price(self, agreement: Element | None, number: int) -> Decimal | None:
        net = "ram:NetPriceProductTradePrice/"
        price = _X.decimal(agreement, net + "ram:ChargeAmount", "price")
        basis = _X.decimal(agreement, net + "ram:BasisQuantity", "price basis quantity")
        gross = _X.text(agreement, "ram:GrossPriceProductTradePrice/ram:ChargeAmount")
        if gross:
            self.notes.append(f"line {number}: gross price {gross}")
        if price is not None and basis not in (None, 0, 1):
            self.notes.append(f"line {number}: price {price} per {basis} units")
            return price / basis
        return price

    def _product(self, product: Element | None, number: int) -> dict[str, Any]:
        gtin = None
        for global_id in _X.findall(product, "ram:GlobalID"):
            text = _X.text(global_id) or ""
            if global_id.get("schemeID") == "0160" and gtin_or_none(text) and gtin is None:
                gtin = text
            elif text:
                self.notes.append(f"line {number}: product global id {text}")
        return {
            "gtin": gtin,
            "seller_item_code": _X.text(product, "ram:SellerAssignedID"),
            "buyer_item_code": _X.text(product, "ram:BuyerAssignedID"),
            "description": _X.text(product, "ram:Name") or _X.text(product, "ram:Description"),
        }
