"""E-mail messages (RFC 822 / MIME) read into canonical orders.

The extractor walks every part of a message: nested multiparts, forwarded
``message/rfc822`` parts, inline images, file names in RFC 2231 and RFC 2047 forms, any
charset and transfer encoding. Attachments go, by their content, to whichever extractor
of the registry reads them (EDI, XML, sheets, PDFs, scans); orders found there are
stamped as e-mail orders of this message. Only when no attachment holds an order is the
body read as a typed order, so a cover mail naming the attached PO never becomes a
second order.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from typing import ClassVar

from connectors.base import Extractor, RawDocument
from connectors.email import safety
from connectors.email.body import (
    NO_LINES,
    PO_IN_BODY,
    BodyReading,
    asks_for_goods,
    is_courtesy,
    not_an_order_reason,
    read_body,
    snap_codes,
)
from connectors.email.parts import (
    MIME_IN_BODY,
    Attachment,
    BodyText,
    Walk,
    address_of,
    header_text,
    looks_like_message,
    safe_name,
    walk_message,
)
from connectors.email.text import author_lines
from hub.errors import BadDocument, NotAnOrder
from hub.model import Contact, Line, Order, Party, Source

FORMAT = "email-body"


@dataclass
class Mail:
    """The header facts of the message an order came in."""

    raw: RawDocument
    message: EmailMessage
    sender: tuple[str, str]
    subject: str
    message_id: str | None
    sent: datetime | None
    headers: dict[str, str]

    @property
    def sent_date(self) -> date | None:
        """The day the message was sent, in the sender's own time zone."""
        return self.sent.date() if self.sent else None


class EmailExtractor(Extractor):
    """Reads orders from e-mail messages: attachments first, else the typed body."""

    name: ClassVar[str] = "email"
    formats: ClassVar[tuple[str, ...]] = (FORMAT,)
    limits: ClassVar[safety.Limits] = safety.Limits()

    def identify(self, raw: RawDocument) -> bool:
        """Whether the document is an RFC 822 message (from its header block)."""
        return looks_like_message(raw.head)

    def extract(self, raw: RawDocument) -> list[Order]:
        """Every order of the message: from its attachments, else from its body.

        Raises:
            NotAnOrder: a readable mail with no order, with the reason (newsletter,
                out-of-office, complaint, price request...).
            BadDocument: malformed MIME or a refused attachment, naming it.
        """
        mail = _parse(raw)
        walk = Walk(limits=self.limits)
        depth = int(raw.metadata.get("email_depth", 0))
        walk_message(mail.message, walk, depth=depth, author=mail.sender, subject=mail.subject)
        orders, notes = self._attachment_orders(mail, walk)
        if orders:
            cover = _cover_notes(walk)
            return [_stamp(order, mail, [*notes, *cover]) for order in orders]
        return [self._body_order(mail, walk, notes)]

    def _attachment_orders(self, mail: Mail, walk: Walk) -> tuple[list[Order], list[str]]:
        orders: list[Order] = []
        notes = list(walk.notes)
        for attachment in walk.attachments:
            found, said = self._read_attachment(mail, attachment, depth=0)
            orders.extend(found)
            notes.extend(said)
        return orders, notes

    def _read_attachment(
        self, mail: Mail, attachment: Attachment, *, depth: int
    ) -> tuple[list[Order], list[str]]:
        where = f"attachment {attachment.name!r}"
        safety.check_size(len(attachment.content), where, self.limits)
        if safety.is_zip(attachment.content):
            archive = safety.open_zip(attachment.content, where, self.limits)
            if not safety.is_ooxml(archive):
                return self._read_archive(mail, attachment, archive, depth=depth)
        if b"%PDF-" in attachment.content[:1024]:
            safety.check_pdf(attachment.content, where, self.limits)
        return self._hand_over(mail, attachment)

    def _read_archive(
        self, mail: Mail, attachment: Attachment, archive: zipfile.ZipFile, *, depth: int
    ) -> tuple[list[Order], list[str]]:
        where = f"attachment {attachment.name!r}"
        if depth >= 1:
            raise BadDocument("zip inside a zip is refused", location=where, code="ZIP_BOMB")
        orders: list[Order] = []
        notes: list[str] = []
        for member in archive.infolist():
            if member.is_dir():
                continue
            content = safety.read_member(archive, member, where, self.limits)
            name = f"{attachment.name}/{safe_name(member.filename)}"
            found, said = self._read_attachment(
                mail, Attachment(name, content, "application/octet-stream"), depth=depth + 1
            )
            orders.extend(found)
            notes.extend(said)
        return orders, notes

    def _hand_over(self, mail: Mail, attachment: Attachment) -> tuple[list[Order], list[str]]:
        label = f"attachment {attachment.name} ({attachment.media_type})"
        if self.registry is None:
            return [], [f"{label} not read: no extractor registry"]
        part = RawDocument(
            content=attachment.content,
            name=attachment.name,
            channel="email",
            sender=mail.sender[1] or None,
            received_at=mail.raw.received_at,
            document_ref=mail.message_id,
            media_type=attachment.media_type,
            metadata={"email_depth": int(mail.raw.metadata.get("email_depth", 0)) + 1},
        )
        try:
            extractor = self.registry.identify(part)
        except BadDocument as exc:
            return [], [f"{label} not read: {exc.reason}"]
        try:
            orders = self.registry.extract(part, connector=extractor.name)
        except NotAnOrder as exc:
            return [], [f"{label}: {exc.reason}"]
        except BadDocument as exc:
            inner = f": {exc.location}" if exc.location else ""
            exc.location = f"attachment {attachment.name!r}{inner}"
            exc.source = None
            raise
        for order in orders:
            order.source.__pydantic_extra__ = {
                **(order.source.__pydantic_extra__ or {}), "attachment": attachment.name}
        return orders, []

    def _body_order(self, mail: Mail, walk: Walk, notes: list[str]) -> Order:
        chosen, reading = _best_reading(walk, mail)
        text = "\n".join("\n".join(author_lines(b.text)) for b in walk.bodies)
        reason = not_an_order_reason(
            mail.headers, mail.subject, text, has_lines=bool(reading.lines)
        )
        if reason:
            unread = [n for n in notes if " not read: " in n]
            if unread and reason == NO_LINES:
                # An attachment no reader understands may be the order itself (a .docx,
                # a new format): a person must look, so this is not filed as no order.
                raise BadDocument(f"{NO_LINES} and {'; '.join(unread)}")
            # Wording in the body that places an order, or an order number written in it
            # (not one in a "Re: Commande 4711" subject), makes it a person's job.
            body_number = reading.confidence.get("buyer_order_number", 0.0) >= PO_IN_BODY
            if reason == NO_LINES and (body_number or asks_for_goods("", text)):
                raise BadDocument(f"the mail reads as an order but {NO_LINES}; a person must "
                                  "enter it", code="UNREADABLE_DOCUMENT")
            raise NotAnOrder(f"{reason}; {'; '.join(unread)}" if unread else reason)
        snap_codes(reading, self.reference)
        return _order_from_reading(mail, reading, chosen.author if chosen else mail.sender, notes)


