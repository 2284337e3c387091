"""A realistic order mix with known truth, for the validation benchmark.

Customers, addresses, products, customer item codes, EDI partners and open items are
generated with a seeded random generator; so are orders from every channel, each with
the truth it was made from (customer, ship-to, SKUs, quantities in base units) and the
problems deliberately put in it. Traps for wrong decisions are included: customers with
near-identical names in one postal code, OCR typos in names, cartons, shared e-mail
domains.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

TODAY = date(2026, 3, 2)

_TRADES = ("Boulangerie", "Garage", "Pharmacie", "Librairie", "Quincaillerie", "Fleuriste",
           "Epicerie", "Bureau", "Cabinet", "Atelier", "Hotel", "Restaurant", "Clinique",
           "Ecole", "Imprimerie", "Menuiserie", "Transports", "Papeterie", "Boucherie")
_NAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
          "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
          "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier",
          "Dupont", "Lambert", "Bonnet", "Francois", "Martinez", "Legrand", "Garnier", "Faure",
          "Rousseau", "Blanc", "Guerin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin")
_PLACES = ("du Centre", "de la Gare", "du Port", "des Halles", "du Marche", "de l'Ouest",
           "du Nord", "du Lac", "des Alpes", "de Provence", "Saint-Michel", "des Lilas")
_FORMS = ("SARL", "SAS", "SA", "EURL", "", "", "")
_STREETS = ("rue de la Paix", "avenue Victor Hugo", "boulevard Voltaire", "rue Pasteur",
            "place de la Republique", "rue Jean Jaures", "chemin des Vignes", "rue du Moulin",
            "allee des Tilleuls", "route de Lyon", "quai de Seine", "impasse des Roses")
_ITEMS = ("Stylo", "Cahier", "Classeur", "Ramette", "Enveloppe", "Agrafeuse", "Carton",
          "Gobelet", "Serviette", "Gant", "Savon", "Detergent", "Ampoule", "Pile", "Cable",
          "Vis", "Cheville", "Rouleau", "Sac", "Bouteille", "Filtre", "Joint", "Ruban")
_QUALIFIERS = ("bleu", "rouge", "noir", "A4", "A5", "80g", "grand", "petit", "inox", "bois",
               "recycle", "premium", "eco", "pro", "XL", "S", "M", "L", "blanc", "vert")

CHANNEL_MIX = (("edi", 0.40), ("api", 0.10), ("web", 0.10), ("email", 0.25), ("fax", 0.15))


@dataclass
class Truth:
    """What an order really is, and the problems put in it on purpose."""

    customer_id: str
    ship_to: str | None
    lines: list[tuple[str, Decimal]]
    problems: list[str] = field(default_factory=list)
    repeats: str | None = None
    """For a document sent twice: the sha256 of the copy it repeats."""


@dataclass
class Mix:
    """Master data rows (dicts for the tables) and orders (canonical dicts) with truth."""

    customers: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    customer_items: list[dict[str, Any]] = field(default_factory=list)
    edi_partners: list[dict[str, Any]] = field(default_factory=list)
    open_items: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    truth: dict[str, Truth] = field(default_factory=dict)
    risky: set[str] = field(default_factory=set)


class Generator:
    """Seeded generator of master data and orders."""

    def __init__(self, customers: int, products: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.mix = Mix()
        self.assortment: dict[str, list[tuple[str, Decimal]]] = {}
        self.codes: dict[tuple[str, str], str] = {}
        self.ship_tos: dict[str, list[dict[str, Any]]] = {}
        self.pos: dict[str, int] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self._last_postal = ""
        self.postal: dict[str, str] = {}
        self.lines_seen: dict[tuple[str, str], int] = {}
        self._products(products)
        self._customers(customers)

    # --- master data ---------------------------------------------------------------

    def _products(self, count: int) -> None:
        rng = self.rng
        for n in range(count):
            pack = rng.random() < 0.3
            self.mix.products.append({
                "sku": f"SKU-{n:06d}", "gtin": f"3{n:012d}",
                "description": f"{rng.choice(_ITEMS)} {rng.choice(_QUALIFIERS)} "
                               f"{rng.choice(_QUALIFIERS)} ref {n}",
                "unit": "C62", "unit_price": Decimal(rng.randint(20, 4000)) / 100,
                "currency": "EUR", "active": rng.random() > 0.01,
                "lead_time_days": rng.choice((0, 0, 0, 2, 5, 10)),
                "pack_unit": "CT" if pack else None,
                "pack_size": Decimal(rng.choice((6, 12, 24))) if pack else None,
                "weight_kg": None, "volume_m3": None})

    def _customers(self, count: int) -> None:
        rng = self.rng
        postal_codes = [f"{rng.randint(1, 95):02d}{rng.randint(0, 999):03d}"
                        for _ in range(max(count // 6, 1))]
        active = [p for p in self.mix.products if p["active"]]
        for n in range(count):
            cid = f"C{n:06d}"
            twin = n % 200 == 199  # a near-namesake of the customer before, same town
            if twin:
                words = self.mix.customers[-1]["name"].split()
                words[1] += "e"
                name, postal = " ".join(words), self._last_postal
            else:
                name = (f"{rng.choice(_TRADES)} {rng.choice(_NAMES)} {rng.choice(_PLACES)} "
                        f"{rng.choice(_FORMS)}").strip()
                postal = rng.choice(postal_codes)
            self._last_postal = postal
            self._customer(cid, name, n, postal)
            self.assortment[cid] = [(p["sku"], Decimal(rng.choice((2, 5, 10, 20, 50))))
                                    for p in rng.sample(active, 6)]
            if rng.random() < 0.3:
                for k, (sku, _q) in enumerate(self.assortment[cid]):
                    self.codes[(cid, sku)] = f"{cid[-4:]}-{k:03d}"
                    self.mix.customer_items.append({"customer_id": cid,
                                                    "customer_item_code": f"{cid[-4:]}-{k:03d}",
                                                    "sku": sku})

    def _customer(self, cid: str, name: str, n: int, postal: str) -> None:
        rng = self.rng
        risk = rng.random()
        blocked = risk < 0.005
        limit = Decimal(50) if 0.005 <= risk < 0.01 else Decimal(rng.randint(20, 200) * 1000)
        if risk < 0.03:
            self.mix.risky.add(cid)
        self.mix.customers.append({
            "customer_id": cid, "name": name, "vat_id": f"FR{n:011d}", "siret": f"{n:014d}",
            "gln": f"30{n:011d}", "ibans": [], "email_domains": [f"c{n}.example.fr"],
            "credit_limit": limit, "currency": "EUR", "payment_terms_days": 30,
            "sales_rep": None, "blocked": blocked})
        if 0.01 <= risk < 0.03:
            self.mix.open_items.append({
                "invoice_id": f"INV-{n}", "customer_id": cid, "issue_date": TODAY - timedelta(90),
                "due_date": TODAY - timedelta(60), "currency": "EUR", "amount": Decimal(500),
                "open_amount": Decimal(500), "reference": None})
        self.postal[cid] = postal
        city = f"Ville {postal}"
        self.mix.addresses.append({
            "customer_id": cid, "address_id": f"{cid}-B", "kind": "bill_to", "name": name,
            "street": f"{rng.randint(1, 99)} {rng.choice(_STREETS)}", "postal_code": postal,
            "city": city, "country": "FR", "gln": None})
        ships = []
        for k in range(rng.choice((1, 1, 1, 2, 3))):
            ships.append({
                "customer_id": cid, "address_id": f"{cid}-S{k}", "kind": "ship_to",
                "name": f"{name} site {k}", "street": f"{rng.randint(1, 199)} "
                f"{rng.choice(_STREETS)}", "postal_code": rng.choice((postal, f"{postal[:2]}"
                                                                       f"{rng.randint(100, 999)}")),
                "city": city, "country": "FR", "gln": f"31{n:08d}{k:03d}"})
        self.ship_tos[cid] = ships
        self.mix.addresses.extend(ships)
        if rng.random() < 0.5:
            self.mix.edi_partners.append({"partner_id": f"EDI{n:06d}", "customer_id": cid,
                                          "syntax": "edifact", "version": None,
                                          "acknowledgement": False, "order_response": False,
                                          "outbox": None})

    # --- orders --------------------------------------------------------------------

    def orders(self, count: int) -> Mix:
        """``count`` orders over the channel mix, with their truth."""
        customers = list(self.mix.customers)
        channels = [c for c, _w in CHANNEL_MIX]
        weights = [w for _c, w in CHANNEL_MIX]
        for n in range(count):
            customer = self.rng.choice(customers)
            channel = self.rng.choices(channels, weights)[0]
            self._order(n, customer, channel, late=n > count // 2)
        return self.mix

    def _order(self, n: int, customer: dict[str, Any], channel: str, *, late: bool) -> None:
        rng, cid = self.rng, customer["customer_id"]
        sha = f"{n:064x}"
        resend = self.history.get(cid)
        if resend and rng.random() < 0.01:
            first = rng.choice(resend)  # the same document again, by another channel
            known = self.mix.truth[first["source"]["sha256"]]
            self.mix.truth[sha] = Truth(known.customer_id, known.ship_to, known.lines,
                                        ["duplicate", *known.problems],
                                        repeats=first["source"]["sha256"])
            self.mix.orders.append(dict(first, source=dict(first["source"], sha256=sha)))
            return
        ship = rng.choice(self.ship_tos[cid])
        picked = rng.sample(self.assortment[cid], rng.choice((1, 1, 2, 2, 3, 4, 5, 6)))
        truth = Truth(cid, ship["address_id"], [])
        self.pos[cid] = self.pos.get(cid, 0) + 1
        data: dict[str, Any] = {
            "document_type": "order", "buyer_order_number": f"{cid}-PO{self.pos[cid]:05d}",
            "order_date": (TODAY - timedelta(rng.randint(0, 60))).isoformat(),
            "requested_delivery_date": (TODAY + timedelta(rng.randint(12, 30))).isoformat()
            if rng.random() < 0.7 else None,
            "currency": "EUR" if channel in ("edi", "api", "web") else None,
            "lines": [self._line(k + 1, cid, sku, qty, channel, truth, late=late)
                      for k, (sku, qty) in enumerate(picked)],
        }
        data.update(self._parties(customer, ship, channel, truth))
        self._problems(data, truth)
        self.mix.orders.append(data)
        self.mix.truth[sha] = truth
        data["source"]["sha256"] = sha
        self.history.setdefault(cid, []).append(data)

    def _parties(self, customer: dict[str, Any], ship: dict[str, Any], channel: str,
                 truth: Truth) -> dict[str, Any]:
        rng, cid, n = self.rng, customer["customer_id"], int(customer["customer_id"][1:])
        address = {"street": ship["street"], "postal_code": ship["postal_code"],
                   "city": ship["city"], "country": "FR"}
        if channel == "edi":
            return {"buyer": {"gln": customer["gln"], "name": customer["name"]},
                    "ship_to": {"gln": ship["gln"]},
                    "source": {"channel": "edi", "format": "edifact",
                               "sender": f"EDI{n:06d}"}}
        if channel in ("api", "web"):
            return {"buyer": {"name": customer["name"]},
                    "ship_to": {"buyer_assigned_id": ship["address_id"]},
                    "source": {"channel": channel, "sender": cid}}
        name = customer["name"] if channel == "email" else _ocr(rng, customer["name"])
        buyer: dict[str, Any] = {"name": name, "address": {"postal_code": self.postal[cid]}}
        if rng.random() < 0.3 and channel == "email":
            buyer["vat_id"] = customer["vat_id"]
        elif channel == "fax" and n % 200 in (198, 199):
            truth.problems.append("namesake")
        stated = rng.random() < 0.85 or len(self.ship_tos[cid]) > 1
        if not stated and len(self.ship_tos[cid]) > 1:
            truth.problems.append("no_ship_to")
        source = {"channel": channel, "format": "pdf-text" if channel == "email" else "tiff-scan",
                  "sender": f"achats@c{n}.example.fr" if channel == "email" else "+33100000000"}
        return {"buyer": buyer, "ship_to": {"name": ship["name"], "address": address}
                if stated else None, "source": source}

    def _line(self, number: int, cid: str, sku: str, usual: Decimal, channel: str,
              truth: Truth, *, late: bool) -> dict[str, Any]:
        rng = self.rng
        product = self.mix.products[int(sku[4:])]
        carton = (product["pack_unit"] and usual >= product["pack_size"] and rng.random() < 0.5
                  and channel != "fax")
        pack = product["pack_size"] if carton else Decimal(1)
        quantity = max(Decimal(1), (usual / pack).to_integral_value() + rng.randint(-1, 1))
        seen = self.lines_seen.get((cid, sku), 0)
        self.lines_seen[(cid, sku)] = seen + 1
        # An anomaly is only knowable against a history of the customer for the product.
        if late and seen >= 4 and rng.random() < 0.02:
            quantity *= 100
            truth.problems.append("quantity")
        base_qty = quantity * pack
        truth.lines.append((sku, base_qty))
        line: dict[str, Any] = {"line_number": number, "quantity": str(quantity),
                                "unit": "CT" if carton else rng.choice(("C62", "PCE", "pcs"))}
        price = product["unit_price"] * (product["pack_size"] if carton else 1)
        if channel != "fax" or rng.random() < 0.5:
            line["unit_price"] = str(price)
        if channel == "edi":
            line["gtin"] = product["gtin"]
        elif channel in ("api", "web"):
            line["seller_item_code"] = sku
        elif (cid, sku) in self.codes and rng.random() < 0.7:
            line["buyer_item_code"] = self.codes[(cid, sku)]
        else:
            line["seller_item_code"] = sku
        line["description"] = product["description"]
        return line

    def _problems(self, data: dict[str, Any], truth: Truth) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.02:
            data["lines"][0].pop("gtin", None)
            data["lines"][0].pop("buyer_item_code", None)
            data["lines"][0]["seller_item_code"] = f"X{rng.randint(0, 10**6)}"
            truth.problems.append("unknown_product")
        elif roll < 0.04 and "unit_price" in data["lines"][0]:
            price = Decimal(data["lines"][0]["unit_price"])
            data["lines"][0]["unit_price"] = str((price * Decimal("1.07")).quantize(
                Decimal("0.01")))
            truth.problems.append("price")
        elif roll < 0.05:
            data["requested_delivery_date"] = (TODAY - timedelta(3)).isoformat()
            truth.problems.append("past_date")
        elif roll < 0.06 and data["source"]["channel"] in ("email", "fax") and data["ship_to"]:
            data["ship_to"]["address"]["street"] = "999 rue Inconnue"
            data["ship_to"]["name"] = "Nouveau depot"
            truth.problems.append("unknown_ship_to")
        if data["source"]["channel"] == "fax":
            data["confidence"] = {"buyer_order_number": 0.97, "lines[1].quantity": 0.93}
            if rng.random() < 0.25:
                data["confidence"]["lines[1].quantity"] = 0.6
                truth.problems.append("low_confidence")


def _ocr(rng: random.Random, name: str) -> str:
    """A name as a fax scan may read it: now and then one letter wrong."""
    if rng.random() > 0.3 or len(name) < 6:
        return name
    k = rng.randrange(1, len(name) - 1)
    return name[:k] + rng.choice("ilo1e") + name[k + 1:]
