"""Refusing hostile or unreadable attachments before any reader opens them.

Every attachment is checked here first: its size, zip archives (bombs are refused from
the central directory before anything is inflated, and inflation itself is bounded),
encrypted PDFs and PDFs with too many pages. Each refusal is a
:class:`hub.errors.BadDocument` with a stable code, so that the message is quarantined
with a reason a person can act on.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from hub.errors import BadDocument
from hub.safe_pdf import UnreadablePdfError, pdf_page_count

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
MAX_ZIP_TOTAL_BYTES = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_PDF_PAGES = 100


@dataclass(frozen=True)
class Limits:
    """The caps one mailbox applies to attachments (defaults from the issue's policy)."""

    attachment_bytes: int = MAX_ATTACHMENT_BYTES
    zip_members: int = MAX_ZIP_MEMBERS
    zip_total_bytes: int = MAX_ZIP_TOTAL_BYTES
    zip_ratio: int = MAX_ZIP_RATIO
    pdf_pages: int = MAX_PDF_PAGES


def check_size(size: int, where: str, limits: Limits) -> None:
    """Refuse an attachment larger than the cap.

    Raises:
        BadDocument: code ``ATTACHMENT_TOO_LARGE``.
    """
    if size > limits.attachment_bytes:
        raise BadDocument(
            f"attachment of {size / 1048576:.1f} MB is over the "
            f"{limits.attachment_bytes // 1048576} MB limit",
            location=where,
            code="ATTACHMENT_TOO_LARGE",
        )


def is_zip(content: bytes) -> bool:
    """Whether the bytes are a zip archive (also true of XLSX and other OOXML files)."""
    return content[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def is_ooxml(archive: zipfile.ZipFile) -> bool:
    """Whether a zip is an Office Open XML document (XLSX, DOCX) rather than an archive."""
    return "[Content_Types].xml" in archive.namelist()


def open_zip(content: bytes, where: str, limits: Limits) -> zipfile.ZipFile:
    """Open a zip after checking its central directory against the caps.

    Raises:
        BadDocument: ``ZIP_BOMB`` for too many members, too large or too compressed
            members, ``UNREADABLE_DOCUMENT`` for a broken or encrypted archive.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BadDocument(f"broken zip archive: {exc}", location=where) from None
    if len(members) > limits.zip_members:
        raise _bomb(f"zip with {len(members)} members (limit {limits.zip_members})", where)
    total = sum(m.file_size for m in members)
    if total > limits.zip_total_bytes:
        raise _bomb(f"zip inflates to {total / 1048576:.0f} MB", where)
    for member in members:
        _check_member(member, where, limits)
    return archive


def _check_member(member: zipfile.ZipInfo, where: str, limits: Limits) -> None:
    if member.flag_bits & 0x1:
        raise BadDocument(
            f"encrypted zip member {member.filename!r}", location=where, code="ENCRYPTED_ATTACHMENT"
        )
    if member.file_size > limits.attachment_bytes:
        raise _bomb(f"zip member {member.filename!r} inflates to {member.file_size} bytes", where)
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > 1024 * 1024 and ratio > limits.zip_ratio:
        raise _bomb(f"zip member {member.filename!r} is compressed {ratio:.0f}:1", where)


def _bomb(reason: str, where: str) -> BadDocument:
    return BadDocument(f"refused as a zip bomb: {reason}", location=where, code="ZIP_BOMB")


def read_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: str, limits: Limits
) -> bytes:
    """Inflate one member, never past the stated size or the cap (headers can lie).

    Raises:
        BadDocument: ``ZIP_BOMB`` when the member inflates past what it declared.
    """
    cap = min(member.file_size, limits.attachment_bytes)
    try:
        with archive.open(member) as stream:
            data = stream.read(cap + 1)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as exc:
        raise BadDocument(f"zip member {member.filename!r}: {exc}", location=where) from None
    if len(data) > cap:
        raise _bomb(f"zip member {member.filename!r} inflates past its declared size", where)
    return data


def check_pdf(content: bytes, where: str, limits: Limits) -> None:
    """Refuse an encrypted PDF or one with more pages than the cap.

    pdfium opens the document lazily (pages are not parsed), so counting is cheap
    even for a hostile file.

    Raises:
        BadDocument: ``ENCRYPTED_PDF``, ``TOO_MANY_PAGES`` or ``UNREADABLE_DOCUMENT``.
    """
    try:
        pages = pdf_page_count(content)
    except UnreadablePdfError as exc:
        if exc.encrypted:
            raise BadDocument(
                "encrypted PDF: it needs a password", location=where, code="ENCRYPTED_PDF"
            ) from None
        raise BadDocument(f"unreadable PDF: {exc}", location=where) from None
    if pages > limits.pdf_pages:
        raise BadDocument(
            f"PDF of {pages} pages is over the {limits.pdf_pages}-page limit",
            location=where,
            code="TOO_MANY_PAGES",
        )
