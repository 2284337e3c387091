"""EDIFACT syntax (ISO 9735): service characters, character sets and a streaming tokenizer.

Why our own tokenizer under pydifact's segment model: pydifact 0.2.3 reads a whole
interchange into one string and tokenizes it one character at a time through several
Python calls per character (about 450 twenty-line messages per second here), and its
``Interchange`` keeps every segment in memory. Large retailers send interchanges of tens
of megabytes. This tokenizer reads the bytes in fixed-size chunks, splits segments with
``str.split`` (falling back to a per-character scan only for a segment that holds a
release character) and yields pydifact :class:`~pydifact.segments.Segment` objects, so the
rest of o2c (and anyone who knows pydifact) works on pydifact's segment model while
memory stays flat and the whole extraction outruns pydifact's bare parse.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from pydifact.segments import Segment

from hub.errors import BadDocument

Element = str | list[str]

CHUNK_SIZE = 64 * 1024
MAX_SEGMENT_CHARS = 64 * 1024
_WHITESPACE = " \r\n\t"

# ISO 9735 syntax identifiers (UNB S001 0001) and the Python codec of each.
CHARSETS: dict[str, str] = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "iso8859-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}


class Readable(Protocol):
    """Anything with a binary ``read`` (an open file, ``BytesIO``)."""

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes."""
        ...


@dataclass(frozen=True)
class ServiceChars:
    """The six UNA service characters (ISO 9735 defaults when no UNA is sent)."""

    component: str = ":"
    data: str = "+"
    decimal: str = "."
    release: str = "?"
    reserved: str = " "
    terminator: str = "'"

    @classmethod
    def from_una(cls, una: str) -> ServiceChars:
        """Read the six characters that follow ``UNA``.

        Raises:
            BadDocument: when the separators are not distinct.
        """
        component, data, decimal, release, reserved, terminator = list(una[3:9])
        # A space in the release position means the interchange uses no release character.
        chars = cls(component, data, decimal, "" if release == " " else release, reserved,
                    terminator)  # fmt: skip
        separators = {chars.component, chars.data, chars.release or None, chars.terminator}
        if len(separators) != 4 or (chars.release and chars.release in "\r\n\t"):
            raise BadDocument(
                f"UNA service characters {una[3:9]!r} are not distinct", location="segment 0 (UNA)"
            )
        return chars

    def __str__(self) -> str:
        return (
            f"{self.component}{self.data}{self.decimal}"
            f"{self.release or ' '}{self.reserved}{self.terminator}"
        )


@dataclass(frozen=True)
class Syntax:
    """What the start of an interchange says about how to read the rest."""

    chars: ServiceChars
    una: bool
    syntax_id: str
    codec: str
    body_start: int


_UNB_SYNTAX = re.compile(rb"UNB.([A-Z]{4})")


def detect_syntax(head: bytes) -> Syntax:
    """Read UNA (or the defaults) and the UNB character set from the first bytes.

    Raises:
        BadDocument: when the bytes do not start with UNA or UNB.
    """
    start = len(head) - len(head.lstrip(b"\xef\xbb\xbf" + _WHITESPACE.encode()))
    if head.startswith(b"\xef\xbb\xbf"):
        start = max(start, 3)
    text = head[start:]
    una = text.startswith(b"UNA")
    if una:
        if len(text) < 9:
            raise BadDocument("interchange truncated inside UNA", location="segment 0 (UNA)")
        chars = ServiceChars.from_una(text[:9].decode("latin-1"))
        start += 9
    elif text.startswith(b"UNB"):
        chars = ServiceChars()
    else:
        raise BadDocument("not an EDIFACT interchange: no UNA or UNB at the start")
    match = _UNB_SYNTAX.search(head, start, start + 64)
    syntax_id = match.group(1).decode() if match else "UNOA"
    codec = _codec_for(syntax_id, head)
    return Syntax(chars, una, syntax_id, codec, start)


def _codec_for(syntax_id: str, content: bytes) -> str:
    codec = CHARSETS.get(syntax_id)
    if codec is None:
        raise BadDocument(
            f"character set {syntax_id} is not supported (UNOA to UNOK, UNOW, UNOY)",
            location="segment 1 (UNB)",
        )
    if codec == "utf-8":
        return codec
    # Many senders declare UNOA or UNOC and send UTF-8 anyway. A valid multi-byte UTF-8
    # sequence almost never occurs in real ISO 8859 text, so its presence at the first
    # non-ASCII byte is taken as the truth; otherwise the declared set is used (and bytes
    # outside plain ASCII in UNOA/UNOB are read as Latin-1 rather than refused).
    first = re.search(rb"[\x80-\xff]", content)
    if first is None:
        return codec
    window = content[first.start() : first.start() + 4]
    for size in (2, 3, 4):
        try:
            window[:size].decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            continue
    return "iso8859-1" if codec == "ascii" else codec


