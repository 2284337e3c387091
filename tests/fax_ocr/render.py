"""Print a generated order as a PDF in one of four layouts (reportlab)."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from tests.fax_ocr.corpus import SELLER, OrderSpec

pdfmetrics.registerFont(TTFont("Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
pdfmetrics.registerFont(TTFont("SansB", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"))
WIDTH, HEIGHT = A4
UNITS_FR = {"C62": "u.", "KGM": "kg", "LTR": "L", "CT": "carton", "MTR": "m"}
UNITS_EN = {"C62": "pcs", "KGM": "kg", "LTR": "l", "CT": "ctn", "MTR": "m"}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def fr_number(value: Decimal, places: int = 2) -> str:
    """``1 234,50``."""
    text = f"{value:,.{places}f}"
    return text.replace(",", " ").replace(".", ",")


def fr_quantity(value: Decimal) -> str:
    """``12`` or ``12,5``."""
    return fr_number(value, 1) if value != value.to_integral() else f"{value:.0f}"


def en_quantity(value: Decimal) -> str:
    """``12`` or ``12.5``."""
    return f"{value:.1f}" if value != value.to_integral() else f"{value:.0f}"


class Sheet:
    """A reportlab canvas with y measured from the top, as on paper."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, invariant=1)

    def text(self, x: float, y: float, text: str, size: float = 10, bold: bool = False,
             align: str = "left") -> None:
        self.canvas.setFont("SansB" if bold else "Sans", size)
        draw = {"left": self.canvas.drawString, "right": self.canvas.drawRightString,
                "center": self.canvas.drawCentredString}[align]
        draw(x, HEIGHT - y, text)

    def box(self, x: float, y: float, w: float, h: float) -> None:
        self.canvas.rect(x, HEIGHT - y - h, w, h)

    def rule(self, x0: float, x1: float, y: float) -> None:
        self.canvas.line(x0, HEIGHT - y, x1, HEIGHT - y)

    def done(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _letterhead(s: Sheet, spec: OrderSpec, *, english: bool = False, y: float = 50) -> None:
    b = spec.buyer
    s.text(40, y, b["name"], 14, bold=True)
    s.text(40, y + 17, b["street"])
    city = f"{b['city']} {b['postal_code']}" if b["country"] == "GB" else (
        f"{b['postal_code']} {b['city']}")
    s.text(40, y + 30, city)
    s.text(40, y + 43, f"{'VAT' if english else 'TVA'} : {b['vat_id']}")
    if b["siret"]:
        s.text(40, y + 56, f"SIRET : {b['siret']}")


def _block(s: Sheet, x: float, y: float, label: str, rows: list[str]) -> None:
    s.text(x, y, label, bold=True)
    for i, row in enumerate(rows, start=1):
        s.text(x, y + 13 * i, row)


def _seller_rows() -> list[str]:
    return [SELLER["name"], SELLER["street"], f"{SELLER['postal_code']} {SELLER['city']}"]


def _buyer_rows(spec: OrderSpec) -> list[str]:
    b = spec.buyer
    return [b["name"], b["street"], f"{b['postal_code']} {b['city']}"]


def fr_classic(spec: OrderSpec) -> bytes:
    """Letterhead left, order box right, Réf | Désignation | Qté | Unité | PU HT | Montant."""
    s = Sheet()
    _letterhead(s, spec)
    s.text(330, 50, "BON DE COMMANDE", 16, bold=True)
    s.text(330, 75, f"N° de commande : {spec.number}")
    s.text(330, 90, f"Date : {spec.order_date:%d/%m/%Y}")
    s.text(330, 105, f"Livraison souhaitée : {spec.delivery_date:%d/%m/%Y}")
    _block(s, 330, 150, "Fournisseur :", _seller_rows())
    _block(s, 40, 150, "Adresse de livraison :", _buyer_rows(spec))
    y = 240
    for x, label, align in ((40, "Réf.", "left"), (110, "Désignation", "left"),
                            (360, "Qté", "right"), (375, "Unité", "left"),
                            (470, "PU HT", "right"), (555, "Montant HT", "right")):
        s.text(x, y, label, bold=True, align=align)
    s.rule(40, 555, y + 5)
    for line in spec.lines:
        y += 18
        s.text(40, y, line["code"])
        s.text(110, y, line["description"])
        s.text(360, y, fr_quantity(line["quantity"]), align="right")
        s.text(375, y, UNITS_FR[line["unit"]])
        s.text(470, y, fr_number(line["price"]), align="right")
        s.text(555, y, fr_number(line["amount"]), align="right")
    s.rule(40, 555, y + 8)
    vat = (spec.total * Decimal("0.2")).quantize(Decimal("0.01"))
    for label, value in (("Total HT", spec.total), ("TVA 20 %", vat),
                         ("Total TTC", spec.total + vat)):
        y += 18
        s.text(380, y, label, bold=True)
        s.text(555, y, f"{fr_number(value)} €", align="right")
    s.text(40, y + 50, "Conditions de paiement : 30 jours fin de mois")
    s.text(40, y + 64, "Merci de confirmer la commande par retour de fax.")
    return s.done()


def en_classic(spec: OrderSpec) -> bytes:
    """Three party columns, quantity with its unit, English numbers."""
    s = Sheet()
    _letterhead(s, spec, english=True)
    d = spec.order_date
    s.text(330, 50, "PURCHASE ORDER", 16, bold=True)
    s.text(330, 75, f"PO Number: {spec.number}")
    s.text(330, 90, f"Order date: {d.day} {MONTHS_EN[d.month - 1]} {d.year}")
    s.text(330, 105, f"Delivery date: {spec.delivery_date.isoformat()}")
    s.text(330, 120, f"Currency: {spec.currency}")
    _block(s, 40, 160, "Supplier", _seller_rows())
    _block(s, 220, 160, "Ship to", _buyer_rows(spec))
    _block(s, 400, 160, "Bill to", _buyer_rows(spec))
    y = 250
    for x, label, align in ((40, "Item code", "left"), (120, "Description", "left"),
                            (380, "Qty", "right"), (470, "Unit price", "right"),
                            (555, "Amount", "right")):
        s.text(x, y, label, bold=True, align=align)
    s.rule(40, 555, y + 5)
    for line in spec.lines:
        y += 18
        s.text(40, y, line["code"])
        s.text(120, y, line["description"])
        s.text(380, y, f"{en_quantity(line['quantity'])} {UNITS_EN[line['unit']]}", align="right")
        s.text(470, y, f"{line['price']:,.2f}", align="right")
        s.text(555, y, f"{line['amount']:,.2f}", align="right")
    s.rule(40, 555, y + 8)
    y += 22
    s.text(380, y, "Total (excl. VAT)", bold=True)
    s.text(555, y, f"{spec.total:,.2f}", align="right")
    s.text(40, y + 40, "Payment terms: Net 30 days")
    s.text(40, y + 54, "Please acknowledge this order by fax or e-mail.")
    return s.done()


def fr_boxed(spec: OrderSpec) -> bytes:
    """Boxed header cells (label above value), a GTIN column and line numbers."""
    s = Sheet()
    _letterhead(s, spec)
    s.text(WIDTH / 2 + 60, 60, "BON DE COMMANDE", 15, bold=True, align="center")
    cells = (("N° commande", spec.number), ("Date de commande", f"{spec.order_date:%d/%m/%Y}"),
             ("Date de livraison", f"{spec.delivery_date:%d/%m/%Y}"), ("Devise", spec.currency))
    for i, (label, value) in enumerate(cells):
        x = 40 + i * 130
        s.box(x, 130, 125, 36)
        s.text(x + 6, 143, label, 9, bold=True)
        s.text(x + 6, 159, value)
    _block(s, 40, 195, "Adresse de facturation", _buyer_rows(spec))
    _block(s, 300, 195, "Adresse de livraison", _buyer_rows(spec))
    y = 275
    for x, label, align in ((40, "Lig.", "left"), (70, "Code EAN", "left"),
                            (160, "Réf. fournisseur", "left"), (250, "Désignation", "left"),
                            (420, "Quantité", "right"), (490, "Prix unitaire", "right"),
                            (555, "Total", "right")):
        s.text(x, y, label, 9, bold=True, align=align)
    s.rule(40, 555, y + 5)
    for number, line in enumerate(spec.lines, start=1):
        y += 18
        s.text(40, y, str(number), 9)
        s.text(70, y, line["gtin"], 9)
        s.text(160, y, line["code"], 9)
        s.text(250, y, line["description"][:26], 9)
        s.text(420, y, fr_quantity(line["quantity"]), 9, align="right")
        s.text(490, y, fr_number(line["price"]), 9, align="right")
        s.text(555, y, fr_number(line["amount"]), 9, align="right")
    s.rule(40, 555, y + 8)
    s.text(380, y + 26, "Montant total HT", bold=True)
    s.text(555, y + 26, fr_number(spec.total), align="right")
    s.text(40, y + 70, "Règlement : virement à 45 jours")
    return s.done()


def fr_compact(spec: OrderSpec) -> bytes:
    """Number in the title, both dates on one line, units in a short U. column."""
    s = Sheet()
    b = spec.buyer
    s.text(40, 45, b["name"], 12, bold=True)
    s.text(40, 60, f"{b['street']} - {b['postal_code']} {b['city']}", 9)
    s.text(40, 100, f"Bon de commande n° {spec.number}", 14, bold=True)
    s.text(40, 125, f"Date de commande : {spec.order_date:%d.%m.%Y}")
    s.text(320, 125, f"Date de livraison : {spec.delivery_date:%d.%m.%Y}")
    _block(s, 320, 160, "Fournisseur", _seller_rows())
    y = 240
    for x, label, align in ((40, "Code article", "left"), (130, "Désignation", "left"),
                            (380, "Qté", "right"), (395, "U.", "left"),
                            (480, "P.U.", "right"), (555, "Montant", "right")):
        s.text(x, y, label, bold=True, align=align)
    s.rule(40, 555, y + 5)
    for line in spec.lines:
        y += 17
        s.text(40, y, line["code"])
        s.text(130, y, line["description"])
        s.text(380, y, fr_quantity(line["quantity"]), align="right")
        s.text(395, y, {"C62": "u.", "CT": "ct"}.get(line["unit"], UNITS_FR[line["unit"]]))
        s.text(480, y, fr_number(line["price"]), align="right")
        s.text(555, y, fr_number(line["amount"]), align="right")
    s.rule(40, 555, y + 8)
    s.text(380, y + 26, "Total HT :", bold=True)
    s.text(555, y + 26, f"{fr_number(spec.total)} €", align="right")
    return s.done()


RENDERERS: dict[str, Callable[[OrderSpec], bytes]] = {
    "fr_classic": fr_classic, "en_classic": en_classic, "fr_boxed": fr_boxed,
    "fr_compact": fr_compact,
}


def render_pdf(spec: OrderSpec) -> bytes:
    """The order printed as a one-page text PDF in its layout."""
    return RENDERERS[spec.layout](spec)


def letter_pdf() -> bytes:
    """A business letter: readable, but no order."""
    s = Sheet()
    s.text(40, 50, "Boulangerie Martin SARL", 14, bold=True)
    s.text(40, 67, "12 rue des Lilas")
    s.text(40, 80, "69003 Lyon")
    s.text(330, 140, "Lyon, le 3 mars 2025")
    s.text(40, 200, "Objet : réclamation sur la livraison du 28 février")
    body = ("Madame, Monsieur,", "Nous avons bien reçu votre livraison mais deux cartons",
            "étaient abîmés. Merci de nous indiquer la marche à suivre pour le retour.",
            "Veuillez agréer nos salutations distinguées.", "Pierre Martin, gérant")
    for i, row in enumerate(body):
        s.text(40, 240 + 18 * i, row)
    return s.done()


def cover_sheet_pdf() -> bytes:
    """A fax cover sheet."""
    s = Sheet()
    s.text(WIDTH / 2, 80, "TÉLÉCOPIE", 24, bold=True, align="center")
    for i, (label, value) in enumerate((("À", "Distrinord SA - service commandes"),
                                        ("De", "Garage Dupont et Fils"),
                                        ("Nombre de pages", "3 (y compris celle-ci)"),
                                        ("Objet", "Commande du mois"))):
        s.text(60, 160 + 24 * i, f"{label} : {value}", 12)
    s.text(60, 300, "Message : bonne réception, cordialement.", 12)
    return s.done()
