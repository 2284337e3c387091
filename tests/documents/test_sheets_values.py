"""How order sheets write labels, numbers, dates, identifiers and addresses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from connectors.documents import sheet_values as values
from connectors.documents.sheet_values import CellError, Conventions
from connectors.documents.sheet_vocab import column_role, header_field, label_key
from connectors.documents.sheets import SheetExtractor
from hub.documents import RawDocument
from hub.errors import BadDocument

DAY_FIRST = Conventions()


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("N° de commande :", "no commande"),
        ("Numéro commande", "no commande"),
        ("P.U. HT (€)", "pu ht"),
        ("E-mail", "e mail"),
        ("PO Number", "po no"),
        ("Qté", "qte"),
    ],
)
def test_label_keys(label: str, key: str) -> None:
    assert label_key(label) == key


def test_column_and_header_vocabularies() -> None:
    assert column_role("Prix unitaire HT") == "unit_price"
    assert column_role("Code EAN") == "gtin"
    assert column_role("Réf. client") == "buyer_item_code"
    assert column_role("Votre référence") == "seller_item_code"
    assert column_role("Date de livraison") == "requested_delivery_date"
    assert column_role("Bon de commande") == "order_number"
    assert header_field("Adresse de livraison") == "ship_to"
    assert header_field("Ship to") == "ship_to"
    assert header_field("Conditions de règlement") == "payment_terms"
    assert header_field("Prix") is None


@pytest.mark.parametrize(
    ("written", "comma", "expected"),
    [
        ("1 234,50", None, "1234.50"),
        ("1\u202f234,50", True, "1234.50"),
        ("1,234.50", None, "1234.50"),
        ("1,234", False, "1234"),
        ("1,234", True, "1.234"),
        ("12,5 €", None, "12.5"),
        ("-3", None, "-3"),
    ],
)
def test_written_numbers(written: str, comma: bool | None, expected: str) -> None:
    assert values.decimal(written, Conventions(decimal_comma=comma)) == Decimal(expected)


def test_xlsx_numbers_become_decimals_at_excel_precision() -> None:
    assert values.decimal(0.1 + 0.2, DAY_FIRST) == Decimal("0.3")
    assert values.decimal(12.5, DAY_FIRST) == Decimal("12.5")
    assert values.decimal(7, DAY_FIRST) == Decimal(7)
    with pytest.raises(CellError):
        values.decimal(datetime(2025, 1, 1), DAY_FIRST)


def test_decimal_comma_is_decided_per_document() -> None:
    assert values.decide_decimal_comma(["18,90", "1 234,50", "3"]) is True
    assert values.decide_decimal_comma(["18.90", "1,380.00"]) is False
    assert values.decide_decimal_comma(["3", "1,234"]) is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-03-12", date(2025, 3, 12)),
        ("12/03/2025", date(2025, 3, 12)),
        ("12.03.25", date(2025, 3, 12)),
        ("12 mars 2025", date(2025, 3, 12)),
        ("1er février 2025", date(2025, 2, 1)),
        ("Mercredi 12 mars 2025", date(2025, 3, 12)),
        ("March 12, 2025", date(2025, 3, 12)),
        ("12-Mar-2025", date(2025, 3, 12)),
        (datetime(2025, 3, 12, 0, 0), date(2025, 3, 12)),
        (45728, date(2025, 3, 12)),
    ],
)
def test_dates(written: object, expected: date) -> None:
    assert values.day(written, DAY_FIRST) == expected  # type: ignore[arg-type]


def test_month_first_only_on_evidence() -> None:
    assert values.month_first_evidence(["03/12/2025", "04/15/2025"]) is True
    assert values.month_first_evidence(["03/12/2025"]) is False
    assert values.month_first_evidence(["13/03/2025", "03/14/2025"]) is False
    assert values.day("03/12/2025", Conventions(month_first=True)) == date(2025, 3, 12)


def test_a_date_without_year_is_the_next_one_after_the_order_date() -> None:
    assert values.day("05/03", DAY_FIRST, after=date(2025, 2, 28)) == date(2025, 3, 5)
    assert values.day("05/01", DAY_FIRST, after=date(2025, 12, 20)) == date(2026, 1, 5)
    with pytest.raises(CellError, match="no year"):
        values.day("05/03", DAY_FIRST)


@pytest.mark.parametrize("written", ["31/02/2025", "demain", "2025-13-01"])
def test_not_dates(written: str) -> None:
    with pytest.raises(CellError, match="is not a date"):
        values.day(written, DAY_FIRST)


def test_gtins() -> None:
    assert values.gtin("3 760123 450003") == "3760123450003"
    assert values.gtin(3760123450003) == "3760123450003"
    assert values.gtin(3760123450003.0) == "3760123450003"
    with pytest.raises(CellError, match="check digit"):
        values.gtin("3760123450004")
    with pytest.raises(CellError, match="not 8 or 12 or 13 or 14 digits"):
        values.gtin("37601")


def test_month_first_sheet_is_read_month_first() -> None:
    content = "PO,Order date\nP1,03/14/2025\n\nItem,Qty,Delivery date\nA1,2,03/20/2025\n"
    [order] = SheetExtractor().extract(RawDocument(content.encode(), "us.csv"))
    assert order.order_date == date(2025, 3, 14)
    assert order.lines[0].requested_delivery_date == date(2025, 3, 20)


def test_label_over_value_rows_and_inline_labels() -> None:
    content = (
        "N° commande;Date;Client\nC-9;02/01/2025;Durand\n\nContact : Paul\n"
        "Référence;Qté;Unité\nA1;3;barquette\nB2;4 kg;\n"
    )
    [order] = SheetExtractor().extract(RawDocument(content.encode(), "v.csv"))
    assert (order.buyer_order_number, order.order_date, order.buyer.name) == (
        "C-9", date(2025, 1, 2), "Durand"
    )
    assert order.buyer.contact is not None
    assert order.buyer.contact.name == "Paul"
    assert order.lines[0].unit is None
    assert order.confidence == {"lines[0].unit": 0.0}
    assert order.to_json_dict()["lines"][0]["unit_as_written"] == "barquette"
    assert (order.lines[1].quantity, order.lines[1].unit) == (Decimal(4), "KGM")


def test_stacked_tables_are_separate_orders_sharing_the_sheet_header() -> None:
    content = (
        "Client;Durand\n\nN° commande;A-1\nRéf;Qté\nX1;1\nTotal;10,00\n\n"
        "N° commande;A-2\nRéf;Qté\nX2;2\nX3;3\n"
    )
    orders = SheetExtractor().extract(RawDocument(content.encode(), "s.csv"))
    assert [(o.buyer_order_number, o.buyer.name, len(o.lines)) for o in orders] == [
        ("A-1", "Durand", 1), ("A-2", "Durand", 2)
    ]
    assert orders[0].total_amount == Decimal("10.00")
    assert orders[1].total_amount is None


def test_wide_tables_with_columns_of_their_own_are_found() -> None:
    content = (
        "PO,W-1\n\nItem code,Colour,Size,Season,Fabric,Description,Qty\n"
        "TS-01,navy,M,SS25,cotton,T-shirt,12\n"
    )
    [order] = SheetExtractor().extract(RawDocument(content.encode(), "wide.csv"))
    assert (order.lines[0].seller_item_code, order.lines[0].quantity) == ("TS-01", Decimal(12))


def test_summary_rows_under_the_lines_end_the_table() -> None:
    content = (
        "N° de commande;F-7\n\nRéf;Désignation;Qté;PU HT;Montant\n"
        "A1;Vis;10;1,00;10,00\n;Frais de port;1;15,00;15,00\n"
        "Sous-total;;;;25,00\nTVA 20 %;;;;5,00\nTVA;;;;5,00\n"
        "Total TTC;;;;30,00\nTotal HT;;;;25,00\n"
    )
    [order] = SheetExtractor().extract(RawDocument(content.encode(), "f.csv"))
    assert [line.description for line in order.lines] == ["Vis", "Frais de port"]
    assert order.total_amount == Decimal("25.00")
    assert order.buyer.vat_id is None


def test_excel_sep_hint_and_order_number_in_a_title() -> None:
    content = (
        "sep=,\nBon de commande n° 4500012345 du 14/03/2025\n\nRéf.,Désignation,Qté\n"
        "A1,\"Vis, inox\",x\n"
    )
    with pytest.raises(BadDocument) as caught:
        SheetExtractor().extract(RawDocument(content.encode(), "t.csv"))
    assert str(caught.value) == "t.csv: row 5, column Qté: 'x' is not a number"
    [order] = SheetExtractor().extract(RawDocument(content.replace(",x", ",3").encode(), "t.csv"))
    assert order.buyer_order_number == "4500012345"
    assert order.lines[0].description == "Vis, inox"


def test_excel_unicode_text_export_utf16_with_tabs() -> None:
    content = "N° de commande\tU-16\nClient\tÉpicerie\n\nRéférence\tQté\tPU HT\nA1\t3\t2,50\n"
    raw = RawDocument(content.encode("utf-16"), "u16.txt")
    assert SheetExtractor().identify(raw)
    [order] = SheetExtractor().extract(raw)
    assert (order.buyer_order_number, order.buyer.name) == ("U-16", "Épicerie")
    assert (order.lines[0].quantity, order.lines[0].unit_price) == (Decimal(3), Decimal("2.50"))