def split_segment(text: str, chars: ServiceChars) -> list[Element]:
    """Split one segment's text (without terminator) into its tag and elements.

    Simple data elements are strings, composites lists of strings, as in pydifact.
    """
    if not chars.release or chars.release not in text:
        return [
            element.split(chars.component) if chars.component in element else element
            for element in text.split(chars.data)
        ]
    return _split_released(text, chars)


def _split_released(text: str, chars: ServiceChars) -> list[Element]:
    elements: list[Element] = []
    components: list[str] = []
    current: list[str] = []
    released = False
    for char in text:
        if released:
            current.append(char)
            released = False
        elif char == chars.release:
            released = True
        elif char == chars.component:
            components.append("".join(current))
            current = []
        elif char == chars.data:
            components.append("".join(current))
            elements.append(components if len(components) > 1 else components[0])
            components, current = [], []
        else:
            current.append(char)
    components.append("".join(current))
    elements.append(components if len(components) > 1 else components[0])
    return elements


def escape(value: str, chars: ServiceChars) -> str:
    """Release every service character in ``value`` for writing."""
    if not chars.release:
        return value
    for char in (chars.release, chars.component, chars.data, chars.terminator):
        value = value.replace(char, chars.release + char)
    return value


def render(segment: Segment, chars: ServiceChars | None = None) -> str:
    """Write a segment back as text (without terminator), e.g. for a note."""
    chars = chars or ServiceChars()
    parts = [segment.tag]
    for element in segment.elements:
        if isinstance(element, list):
            parts.append(chars.component.join(escape(c, chars) for c in element).rstrip(":"))
        else:
            parts.append(escape(element, chars))
    return chars.data.join(parts).rstrip(chars.data)


def _pieces(stream: Readable, syntax: Syntax) -> Iterator[str]:
    """Yield the text of each segment, whatever chunk boundaries fall where."""
    decoder = codecs.getincrementaldecoder(syntax.codec)(errors="strict")
    terminator, release = syntax.chars.terminator, syntax.chars.release
    stream.read(syntax.body_start)
    pending = ""
    while True:
        chunk = stream.read(CHUNK_SIZE)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise BadDocument(
                f"bytes not valid in {syntax.syntax_id} ({syntax.codec}): {exc.reason}"
            ) from None
        pieces = (pending + text).split(terminator)
        pending = pieces.pop()
        done, carry = _join_released(pieces, terminator, release)
        pending = carry + pending
        yield from done
        if len(pending) > MAX_SEGMENT_CHARS:
            raise BadDocument(f"a segment longer than {MAX_SEGMENT_CHARS} characters")
        if not chunk:
            break
    if pending.strip(_WHITESPACE):
        yield "\x00" + pending  # marks an unterminated tail for the caller


def _join_released(pieces: list[str], terminator: str, release: str) -> tuple[list[str], str]:
    """Glue back pieces split at a released terminator; return them and the open rest."""
    if not release or not any(p.endswith(release) for p in pieces):
        return pieces, ""
    done: list[str] = []
    carry = ""
    for piece in pieces:
        if piece.endswith(release):
            trailing = len(piece) - len(piece.rstrip(release))
            if trailing % 2:  # the terminator itself was released: it is data
                carry += piece + terminator
                continue
        done.append(carry + piece)
        carry = ""
    return done, carry


def read_segments(stream: Readable, syntax: Syntax) -> Iterator[Segment]:
    """Stream the segments after UNA as pydifact segments (UNB is the first).

    Raises:
        BadDocument: for a bad tag or an unterminated last segment, naming its number.
    """
    for number, piece in enumerate(_pieces(stream, syntax), start=1):
        text = piece.lstrip(_WHITESPACE)
        if text.startswith("\x00"):
            tag = text[1:].lstrip(_WHITESPACE)[:3]
            raise BadDocument(
                "interchange truncated: the last segment has no terminator",
                location=f"segment {number} ({tag})",
                code="TRUNCATED",
            )
        elements = split_segment(text, syntax.chars)
        first = elements[0]
        if not isinstance(first, str):
            raise BadDocument(f"invalid segment tag {first!r}", location=f"segment {number}")
        tag = first
        if len(tag) != 3 or not tag.isalnum() or not tag.isupper():
            raise BadDocument(
                f"invalid segment tag {str(tag)[:10]!r}", location=f"segment {number}"
            )
        yield Segment(tag, *elements[1:]) if len(elements) > 1 else Segment(tag, "")
