"""A generated corpus of purchase orders: text PDFs in several French and English
layouts, rasterised and degraded like real faxes, with the expected values beside them.

Everything is seeded, so a corpus is the same on every run and only a handful of files
needs committing; benchmarks generate the rest into a temporary folder.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from connectors.base import ReferenceData

LAYOUTS = ("fr_classic", "en_classic", "fr_boxed", "fr_compact")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

PRODUCTS: list[tuple[str, str, str, str]] = [
    # (seller item code, GTIN-13 body without check digit, description, unit)
    ("AB-1024", "301234500001", "Gants nitrile taille M", "C62"),
    ("AB-1031", "301234500002", "Gants vinyle taille L", "C62"),
    ("CF-2210", "301234500003", "Café grains 1 kg", "KGM"),
    ("CF-2215", "301234500004", "Café moulu 250 g", "C62"),
    ("PX-0451", "301234500005", "Papier A4 80 g ramette", "C62"),
    ("PX-0457", "301234500006", "Papier A3 90 g ramette", "C62"),
    ("HY-3301", "301234500007", "Savon liquide 5 L", "LTR"),
    ("HY-3309", "301234500008", "Essuie-mains pliés", "CT"),
    ("EL-7710", "301234500009", "Câble HDMI 2 m", "C62"),
    ("EL-7718", "301234500010", "Rallonge 3 prises", "C62"),
    ("TX-1180", "301234500011", "Ruban adhésif 50 mm", "C62"),
    ("TX-1186", "301234500012", "Film étirable 500 mm", "MTR"),
    ("BV-5001", "301234500013", "Eau minérale 50 cl", "CT"),
    ("BV-5010", "301234500014", "Jus d'orange 1 L", "CT"),
    ("OF-9034", "301234500015", "Stylo bille bleu", "C62"),
    ("OF-9041", "301234500016", "Classeur à levier", "C62"),
    ("MT-6620", "301234500017", "Vis inox 4x40", "C62"),
    ("MT-6627", "301234500018", "Cheville nylon 8 mm", "C62"),
    ("SL-4410", "301234500019", "Sel de déneigement", "KGM"),
    ("SL-4418", "301234500020", "Sable de quartz", "KGM"),
    ("QR-2019", "301234500021", "Lingettes désinfectantes", "CT"),
    ("QR-2090", "301234500022", "Sacs poubelle 100 L", "C62"),
    ("GL-8801", "301234500023", "Gobelets carton 20 cl", "CT"),
    ("GL-8810", "301234500024", "Couverts bois lot", "C62"),
]
BUYERS: list[dict[str, str]] = [
    {"name": "Boulangerie Martin SARL", "street": "12 rue des Lilas", "postal_code": "69003",
     "city": "Lyon", "country": "FR", "vat_id": "FR40303265045", "siret": "30326504500017"},
    {"name": "Garage Dupont et Fils", "street": "4 avenue Jean Jaurès", "postal_code": "33000",
     "city": "Bordeaux", "country": "FR", "vat_id": "FR27552081317", "siret": "55208131700012"},
    {"name": "Hôtel du Parc SAS", "street": "88 boulevard Gambetta", "postal_code": "06000",
     "city": "Nice", "country": "FR", "vat_id": "FR83404833048", "siret": "40483304800022"},
    {"name": "Brightwell Catering Ltd", "street": "21 Mill Lane", "postal_code": "M1 2AB",
     "city": "Manchester", "country": "GB", "vat_id": "GB123456789", "siret": ""},
    {"name": "Clinique Saint-Roch", "street": "3 place du Marché", "postal_code": "34000",
     "city": "Montpellier", "country": "FR", "vat_id": "FR12345678901", "siret": "12345678900015"},
]
SELLER = {"name": "Distrinord SA", "street": "Zone industrielle Nord", "postal_code": "59000",
          "city": "Lille"}


def gtin13(body: str) -> str:
    """A GTIN-13 with its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def reference() -> ReferenceData:
    """The master data the corpus orders are drawn from."""
    return ReferenceData(
        item_codes=frozenset(p[0] for p in PRODUCTS),
        gtins=frozenset(gtin13(p[1]) for p in PRODUCTS),
        customer_names=frozenset(b["name"] for b in BUYERS),
    )


@dataclass
class OrderSpec:
    """One generated order and how it is printed."""

    layout: str
    number: str
    order_date: date
    delivery_date: date
    buyer: dict[str, str]
    lines: list[dict[str, Any]] = field(default_factory=list)
    currency: str = "EUR"

    @property
    def total(self) -> Decimal:
        """Sum of the line amounts."""
        return sum((line["amount"] for line in self.lines), Decimal(0))

    def expected(self) -> dict[str, Any]:
        """The values a reader must find, as JSON."""
        return {
            "layout": self.layout,
            "buyer_order_number": self.number,
            "order_date": self.order_date.isoformat(),
            "requested_delivery_date": self.delivery_date.isoformat(),
            "currency": self.currency,
            "buyer_name": self.buyer["name"],
            "total_amount": str(self.total),
            "lines": [
                {"seller_item_code": line["code"], "quantity": str(line["quantity"]),
                 "unit_price": str(line["price"]), "line_amount": str(line["amount"]),
                 **({"gtin": line["gtin"]} if self.layout == "fr_boxed" else {})}
                for line in self.lines
            ],
        }


def make_spec(seed: int, layout: str | None = None) -> OrderSpec:
    """A random but reproducible order."""
    rng = random.Random(seed)
    layout = layout or LAYOUTS[seed % len(LAYOUTS)]
    ordered = date(2025, 1, 2) + timedelta(days=rng.randrange(700))
    prefix = {"fr_classic": "CMD-", "en_classic": "PO-", "fr_boxed": "BC", "fr_compact": "A"}
    number = f"{prefix[layout]}{ordered.year}-{rng.randrange(10, 99999):05d}"
    spec = OrderSpec(layout, number, ordered, ordered + timedelta(days=rng.randrange(2, 30)),
                     BUYERS[rng.randrange(len(BUYERS))],
                     currency="GBP" if layout == "en_classic" and rng.random() < 0.3 else "EUR")
    for code, body, description, unit in rng.sample(PRODUCTS, rng.randrange(2, 9)):
        quantity = Decimal(rng.choice([1, 2, 3, 5, 6, 10, 12, 20, 24, 25, 48, 50, 100, 120, 250]))
        if unit == "KGM" and rng.random() < 0.4:
            quantity += Decimal("0.5")
        price = (Decimal(rng.randrange(35, 40000)) / 100).quantize(Decimal("0.01"))
        spec.lines.append({"code": code, "gtin": gtin13(body), "description": description,
                           "unit": unit, "quantity": quantity, "price": price,
                           "amount": (quantity * price).quantize(Decimal("0.01"))})
    return spec
