"""The parts of a MIME message: which are the text, which are attachments.

Walks nested multiparts (the plain text of an alternative first), forwarded
``message/rfc822`` parts (their author kept), inline images (left aside), and decodes
text in its declared charset, with the fallbacks mail clients need (a Latin-1 label on
Windows text, no label on UTF-8). File names keep only their last component.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import errors as email_errors
from email.message import Message
from email.utils import parseaddr

from connectors.email import safety
from connectors.email.text import html_to_text
from hub.errors import BadDocument

MAX_DEPTH = 8
MAX_PARTS = 500

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_KNOWN_HEADERS = frozenset(
    (b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"mime-version", b"received",
     b"return-path", b"delivered-to", b"reply-to", b"content-type", b"sender", b"x-mailer",
     b"user-agent", b"dkim-signature", b"in-reply-to", b"references", b"x-original-to")
)
_ANCHORS = frozenset((b"from", b"received", b"message-id", b"mime-version", b"return-path"))
_FATAL_DEFECTS = (
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
)
MIME_IN_BODY = re.compile(
    rb"^--\S+\r?\n(content-(type|disposition|transfer-encoding)):", re.I | re.M
)


def looks_like_message(head: bytes) -> bool:
    """Whether bytes start like an RFC 822 message: a header block with mail fields."""
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[0].startswith(b"From "):  # mbox separator line
        lines = lines[1:]
    names: set[bytes] = set()
    for line in lines[:-1]:  # the last line of a 4 KiB head may be cut
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            if not names:
                return False
            continue
        if not _HEADER_LINE.match(line):
            return False
        names.add(line.split(b":", 1)[0].strip().lower())
    return len(names & _KNOWN_HEADERS) >= 2 and bool(names & _ANCHORS)


@dataclass
class Attachment:
    """One attached file: its decoded bytes, its name and the declared type."""

    name: str
    content: bytes
    media_type: str


@dataclass
class BodyText:
    """The text of one message (the mail itself or a forwarded one) and its author."""

    text: str
    author: tuple[str, str]
    subject: str


@dataclass
class Walk:
    """What walking a message found."""

    bodies: list[BodyText] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parts: int = 0
    limits: safety.Limits = field(default_factory=safety.Limits)


def header_text(message: Message, name: str) -> str:
    """A header's decoded value on one line ("" when absent; raw text when malformed)."""
    try:
        return " ".join(str(message.get(name, "")).split())
    except Exception:  # a malformed header must not stop the reading of the rest
        raw = message.get_all(name) or [""]
        return " ".join(str(raw[0]).split())


def address_of(value: str) -> tuple[str, str]:
    """(display name, lower-case address) of a From-style header value."""
    name, address = parseaddr(value)
    return name.strip(), address.strip().lower()


def walk_message(
    part: Message, walk: Walk, *, depth: int, author: tuple[str, str], subject: str
) -> None:
    """Sort every part of ``part`` into ``walk``: body texts, attachments, notes.

    Raises:
        BadDocument: ``MALFORMED_MIME`` for broken multiparts or too deep nesting, or a
            refused attachment (too large).
    """
    walk.parts += 1
    if walk.parts > MAX_PARTS or depth > MAX_DEPTH:
        raise BadDocument("message has too many parts or nests too deeply", code="MALFORMED_MIME")
    _check_defects(part)
    content_type = part.get_content_type()
    if content_type == "message/rfc822":  # is_multipart() is true of these too
        _walk_forwarded(part, walk, depth=depth)
    elif part.is_multipart():
        _walk_multipart(part, walk, depth=depth, author=author, subject=subject)
    elif _is_body_text(part):
        text = _decoded_text(part)
        if content_type == "text/html":
            text = html_to_text(text)
        walk.bodies.append(BodyText(text, author, subject))
    elif _is_inline_image(part):
        label = part.get_filename() or part.get("content-id", "")
        walk.notes.append(f"inline image {label} ignored")
    else:
        walk.attachments.append(_attachment(part, len(walk.attachments) + 1, walk.limits))


def _walk_multipart(
    part: Message, walk: Walk, *, depth: int, author: tuple[str, str], subject: str
) -> None:
    payload = part.get_payload()
    children = [c for c in payload if isinstance(c, Message)] if isinstance(payload, list) else []
    if part.get_content_type() == "multipart/alternative" and children:
        plain_ones = [c for c in children if c.get_content_type() == "text/plain"]
        children = plain_ones[:1] or children[-1:]
    for child in children:
        walk_message(child, walk, depth=depth + 1, author=author, subject=subject)


def _walk_forwarded(part: Message, walk: Walk, *, depth: int) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        raise BadDocument("forwarded message part is empty", code="MALFORMED_MIME")
    author = address_of(header_text(inner, "from"))
    walk_message(inner, walk, depth=depth + 1, author=author, subject=header_text(inner, "subject"))


def _check_defects(part: Message) -> None:
    for defect in getattr(part, "defects", []):
        if isinstance(defect, _FATAL_DEFECTS):
            raise BadDocument(
                f"malformed MIME: {type(defect).__name__.removesuffix('Defect')}",
                location=f"part {part.get_content_type()}",
                code="MALFORMED_MIME",
            )


def _is_body_text(part: Message) -> bool:
    return (
        part.get_content_maintype() == "text"
        and part.get_content_subtype() in ("plain", "html")
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    )


#: Below this, an inline image is a logo or an icon, not a photographed order.
SMALL_IMAGE_BYTES = 20 * 1024


def _is_inline_image(part: Message) -> bool:
    """A logo or signature picture: referenced by the HTML (Content-ID) or tiny.

    A large inline picture without a Content-ID is what phones send for a photo of an
    order form: it is kept as an attachment for the scan reader.
    """
    if part.get_content_maintype() != "image" or part.get_content_disposition() == "attachment":
        return False
    if part.get("content-id") is not None:
        return True
    payload = part.get_payload()
    return isinstance(payload, str) and len(payload) * 3 // 4 < SMALL_IMAGE_BYTES


def _attachment(part: Message, number: int, limits: safety.Limits) -> Attachment:
    name = safe_name(part.get_filename() or "") or f"part-{number}"
    encoded = part.get_payload()
    if isinstance(encoded, str):
        # Refuse on the encoded size before decoding a hostile 1 GB base64 part.
        safety.check_size(len(encoded) * 3 // 4, f"attachment {name!r}", limits)
    content = part.get_payload(decode=True)
    if not isinstance(content, bytes):
        content = b""
    if any(isinstance(d, email_errors.InvalidBase64LengthDefect) for d in part.defects):
        raise BadDocument("corrupt base64 encoding", location=f"attachment {name!r}",
                          code="MALFORMED_MIME")
    return Attachment(name, content, part.get_content_type())


def safe_name(name: str) -> str:
    """The last path component of a sender-supplied file name, without control chars."""
    base = re.split(r"[\\/]", name.strip())[-1]
    return "".join(c for c in base if c.isprintable()).strip(". ")[:200]


def _decoded_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = (part.get_content_charset() or "").lower()
    if charset in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        charset = "cp1252"  # as browsers do: mislabelled Windows text is the common case
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")
