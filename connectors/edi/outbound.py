"""Messages o2c sends back to EDI partners: pure functions from orders to bytes.

- :func:`contrl` and :func:`x12_997`: the syntax acknowledgement of a received
  interchange, each message accepted or rejected with the reason's code and place;
- :func:`ordrsp` and :func:`ubl_order_response`: the business answer to an order, each
  line accepted, changed (new quantity, price or date) or rejected.

Shared by the acknowledgement on receipt, the release robot's order responses and the
workbench. Nothing here reads a database or a clock: callers pass the instant and the
references, so the same call always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from lxml import etree

from connectors.edi.edifact import MessageResult
from connectors.edi.edifact_envelope import InterchangeHeader
from connectors.edi.edifact_syntax import ServiceChars, escape
from connectors.edi.x12_envelope import Transaction
from hub.errors import BadDocument
from hub.model import Line, Order, Party, decimal_text

Decision = Literal["accepted", "changed", "rejected"]
CHARS = ServiceChars()

# UN/EDIFACT 0085 syntax error codes for the reasons o2c gives.
_SYNTAX_ERRORS = {
    "CONTROL_COUNT_MISMATCH": "29",
    "CONTROL_REFERENCE_MISMATCH": "28",
    "UNSUPPORTED_MESSAGE": "17",
    "INVALID_VALUE": "12",
    "DUPLICATE_LINE": "12",
    "MISSING_FIELD": "13",
    "TRUNCATED": "13",
}
# X12 AK5 transaction set syntax error codes.
_AK5_ERRORS = {"CONTROL_COUNT_MISMATCH": "4", "CONTROL_REFERENCE_MISMATCH": "3",
               "UNSUPPORTED_MESSAGE": "1"}  # fmt: skip
# UNCL 1229 line action (ORDRSP LIN, UBL LineStatusCode) and 1225/4343 document codes.
_LINE_ACTIONS = {"accepted": "5", "changed": "3", "rejected": "7"}
_BGM_FUNCTIONS = {"accepted": "29", "changed": "4", "rejected": "27"}
_UBL_RESPONSE_CODES = {"accepted": "AP", "changed": "CA", "rejected": "RE"}


@dataclass(frozen=True)
class LineDecision:
    """What the supplier answers for one order line.

    Attributes:
        status: accepted as ordered, changed (the fields below say how), or rejected.
        quantity: The quantity that will be delivered, when changed.
        unit_price: The price that applies, when changed.
        delivery_date: The date that will be met, when changed.
        reason: Free text for the buyer.
    """

    line_number: int
    status: Decision = "accepted"
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    delivery_date: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Envelope:
    """Who writes an EDIFACT interchange to whom, with which reference and when."""

    sender: str
    recipient: str
    reference: str
    prepared: datetime
    sender_qualifier: str = "14"
    recipient_qualifier: str = "14"


def order_decision(order: Order, decisions: Mapping[int, LineDecision]) -> Decision:
    """The whole order's status: rejected when every line is, accepted when every line is."""
    statuses = {decisions.get(line.line_number, LineDecision(line.line_number)).status
                for line in order.lines}  # fmt: skip
    if statuses == {"rejected"}:
        return "rejected"
    return "accepted" if statuses == {"accepted"} else "changed"


# --- EDIFACT ---------------------------------------------------------------------------


def _segment(*elements: str | Sequence[str]) -> str:
    parts = []
    for element in elements:
        if isinstance(element, str):
            parts.append(escape(element, CHARS))
        else:
            parts.append(":".join(escape(c, CHARS) for c in element).rstrip(":"))
    return "+".join(parts).rstrip("+") + "'"


def _interchange(envelope: Envelope, messages: list[list[str]], syntax: str = "UNOC:3") -> bytes:
    prepared = envelope.prepared
    stamp = [prepared.strftime("%y%m%d"), prepared.strftime("%H%M")]
    text = ["UNA:+.? '", _segment(
        "UNB", syntax.split(":"), [envelope.sender, envelope.sender_qualifier],
        [envelope.recipient, envelope.recipient_qualifier], stamp, envelope.reference)]  # fmt: skip
    for message in messages:
        text.extend(message)
    text.append(_segment("UNZ", str(len(messages)), envelope.reference))
    codec = "utf-8" if syntax.startswith("UNOW") else "iso8859-1"
    return ("\n".join(text) + "\n").encode(codec, errors="replace")


