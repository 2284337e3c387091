"""The original document beside the order: page images with the OCR boxes, EDI and XML
pretty-printed, an e-mail as it was sent.

Pages are rendered here from the stored bytes (pypdfium2 for PDF, Pillow for scans),
with caps on pages and pixels so a hostile file cannot exhaust the server.
"""

from __future__ import annotations

import email
import email.policy
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from lxml import etree
from PIL import Image
from sqlalchemy.orm import Session

from hub import safe_xml, store
from hub.errors import BadDocument
from hub.safe_pdf import open_pdf, pdf_page_count, render_page
from hub.tables import DocumentRow, EvidenceRow

MAX_PAGES = 12
MAX_PIXELS = 40_000_000
PAGE_WIDTH = 1100
TEXT_LIMIT = 400_000

_PDF, _TIFF, _PNG, _JPEG = b"%PDF", (b"II*\x00", b"MM\x00*"), b"\x89PNG", b"\xff\xd8\xff"


@dataclass
class Box:
    """One OCR field's place on a page, in percent of the page."""

    field: str
    left: float
    top: float
    width: float
    height: float
    flagged: bool
    evidence_id: int


@dataclass(frozen=True)
class Mark:
    """Where on a page one extracted field was read (an evidence row, read-only)."""

    id: int
    field: str
    page: int | None
    box: list[Any] | None


def marks(rows: list[EvidenceRow], line_numbers: list[int] | None = None) -> list[Mark]:
    """Evidence rows as marks, with line paths in validation's terms.

    Extraction names a line by its place in the list (``lines[0]``); validation names it
    by its line number (``lines[1]``). With the order's line numbers in list order, the
    marks use line numbers, so a box and an exception about the same line meet.
    """
    found = []
    for row in rows:
        name = row.field
        if line_numbers and name.startswith("lines[") and "]" in name:
            index, rest = name[6:].split("]", 1)
            if index.isdigit() and int(index) < len(line_numbers):
                name = f"lines[{line_numbers[int(index)]}]{rest}"
        found.append(Mark(row.id, name, row.page, row.box))
    return found


@dataclass
class View:
    """How to show a document: ``pages``, ``email``, ``text`` or ``download``."""

    kind: str
    pages: list[list[Box]] = field(default_factory=list)
    text: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    html: str | None = None
    attachments: list[tuple[int, str, str]] = field(default_factory=list)


def kind_of(content: bytes) -> str:  # noqa: PLR0911 - one answer per format
    """``pdf``, ``image``, ``xml``, ``edifact``, ``email``, ``text`` or ``binary``."""
    head = content[:512]
    if head.startswith(_PDF):
        return "pdf"
    if head.startswith((*_TIFF, _PNG, _JPEG)):
        return "image"
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith((b"UNA", b"UNB")):
        return "edifact"
    if safe_xml.looks_like_xml(stripped):
        return "xml"
    if _looks_like_mail(stripped):
        return "email"
    if b"\x00" in head or stripped.startswith(b"PK\x03\x04"):
        return "binary"
    return "text"


def _looks_like_mail(head: bytes) -> bool:
    first = head.split(b"\n", 1)[0].lower()
    return any(first.startswith(p) for p in (b"from:", b"received:", b"return-path:",
                                             b"mime-version:", b"message-id:", b"date:",
                                             b"delivered-to:", b"to:", b"subject:"))


def view(session: Session, document: DocumentRow, evidence: list[Mark],
         flagged: set[str]) -> View:
    """How the workbench shows this document, with the evidence boxes of the order."""
    content = store.content(session, document.sha256) or b""
    kind = kind_of(content)
    if kind in ("pdf", "image"):
        return View("pages", pages=_boxes(page_count(content, kind), evidence, flagged))
    if kind == "email":
        return _mail_view(content)
    if kind == "xml":
        return View("text", text=pretty_xml(content))
    if kind == "edifact":
        return View("text", text=pretty_edifact(content))
    if kind == "text":
        return View("text", text=content[:TEXT_LIMIT].decode("utf-8", "replace"))
    return View("download")


def _boxes(pages: int, evidence: list[Mark], flagged: set[str]) -> list[list[Box]]:
    shown: list[list[Box]] = [[] for _ in range(pages)]
    for item in evidence:
        if not item.page or not item.box or not 1 <= item.page <= pages:
            continue
        x0, y0, x1, y1 = (float(v) for v in item.box[:4])
        shown[item.page - 1].append(Box(item.field, x0 * 100, y0 * 100, (x1 - x0) * 100,
                                        (y1 - y0) * 100, _is_flagged(item.field, flagged),
                                        item.id))
    return shown


def _is_flagged(name: str, flagged: set[str]) -> bool:
    return any(same_place(name, f) for f in flagged)


def same_place(evidence_field: str, exception_field: str) -> bool:
    """Whether an evidence box shows what an exception is about: the same field, or the
    same line (``lines[1].gtin`` is the evidence for ``lines[1].sku``)."""
    if evidence_field == exception_field:
        return True
    line = exception_field.split(".", 1)[0]
    return line.startswith("lines[") and evidence_field.split(".", 1)[0] == line


