"""How documents are shown: e-mail as sent, XML and EDIFACT pretty-printed, scans paged."""

from __future__ import annotations

import io
from email.message import EmailMessage

from PIL import Image

from ui import charts, documents


def test_kinds_from_content():
    assert documents.kind_of(b"%PDF-1.7") == "pdf"
    assert documents.kind_of(b"II*\x00rest") == "image"
    assert documents.kind_of(b"UNA:+.? 'UNB") == "edifact"
    assert documents.kind_of(b"<?xml version='1.0'?><Order/>") == "xml"
    assert documents.kind_of(b"From: a@b.example\nSubject: x\n\nbody") == "email"
    assert documents.kind_of(b"PK\x03\x04....") == "binary"
    assert documents.kind_of(b"po;qty\n1;2") == "text"


def test_edifact_one_segment_a_line_with_release_character():
    text = documents.pretty_edifact(b"UNA:+.? 'UNB+UNOC:3'NAD+BY+ACME?'S SARL'UNZ+1'")
    assert text.splitlines() == ["UNA:+.? '", "UNB+UNOC:3'", "NAD+BY+ACME?'S SARL'", "UNZ+1'"]


def test_xml_indented_and_entities_refused():
    assert documents.pretty_xml(b"<a><b>1</b></a>") == "<a>\n  <b>1</b>\n</a>"
    hostile = b'<!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>'
    assert documents.pretty_xml(hostile) == hostile.decode()  # shown as stored, not expanded


def test_email_shown_as_sent_with_attachments():
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@acme.example", "o@x.example", "PO 7"
    message.set_content("Please deliver 4 widgets.")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf",
                           filename="po7.pdf")
    content = message.as_bytes()
    view = documents._mail_view(content)
    assert ("Subject", "PO 7") in view.headers
    assert "Please deliver 4 widgets." in view.text
    assert view.attachments == [(0, "po7.pdf", "application/pdf")]
    assert documents.attachment(content, 0) == ("po7.pdf", "application/pdf", b"%PDF-1.4")


def test_multipage_tiff_pages_and_crop():
    frames = [Image.new("RGB", (200, 100), color) for color in ("white", "black")]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    content = out.getvalue()
    assert documents.page_count(content, "image") == 2
    page = documents.page_image("tiff-test", content, 2)
    assert page.getpixel((10, 10)) == (0, 0, 0)
    assert documents.crop(page, [0.5, 0.5, 1.0, 1.0], margin=0).size == (100, 50)


def test_charts_escape_labels():
    svg = str(charts.bars([("<script>", 3.0)], "a & b"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    donut = str(charts.donut([("auto", 3), ("manual", 1)], "rate", "75%"))
    assert donut.count("stroke-dasharray") == 2 and "75%" in donut


def test_evidence_lines_renumbered_to_line_numbers():
    from hub.tables import EvidenceRow

    rows = [EvidenceRow(id=1, field="lines[0].unit", page=1, box=[0, 0, 1, 1]),
            EvidenceRow(id=2, field="lines[1].unit", page=1, box=[0, 0, 1, 1]),
            EvidenceRow(id=3, field="buyer.name", page=1, box=[0, 0, 1, 1])]
    marks = documents.marks(rows, [10, 20])
    assert [m.field for m in marks] == ["lines[10].unit", "lines[20].unit", "buyer.name"]
    assert documents.evidence_for(["lines[20].unit", "lines[10].sku"], marks) == {
        "lines[20].unit": 2, "lines[10].sku": 1}
