"""Hostile and broken XML orders: typed BadDocument naming the XML path."""

from __future__ import annotations

import pytest

from connectors.base import Registry
from connectors.edi.orderx import OrderXExtractor
from connectors.edi.ubl import UblOrderExtractor
from hub.documents import RawDocument
from hub.errors import BadDocument, NotAnOrder
from tests.conftest import SAMPLES

PEPPOL = (SAMPLES / "ubl" / "peppol_bis3_order.xml").read_bytes()
UBL_NS = b'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"'

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE Order [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<Order """ + UBL_NS + b"""><ID>&c;</ID></Order>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Order [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Order """ + UBL_NS + b"""><ID>&secret;</ID></Order>"""


def _error(content: bytes) -> BadDocument:
    registry = Registry([UblOrderExtractor, OrderXExtractor])
    with pytest.raises(BadDocument) as caught:
        registry.extract(RawDocument(content, "order.xml", channel="edi"))
    return caught.value


@pytest.mark.parametrize("content", [BOMB, EXTERNAL], ids=["entity-bomb", "external-entity"])
def test_entity_declarations_are_refused(content: bytes) -> None:
    error = _error(content)
    assert error.location == "prolog"
    assert "DOCTYPE" in error.reason
    assert str(error).startswith("order.xml: prolog: ")


def test_invalid_date_names_its_path() -> None:
    error = _error(PEPPOL.replace(b"2025-05-02", b"2025-13-02"))
    assert error.location == "/Order/cbc:IssueDate"
    assert error.code == "INVALID_VALUE"


def test_non_numeric_quantity_names_its_path() -> None:
    error = _error(PEPPOL.replace(b'"KGM">12.5<', b'"KGM">12,5 kg<'))
    assert error.location == "/Order/cac:OrderLine[2]/cac:LineItem/cbc:Quantity"
    assert error.reason == "quantity '12,5 kg' is not a number"


def test_duplicate_line_number_names_the_line() -> None:
    error = _error(PEPPOL.replace(b"<cbc:ID>2</cbc:ID>", b"<cbc:ID>1</cbc:ID>"))
    assert error.code == "DUPLICATE_LINE"
    assert error.location == "/Order/cac:OrderLine[2]"


def test_malformed_xml_names_the_line() -> None:
    error = _error(PEPPOL[:-30])
    assert error.reason.startswith("malformed XML")
    assert error.location and error.location.startswith("line ")


def test_an_order_response_is_not_an_order() -> None:
    content = PEPPOL.replace(b"Order-2", b"OrderResponse-2").replace(b"<Order ", b"<OrderResponse ")
    content = content.replace(b"</Order>", b"</OrderResponse>")
    raw = RawDocument(content, "response.xml")
    assert not UblOrderExtractor().identify(raw)


def test_a_ubl_document_of_another_kind_is_refused_as_not_an_order() -> None:
    content = (b'<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:'
               b'xsd:Order-2"><X/></Order>').replace(b"<Order ", b"<Catalogue ")
    content = content.replace(b"</Order>", b"</Catalogue>")
    with pytest.raises(NotAnOrder):
        UblOrderExtractor().extract(RawDocument(content, "catalogue.xml"))


def test_orderx_order_response_is_not_an_order() -> None:
    path = SAMPLES.parent.parent.parent / "shared" / "samples" / "orderx" / "orderx_basic.xml"
    if not path.exists():
        pytest.skip("shared samples absent")
    content = path.read_bytes().replace(b"<ram:TypeCode>220<", b"<ram:TypeCode>231<")
    with pytest.raises(NotAnOrder, match="231"):
        OrderXExtractor().extract(RawDocument(content, "response.xml"))
