"""The EDIFACT extractor: interchanges of ORDERS and ORDCHG messages to canonical orders.

pydifact (pinned) supplies the segment model; o2c streams the interchange with its own
tokenizer (see :mod:`connectors.edi.edifact_syntax` for why), checks the envelopes
(:mod:`connectors.edi.edifact_envelope`) and maps each message
(:mod:`connectors.edi.edifact_orders`).
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, ClassVar

from sqlalchemy.orm import Session

from connectors.base import Extractor, RawDocument
from connectors.edi.edifact_envelope import (
    EdifactMessage,
    EnvelopeWalker,
    InterchangeHeader,
    MessageHeader,
)
from connectors.edi.edifact_orders import OrderMapper
from connectors.edi.edifact_syntax import detect_syntax
from hub.errors import BadDocument
from hub.model import Order

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
_HEAD = 4096


def max_interchange_bytes() -> int:
    """The size cap of one interchange (``O2C_EDI_MAX_BYTES``, default 25 MiB).

    Hostile or runaway senders must not tie up a worker; a partner that really sends
    more raises the cap for its installation.
    """
    text = os.environ.get("O2C_EDI_MAX_BYTES", "")
    return int(text) if text.isdigit() else DEFAULT_MAX_BYTES


@dataclass
class MessageResult:
    """One message of an interchange: its order, or the problem that stopped it.

    Attributes:
        ref: UNH message reference.
        type: UNH message type (``ORDERS``...), '' when unknown.
        order: The order, when the message could be read.
        problem: Why it could not, naming the segment.
        header: The message's UNH and first segment number (for acknowledgements); the
            segments themselves are not kept, so memory stays flat.
    """

    ref: str
    type: str
    order: Order | None = None
    problem: BadDocument | None = None
    header: MessageHeader | None = None


class EdifactExtractor(Extractor):
    """UN/EDIFACT ORDERS and ORDCHG (D96A, D01B, EANCOM), any UNA and character set."""

    name: ClassVar[str] = "edifact"
    formats: ClassVar[tuple[str, ...]] = (
        "edifact-d96a-orders",
        "edifact-d01b-orders",
        "edifact-d96a-ordchg",
        "edifact-d01b-ordchg",
    )

    def identify(self, raw: RawDocument) -> bool:
        """An interchange starts with UNA or UNB (after an optional BOM and white space)."""
        head = raw.head.lstrip(b"\xef\xbb\xbf").lstrip()
        return head[:3] in (b"UNA", b"UNB") and (head[:3] == b"UNB" or len(head) > 9)

    def extract(self, raw: RawDocument) -> list[Order]:
        """Every order in the interchange.

        A message that cannot be read is logged and left out so the others go on; use
        :meth:`extract_with_problems` to receive those problems (the intake does, to
        record them on the document). When no message gives an order, the first
        problem is raised.

        Raises:
            BadDocument: for a fault of the interchange itself, or when no order is left.
        """
        orders, problems = self.extract_with_problems(raw)
        for problem in problems:
            log.warning("%s: %s", raw.name, problem)
        if not orders:
            raise problems[0] if problems else BadDocument("interchange holds no message")
        return orders

    def extract_with_problems(self, raw: RawDocument) -> tuple[list[Order], list[BadDocument]]:
        """The orders of the interchange and one problem per message that gave none.

        Raises:
            BadDocument: for a fault of the interchange itself (no UNB, a missing or
                wrong UNZ, truncated bytes, a size over the cap): nothing is returned.
        """
        orders: list[Order] = []
        problems: list[BadDocument] = []
        for result in self.results(raw):
            if result.order is not None:
                orders.append(result.order)
            elif result.problem is not None:
                problems.append(result.problem)
        return orders, problems

    def results(self, raw: RawDocument) -> list[MessageResult]:
        """One :class:`MessageResult` per message (for acknowledgements and the intake).

        Raises:
            BadDocument: for a fault of the interchange itself.
        """
        try:
            if len(raw.content) > max_interchange_bytes():
                raise _too_big(len(raw.content))
            results = list(iter_results(io.BytesIO(raw.content), raw=raw))
        except BadDocument as error:
            raise error.with_source(raw.name) from None
        for result in results:
            if result.problem is not None:
                result.problem.with_source(raw.name)
        return results

    def on_stored(self, session: Session, raw: RawDocument, orders: list[Order]) -> None:
        """Once the orders are queued: queue the acknowledgement the partner asked for.

        Called by the order handler in the same transaction, so the acknowledgement is
        sent if and only if the orders were stored.
        """
        from connectors.edi.partners import queue_acknowledgement  # imports this module

        queue_acknowledgement(session, raw, orders[0].source.sender if orders else None)

    def on_failed(self, session: Session, raw: RawDocument, error: BadDocument) -> None:
        """When no order could be read: a CONTRL rejecting the interchange, if the sender
        is a partner who asked for acknowledgements (in the intake's failure transaction)."""
        from connectors.edi.partners import queue_acknowledgement  # imports this module

        try:
            sender = self.header(raw).sender
        except BadDocument:
            return  # not even UNB is readable: nobody to answer
        queue_acknowledgement(session, raw, sender)

    def header(self, raw: RawDocument) -> InterchangeHeader:
        """The UNB of an interchange, read without reading the messages.

        Raises:
            BadDocument: when the document does not start with a readable UNB.
        """
        walker = EnvelopeWalker(io.BytesIO(raw.content), detect_syntax(raw.head))
        return walker.read_header()


def _too_big(size: int) -> BadDocument:
    limit = max_interchange_bytes()
    return BadDocument(
        f"interchange of {size / 1048576:.1f} MiB exceeds the {limit / 1048576:.0f} MiB limit "
        f"(O2C_EDI_MAX_BYTES)",
        code="TOO_LARGE",
    )


def iter_results(
    stream: IO[bytes], *, raw: RawDocument | None = None, sha256: str | None = None
) -> Iterator[MessageResult]:
    """Stream an interchange message by message, keeping memory flat.

    Args:
        stream: The interchange bytes (a file opened in binary mode, or ``BytesIO``).
        raw: The document, for the ``source`` block (sha256, received_at).
        sha256: The document hash when no ``raw`` is given.

    Raises:
        BadDocument: for a fault of the interchange itself. A consumer that has already
            used earlier results must treat the whole document as failed.
    """
    head = stream.read(_HEAD)
    syntax = detect_syntax(head)
    stream.seek(0)
    walker = EnvelopeWalker(_Capped(stream, max_interchange_bytes()), syntax)
    for item in walker.messages():
        assert walker.header is not None
        if item.problem is not None:
            yield MessageResult(item.ref, item.type, problem=item.problem, header=item.header)
            continue
        yield _map(item, _source(walker.header, item, raw, sha256))


def _map(message: EdifactMessage, source: dict[str, Any]) -> MessageResult:
    result = MessageResult(message.ref, message.type, header=message.header)
    try:
        result.order = OrderMapper(message, source).map()
    except BadDocument as problem:
        result.problem = problem
    return result


def _source(
    header: InterchangeHeader,
    message: EdifactMessage,
    raw: RawDocument | None,
    sha256: str | None,
) -> dict[str, Any]:
    return {
        "channel": "edi",
        "document_ref": f"{header.reference}/{message.ref}",
        "sender": header.sender or None,
        "received_at": raw.received_at if raw else None,
        "sha256": raw.sha256 if raw else sha256 or "0" * 64,
    }


class _Capped(io.RawIOBase):
    """A reader that refuses to go past the interchange size cap."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._read += len(chunk)
        if self._read > self._limit:
            raise _too_big(self._read)
        return chunk