def _message(ref: str, kind: Sequence[str], body: list[str]) -> list[str]:
    segments = [_segment("UNH", ref, kind), *body]
    segments.append(_segment("UNT", str(len(segments) + 1), ref))
    return segments


def contrl(
    header: InterchangeHeader,
    results: Sequence[MessageResult],
    *,
    our_reference: str,
    prepared: datetime,
) -> bytes:
    """The CONTRL acknowledging an interchange: UCI for it, one UCM per message.

    Args:
        header: The UNB of the received interchange (its sender receives the CONTRL).
        results: One result per received message, with its problem if any.
        our_reference: The control reference of the CONTRL interchange.
        prepared: When the CONTRL is written (tz-aware).
    """
    envelope = Envelope(
        sender=header.recipient, recipient=header.sender, reference=our_reference,
        prepared=prepared, sender_qualifier=header.recipient_qualifier,
        recipient_qualifier=header.sender_qualifier,
    )  # fmt: skip
    accepted = any(r.problem is None for r in results)
    action = "7" if accepted else "4"
    body = [_segment("UCI", header.reference, [header.sender, header.sender_qualifier],
                     [header.recipient, header.recipient_qualifier], action)]  # fmt: skip
    for result in results:
        body.extend(_ucm(result))
    version = ["4", "1", "UN"] if header.syntax_version == "4" else ["D", "3", "UN"]
    syntax = f"{header.syntax_id or 'UNOC'}:{header.syntax_version or '3'}"
    return _interchange(envelope, [_message("1", ["CONTRL", *version], body)], syntax)


def contrl_rejecting(
    header: InterchangeHeader, problem: BadDocument, *, our_reference: str, prepared: datetime
) -> bytes:
    """The CONTRL rejecting a whole interchange (a wrong or missing UNZ, truncated bytes):
    UCI with action 4 and the syntax error code of ``problem``."""
    envelope = Envelope(
        sender=header.recipient, recipient=header.sender, reference=our_reference,
        prepared=prepared, sender_qualifier=header.recipient_qualifier,
        recipient_qualifier=header.sender_qualifier,
    )  # fmt: skip
    code = _SYNTAX_ERRORS.get(problem.code, "18")
    body = [_segment("UCI", header.reference, [header.sender, header.sender_qualifier],
                     [header.recipient, header.recipient_qualifier], "4", code)]  # fmt: skip
    version = ["4", "1", "UN"] if header.syntax_version == "4" else ["D", "3", "UN"]
    syntax = f"{header.syntax_id or 'UNOC'}:{header.syntax_version or '3'}"
    return _interchange(envelope, [_message("1", ["CONTRL", *version], body)], syntax)


def _ucm(result: MessageResult) -> list[str]:
    message = result.header
    kind = [result.type]
    if message is not None:
        kind += [message.version, message.release, message.agency, message.association]
    if result.problem is None:
        return [_segment("UCM", result.ref, kind, "7")]
    code = _SYNTAX_ERRORS.get(result.problem.code, "18")
    segments = [_segment("UCM", result.ref, kind, "4", code)]
    position = _position_in_message(result)
    if position:
        segments.append(_segment("UCS", str(position), code))
    return segments


def _position_in_message(result: MessageResult) -> int | None:
    location = (result.problem.location or "") if result.problem else ""
    if not location.startswith("segment ") or result.header is None:
        return None
    number = location.split()[1]
    if not number.isdigit():
        return None
    return int(number) - result.header.first_segment + 1


