"""Generated typed-order mails with their known truth, for accuracy checks and the benchmark.

Each seed gives one mail written the way customers write: French or English, a greeting,
an order number in one of the usual phrases (or only in the subject), lines in a dozen
shapes, a delivery phrase, a signature with a phone number and an address, sometimes a
quoted reply holding older lines, sometimes a legal disclaimer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
UNITS = {"fr": (("cartons", "CT"), ("pièces", "C62"), ("kg", "KGM"), ("boîtes", "BX"),
                ("palettes", "PF")),
         "en": (("cases", "CT"), ("pcs", "C62"), ("kg", "KGM"), ("boxes", "BX"), ("units", "C62"))}
DESCRIPTIONS = ("gants nitrile", "film étirable", "sacs kraft", "vis inox 4x40", "farine T65",
                "gobelets carton", "essuie-mains", "savon liquide")
CUSTOMERS = (("Claire Martin", "boulangeries-martin.fr"), ("Tom Baker", "brightwell.co.uk"),
             ("Hélène Roux", "roux-logistique.fr"), ("Ahmed Benali", "epicerie-fine.fr"))

# (language, template, prints a price, prints the unit)
FR_LINES = (
    ("{qty} {unit} réf. {code}", False, True),
    ("Réf {code} x {qty}", False, False),
    ("{qty} x EAN {gtin} à {price} € HT", True, False),
    ("- {code} : {qty} {unit} @ {price} €", True, True),
    ("Article {code} quantité {qty}", False, False),
    ("{qty} {unit} de {desc} réf. {code} à {price} € HT", True, True),
    ("Réf. {code} | {desc} | {qty} | {price}", True, False),
    ("* {qty} x {code} ({desc}) prix unitaire {price} € HT", True, False),
    ("{code} x {qty}", False, False),
    ("Référence {code} : {qty} {unit}", False, True),
)
EN_LINES = (
    ("{qty} x {code} at {price} EUR", True, False),
    ("{qty} {unit} of item {code} at €{price} each", True, True),
    ("Item {code} - qty {qty}", False, False),
    ("SKU {code}: {qty} {unit} @ {price} EUR", True, True),
    ("{qty} {unit} ref {code}", False, True),
    ("{qty} x EAN {gtin}", False, False),
)


def gtin13(rng: random.Random) -> str:
    """A random GTIN-13 with a right check digit."""
    body = "376" + "".join(str(rng.randrange(10)) for _ in range(9))
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


@dataclass
class BodySpec:
    """One generated typed order and the values a reader must find."""

    seed: int
    language: str
    number: str
    sent: date
    delivery: date | None
    currency: str | None
    author: tuple[str, str]
    subject: str = ""
    text: str = ""
    lines: list[dict[str, Any]] = field(default_factory=list)

    def expected(self) -> dict[str, Any]:
        """The truth, in the canonical JSON's terms."""
        return {
            "buyer_order_number": self.number,
            "order_date": self.sent.isoformat(),
            "requested_delivery_date": self.delivery.isoformat() if self.delivery else None,
            "currency": self.currency,
            "lines": [(x["code"], str(x["quantity"]), x["price"]) for x in self.lines],
        }

    def message(self) -> EmailMessage:
        """The mail as a client would send it."""
        mail = EmailMessage()
        mail["From"] = f"{self.author[0]} <achats@{self.author[1]}>"
        mail["To"] = "commandes@distrinord.example"
        mail["Subject"] = self.subject
        mail["Date"] = self.sent.strftime("%a, %d %b %Y 09:30:00 +0100")
        mail["Message-ID"] = f"<body-{self.seed}@{self.author[1]}>"
        charset = "windows-1252" if self.seed % 5 == 0 else "utf-8"
        mail.set_content(self.text, charset=charset,
                         cte="8bit" if charset != "utf-8" else "quoted-printable")
        return mail


def _number(rng: random.Random, value: Decimal, language: str) -> str:
    text = f"{value:,.2f}" if value >= 1000 and rng.random() < 0.5 else f"{value:.2f}"
    if language == "fr":
        text = text.replace(",", " ").replace(".", ",")
    return text


