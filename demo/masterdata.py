"""Demo master data: a French distributor's customers, products and open items.

The first customers and products are the ones the demo documents name, so that most
demo orders pass validation untouched; the rest fill the lists to a realistic size
(about 50 customers, 300 products). Generated from a fixed seed: the same every time,
except dates, which follow today so that delivery dates and due dates stay meaningful.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from schwifty import IBAN

SEED = 20261122


def gtin13(body: str) -> str:
    """A GTIN-13 with its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def gln(body: str) -> str:
    """A GLN (same check digit as a GTIN-13)."""
    return gtin13(body)


def siret(siren: str, nic: str) -> str:
    """A SIRET whose Luhn key is right."""
    body = siren + nic[:4]
    for key in range(10):
        digits = [int(d) for d in body + str(key)]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2)
                    for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return body + str(key)
    raise ValueError(siren)


def french_vat(siren: str) -> str:
    """The French VAT number of a SIREN."""
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


@dataclass
class Customer:
    """A customer row and its addresses."""

    customer_id: str
    name: str
    siren: str
    gln: str
    domain: str
    city: tuple[str, str, str]  # street, postal code, city
    credit_limit: Decimal = Decimal(50000)
    terms: int = 30
    rep: str = "sales1"
    blocked: bool = False
    ship_tos: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    country: str = "FR"

    @property
    def iban(self) -> str:
        """The account the customer pays from."""
        return str(IBAN.generate("FR", bank_code="3000400001",
                                 account_code=f"{int(self.siren) % 10**11:011d}"))


#: Customers the demo documents come from: (id, name, siren, GLN body, e-mail domain, address).
NAMED = [
    ("C001", "Boulangerie Martin SARL", "303265045", "301234500001", "boulangerie-martin.fr",
     ("12 rue des Lilas", "69003", "Lyon")),
    ("C002", "Garage Dupont et Fils", "552081317", "301234500002", "garage-dupont.fr",
     ("4 avenue Jean Jaurès", "33000", "Bordeaux")),
    ("C003", "Hôtel du Parc SAS", "404833048", "301234500003", "hotel-du-parc.fr",
     ("88 boulevard Gambetta", "06000", "Nice")),
    ("C004", "Brightwell Catering Ltd", "123456789", "501234500004", "brightwell.co.uk",
     ("21 Mill Lane", "M1 2AB", "Manchester")),
    ("C005", "Clinique Saint-Roch", "345678912", "301234500005", "clinique-saintroch.fr",
     ("3 place du Marché", "34000", "Montpellier")),
    ("C006", "Hypermarché Grand Sud SA", "775672272", "301234500006", "grandsud-hyper.fr",
     ("Centre commercial Grand Sud", "31000", "Toulouse")),
    ("C007", "Cantines Municipales de Lille", "217703505", "301234500007", "lille-cantines.fr",
     ("Place Augustin Laurent", "59000", "Lille")),
    ("C008", "Pharmacie des Halles", "418527891", "301234500008", "pharmacie-halles.fr",
     ("2 rue des Halles", "75001", "Paris")),
    ("C009", "Restaurant Le Vieux Port", "512345671", "301234500009", "vieuxport-resto.fr",
     ("1 quai du Port", "13002", "Marseille")),
    ("C010", "Traiteur Lemoine", "623456782", "301234500010", "traiteur-lemoine.fr",
     ("9 rue Nationale", "37000", "Tours")),
    ("C011", "Café de la Gare", "734567893", "301234500011", "cafedelagare.fr",
     ("Place de la Gare", "67000", "Strasbourg")),
    ("C012", "Boulangerie Lefèvre", "845678904", "301234500012", "lefevre-pain.fr",
     ("5 rue Garibaldi", "69007", "Lyon")),
    ("C013", "Boulangerie Lefebvre", "956789015", "301234500013", "lefebvre-boulange.fr",
     ("18 rue Garibaldi", "69007", "Lyon")),
]