def ordrsp(
    order: Order,
    decisions: Mapping[int, LineDecision],
    *,
    envelope: Envelope,
    response_number: str,
    seller_gln: str | None = None,
) -> bytes:
    """An EDIFACT ORDRSP (D96A, EANCOM style) answering ``order`` line by line.

    Args:
        order: The order as received (canonical).
        decisions: Per line number; a line without a decision is accepted as ordered.
        envelope: Our interchange header (we send, the buyer receives).
        response_number: The ORDRSP document number (BGM 1004).
        seller_gln: Our GLN for NAD+SU, when the order did not name it.
    """
    status = order_decision(order, decisions)
    body = [
        _segment("BGM", "231", response_number, _BGM_FUNCTIONS[status]),
        _segment("DTM", ["137", envelope.prepared.strftime("%Y%m%d"), "102"]),
        _segment("RFF", ["ON", order.buyer_order_number]),
    ]
    if order.order_date:
        body.append(_segment("DTM", ["171", order.order_date.strftime("%Y%m%d"), "102"]))
    body += _nad("BY", order.buyer) + _nad("SU", order.seller, seller_gln)
    if order.currency:
        body.append(_segment("CUX", ["2", order.currency, "9"]))
    for line in order.lines:
        body += _ordrsp_line(line, decisions.get(line.line_number, LineDecision(line.line_number)))
    body += [_segment("UNS", "S"), _segment("CNT", ["2", str(len(order.lines))])]
    message = _message("1", ["ORDRSP", "D", "96A", "UN", "EAN005"], body)
    return _interchange(envelope, [message])


def _nad(qualifier: str, party: Party | None, fallback_gln: str | None = None) -> list[str]:
    gln = (party.gln if party else None) or fallback_gln
    if gln:
        return [_segment("NAD", qualifier, [gln, "", "9"])]
    if party and party.name:
        return [_segment("NAD", qualifier, "", "", party.name)]
    return []


def _ordrsp_line(line: Line, decision: LineDecision) -> list[str]:
    item = [line.gtin, "EN"] if line.gtin else ""
    segments = [_segment("LIN", str(line.line_number), _LINE_ACTIONS[decision.status], item)]
    codes = [[code, kind] for code, kind in ((line.seller_item_code, "SA"),
                                             (line.buyer_item_code, "IN")) if code]  # fmt: skip
    if codes:
        segments.append(_segment("PIA", "5", *codes))
    quantity = Decimal(0) if decision.status == "rejected" else decision.quantity or line.quantity
    segments.append(_segment("QTY", ["21", decimal_text(quantity), line.unit or ""]))
    if decision.delivery_date:
        segments.append(_segment("DTM", ["2", decision.delivery_date.strftime("%Y%m%d"), "102"]))
    price = decision.unit_price or line.unit_price
    if price is not None:
        segments.append(_segment("PRI", ["AAA", decimal_text(price)]))
    if decision.reason:
        segments.append(_segment("FTX", "AAO", "", "", decision.reason[:350]))
    return segments


# --- X12 -------------------------------------------------------------------------------


def x12_997(transactions: Sequence[Transaction], *, control: int, prepared: datetime) -> bytes:
    """The 997 functional acknowledgement of a received X12 interchange.

    One 997 transaction set per received functional group, in one ISA envelope addressed
    back to the sender. ``control`` is our interchange control number.
    """
    if not transactions:
        raise ValueError("a 997 acknowledges at least one transaction set")
    isa = transactions[0].isa
    groups: dict[str, list[Transaction]] = {}
    for transaction in transactions:
        groups.setdefault(_field(transaction.group, 6), []).append(transaction)
    segments = [_isa(isa, control, prepared),
                "*".join(["GS", "FA", _field(isa, 8).strip(), _field(isa, 6).strip(),
                          prepared.strftime("%Y%m%d"), prepared.strftime("%H%M"), str(control),
                          "X", "004010"])]  # fmt: skip
    for number, members in enumerate(groups.values(), start=1):
        segments += _ack_group(members, f"{number:04d}")
    segments += [f"GE*{len(groups)}*{control}", f"IEA*1*{control:09d}"]
    return ("~\n".join(segments) + "~\n").encode("ascii", errors="replace")


def _field(segment: list[str], index: int) -> str:
    return segment[index] if index < len(segment) else ""


def _isa(isa: list[str], control: int, prepared: datetime) -> str:
    return "*".join([
        "ISA", "00", " " * 10, "00", " " * 10,
        _field(isa, 7) or "ZZ", _field(isa, 8).strip().ljust(15)[:15],
        _field(isa, 5) or "ZZ", _field(isa, 6).strip().ljust(15)[:15],
        prepared.strftime("%y%m%d"), prepared.strftime("%H%M"), "U", "00401",
        f"{control:09d}", "0", _field(isa, 15) or "P", ">",
    ])


