"""Bad and hostile order sheets: one BadDocument naming the file, the place and the reason."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from connectors.documents import sheet_read
from connectors.documents.sheets import SheetExtractor
from hub.documents import RawDocument
from hub.errors import BadDocument, NotAnOrder
from tests.conftest import SAMPLES, SHARED_SAMPLES

HEADER = "N° de commande;BC-1\nClient;Dupont SA\n\n"


def _raw(content: bytes | str, name: str = "commande.csv") -> RawDocument:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return RawDocument(data, name)


def _refusal(content: bytes | str, name: str = "commande.csv") -> str:
    with pytest.raises(BadDocument) as caught:
        SheetExtractor().extract(_raw(content, name))
    message = str(caught.value)
    assert message.startswith(f"{name}: "), message
    assert "\n" not in message
    return message


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_empty_file() -> None:
    assert _refusal(b"  \r\n") == "commande.csv: empty file"


def test_binary_garbage_with_nul_bytes() -> None:
    assert "binary content" in _refusal(bytes(range(256)) * 4)


def test_bytes_that_are_neither_utf8_nor_cp1252() -> None:
    message = _refusal(HEADER.encode("cp1252") + b"R\xe9f;Qt\x81\n")
    assert message == (
        "commande.csv: row 4: not UTF-8 nor Windows-1252 text: byte 0x81 cannot be decoded"
    )


def test_a_file_mixing_utf8_and_cp1252_is_refused_not_misread() -> None:
    content = "Client;Société\n".encode("cp1252") + "Réf;Désignation;Qté\nA1;Crème;2\n".encode()
    message = _refusal(content)
    assert "row 2: mixes UTF-8 and Windows-1252" in message


def test_mac_roman_is_not_read_as_windows_1252() -> None:
    content = (HEADER + "Référence;Désignation;Qté\nA1;Café moulu;2\n").encode("mac_roman")
    message = _refusal(content)
    assert "row 4: not Windows-1252 text ('fŽ' inside a word: Mac Roman" in message


def test_control_characters_are_binary() -> None:
    assert "control character U+0007" in _refusal(HEADER + "Réf;Qté\x07\n")


def test_no_quantity_column() -> None:
    message = _refusal(HEADER + "Référence;Désignation;PU HT\nA1;Vis;2,50\n")
    assert message == (
        "commande.csv: row 4: the lines table has no quantity column "
        "(Quantité, Qté, Qty, Quantity)"
    )


def test_no_item_column() -> None:
    message = _refusal(HEADER + "Quantité;PU HT;Montant\n2;2,50;5,00\n")
    assert "row 4: the lines table has no item column" in message


def test_no_lines() -> None:
    assert _refusal(HEADER + "Référence;Quantité\n\n;\n").endswith(
        "row 4: the lines table has no lines"
    )


def test_non_numeric_quantity_names_row_and_column() -> None:
    message = _refusal(HEADER + "Référence;Quantité\nA1;2\nA2;douze\n")
    assert message == "commande.csv: row 6, column Quantité: 'douze' is not a number"


def test_line_without_quantity() -> None:
    message = _refusal(HEADER + "Référence;Désignation;Qté\nA1;Vis;2\nA2;Écrou;\n")
    assert message == "commande.csv: row 6, column Qté: no quantity on this line"


def test_quantity_without_item() -> None:
    message = _refusal(HEADER + "Référence;Désignation;Qté;PU\nA1;Vis;2;1\n;;3;1\n")
    assert message.endswith("row 6: a quantity without an item (no code, no description)")


def test_wrong_gtin_check_digit() -> None:
    message = _refusal(HEADER + "EAN;Qté\n3760123450004;2\n")
    assert message.endswith("row 5, column EAN: GTIN '3760123450004' has a wrong check digit")


def test_wrong_siret_in_header_block() -> None:
    message = _refusal("SIRET;123 456\n" + HEADER + "Réf;Qté\nA1;2\n")
    assert message.endswith("row 1, column SIRET: SIRET '123 456' is not 14 digits")


def test_no_order_number() -> None:
    with pytest.raises(BadDocument) as caught:
        SheetExtractor().extract(_raw("Client;Dupont\n\nRéf;Qté\nA1;2\n"))
    assert caught.value.code == "MISSING_FIELD"
    assert "row 3: no order number" in str(caught.value)


def test_order_level_columns_must_agree_within_one_order() -> None:
    content = "PO;Client;Réf;Qté\nP1;Dupont;A1;1\nP1;Durand;A2;1\n"
    message = _refusal(content)
    assert message == (
        "commande.csv: row 3, column Client: 'Durand' differs from 'Dupont' on row 2 "
        "of the same order"
    )


def test_xlsx_error_names_sheet_and_cell() -> None:
    content = _xlsx([["PO", "X1"], [], ["Ref", "Qty"], ["A1", "two"]])
    message = _refusal(content, "order.xlsx")
    assert message == (
        "order.xlsx: sheet 'Sheet', row 4, column Qty (B4): 'two' is not a number"
    )


def test_xlsx_without_lines_table_is_claimed_and_refused() -> None:
    content = _xlsx([["Prix 2025"], ["Vis", 2.5]])
    raw = _raw(content, "tarif.xlsx")
    assert SheetExtractor().identify(raw)
    with pytest.raises(NotAnOrder, match="no lines table in any visible sheet"):
        SheetExtractor().extract(raw)


def _with_member(content: bytes, name: str, data: bytes) -> bytes:
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_xlsx_zip_bomb_is_refused_before_opening() -> None:
    sample = (SAMPLES / "sheets" / "xlsx_real_dates.xlsx").read_bytes()
    bomb = _with_member(sample, "xl/media/padding.bin", b"\0" * (4 * 1024 * 1024))
    assert len(bomb) < len(sample) + 64 * 1024
    message = _refusal(bomb, "bomb.xlsx")
    assert "expands" in message
    assert "zip bomb" in message


def test_xlsx_total_unpacked_size_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_read, "MAX_UNPACKED_BYTES", 10_000)
    sample = (SAMPLES / "sheets" / "xlsx_real_dates.xlsx").read_bytes()
    assert "refused as a zip bomb" in _refusal(sample, "big.xlsx")


def test_xlsx_row_cap() -> None:
    extractor = SheetExtractor()
    extractor.max_rows = 50
    content = _xlsx([["PO", "X1"], ["Ref", "Qty"], *[[f"A{i}", i] for i in range(60)]])
    with pytest.raises(BadDocument, match="sheet 'Sheet' has more than 50 rows"):
        extractor.extract(_raw(content, "huge.xlsx"))


def test_csv_row_cap() -> None:
    extractor = SheetExtractor()
    extractor.max_rows = 50
    content = HEADER + "Réf;Qté\n" + "".join(f"A{i};{i}\n" for i in range(60))
    with pytest.raises(BadDocument, match="more than 50 rows"):
        extractor.extract(_raw(content))


def test_xlsx_with_xml_entities_is_refused() -> None:
    sample = _xlsx([["PO", "X1"], ["Ref", "Qty"], ["A1", 1]])
    source = zipfile.ZipFile(io.BytesIO(sample))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<worksheet",
                    b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><worksheet',
                    1,
                )
            target.writestr(item, data)
    message = _refusal(buffer.getvalue(), "entities.xlsx")
    assert "unreadable XLSX workbook: its XML declares a DTD or entities" in message


def test_damaged_xlsx() -> None:
    sample = (SAMPLES / "sheets" / "xlsx_real_dates.xlsx").read_bytes()
    message = _refusal(sample[: len(sample) // 2], "cut.xlsx")
    assert "not a CSV order sheet" in message


@pytest.mark.parametrize(
    "content",
    [
        b"UNA:+.? 'UNB+UNOC:3+5412345678908:14+8712345678910:14+250314:1000+1'",
        b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER",
        b'<?xml version="1.0"?><Order xmlns="urn:oasis"><ID>1</ID></Order>',
        b"%PDF-1.7\n1 0 obj\n",
        b"From: a@example.com\nTo: b@example.com\nSubject: Commande\n\nRef;Qty\nA1;2\n",
        b"Received: from mx\nFrom: a@example.com\n\nBonjour",
        b"Date: Fri, 14 Mar 2025 09:00:00 +0100\nFrom: a@example.com\n\nRef,Qty\nA1,2\n",
        b'{"buyer_order_number": "1"}',
        b"Bonjour, merci de nous livrer 12 cartons de farine.\n",
        b"",
        bytes(range(256)),
    ],
    ids=["edifact", "x12", "xml", "pdf", "email", "email-received", "email-date", "json",
         "prose", "empty", "binary"],
)
def test_other_formats_are_not_claimed(content: bytes) -> None:
    assert not SheetExtractor().identify(_raw(content, "x"))


def test_a_sheet_in_a_wrong_encoding_is_still_claimed_then_refused() -> None:
    content = (HEADER + "Réf;Qté\n").encode("cp1252") + b"A\x81;2\n"
    assert SheetExtractor().identify(_raw(content))
    assert "row 5: not UTF-8 nor Windows-1252" in _refusal(content)


def test_headerless_lines_are_not_an_order_sheet() -> None:
    sample: Path = SHARED_SAMPLES / "csv_orders" / "oca_order_file_test1.csv"
    if not sample.exists():
        pytest.skip(f"shared samples absent: {sample}")
    assert not SheetExtractor().identify(_raw(sample.read_bytes(), sample.name))


def _mutate(data: bytes, rng: random.Random) -> bytes:
    mutated = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        position = rng.randrange(len(mutated))
        choice = rng.random()
        if choice < 0.4:
            mutated[position] = rng.randrange(256)
        elif choice < 0.7:
            del mutated[position : position + rng.randint(1, 20)]
        else:
            mutated[position:position] = rng.choice([b";", b",", b"\n", b'"', b"\xb2", b"Qt\xe9"])
    return bytes(mutated)


def test_damaged_samples_give_orders_or_one_bad_document() -> None:
    rng = random.Random(20250314)
    samples = sorted(p for p in (SAMPLES / "sheets").iterdir() if p.suffix in (".csv", ".xlsx"))
    extractor = SheetExtractor()
    names = {p.name for p in samples}
    orders, messages = 0, []
    for _ in range(300):
        path = rng.choice(samples)
        raw = _raw(_mutate(path.read_bytes(), rng), path.name)
        extractor.identify(raw)
        try:
            extractor.extract(raw)
        except BadDocument as exc:
            messages.append(str(exc))
            continue
        orders += 1
    assert orders > 0
    assert messages
    assert all(m.split(": ", 1)[0] in names and "\n" not in m for m in messages)
