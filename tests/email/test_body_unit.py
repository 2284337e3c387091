"""The free-text order reader: lines, order numbers, dates, quotes and signatures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from connectors.email.body import not_an_order_reason, read_body
from connectors.email.dates import DATE_RE, plain, read_date
from connectors.email.lines import gtin_check_digit_ok, read_line
from connectors.email.text import author_lines, html_to_text
from connectors.email.units import to_rec20

SENT = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "code_field", "code", "quantity", "unit", "price"),
    [
        ("10 cartons réf. AB-123", "seller_item_code", "AB-123", "10", "CT", None),
        ("Réf AB-123 x 10", "seller_item_code", "AB-123", "10", None, None),
        ("2 x EAN 3012345678902 à 12,50 € HT", "gtin", "3012345678902", "2", None, "12.50"),
        ("- AB-123 : 10 pcs @ 4.20", "seller_item_code", "AB-123", "10", "C62", "4.20"),
        ("Article X200-B quantité 5", "seller_item_code", "X200-B", "5", None, None),
        ("Notre réf 4711-22 : 3 kg à 1 234,50 €/kg", "buyer_item_code", "4711-22", "3", "KGM",
         "1234.50"),
        ("5 x REF-88 (vis inox) prix unitaire 0,35 € HT", "seller_item_code", "REF-88", "5",
         None, "0.35"),
        ("Please send 12 units of item SKU-9981 at $4.50 each", "seller_item_code", "SKU-9981",
         "12", "C62", "4.50"),
        ("AB-123 | Gants nitrile | 10 | 12,50", "seller_item_code", "AB-123", "10", None,
         "12.50"),
        ("3 palettes de XB-455 à 210 EUR la palette", "seller_item_code", "XB-455", "3", "PF",
         "210"),
    ],
)
def test_order_lines_as_customers_write_them(
    text: str, code_field: str, code: str, quantity: str, unit: str | None, price: str | None
) -> None:
    line = read_line(text)
    assert line is not None
    assert getattr(line, code_field) == code
    assert line.quantity == Decimal(quantity)
    assert line.unit == unit
    assert line.unit_price == (Decimal(price) if price else None)


@pytest.mark.parametrize(
    "text",
    ["12 rue de la Paix", "Tél : 01 23 45 67 89", "Merci de livrer pour le 12/12", "Bonjour,"],
)
def test_lines_that_are_not_order_lines(text: str) -> None:
    assert read_line(text) is None


def test_a_product_described_with_a_unit_is_a_line_with_low_confidence() -> None:
    line = read_line("20 boîtes de gants nitrile taille M")
    assert line is not None
    assert (line.quantity, line.unit) == (Decimal(20), "BX")
    assert line.description == "gants nitrile taille M"
    assert line.confidence["description"] == 0.5


def test_gtin_check_digit() -> None:
    assert gtin_check_digit_ok("3012345678902")
    assert not gtin_check_digit_ok("3012345678901")
    line = read_line("2 x EAN 3012345678901")
    assert line is not None and line.confidence["gtin"] == 0.5
    assert "wrong check digit" in line.notes[0]


@pytest.mark.parametrize(
    ("written", "expected"),
    [("cartons", "CT"), ("Pcs", "C62"), ("pièces", "C62"), ("kg", "KGM"), ("litres", "LTR"),
     ("m²", "MTK"), ("palettes", "PF"), ("boîtes", "BX"), ("gants", None)],
)
def test_units_map_to_rec20(written: str, expected: str | None) -> None:
    assert to_rec20(written) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/12", date(2026, 12, 12)),
        ("12/11", date(2027, 11, 12)),  # before the order date: next year
        ("20/11", date(2026, 11, 20)),  # the order date itself
        ("jeudi 17 décembre", date(2026, 12, 17)),
        ("5 janvier", date(2027, 1, 5)),
        ("12/12/2026", date(2026, 12, 12)),
        ("2026-12-03", date(2026, 12, 3)),
        ("December 3rd", date(2026, 12, 3)),
        ("3 déc. 2026", date(2026, 12, 3)),
    ],
)
def test_dates_without_year_are_the_next_such_date(text: str, expected: date) -> None:
    match = DATE_RE.search(plain(text))
    assert match is not None
    written = read_date(match, SENT)
    assert written is not None and written.value == expected


def test_a_weekday_that_does_not_fit_lowers_confidence_and_says_why() -> None:
    match = DATE_RE.search(plain("lundi 17 décembre"))
    assert match is not None
    written = read_date(match, SENT)
    assert written is not None and written.confidence < 0.5
    assert "not a lundi" in (written.note or "")


BODY = """Bonjour,

Veuillez trouver ci-dessous notre commande n° CMD-2026-118 :

10 cartons réf. AB-123
Réf CD-456 x 4 à 3,20 € HT
2 x EAN 3012345678902 à 12,50 € HT

Livraison souhaitée le jeudi 17 décembre.
Le quai ferme à 16h.

Cordialement,
Jean Dupont
Acheteur - Dupont SARL
Tél : 01 23 45 67 89
12 rue des Lilas 69003 Lyon

