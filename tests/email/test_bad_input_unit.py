"""Bad and hostile messages: a typed reason naming the place, never a crash."""

from __future__ import annotations

import pytest

from connectors.base import RawDocument, Registry
from hub.errors import BadDocument
from tests.email import bad_mails
from tests.email.bad_mails import CSV_SAMPLE, with_attachment, zipped
from tests.email.mails import message

HOSTILE = bad_mails.hostile()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_message_gets_a_typed_reason(registry: Registry, kind: str) -> None:
    content, code = HOSTILE[kind]
    with pytest.raises(BadDocument) as caught:
        registry.extract(RawDocument(content=content, name="in.eml", channel="email"))
    assert caught.value.code == code
    line = str(caught.value)
    assert line.startswith("in.eml: ") and "\n" not in line


def test_attachment_refusals_name_the_attachment(registry: Registry) -> None:
    content, _ = HOSTILE["encrypted pdf"]
    with pytest.raises(BadDocument, match=r"attachment 'po\.pdf': encrypted PDF"):
        registry.extract(RawDocument(content=content, name="in.eml"))


def test_a_plain_message_without_content_type_is_text(registry: Registry) -> None:
    [order] = registry.extract(
        RawDocument(content=bad_mails.plain_without_content_type(), name="in.eml"))
    assert order.buyer_order_number == "4711"
    assert order.lines[0].seller_item_code == "AB-123"


def test_a_zip_of_order_sheets_is_opened(registry: Registry) -> None:
    if "sheets" not in registry.extractors:
        pytest.skip("the sheet reader is not in this tree")
    archive = zipped({"commandes/po.csv": CSV_SAMPLE.read_bytes()})
    [order] = registry.extract(RawDocument(content=with_attachment(archive, "po.zip", "zip"),
                                           name="in.eml"))
    assert order.source.format == "csv"
    assert order.to_json_dict()["source"]["attachment"] == "po.zip/po.csv"


def test_a_mail_whose_attachment_nobody_reads_is_for_a_person(registry: Registry) -> None:
    content = with_attachment(b"\x00\x01\x02 not a known format", "commande.bin")
    with pytest.raises(BadDocument) as caught:
        registry.extract(RawDocument(content=content, name="in.eml"))
    assert caught.value.code == "UNREADABLE_DOCUMENT"  # quarantined, not filed as no order
    assert "commande.bin" in str(caught.value)


def test_a_newsletter_with_an_unread_attachment_is_still_no_order(registry: Registry) -> None:
    mail = message("Nos promotions. Se désinscrire ici.", subject="Promos")
    mail.add_attachment(b"\x00\x01", maintype="application", subtype="x-thing", filename="a.bin")
    with pytest.raises(BadDocument) as caught:
        registry.extract(RawDocument(content=bytes(mail), name="in.eml"))
    assert caught.value.code == "NOT_AN_ORDER"
    assert "newsletter" in str(caught.value) and "a.bin" in str(caught.value)