#: Products the demo documents order: (SKU, GTIN body, description, unit, price, lead days).
NAMED_PRODUCTS = [
    ("AB-1024", "301234500001", "Gants nitrile taille M", "C62", "4.90", 1),
    ("AB-1031", "301234500002", "Gants vinyle taille L", "C62", "3.80", 1),
    ("CF-2210", "301234500003", "Café grains 1 kg", "KGM", "14.50", 2),
    ("CF-2215", "301234500004", "Café moulu 250 g", "C62", "4.20", 2),
    ("PX-0451", "301234500005", "Papier A4 80 g ramette", "C62", "4.75", 1),
    ("PX-0457", "301234500006", "Papier A3 90 g ramette", "C62", "9.60", 1),
    ("HY-3301", "301234500007", "Savon liquide 5 L", "LTR", "2.10", 2),
    ("HY-3309", "301234500008", "Essuie-mains pliés", "CT", "21.00", 2),
    ("EL-7710", "301234500009", "Câble HDMI 2 m", "C62", "6.90", 3),
    ("EL-7718", "301234500010", "Rallonge 3 prises", "C62", "8.40", 3),
    ("TX-1180", "301234500011", "Ruban adhésif 50 mm", "C62", "1.95", 1),
    ("TX-1186", "301234500012", "Film étirable 500 mm", "MTR", "0.12", 1),
    ("BV-5001", "301234500013", "Eau minérale 50 cl", "CT", "5.40", 1),
    ("BV-5010", "301234500014", "Jus d'orange 1 L", "CT", "11.90", 1),
    ("OF-9034", "301234500015", "Stylo bille bleu", "C62", "0.45", 1),
    ("OF-9041", "301234500016", "Classeur à levier", "C62", "2.35", 1),
    ("MT-6620", "301234500017", "Vis inox 4x40", "C62", "0.08", 2),
    ("MT-6627", "301234500018", "Cheville nylon 8 mm", "C62", "0.05", 2),
    ("FAR-T65-25", "301234500025", "Farine T65 sac 25 kg", "C62", "18.90", 2),
    ("LEV-500", "301234500026", "Levure fraîche 500 g", "C62", "1.15", 1),
]

_TRADES = ("Boulangerie", "Garage", "Pharmacie", "Librairie", "Quincaillerie", "Fleuriste",
           "Épicerie", "Hôtel", "Restaurant", "Imprimerie", "Menuiserie", "Papeterie")
_FAMILIES = ("Bernard", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
             "Simon", "Laurent", "Michel", "Garcia", "Roux", "Fournier", "Girard", "Bonnet")
_CITIES = (("75011", "Paris"), ("69007", "Lyon"), ("31000", "Toulouse"), ("44000", "Nantes"),
           ("67000", "Strasbourg"), ("35000", "Rennes"), ("21000", "Dijon"),
           ("38000", "Grenoble"), ("59000", "Lille"), ("51100", "Reims"))
_ITEMS = ("Stylo", "Cahier", "Ramette", "Enveloppe", "Agrafeuse", "Gobelet", "Serviette",
          "Gant", "Savon", "Ampoule", "Pile", "Câble", "Vis", "Rouleau", "Sac", "Filtre")
_QUALITIES = ("bleu", "rouge", "noir", "A4", "A5", "80 g", "inox", "bois", "recyclé", "pro")


def customers() -> list[Customer]:
    """The named customers, then fillers up to 50."""
    found = [Customer(cid, name, siren, gln(body), domain, addr,
                      country="GB" if cid == "C004" else "FR")
             for cid, name, siren, body, domain, addr in NAMED]
    found[9].credit_limit = Decimal(800)   # Traiteur Lemoine: tight credit line
    found[10].blocked = True               # Café de la Gare: account blocked
    found[5].ship_tos = [("A2", "Hypermarché Grand Sud - Entrepôt", "ZA de la Plaine",
                          "31120", "Portet-sur-Garonne")]
    rng = random.Random(SEED)
    for number in range(len(found) + 1, 51):
        siren = f"{rng.randrange(100_000_000, 999_999_999)}"
        name = f"{rng.choice(_TRADES)} {rng.choice(_FAMILIES)}"
        postal, city = rng.choice(_CITIES)
        found.append(Customer(
            f"C{number:03d}", name, siren, gln(f"3012346{number:05d}"),
            f"{name.split()[1].lower()}{number}.fr", (f"{rng.randrange(1, 99)} rue de la Paix",
                                                      postal, city),
            credit_limit=Decimal(rng.choice([30000, 40000, 60000, 80000])),
            rep=f"sales{1 + number % 3}"))
    return found


def products() -> list[tuple[str, str, str, str, str, int]]:
    """The named products, then fillers up to 300."""
    rng = random.Random(SEED + 1)
    found = list(NAMED_PRODUCTS)
    for number in range(len(found), 300):
        description = f"{rng.choice(_ITEMS)} {rng.choice(_QUALITIES)} réf {number}"
        price = f"{Decimal(rng.randrange(50, 9000)) / 100:.2f}"
        found.append((f"P-{number:04d}", f"30123460{number:04d}", description, "C62", price,
                      rng.randrange(0, 4)))
    return found