def _ack_group(members: list[Transaction], ref: str) -> list[str]:
    group = members[0].group
    body = [f"AK1*{_field(group, 1)}*{_field(group, 6)}"]
    accepted = 0
    for transaction in members:
        body.append(f"AK2*{transaction.kind}*{transaction.ref}")
        problem = transaction.problem
        if problem is None:
            body.append("AK5*A")
            accepted += 1
            continue
        code = _AK5_ERRORS.get(problem.code, "5")
        position = _position_in_transaction(transaction)
        if code == "5" and position:
            tag = transaction.segments[position - 1][0]
            body.append(f"AK3*{tag}*{position}**8")
        body.append(f"AK5*R*{code}")
    status = "A" if accepted == len(members) else "R" if accepted == 0 else "P"
    body.append(f"AK9*{status}*{len(members)}*{len(members)}*{accepted}")
    segments = [f"ST*997*{ref}", *body]
    segments.append(f"SE*{len(segments) + 1}*{ref}")
    return segments


def _position_in_transaction(transaction: Transaction) -> int | None:
    location = transaction.problem.location if transaction.problem else None
    if not location or not location.startswith("segment ") or not transaction.numbers:
        return None
    number = location.split()[1]
    if not number.isdigit():
        return None
    position = int(number) - transaction.numbers[0] + 1
    return position if 1 <= position <= len(transaction.segments) else None


_BAK_TYPES = {"accepted": "AD", "changed": "AC", "rejected": "RJ"}


def x12_855(
    order: Order,
    decisions: Mapping[int, LineDecision],
    *,
    our_id: str,
    their_id: str,
    control: int,
    prepared: datetime,
) -> bytes:
    """An X12 855 purchase order acknowledgement answering an 850 line by line (ACK)."""
    status = order_decision(order, decisions)
    po_date = order.order_date.strftime("%Y%m%d") if order.order_date else ""
    body = [f"BAK*00*{_BAK_TYPES[status]}*{_x12(order.buyer_order_number)}*{po_date}"]
    for line in order.lines:
        body += _ack_line(line, decisions.get(line.line_number, LineDecision(line.line_number)))
    body.append(f"CTT*{len(order.lines)}")
    segments = ["ST*855*0001", *body]
    segments.append(f"SE*{len(segments) + 1}*0001")
    isa = ["ISA", "", "", "", "", "ZZ", their_id, "ZZ", our_id, "", "", "", "", "", "", "P"]
    envelope = [_isa(isa, control, prepared),
                "*".join(["GS", "PR", _x12(our_id), _x12(their_id), prepared.strftime("%Y%m%d"),
                          prepared.strftime("%H%M"), str(control), "X", "004010"])]  # fmt: skip
    trailer = [f"GE*1*{control}", f"IEA*1*{control:09d}"]
    return ("~\n".join(envelope + segments + trailer) + "~\n").encode("ascii", errors="replace")


def _x12(text: str) -> str:
    # X12 has no release character: separators inside a value are replaced, not escaped.
    return text.replace("*", " ").replace("~", " ").replace(">", " ")


def _ack_line(line: Line, decision: LineDecision) -> list[str]:
    unit = line.unit or "EA"
    price = decision.unit_price or line.unit_price
    ids = "".join(f"*{kind}*{_x12(code)}" for kind, code in (
        ("UP" if line.gtin and len(line.gtin) == 12 else "EN", line.gtin),
        ("BP", line.buyer_item_code), ("VP", line.seller_item_code)) if code)  # fmt: skip
    po1 = f"PO1*{line.line_number}*{decimal_text(line.quantity)}*{unit}*"
    po1 += (decimal_text(price) if price is not None else "") + (f"*{ids}" if ids else "")
    quantity = Decimal(0) if decision.status == "rejected" else decision.quantity or line.quantity
    code = {"accepted": "IA", "rejected": "IR"}.get(decision.status) or (
        "IQ" if decision.quantity is not None else "DR" if decision.delivery_date else "IC")
    ack = f"ACK*{code}*{decimal_text(quantity)}*{unit}"
    if decision.delivery_date:
        ack += f"*068*{decision.delivery_date.strftime('%Y%m%d')}"
    return [po1, ack]