def _code(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVXZ") for _ in range(rng.choice((2, 3))))
    shape = rng.randrange(3)
    if shape == 0:
        return f"{letters}-{rng.randrange(100, 9999)}"
    if shape == 1:
        return f"{letters}{rng.randrange(100, 999)}"
    return f"{letters}-{rng.randrange(10, 99)}-{rng.choice('ABCDEFGH')}"


def _line(rng: random.Random, language: str) -> tuple[str, dict[str, Any], bool]:
    template, has_price, _has_unit = rng.choice(FR_LINES if language == "fr" else EN_LINES)
    unit_word, unit = rng.choice(UNITS[language])
    quantity = Decimal(rng.choice((1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 24, 25, 40, 48, 50, 100)))
    if unit == "KGM" and "{unit}" in template and rng.random() < 0.3:
        quantity += Decimal("0.5")
    price = (Decimal(rng.randrange(35, 250000)) / 100).quantize(Decimal("0.01"))
    gtin = gtin13(rng)
    code = gtin if "{gtin}" in template else _code(rng)
    qty_text = str(quantity).replace(".", ",") if language == "fr" else str(quantity)
    text = template.format(qty=qty_text, unit=unit_word, code=code, gtin=gtin,
                           price=_number(rng, price, language), desc=rng.choice(DESCRIPTIONS))
    truth = {"code": code, "quantity": quantity, "price": str(price) if has_price else None}
    return text, truth, has_price and ("€" in template or "EUR" in template)


def _delivery(rng: random.Random, spec: BodySpec) -> str | None:
    if rng.random() < 0.25:
        return None
    day = spec.sent + timedelta(days=rng.randrange(2, 40))
    spec.delivery = day
    if spec.language == "en":
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(day.day if day.day < 20 else day.day % 10, "th")
        return rng.choice((f"Delivery by {EN_MONTHS[day.month - 1]} {day.day}{suffix}.",
                           f"Needed by {day.isoformat()}."))
    return rng.choice((
        f"Livraison souhaitée le {FR_DAYS[day.weekday()]} {day.day} {FR_MONTHS[day.month - 1]}.",
        f"Merci de livrer pour le {day.day:02d}/{day.month:02d}.",
        f"À livrer le {day.day:02d}/{day.month:02d}/{day.year}.",
    ))


def _po_phrase(rng: random.Random, spec: BodySpec) -> str | None:
    if spec.language == "en":
        spec.subject = rng.choice(("Order", "New order", f"Order {spec.number}"))
        return rng.choice((f"Purchase order #{spec.number}", f"PO number: {spec.number}",
                           f"Please find our order no. {spec.number} below."))
    if rng.random() < 0.2:
        spec.subject = f"Commande {spec.number}"
        return None
    spec.subject = rng.choice(("Commande", "Nouvelle commande", "Réassort"))
    return rng.choice((f"Bon de commande n° {spec.number}", f"N° de commande : {spec.number}",
                       f"Veuillez trouver ci-dessous notre commande n° {spec.number} :",
                       f"PO {spec.number}"))


def make_body(seed: int) -> BodySpec:
    """A random but reproducible typed order."""
    rng = random.Random(seed)
    language = "en" if rng.random() < 0.35 else "fr"
    sent = date(2026, 1, 5) + timedelta(days=rng.randrange(330))
    number = rng.choice((f"PO-{rng.randrange(1000, 99999)}",
                         f"{rng.randrange(4500000000, 4599999999)}",
                         f"BC-{sent.year}-{rng.randrange(1, 9999):04d}"))
    spec = BodySpec(seed, language, number, sent, None, None, rng.choice(CUSTOMERS))
    greeting = "Hello," if language == "en" else rng.choice(("Bonjour,", "Bonjour Sébastien,"))
    parts = [greeting, ""]
    if (po := _po_phrase(rng, spec)) is not None:
        parts += [po, ""]
    priced = False
    for _ in range(rng.randrange(1, 7)):
        text, truth, with_currency = _line(rng, language)
        parts.append(text)
        spec.lines.append(truth)
        priced = priced or with_currency
    spec.currency = "EUR" if priced else None
    if (delivery := _delivery(rng, spec)) is not None:
        parts += ["", delivery]
    parts += ["", *_closing(rng, spec)]
    spec.text = "\n".join(parts) + "\n"
    return spec


def _closing(rng: random.Random, spec: BodySpec) -> list[str]:
    name, domain = spec.author
    lines = ["Best regards," if spec.language == "en" else "Cordialement,", name,
             f"Tél. 04 7{rng.randrange(10)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} 00",
             f"{rng.randrange(1, 120)} rue des Lilas, 69003 Lyon", f"www.{domain}"]
    if rng.random() < 0.3:
        lines += ["", "Ce message et toutes les pièces jointes sont confidentiels."]
    if rng.random() < 0.4:
        old = _code(rng)
        lines += ["", "Le 02/01/2026 à 10:00, Distrinord a écrit :", f"> 50 x {old} à 3,00 €",
                  "> Bonne journée"]
    return lines
