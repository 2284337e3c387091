"""Demo documents from every channel, dated around today.

Most orders are clean and pass untouched; a few carry the problems validation must catch
(one of each exception type), and each channel has one document that cannot be read.
Bank statements pay some of the demo open items so that cash application shows auto,
suggested and unmatched payments.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from demo.masterdata import customers, gln, gtin13, rf_reference

OWN_IBAN = "FR7630006000011234567890189"
Line = tuple[str, str, Decimal, str, Decimal]  # code, description, quantity, unit, price


def _customer(customer_id: str) -> tuple[str, str, str, str, str, tuple[str, str, str]]:
    c = next(c for c in customers() if c.customer_id == customer_id)
    return c.customer_id, c.name, c.siren, c.gln, c.domain, c.city


def sheet_csv(po: str, customer_id: str, today: date, lines: list[Line], *,
              delivery: date | None = None, note: str = "", currency: str = "EUR",
              name_only: bool = False) -> bytes:
    """A French order sheet (``;``, decimal comma, cp1252), as exported from Excel.

    ``name_only``: the customer writes only its name and address, no customer number.
    """
    cid, name, _siren, _gln, _domain, (street, postal, city) = _customer(customer_id)
    name = name.replace("è", "e") if name_only else name
    rows = [
        "BON DE COMMANDE;;;;;;", f"Client;{name};;;;;",
        *([] if name_only else [f"N° client;{cid};;;;;"]),
        f"N° de commande;{po};;Date de commande;{today:%d/%m/%Y};;",
        f"Date de livraison souhaitée;{(delivery or today + timedelta(days=7)):%d/%m/%Y};;;;;",
        f"Adresse de livraison;{name};{street};{postal} {city};France;;",
        f"Devise;{currency};;;;;", ";;;;;;",
        "Ligne;Référence;Désignation;Qté;Unité;PU HT;Montant HT",
    ]
    total = Decimal(0)
    for number, (code, text, quantity, unit, price) in enumerate(lines, start=1):
        amount = (quantity * price).quantize(Decimal("0.01"))
        total += amount
        rows.append(f"{number};{code};{text};{_fr(quantity)};{unit};{_fr(price)};{_fr(amount)}")
    rows += [";;;;;;", f";;;;;Total HT;{_fr(total)}"]
    if note:
        rows.append(f"Remarques;{note};;;;;")
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def _fr(value: Decimal) -> str:
    text = f"{value:,.2f}" if value != value.to_integral_value() or value > 999 else f"{value:.0f}"
    return text.replace(",", " ").replace(".", ",")


def edifact_orders(today: date, messages: list[dict[str, Any]], *, control: str = "IC1001",
                   break_count: bool = False) -> bytes:
    """An EANCOM D96A ORDERS interchange from the retailer Grand Sud."""
    sender = gln("301234500006")
    segments = [f"UNB+UNOC:3+{sender}:14+3012345999999:14+{today:%y%m%d}:0830+{control}"]
    for number, message in enumerate(messages, start=1):
        body = _orders_message(today, message)
        count = len(body) + 2 + (1 if break_count else 0)
        segments += [f"UNH+{number}+ORDERS:D:96A:UN:EAN008", *body, f"UNT+{count}+{number}"]
    segments.append(f"UNZ+{len(messages)}+{control}")
    return ("UNA:+.? '" + "'\n".join(segments) + "'\n").encode("latin-1")


def _orders_message(today: date, message: dict[str, Any]) -> list[str]:
    body = [f"BGM+220+{message['po']}+9", f"DTM+137:{today:%Y%m%d}:102",
            f"DTM+2:{today + timedelta(days=message.get('days', 6)):%Y%m%d}:102",
            f"NAD+BY+{gln('301234500006')}::9"]
    if message.get("ship_to"):
        body.append(f"NAD+DP+{message['ship_to']}::9")
    body.append("CUX+2:EUR:9")
    for number, (body_gtin, quantity, price) in enumerate(message["lines"], start=1):
        body += [f"LIN+{number}++{gtin13(body_gtin)}:EN", f"QTY+21:{quantity}",
                 f"PRI+AAA:{price}"]
    body += ["UNS+S", f"CNT+2:{len(message['lines'])}"]
    return body


def ubl_order(po: str, today: date, lines: list[tuple[str, str, int, str]]) -> bytes:
    """A UBL 2.1 order from the city of Lille's school canteens."""
    items = "".join(
        f"""
  <cac:OrderLine><cac:LineItem><cbc:ID>{n}</cbc:ID>
    <cbc:Quantity unitCode="{unit}">{qty}</cbc:Quantity>
    <cac:Price><cbc:PriceAmount currencyID="EUR">{price}</cbc:PriceAmount></cac:Price>
    <cac:Item><cbc:Name>{name}</cbc:Name>
      <cac:StandardItemIdentification><cbc:ID schemeID="0160">{gtin13(code)}</cbc:ID>
      </cac:StandardItemIdentification></cac:Item>
  </cac:LineItem></cac:OrderLine>"""
        for n, (code, name, qty, price) in enumerate(lines, start=1) for unit in ["C62"])
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:ID>{po}</cbc:ID>
  <cbc:IssueDate>{today.isoformat()}</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:BuyerCustomerParty><cac:Party>
    <cbc:EndpointID schemeID="0088">{gln('301234500007')}</cbc:EndpointID>
    <cac:PartyIdentification><cbc:ID schemeID="0088">{gln('301234500007')}</cbc:ID>
    </cac:PartyIdentification>
    <cac:PartyName><cbc:Name>Cantines Municipales de Lille</cbc:Name></cac:PartyName>
  </cac:Party></cac:BuyerCustomerParty>
  <cac:SellerSupplierParty><cac:Party><cac:PartyName><cbc:Name>Distrinord SA</cbc:Name>
  </cac:PartyName></cac:Party></cac:SellerSupplierParty>
  <cac:Delivery><cac:DeliveryLocation><cbc:ID schemeID="0088">{gln('301234500007')}</cbc:ID>
  </cac:DeliveryLocation><cac:RequestedDeliveryPeriod>
  <cbc:StartDate>{(today + timedelta(days=8)).isoformat()}</cbc:StartDate>
  </cac:RequestedDeliveryPeriod></cac:Delivery>{items}