def evidence_for(fields: list[str], evidence: list[Mark]) -> dict[str, int]:
    """For each exception field, the id of the evidence box that shows it."""
    found: dict[str, int] = {}
    for name in fields:
        match = next((e for e in evidence if e.field == name), None) or next(
            (e for e in evidence if same_place(e.field, name)), None)
        if match is not None and match.page and match.box:
            found[name] = match.id
    return found


# --- text formats --------------------------------------------------------------------


def pretty_xml(content: bytes) -> str:
    """The XML indented (parsed safely; shown as stored when it does not parse)."""
    try:
        root = safe_xml.parse(content)
    except BadDocument:
        return content[:TEXT_LIMIT].decode("utf-8", "replace")
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")[:TEXT_LIMIT]


def pretty_edifact(content: bytes) -> str:
    """One EDIFACT segment a line, honouring the UNA service characters."""
    text = content[:TEXT_LIMIT].decode("latin-1").replace("\r", "").replace("\n", "")
    terminator, release = "'", "?"
    if text.startswith("UNA") and len(text) >= 9:
        release, terminator = text[6], text[8]
    lines, current, escaped = [], [], False
    for char in text:
        current.append(char)
        if escaped:
            escaped = False
        elif char == release:
            escaped = True
        elif char == terminator:
            lines.append("".join(current))
            current = []
    if "".join(current).strip():
        lines.append("".join(current))
    return "\n".join(lines)


def _mail_view(content: bytes) -> View:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    headers = [(name, str(message.get(name, ""))) for name in ("From", "To", "Cc", "Date",
                                                               "Subject") if message.get(name)]
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    attachments = [(number, part.get_filename() or f"part-{number}", part.get_content_type())
                   for number, part in enumerate(message.iter_attachments())]
    return View("email", headers=headers, attachments=attachments,
                text=_part_text(plain) if plain else "",
                html=_part_text(html) if html and not plain else None)


def _part_text(part: Any) -> str:
    try:
        return str(part.get_content())[:TEXT_LIMIT]
    except (LookupError, ValueError):
        return part.get_payload(decode=True).decode("utf-8", "replace")[:TEXT_LIMIT]


def attachment(content: bytes, number: int) -> tuple[str, str, bytes] | None:
    """(file name, media type, bytes) of one e-mail attachment."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    for index, part in enumerate(message.iter_attachments()):
        if index == number:
            data = part.get_payload(decode=True)
            raw = data if isinstance(data, bytes) else b""
            return part.get_filename() or f"part-{number}", part.get_content_type(), raw
    return None


# --- page images ---------------------------------------------------------------------


def page_count(content: bytes, kind: str) -> int:
    """Pages to show (capped)."""
    try:
        if kind == "pdf":
            return min(pdf_page_count(content), MAX_PAGES)
        with _open_image(content) as image:
            return min(getattr(image, "n_frames", 1), MAX_PAGES)
    except Exception:  # an unreadable file shows no pages, never an error page
        return 0


def _open_image(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    if image.width * image.height > MAX_PIXELS:
        raise BadDocument("image too large to show")
    return image


class _PageCache:
    """The last rendered pages, so scrolling back and crops do not render again."""

    def __init__(self, size: int = 48) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, int], Image.Image] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, int]) -> Image.Image | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
            return None

    def put(self, key: tuple[str, int], image: Image.Image) -> None:
        with self.lock:
            self.items[key] = image
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_CACHE = _PageCache()


def page_image(sha256: str, content: bytes, number: int) -> Image.Image:
    """Page ``number`` (1-based) as an RGB image about ``PAGE_WIDTH`` pixels wide.

    Raises:
        BadDocument: no such page, or not a paged document.
    """
    cached = _CACHE.get((sha256, number))
    if cached is not None:
        return cached
    kind = kind_of(content)
    if not 1 <= number <= page_count(content, kind):
        raise BadDocument(f"no page {number}")
    image = _render_pdf(content, number) if kind == "pdf" else _render_scan(content, number)
    _CACHE.put((sha256, number), image)
    return image


def _render_pdf(content: bytes, number: int) -> Image.Image:
    with open_pdf(content) as document:
        page = document[number - 1]
        scale = min(PAGE_WIDTH / (page.get_width() or 1), 4.0)
        return render_page(page, scale)


def _render_scan(content: bytes, number: int) -> Image.Image:
    with _open_image(content) as image:
        image.seek(number - 1)
        frame = image.convert("RGB")
    if frame.width > PAGE_WIDTH:
        frame = frame.resize((PAGE_WIDTH, max(1, frame.height * PAGE_WIDTH // frame.width)))
    return frame


def png(image: Image.Image) -> bytes:
    """PNG bytes of an image."""
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def crop(image: Image.Image, box: list[Any], margin: float = 0.01) -> Image.Image:
    """The region of a page named by fractions ``[x0, y0, x1, y1]``, with a margin."""
    x0, y0, x1, y1 = (float(v) for v in box[:4])
    width, height = image.size
    left, top = max(0.0, x0 - margin) * width, max(0.0, y0 - margin) * height
    right, bottom = min(1.0, x1 + margin) * width, min(1.0, y1 + margin) * height
    return image.crop((int(left), int(top), max(int(right), int(left) + 1),
                       max(int(bottom), int(top) + 1)))
