"""Master data and orders shared by the validation tests: small, named, and readable."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

from hub.model import Order
from robots.validation_index import Address, Customer, History, MasterIndex, OpenItem, Product
from robots.validation_settings import ValidateSettings

TODAY = date(2026, 3, 2)
SHA = "a" * 64

CUSTOMERS = [
    Customer("C1", "Dupont Distribution SAS", vat_id="FR 12 345678901", siret="12345678900011",
             gln="3012345000001", email_domains=("dupont.fr",),
             credit_limit=Decimal(50000), currency="EUR"),
    Customer("C2", "Martin Frères SARL", vat_id="FR98765432109", gln="3012345000002",
             email_domains=("martin.fr", "shared.fr"), credit_limit=Decimal(1000),
             currency="EUR"),
    Customer("C3", "Bloque SA", gln="3012345000003", currency="EUR", blocked=True),
    Customer("C4", "Boulangerie Lefevre", currency="EUR", email_domains=("shared.fr",)),
    Customer("C5", "Boulangerie Lefebvre", currency="EUR"),
    Customer("C6", "Overdue GmbH", gln="4012345000006", currency="EUR",
             credit_limit=Decimal(100000)),
]

ADDRESSES = [
    Address("C1", "C1-BILL", "bill_to", "Dupont HQ", "1 rue de la Paix", "75002", "Paris", "FR"),
    Address("C1", "C1-LYON", "ship_to", "Dupont Lyon", "12 avenue Jean Jaurès", "69007", "Lyon",
            "FR", gln="3012345100001"),
    Address("C2", "C2-BILL", "bill_to", "Martin", "5 rue du Port", "13002", "Marseille", "FR"),
    Address("C2", "C2-NORD", "ship_to", "Martin Nord", "8 rue de Lille", "59000", "Lille", "FR",
            gln="3012345200001"),
    Address("C2", "C2-SUD", "ship_to", "Martin Sud", "3 quai du Port", "13002", "Marseille",
            "FR", gln="3012345200002"),
    Address("C3", "C3-SHIP", "ship_to", "Bloque", "1 rue X", "33000", "Bordeaux", "FR"),
    Address("C4", "C4-SHIP", "ship_to", "Lefevre", "2 rue du Four", "44000", "Nantes", "FR"),
    Address("C5", "C5-SHIP", "ship_to", "Lefebvre", "4 rue du Four", "44000", "Nantes", "FR"),
    Address("C6", "C6-SHIP", "ship_to", "Overdue", "Hauptstrasse 1", "10115", "Berlin", "DE"),
]

PRODUCTS = [
    Product("P-100", gtin="3000000000017", description="Stylo bille bleu", unit="C62",
            unit_price=Decimal("10.00"), currency="EUR", pack_unit="CT", pack_size=Decimal(12)),
    Product("P-200", gtin="3000000000024", description="Cahier A4 grands carreaux",
            unit="C62", unit_price=Decimal("2.50"), currency="EUR", lead_time_days=10),
    Product("P-300", gtin="3000000000031", description="Classeur ancien modele", unit="C62",
            unit_price=Decimal(5), currency="EUR", active=False),
    Product("P-400", gtin="03000000000048", description="Ramette papier A4 80g", unit="C62",
            unit_price=Decimal("4.20"), currency="EUR"),
]

CUSTOMER_ITEMS = [("C1", "DUP-001", "P-100"), ("C2", "MF 200", "P-200")]
EDI_PARTNERS = [("EDI-DUPONT", "C1"), ("EDI-NONE", None)]
OPEN_ITEMS = [
    OpenItem("C2", "INV-1", date(2026, 2, 20), Decimal(900)),
    OpenItem("C6", "INV-2", date(2026, 1, 5), Decimal(300)),
    OpenItem("C6", "INV-3", date(2026, 2, 25), Decimal(100)),
]


def index() -> MasterIndex:
    """The master data above as an index."""
    return MasterIndex(customers=CUSTOMERS, addresses=ADDRESSES, products=PRODUCTS,
                       customer_items=CUSTOMER_ITEMS, edi_partners=EDI_PARTNERS,
                       open_items=OPEN_ITEMS)


def rules(**overrides: Any) -> ValidateSettings:
    """Validation settings with a portal sender mapped to C2."""
    return ValidateSettings(sender_customers={"portal-martin": "C2"}, **overrides)


BASE: dict[str, Any] = {
    "document_type": "order",
    "buyer_order_number": "PO-1",
    "order_date": "2026-03-01",
    "currency": "EUR",
    "buyer": {"name": "Dupont Distribution", "gln": "3012345000001"},
    "ship_to": {"gln": "3012345100001"},
    "lines": [{"line_number": 1, "gtin": "3000000000017", "quantity": "5",
               "unit": "C62", "unit_price": "10.00"}],
    "source": {"channel": "edi", "sender": "EDI-DUPONT", "sha256": SHA},
}


def order(**changes: Any) -> Order:
    """The base order (valid for C1) with top-level keys replaced; ``None`` drops a key."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return Order.model_validate(data)


def line(**values: Any) -> dict[str, Any]:
    """One order line (line 1, 5 pieces of P-100 by GTIN) with values replaced."""
    data = dict(BASE["lines"][0])
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def history() -> History:
    """An empty queue history."""
    return History()
