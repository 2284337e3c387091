"""EDIFACT envelopes: UNB/UNZ interchange, UNG/UNE groups, UNH/UNT messages.

The walker streams an interchange and yields one :class:`EdifactMessage` per UNH..UNT
message, checking every control count and reference. A fault inside one message (a
wrong UNT count, a message cut short by the next UNH) is yielded as a
:class:`~hub.errors.BadDocument` in that message's place so the others go on; a fault
in the interchange itself (no UNB, a missing or wrong UNZ, truncated bytes) is raised,
because then nothing in the document can be trusted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydifact.segments import Segment

from connectors.edi.edifact_syntax import Element, Readable, Syntax, read_segments
from hub.errors import BadDocument


def component(element: Element | None, index: int = 0) -> str:
    """The ``index``-th component of a data element ('' when absent)."""
    if element is None:
        return ""
    if isinstance(element, list):
        return element[index] if index < len(element) else ""
    return element if index == 0 else ""


def element_at(segment: Segment, index: int) -> Element | None:
    """The data element at ``index`` (0 is the first after the tag), None when absent."""
    return segment.elements[index] if index < len(segment.elements) else None


def value(segment: Segment, index: int, sub: int = 0) -> str:
    """The component ``sub`` of data element ``index`` of a segment ('' when absent)."""
    return component(element_at(segment, index), sub)


@dataclass(frozen=True)
class InterchangeHeader:
    """What UNB says: who sends to whom, the reference, the character set."""

    sender: str
    sender_qualifier: str
    recipient: str
    recipient_qualifier: str
    reference: str
    syntax_id: str
    syntax_version: str
    prepared: str
    test: bool

    @classmethod
    def from_unb(cls, unb: Segment) -> InterchangeHeader:
        """Read a UNB segment."""
        return cls(
            sender=value(unb, 1),
            sender_qualifier=value(unb, 1, 1),
            recipient=value(unb, 2),
            recipient_qualifier=value(unb, 2, 1),
            reference=value(unb, 4),
            syntax_id=value(unb, 0),
            syntax_version=value(unb, 0, 1),
            prepared=f"{value(unb, 3)}:{value(unb, 3, 1)}",
            test=value(unb, 10) == "1",
        )


@dataclass(frozen=True)
class MessageHeader:
    """What UNH says about a message, and where it starts (kept after the segments go)."""

    ref: str
    type: str
    version: str
    release: str
    agency: str
    association: str
    first_segment: int


@dataclass
class EdifactMessage:
    """One UNH..UNT message with the interchange it travelled in.

    Attributes:
        numbers: For each segment, its number in the interchange (UNB is 1).
    """

    interchange: InterchangeHeader
    syntax: Syntax
    ref: str
    type: str
    version: str
    release: str
    agency: str
    association: str
    group_ref: str | None
    segments: list[Segment] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    problem: BadDocument | None = None

    @property
    def header(self) -> MessageHeader:
        """The UNH identification and the number of the UNH segment."""
        return MessageHeader(self.ref, self.type, self.version, self.release, self.agency,
                             self.association, self.numbers[0])  # fmt: skip

    @property
    def directory(self) -> str:
        """The directory in o2c format names, e.g. ``d96a``."""
        return f"{self.version}{self.release}".lower()

    def where(self, index: int) -> str:
        """Location text for the segment at ``index`` in this message."""
        segment = self.segments[index]
        return f"segment {self.numbers[index]} ({segment.tag}), message {self.ref}"


@dataclass
class _Group:
    ref: str
    number: int
    messages: int = 0


class EnvelopeWalker:
    """Walks one interchange; see :meth:`messages`."""

    def __init__(self, stream: Readable, syntax: Syntax) -> None:
        self._segments = enumerate(read_segments(stream, syntax), start=1)
        self.syntax = syntax
        self.header: InterchangeHeader | None = None
        self._group: _Group | None = None
        self._messages = 0
        self._groups = 0
        self._last = 0

    def messages(self) -> Iterator[EdifactMessage]:
        """Yield every message; one whose envelope is faulty carries its ``problem``.

        Raises:
            BadDocument: for a fault of the interchange itself, naming the segment.
        """
        if self.header is None:
            self.read_header()
        pending: tuple[int, Segment] | None = None
        while True:
            number, segment = pending or self._next_or_eof("UNZ")
            pending = None
            if segment.tag == "UNH":
                result, pending = self._read_message(number, segment)
                yield result
            elif segment.tag == "UNZ":
                self._close_interchange(number, segment)
                return
            else:
                self._envelope_segment(number, segment)

    def _next_or_eof(self, expected: str) -> tuple[int, Segment]:
        try:
            return next(self._segments)
        except StopIteration:
            raise BadDocument(
                f"interchange truncated: {expected} missing at the end",
                location=f"after segment {self._last}",
                code="TRUNCATED",
            ) from None

    def read_header(self) -> InterchangeHeader:
        """Read UNB (the first segment after UNA).

        Raises:
            BadDocument: when the interchange does not start with a usable UNB.
        """
        try:
            number, unb = next(self._segments)
        except StopIteration:
            raise BadDocument("empty interchange: no UNB") from None
        if unb.tag != "UNB":
            raise BadDocument(f"interchange starts with {unb.tag}, not UNB", location="segment 1")
        self.header = InterchangeHeader.from_unb(unb)
        if not self.header.reference:
            raise BadDocument(
                "UNB has no interchange control reference", location="segment 1 (UNB)"
            )
        self._last = number
        return self.header

    def _envelope_segment(self, number: int, segment: Segment) -> None:
        where = f"segment {number} ({segment.tag})"
        self._last = number
        if segment.tag == "UNG":
            if self._group:
                raise BadDocument("UNG opens a group inside another group", location=where)
            self._group = _Group(ref=value(segment, 4), number=number)
            self._groups += 1
        elif segment.tag == "UNE":
            self._close_group(segment, where)
        else:
            raise BadDocument(f"{segment.tag} outside any message (UNH..UNT)", location=where)

    def _close_group(self, une: Segment, where: str) -> None:
        group = self._group
        if group is None:
            raise BadDocument("UNE without UNG", location=where)
        if value(une, 1) != group.ref:
            raise BadDocument(
                f"UNE reference {value(une, 1)!r} does not match UNG {group.ref!r}", location=where
            )
        if _as_int(value(une, 0)) != group.messages:
            raise BadDocument(
                f"UNE counts {value(une, 0)!r} messages, group holds {group.messages}",
                location=where,
            )
        self._group = None

    def _close_interchange(self, number: int, unz: Segment) -> None:
        assert self.header is not None
        where = f"segment {number} (UNZ)"
        if self._group:
            raise BadDocument(f"group {self._group.ref} has no UNE", location=where)
        if value(unz, 1) != self.header.reference:
            raise BadDocument(
                f"UNZ reference {value(unz, 1)!r} does not match UNB {self.header.reference!r}",
                location=where,
                code="CONTROL_REFERENCE_MISMATCH",
            )
        expected = self._groups or self._messages
        if _as_int(value(unz, 0)) != expected:
            kind = "groups" if self._groups else "messages"
            raise BadDocument(
                f"UNZ counts {value(unz, 0)!r} {kind}, interchange holds {expected}",
                location=where,
                code="CONTROL_COUNT_MISMATCH",
            )
        for extra_number, extra in self._segments:
            raise BadDocument(
                f"{extra.tag} after UNZ", location=f"segment {extra_number} ({extra.tag})"
            )

    def _read_message(
        self, number: int, unh: Segment
    ) -> tuple[EdifactMessage, tuple[int, Segment] | None]:
        message = self._open_message(unh, number)
        while True:
            number, segment = self._next_or_eof("UNT")
            self._last = number
            if segment.tag in ("UNH", "UNZ", "UNG", "UNE"):
                message.problem = BadDocument(
                    f"message {message.ref} has no UNT: {segment.tag} follows",
                    location=f"segment {number} ({segment.tag})",
                )
                return message, (number, segment)
            message.segments.append(segment)
            message.numbers.append(number)
            if segment.tag == "UNT":
                return self._check_unt(message), None

    def _open_message(self, unh: Segment, number: int) -> EdifactMessage:
        assert self.header is not None
        self._messages += 1
        if self._group:
            self._group.messages += 1
        return EdifactMessage(
            interchange=self.header,
            syntax=self.syntax,
            ref=value(unh, 0),
            type=value(unh, 1, 0),
            version=value(unh, 1, 1),
            release=value(unh, 1, 2),
            agency=value(unh, 1, 3),
            association=value(unh, 1, 4),
            group_ref=self._group.ref if self._group else None,
            segments=[unh],
            numbers=[number],
        )

    @staticmethod
    def _check_unt(message: EdifactMessage) -> EdifactMessage:
        unt = message.segments[-1]
        where = message.where(len(message.segments) - 1)
        count = len(message.segments)
        if _as_int(value(unt, 0)) != count:
            message.problem = BadDocument(
                f"UNT counts {value(unt, 0)!r} segments, message {message.ref} has {count}",
                location=where,
                code="CONTROL_COUNT_MISMATCH",
            )
        elif value(unt, 1) != message.ref:
            message.problem = BadDocument(
                f"UNT reference {value(unt, 1)!r} does not match UNH {message.ref!r}",
                location=where,
                code="CONTROL_REFERENCE_MISMATCH",
            )
        return message


def _as_int(text: str) -> int | None:
    return int(text) if text.isdigit() else None
