"""Hostile and broken messages, built at test time (some are too large to commit)."""

from __future__ import annotations

import io
import zipfile
from functools import cache

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.conftest import SAMPLES
from tests.email.mails import message

CSV_SAMPLE = SAMPLES / "sheets" / "fr_semicolon_cp1252.csv"


def pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    """A small text PDF, optionally encrypted."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4, encrypt=password)
    for number in range(pages):
        sheet.drawString(72, 800, f"Bon de commande page {number + 1}")
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    """A deflated zip archive of the members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_attachment(data: bytes, filename: str, subtype: str = "octet-stream") -> bytes:
    """A cover mail with one attachment."""
    mail = message("Bonjour, ci-joint notre commande.", subject=f"piece {filename}",
                   message_id=f"<{filename}@client.fr>")
    mail.add_attachment(data, maintype="application", subtype=subtype, filename=filename)
    return bytes(mail)


def no_boundary() -> bytes:
    return (b"From: a@client.fr\nTo: b@x.test\nSubject: broken\nMessage-ID: <nb@x>\n"
            b"MIME-Version: 1.0\nContent-Type: multipart/mixed\n\n10 cartons ref. AB-123\n")


def boundary_never_found() -> bytes:
    return (b"From: a@client.fr\nTo: b@x.test\nSubject: broken\nMessage-ID: <bn@x>\n"
            b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XYZ\"\n\n"
            b"10 cartons ref. AB-123\n")


def parts_without_content_type() -> bytes:
    return (b"From: a@client.fr\nTo: b@x.test\nSubject: no type\nMessage-ID: <nt@x>\n"
            b"MIME-Version: 1.0\n\n--frontier\nContent-Type: text/plain\n\n"
            b"10 cartons ref. AB-123\n--frontier\nContent-Disposition: attachment; "
            b"filename=po.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--frontier--\n")


def plain_without_content_type() -> bytes:
    return (b"From: a@client.fr\nTo: b@x.test\nSubject: Commande 4711\nMessage-ID: <pt@x>\n"
            b"Date: Fri, 20 Nov 2026 09:12:00 +0100\n\n10 cartons ref. AB-123\n")


@cache
def hostile() -> dict[str, tuple[bytes, str]]:
    """Every refused kind of message with the code it must be refused with."""
    return {
        "no boundary": (no_boundary(), "MALFORMED_MIME"),
        "boundary never found": (boundary_never_found(), "MALFORMED_MIME"),
        "parts without content type": (parts_without_content_type(), "MALFORMED_MIME"),
        "attachment over 25 MB": (
            with_attachment(b"%PDF-1.4\n" + b"0" * (26 * 1024 * 1024), "huge.pdf", "pdf"),
            "ATTACHMENT_TOO_LARGE"),
        "zip bomb": (with_attachment(zipped({"po.csv": b"0" * (30 * 1024 * 1024)}), "po.zip",
                                     "zip"), "ZIP_BOMB"),
        "zip in a zip": (with_attachment(zipped({"inner.zip": zipped({"a.csv": b"a;b"})}),
                                         "outer.zip", "zip"), "ZIP_BOMB"),
        "encrypted pdf": (with_attachment(pdf(password="secret"), "po.pdf", "pdf"),
                          "ENCRYPTED_PDF"),
        "pdf of 500 pages": (with_attachment(pdf(500), "catalogue.pdf", "pdf"),
                             "TOO_MANY_PAGES"),
        "corrupt pdf": (with_attachment(b"%PDF-1.7\n1 0 obj garbage", "po.pdf", "pdf"),
                        "UNREADABLE_DOCUMENT"),
    }
