"""The MIME extractor: parts, charsets, encodings, attachments handed over by content."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from typing import ClassVar

import jsonschema
import pytest

from connectors.base import Extractor, RawDocument, Registry
from connectors.email.mime import EmailExtractor, looks_like_message
from hub.errors import BadDocument, NotAnOrder
from hub.model import Line, Order, Source
from tests.email.mails import message, raw

ORDER_TEXT = (
    "Bon de commande n° BC-2026-118\n\n10 cartons réf. AB-123\nRéf CD-456 x 4 à 3,20 € HT\n"
)


class OrderLetter(Extractor):
    """Reads a one-line 'ORDER <number> <code> <qty>' text: stands in for any format."""

    name: ClassVar[str] = "order-letter"
    formats: ClassVar[tuple[str, ...]] = ("order-letter",)

    def identify(self, raw: RawDocument) -> bool:
        return raw.content.startswith(b"ORDER ")

    def extract(self, raw: RawDocument) -> list[Order]:
        _, number, code, qty = raw.content.decode().split()
        if number == "NONE":
            raise NotAnOrder("an order letter with no order")
        if number == "BAD":
            raise BadDocument("broken letter", location="line 1")
        return [Order(buyer_order_number=number,
                      lines=[Line(line_number=1, seller_item_code=code, quantity=Decimal(qty))],
                      source=Source(channel=raw.channel, format="order-letter",
                                    sha256=raw.sha256))]


@pytest.fixture
def letters() -> Registry:
    return Registry([EmailExtractor, OrderLetter])


def extract(mail: EmailMessage | bytes, registry: Registry | None = None) -> list[Order]:
    return (registry or Registry([EmailExtractor])).extract(raw(mail))


def test_identifies_messages_from_content_only() -> None:
    assert looks_like_message(bytes(message("hello")))
    assert looks_like_message(b"From sender@x Fri Nov 20\nFrom: a@b\nSubject: x\n\nhi\n")
    assert not looks_like_message(b"UNA:+.? 'UNB+UNOC:3+X'")
    assert not looks_like_message(b"<?xml version='1.0'?><Order/>")
    assert not looks_like_message(b"ref;qty\nAB-1;2\n")
    assert not looks_like_message(b"%PDF-1.7\n")
    assert not looks_like_message(b"Subject: only one\n\nbody")


@pytest.mark.parametrize(
    ("charset", "cte"),
    [("utf-8", "quoted-printable"), ("utf-8", "base64"), ("iso-8859-15", "quoted-printable"),
     ("windows-1252", "8bit"), ("iso-8859-15", "base64")],
)
def test_body_order_in_every_charset_and_encoding(
    charset: str, cte: str, order_schema: dict[str, object]
) -> None:
    body = "Commande n° BC-1 pour l'été\n10 cartons réf. AB-123 à 12,50 € HT\n"
    [order] = extract(message(body, charset=charset, cte=cte))
    assert order.lines[0].unit_price == 12.5
    assert order.currency == "EUR"
    assert order.buyer_order_number == "BC-1"
    jsonschema.validate(order.to_json_dict(), order_schema)


def test_body_order_carries_the_mail_facts() -> None:
    [order] = extract(message(ORDER_TEXT))
    assert order.source.channel == "email"
    assert order.source.format == "email-body"
    assert order.source.document_ref == "m1@dupont-sarl.fr"
    assert order.source.sender == "j.dupont@dupont-sarl.fr"
    assert order.buyer.contact is not None
    assert order.buyer.contact.email == "j.dupont@dupont-sarl.fr"
    assert order.buyer.customer_id is None  # the validation robot decides
    assert order.order_date == date(2026, 11, 20)  # the Date header
    assert order.source.sha256 == raw(message(ORDER_TEXT)).sha256


def test_html_only_mail_is_read() -> None:
    mail = message(None)
    mail.set_content("<p>Commande n° 77</p><p>10 cartons r&eacute;f. AB-123</p>", subtype="html")
    [order] = extract(mail)
    assert (order.buyer_order_number, order.lines[0].seller_item_code) == ("77", "AB-123")


def test_alternative_prefers_the_plain_text() -> None:
    mail = message(ORDER_TEXT)
    mail.add_alternative("<p>Commande n° 999</p><p>1 carton réf. ZZ-999</p>", subtype="html")
    [order] = extract(mail)
    assert order.buyer_order_number == "BC-2026-118"
    assert len(order.lines) == 2


def test_forwarded_message_is_read_with_its_author_as_contact() -> None:
    inner = message(ORDER_TEXT, sender="Client <achats@client.fr>", message_id="<inner@c>")
    outer = message("Pour traitement, merci.", sender="Commercial <rep@example.test>")
    outer.add_attachment(inner)
    [order] = extract(outer)
    assert order.buyer.contact is not None and order.buyer.contact.email == "achats@client.fr"
    assert order.source.sender == "rep@example.test"
    assert order.source.document_ref == "m1@dupont-sarl.fr"


def test_inline_images_are_not_attachments() -> None:
    mail = message(ORDER_TEXT)
    mail.add_related(b"\x89PNG\r\n\x1a\nfake", maintype="image", subtype="png", cid="<logo>",
                     disposition="inline")
    [order] = extract(mail)
    assert any("inline image" in note for note in order.notes)


def test_attachment_goes_to_the_extractor_that_reads_it(letters: Registry) -> None:
    mail = message("Bonjour, ci-joint notre commande BC-9 pour 10 cartons réf. AB-123.")
    mail.add_attachment(b"ORDER PO-77 XY-1 3", maintype="application",
                        subtype="octet-stream", filename="commande.txt")
    [order] = extract(mail, letters)  # the cover mail is not a second order
    assert order.buyer_order_number == "PO-77"
    assert order.source.channel == "email"
    assert order.source.format == "order-letter"
    assert order.source.document_ref == "m1@dupont-sarl.fr"
    assert order.source.sha256 == raw(mail).sha256
    assert order.to_json_dict()["source"]["attachment"] == "commande.txt"
    assert order.buyer.contact is not None
    assert order.buyer.contact.email == "j.dupont@dupont-sarl.fr"


@pytest.mark.parametrize(
    "header",
    [
        "attachment; filename*=utf-8''commande%20d%C3%A9cembre.txt",
        "attachment; filename=\"=?utf-8?q?commande_d=C3=A9cembre=2Etxt?=\"",
        "attachment; filename*0*=utf-8''commande%20d%C3%A9; filename*1*=cembre.txt",
    ],
)
def test_rfc2231_and_rfc2047_file_names(letters: Registry, header: str) -> None:
    mail = message("ci-joint")
    mail.add_attachment(b"ORDER PO-77 XY-1 3", maintype="application", subtype="octet-stream")
    attachment = next(iter(mail.iter_attachments()))
    del attachment["Content-Disposition"]
    attachment["Content-Disposition"] = header
    [order] = extract(bytes(mail), letters)
    assert order.to_json_dict()["source"]["attachment"] == "commande décembre.txt"


def test_path_tricks_in_file_names_are_cut(letters: Registry) -> None:
    mail = message("ci-joint")
    mail.add_attachment(b"ORDER PO-77 XY-1 3", maintype="application", subtype="octet-stream",
                        filename="../../etc/passwd")
    [order] = extract(mail, letters)
    assert order.to_json_dict()["source"]["attachment"] == "passwd"


def test_unclaimed_attachment_is_noted_and_body_read(letters: Registry) -> None:
    mail = message(ORDER_TEXT)
    mail.add_attachment(b"\x00\x01binary", maintype="application", subtype="x-thing",
                        filename="cgv.bin")
    [order] = extract(mail, letters)
    assert order.source.format == "email-body"
    assert any("cgv.bin" in note and "not read" in note for note in order.notes)


def test_attachment_that_is_not_an_order_is_noted(letters: Registry) -> None:
    mail = message(ORDER_TEXT)
    mail.add_attachment(b"ORDER NONE X 1", maintype="text", subtype="plain", filename="a.txt")
    [order] = extract(mail, letters)
    assert any("a.txt" in note and "no order" in note for note in order.notes)


def test_unreadable_attachment_fails_the_message_naming_it(letters: Registry) -> None:
    mail = message("ci-joint")
    mail.add_attachment(b"ORDER BAD X 1", maintype="text", subtype="plain", filename="po.txt")
    with pytest.raises(BadDocument) as caught:
        extract(mail, letters)
    assert "attachment 'po.txt': line 1" in str(caught.value)
    assert "broken letter" in str(caught.value)


def test_two_attachments_give_two_orders(letters: Registry) -> None:
    mail = message("ci-joint nos deux commandes")
    for number in ("PO-1", "PO-2"):
        mail.add_attachment(f"ORDER {number} X-1 1".encode(), maintype="application",
                            subtype="octet-stream", filename=f"{number}.txt")
    orders = extract(mail, letters)
    assert [o.buyer_order_number for o in orders] == ["PO-1", "PO-2"]


def test_mail_without_order_is_not_an_order_with_the_reason() -> None:
    mail = message("Je suis absent jusqu'au 30/11.", subject="Absence du bureau",
                   extra_headers={"Auto-Submitted": "auto-replied"})
    with pytest.raises(NotAnOrder) as caught:
        extract(mail)
    assert "out of office" in str(caught.value)
    assert caught.value.code == "NOT_AN_ORDER"


def test_order_without_number_gets_a_reference_with_zero_confidence() -> None:
    [order] = extract(message("Merci de nous livrer 10 cartons réf. AB-123", subject="Hello"))
    assert order.buyer_order_number.startswith("MAIL-")
    assert order.confidence["buyer_order_number"] == 0.0
    assert "no order number" in order.notes[0]


def test_an_order_without_readable_lines_goes_to_a_person() -> None:
    mail = message("Bonjour,\nMerci de nous livrer la même chose que la semaine dernière.\n",
                   subject="Commande")
    with pytest.raises(BadDocument) as caught:
        extract(mail)
    assert caught.value.code == "UNREADABLE_DOCUMENT"
    assert "reads as an order" in str(caught.value)


def test_a_reply_about_an_order_is_not_an_order() -> None:
    mail = message("Bien reçu, merci.\n", subject="Re: Commande 4711")
    with pytest.raises(NotAnOrder, match="no order lines"):
        extract(mail)


def test_a_large_inline_photo_is_an_attachment_for_the_scan_reader() -> None:
    mail = message("Bonjour, voici la photo du bon de commande.")
    mail.add_attachment(b"\xff\xd8\xff\xe0" + b"\x00" * 50_000, maintype="image", subtype="jpeg",
                        filename="IMG_0001.jpeg", disposition="inline")
    with pytest.raises(BadDocument) as caught:  # no scan reader in this registry
        extract(mail)
    assert "IMG_0001.jpeg" in str(caught.value) and "not read" in str(caught.value)