def write(folder: Path, today: date) -> None:
    """Write the contract's master-data CSV files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    everyone = customers()
    _csv(folder / "customers.csv",
         ["customer_id", "name", "vat_id", "siret", "gln", "ibans", "email_domains",
          "credit_limit", "currency", "payment_terms_days", "sales_rep", "blocked"],
         [[c.customer_id, c.name, "GB123456789" if c.country == "GB" else french_vat(c.siren),
           "" if c.country == "GB" else siret(c.siren, "00017"), c.gln, c.iban, c.domain,
           c.credit_limit, "GBP" if c.country == "GB" else "EUR", c.terms, c.rep,
           "1" if c.blocked else ""] for c in everyone])
    _csv(folder / "customer_addresses.csv",
         ["customer_id", "address_id", "kind", "name", "street", "postal_code", "city",
          "country", "gln"], _addresses(everyone))
    _csv(folder / "products.csv",
         ["sku", "gtin", "description", "unit", "unit_price", "currency", "active",
          "lead_time_days"],
         [[sku, gtin13(body), text, unit, price, "EUR", "1", lead]
          for sku, body, text, unit, price, lead in products()])
    _csv(folder / "customer_items.csv", ["customer_id", "customer_item_code", "sku"],
         [["C001", "MART-FAR", "FAR-T65-25"], ["C001", "MART-LEV", "LEV-500"],
          ["C006", "GS-100245", "BV-5001"], ["C006", "GS-100246", "BV-5010"]])
    _csv(folder / "open_items.csv",
         ["invoice_id", "customer_id", "issue_date", "due_date", "currency", "amount",
          "open_amount", "reference"], open_items(today))
    paid_by_sci = next(row for row in open_items(today) if row[0] == "FA-2026-00010")
    _csv(folder / "history.csv", ["payer_name", "payer_iban", "customer_id"],
         [["SCI LES TILLEULS", "", paid_by_sci[1]]])
    _csv(folder / "edi_partners.csv",
         ["partner_id", "customer_id", "syntax", "version", "acknowledgement",
          "order_response", "outbox"],
         [[gln("301234500006"), "C006", "edifact", "D96A", "1", "1", "var/edi-out/grandsud"],
          [gln("301234500007"), "C007", "ubl", "2.1", "0", "1", "var/edi-out/lille"]])


def _addresses(everyone: list[Customer]) -> list[list[object]]:
    rows: list[list[object]] = []
    for c in everyone:
        street, postal, city = c.city
        for kind, address_id in (("bill_to", "B1"), ("ship_to", "A1")):
            rows.append([c.customer_id, address_id, kind, c.name, street, postal, city,
                         c.country, c.gln if kind == "ship_to" else ""])
        for address_id, name, street2, postal2, city2 in c.ship_tos:
            rows.append([c.customer_id, address_id, "ship_to", name, street2, postal2, city2,
                         c.country, gln(f"30123450{int(c.customer_id[1:]):02d}99")])
    return rows


def open_items(today: date) -> list[list[object]]:
    """Invoices of the demo customers, some overdue, some with an RF reference."""
    rng = random.Random(SEED + 2)
    rows: list[list[object]] = []
    for number in range(1, 161):
        customer = f"C{14 + (number * 7) % 37:03d}"  # the named customers' items are below
        issued = today - timedelta(days=rng.randrange(5, 55))
        amount = Decimal(rng.randrange(8000, 480000)) / 100
        invoice = f"FA-2026-{number:05d}"
        rows.append([invoice, customer, issued.isoformat(),
                     (issued + timedelta(days=30)).isoformat(), "EUR", f"{amount:.2f}",
                     f"{amount:.2f}", rf_reference(invoice) if number % 3 == 0 else ""])
    rows.append(["FA-2026-09001", "C010", (today - timedelta(days=20)).isoformat(),
                 (today + timedelta(days=10)).isoformat(), "EUR", "750.00", "750.00", ""])
    rows.append(["FA-2026-09002", "C009", (today - timedelta(days=95)).isoformat(),
                 (today - timedelta(days=65)).isoformat(), "EUR", "1240.00", "1240.00", ""])
    return rows


def rf_reference(invoice: str) -> str:
    """The ISO 11649 creditor reference printed on an invoice."""
    body = "".join(ch for ch in invoice if ch.isalnum())
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