# --- UBL -------------------------------------------------------------------------------

_UBL = "urn:oasis:names:specification:ubl:schema:xsd:OrderResponse-2"
_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _add(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    namespace = _CAC if tag.startswith("cac:") else _CBC
    child = etree.SubElement(parent, f"{{{namespace}}}{tag[4:]}", attrs)
    if text is not None:
        child.text = text
    return child


def ubl_order_response(
    order: Order,
    decisions: Mapping[int, LineDecision],
    *,
    response_id: str,
    issued: date,
    note: str | None = None,
) -> bytes:
    """A UBL 2.1 OrderResponse (PEPPOL BIS Ordering 3) answering ``order`` line by line."""
    status = order_decision(order, decisions)
    root = etree.Element(f"{{{_UBL}}}OrderResponse", nsmap={None: _UBL, "cac": _CAC, "cbc": _CBC})
    _add(root, "cbc:CustomizationID", "urn:fdc:peppol.eu:poacc:trns:order_response:3")
    _add(root, "cbc:ProfileID", "urn:fdc:peppol.eu:poacc:bis:ordering:3")
    _add(root, "cbc:ID", response_id)
    _add(root, "cbc:IssueDate", issued.isoformat())
    _add(root, "cbc:OrderResponseCode", _UBL_RESPONSE_CODES[status])
    if note:
        _add(root, "cbc:Note", note)
    if order.currency:
        _add(root, "cbc:DocumentCurrencyCode", order.currency)
    _add(_add(root, "cac:OrderReference"), "cbc:ID", order.buyer_order_number)
    _ubl_party(_add(root, "cac:SellerSupplierParty"), order.seller)
    _ubl_party(_add(root, "cac:BuyerCustomerParty"), order.buyer)
    for line in order.lines:
        _ubl_line(root, line, decisions.get(line.line_number, LineDecision(line.line_number)),
                  order.currency)  # fmt: skip
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _ubl_party(parent: etree._Element, party: Party | None) -> None:
    element = _add(parent, "cac:Party")
    if party and party.gln:
        _add(element, "cbc:EndpointID", party.gln, schemeID="0088")
        _add(_add(element, "cac:PartyIdentification"), "cbc:ID", party.gln, schemeID="0088")
    if party and party.name:
        _add(_add(element, "cac:PartyName"), "cbc:Name", party.name)


def _ubl_line(
    root: etree._Element, line: Line, decision: LineDecision, currency: str | None
) -> None:
    item = _add(_add(root, "cac:OrderLine"), "cac:LineItem")
    _add(item, "cbc:ID", str(line.line_number))
    if decision.reason:
        _add(item, "cbc:Note", decision.reason)
    _add(item, "cbc:LineStatusCode", _LINE_ACTIONS[decision.status])
    quantity = Decimal(0) if decision.status == "rejected" else decision.quantity or line.quantity
    _add(item, "cbc:Quantity", decimal_text(quantity), unitCode=line.unit or "C62")
    if decision.delivery_date:
        period = _add(_add(item, "cac:Delivery"), "cac:PromisedDeliveryPeriod")
        _add(period, "cbc:StartDate", decision.delivery_date.isoformat())
    price = decision.unit_price or line.unit_price
    if price is not None:
        amount = _add(_add(item, "cac:Price"), "cbc:PriceAmount", decimal_text(price))
        if currency:
            amount.set("currencyID", currency)
    described = _add(item, "cac:Item")
    if line.description:
        _add(described, "cbc:Name", line.description)
    for tag, code in (("cac:BuyersItemIdentification", line.buyer_item_code),
                      ("cac:SellersItemIdentification", line.seller_item_code)):  # fmt: skip
        if code:
            _add(_add(described, tag), "cbc:ID", code)
    if line.gtin:
        _add(_add(described, "cac:StandardItemIdentification"), "cbc:ID", line.gtin,
             schemeID="0160")  # fmt: skip