Le 10/11/2026 à 10:00, Ventes a écrit :
> 50 x AB-999
> 40 cartons réf. ZZ-1
"""


def test_a_typed_order_is_read_without_quotes_or_signature() -> None:
    reading = read_body(author_lines(BODY), subject="Commande", sent=SENT)
    assert reading.buyer_order_number == "CMD-2026-118"
    assert [(x.seller_item_code or x.gtin, x.quantity) for x in reading.lines] == [
        ("AB-123", 10), ("CD-456", 4), ("3012345678902", 2)]
    assert reading.requested_delivery_date == date(2026, 12, 17)
    assert reading.currency == "EUR"
    assert reading.notes == ["Le quai ferme à 16h."]
    assert reading.confidence["lines[1].unit_price"] == 0.9
    assert reading.confidence["buyer_order_number"] == 0.95


@pytest.mark.parametrize(
    ("line", "number"),
    [("Bon de commande n° BC-77", "BC-77"), ("PO: 4500012345", "4500012345"),
     ("Our PO number 8812-A", "8812-A"), ("N° de commande : 2026/118", "2026/118"),
     ("Purchase order #PO-981", "PO-981")],
)
def test_order_number_phrases(line: str, number: str) -> None:
    reading = read_body([line, "réf AB-1 x 2"], subject="", sent=SENT)
    assert reading.buyer_order_number == number


def test_order_number_from_the_subject_when_the_body_has_none() -> None:
    reading = read_body(["réf AB-1 x 2"], subject="Commande 4711", sent=SENT)
    assert (reading.buyer_order_number, reading.confidence["buyer_order_number"]) == ("4711", 0.9)


def test_a_quantity_after_the_word_commande_is_not_an_order_number() -> None:
    reading = read_body(["Je commande 10 cartons réf. AB-123"], subject="", sent=SENT)
    assert reading.buyer_order_number is None
    assert reading.lines[0].quantity == 10


def test_a_delivery_date_on_an_order_line_belongs_to_the_line() -> None:
    reading = read_body(["réf AB-1 x 2 pour le 12/12", "réf AB-2 x 3"], subject="", sent=SENT)
    assert reading.lines[0].requested_delivery_date == date(2026, 12, 12)
    assert reading.requested_delivery_date is None
    assert reading.lines[0].quantity == 2


def test_total_and_english_delivery_phrase() -> None:
    lines = ["Order no 5531", "4 x SKU-1 at 10.00 USD", "Total: 40.00 USD",
             "Needed by December 3rd"]
    reading = read_body(lines, subject="", sent=SENT)
    assert reading.total_amount == Decimal("40.00")
    assert reading.currency == "USD"
    assert reading.requested_delivery_date == date(2026, 12, 3)


def test_outlook_reply_header_cuts_the_history() -> None:
    text = "réf AB-1 x 2\n\nDe : Ventes\nEnvoyé : lundi\nÀ : moi\n\nréf ZZ-9 x 50\n"
    assert [line for line in author_lines(text) if line] == ["réf AB-1 x 2"]


def test_disclaimer_paragraph_is_dropped() -> None:
    text = ("réf AB-1 x 2\n\nCe message et toutes les pièces jointes sont confidentiels "
            "et 12 destinataires.\n")
    assert [line for line in author_lines(text) if line] == ["réf AB-1 x 2"]


def test_html_body_keeps_lines_and_drops_quotes() -> None:
    html = ("<html><head><style>p{}</style></head><body><p>Commande n&deg; 12</p>"
            "<div>10 cartons r&eacute;f. AB-123</div><blockquote>50 x ZZ-1</blockquote></body>")
    assert html_to_text(html).split("\n") == ["Commande n° 12", "", "10 cartons réf. AB-123"]


@pytest.mark.parametrize(
    ("headers", "subject", "text", "reason"),
    [
        ({"auto-submitted": "auto-replied"}, "Re: commande", "Je suis absent", "out of office"),
        ({}, "Réponse automatique : absent", "", "out of office"),
        ({"list-unsubscribe": "<mailto:x>"}, "Nos promos", "réf AB-1 x 2", "newsletter"),
        ({}, "Réclamation", "3 cartons réf AB-1 sont arrivés abîmés", "complaint"),
        ({}, "Demande de prix", "Pouvez-vous me faire un devis pour 10 x AB-1 ?", "price"),
        ({}, "Bonjour", "Merci pour votre visite.", "no order lines"),
    ],
)
def test_mail_without_an_order_gets_a_reason(
    headers: dict[str, str], subject: str, text: str, reason: str
) -> None:
    lines = read_body(text.split("\n"), subject=subject, sent=SENT).lines
    found = not_an_order_reason(headers, subject, text, has_lines=bool(lines))
    assert found is not None and reason in found


def test_a_firm_order_mentioning_prices_is_an_order() -> None:
    text = "Merci de nous livrer 10 x AB-123 au prix convenu du devis 118."
    lines = read_body([text], subject="Commande", sent=SENT).lines
    assert lines
    assert not_an_order_reason({}, "Commande", text, has_lines=True) is None


def test_item_codes_are_written_as_the_catalogue_writes_them() -> None:
    from connectors.base import ReferenceData
    from connectors.email.body import snap_codes

    reading = read_body(["10 cartons réf. ab123", "réf XY-9 x 2", "réf AB-124 x 1"], subject="",
                        sent=SENT)
    known = frozenset({"AB-123", "XY-9", "AB-12-4", "AB124"})  # AB-124: two candidates
    snap_codes(reading, ReferenceData(item_codes=known))
    assert [line.seller_item_code for line in reading.lines] == ["AB-123", "XY-9", "AB-124"]
    assert reading.confidence["lines[0].seller_item_code"] == 0.85
    assert "item code 'ab123' read as 'AB-123'" in reading.notes[-1]