</Order>
""".encode()


def mail(sender: str, subject: str, body: str, today: date, *,
         attachment: tuple[str, str, bytes] | None = None) -> bytes:
    """An e-mail as a mail client sends it (``attachment``: name, MIME type, bytes)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "commandes@distrinord.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.combine(today, datetime.min.time(), UTC)
                                      + timedelta(hours=8, minutes=12))
    message["Message-ID"] = f"<{abs(hash((sender, subject))) % 10**12}@demo.o2c>"
    message.set_content(body)
    if attachment:
        name, media, content = attachment
        maintype, subtype = media.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def api_order(po: str, customer_id: str, today: date, lines: list[Line]) -> dict[str, Any]:
    """A canonical order as a web shop posts it to the order API."""
    _cid, name, _siren, gln_body, _domain, (street, postal, city) = _customer(customer_id)
    return {
        "document_type": "order", "buyer_order_number": po, "order_date": today.isoformat(),
        "requested_delivery_date": (today + timedelta(days=4)).isoformat(), "currency": "EUR",
        "buyer": {"name": name, "gln": gln_body},
        "ship_to": {"name": name, "gln": gln_body,
                    "address": {"street": street, "postal_code": postal, "city": city,
                                "country": "FR"}},
        "lines": [{"line_number": n, "seller_item_code": code, "description": text,
                   "quantity": str(qty), "unit": "C62" if unit == "pcs" else unit,
                   "unit_price": str(price)}
                  for n, (code, text, qty, unit, price) in enumerate(lines, start=1)],
    }


def rf(invoice: str) -> str:
    """The creditor reference of a demo invoice."""
    return rf_reference(invoice)


def write_json(path: Path, value: Any) -> None:
    """Write JSON the way the API receives it."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2), encoding="utf-8")