def _parse(raw: RawDocument) -> Mail:
    if not looks_like_message(raw.head):
        # The stdlib parser reads anything as a body; bytes without a header block are
        # not a message, and reading "order lines" out of them would invent an order.
        raise BadDocument("not an e-mail message: no header block", location="headers",
                          code="MALFORMED_MIME")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw.content)
    except Exception as exc:  # the parser is lenient; anything it raises means garbage
        raise BadDocument(f"not a readable MIME message: {exc}", code="MALFORMED_MIME") from None
    assert isinstance(message, EmailMessage)
    if "content-type" not in message and MIME_IN_BODY.search(raw.content):
        raise BadDocument(
            "message has no Content-Type header but its body holds MIME parts",
            location="headers",
            code="MALFORMED_MIME",
        )
    headers = {k.lower(): header_text(message, k) for k in set(message.keys())}
    return Mail(
        raw=raw,
        message=message,
        sender=address_of(headers.get("from", "")),
        subject=headers.get("subject", ""),
        message_id=_message_id(headers.get("message-id")),
        sent=_sent(headers.get("date")),
        headers=headers,
    )


def _message_id(value: str | None) -> str | None:
    if not value:
        return None
    return value.strip().strip("<>").strip() or None


def _sent(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        sent = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return sent if sent.tzinfo else None


def _best_reading(walk: Walk, mail: Mail) -> tuple[BodyText | None, BodyReading]:
    fallback: tuple[BodyText | None, BodyReading] | None = None
    for body in walk.bodies:
        reading = read_body(author_lines(body.text), subject=body.subject or mail.subject,
                            sent=mail.sent_date)
        if reading.lines:
            return body, reading
        fallback = fallback or (body, reading)
    return fallback or (None, BodyReading())


def _order_from_reading(
    mail: Mail, reading: BodyReading, author: tuple[str, str], notes: list[str]
) -> Order:
    confidence = dict(reading.confidence)
    number = reading.buyer_order_number
    extra_notes: list[str] = []
    if number is None:
        number = f"MAIL-{mail.raw.sha256[:10].upper()}"
        confidence["buyer_order_number"] = 0.0
        extra_notes.append("no order number in the mail: the reference was made from the message")
    lines = [
        Line(
            line_number=i + 1, gtin=r.gtin, seller_item_code=r.seller_item_code,
            buyer_item_code=r.buyer_item_code, description=r.description, quantity=r.quantity,
            unit=r.unit, unit_price=r.unit_price, requested_delivery_date=r.requested_delivery_date,
        )
        for i, r in enumerate(reading.lines)
    ]
    return Order(
        buyer_order_number=number,
        order_date=reading.order_date or mail.sent_date,
        requested_delivery_date=reading.requested_delivery_date,
        currency=reading.currency,
        buyer=Party(contact=Contact(name=author[0] or None, email=author[1] or None)),
        lines=lines,
        total_amount=reading.total_amount,
        notes=[*extra_notes, *reading.notes, *notes],
        source=_source(mail, FORMAT),
        confidence=confidence,
    )


def _source(mail: Mail, format_: str | None) -> Source:
    return Source(
        channel="email",
        format=format_,
        document_ref=mail.message_id,
        sender=mail.sender[1] or None,
        received_at=mail.raw.received_at,
        sha256=mail.raw.sha256,
    )


def _stamp(order: Order, mail: Mail, notes: list[str]) -> Order:
    """An attachment's order as an e-mail order of this message (its format kept)."""
    extra = order.source.__pydantic_extra__ or {}
    source = _source(mail, order.source.format)
    source.__pydantic_extra__ = dict(extra)
    order.source = source
    if order.buyer.contact is None and mail.sender[1]:
        order.buyer.contact = Contact(name=mail.sender[0] or None, email=mail.sender[1])
    order.notes = [*order.notes, *notes]
    return order


def _cover_notes(walk: Walk) -> list[str]:
    lines: list[str] = []
    for body in walk.bodies:
        lines.extend(
            " ".join(line.split())
            for line in author_lines(body.text)
            if line.strip() and not is_courtesy(line)
        )
    return [f"mail: {line}" for line in lines[:10]]
