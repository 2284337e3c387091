"""A scanned order attached to a mail goes to the scan reader (real Tesseract)."""

from __future__ import annotations

import shutil

import pytest

from connectors.base import RawDocument, Registry
from tests.email.mails import message
from tests.fax_ocr.corpus import make_spec
from tests.fax_ocr.degrade import FINE, fax_order
from tests.fax_ocr.render import render_pdf

pytestmark = [
    pytest.mark.ocr,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]


def test_a_scanned_order_attached_to_a_mail_is_read_by_ocr(registry: Registry) -> None:
    if not any("scan" in fmt for e in registry.extractors.values() for fmt in e.formats):
        pytest.skip("no scan reader in this tree")
    spec = make_spec(0, "fr_classic")
    scan = fax_order(render_pdf(spec), spec.buyer["name"], 0, FINE, compression="group4")
    mail = message("Bonjour, ci-joint le scan de notre commande.", subject="Commande scannée")
    mail.add_attachment(scan, maintype="image", subtype="tiff", filename="scan.tif")
    [order] = registry.extract(RawDocument(content=bytes(mail), name="scan.eml"))
    assert order.source.channel == "email"
    assert order.source.format and "scan" in order.source.format
    assert order.source.document_ref == "m1@dupont-sarl.fr"
    assert order.buyer_order_number == spec.number
    assert len(order.lines) == len(spec.lines)
