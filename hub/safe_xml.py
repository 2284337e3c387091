"""XML parsing that hostile documents cannot abuse.

Every XML document o2c reads (UBL, Order-X, CAMT) goes through here. A document
type declaration is refused outright: trade XML never needs one, and refusing it closes
entity expansion ("billion laughs"), external entities and DTD fetching in one rule.
lxml is used for speed (CAMT files reach hundreds of megabytes); its own entity
resolution and network access are switched off as a second line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from hub.errors import BadDocument

_PROLOG_LIMIT = 64 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")


def _parser(**kwargs: Any) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, **kwargs
    )


def refuse_doctype(prolog: bytes) -> None:
    """Raise when the bytes before the root element declare a DTD or entities.

    Raises:
        BadDocument: naming the reason.
    """
    head = prolog[:_PROLOG_LIMIT]
    root = _ROOT_START.search(head)
    before_root = head[: root.start()] if root else head
    if _DOCTYPE.search(before_root):
        raise BadDocument(
            "XML with a DOCTYPE or entity declaration is refused (entity expansion risk)",
            location="prolog",
        )


def looks_like_xml(head: bytes) -> bool:
    """Whether the bytes start like an XML document (after a BOM and white space)."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"<?xml") or (text.startswith(b"<") and not text.startswith(b"<!--"))


def root_name(content: bytes) -> tuple[str | None, str] | None:
    """The namespace and local name of the root element, or None when not XML.

    Cheap: reads only until the root element opens, and never raises.
    """
    if not looks_like_xml(content[:512]):
        return None
    try:
        refuse_doctype(content)
        for _event, element in etree.iterparse(
            _BytesReader(content), events=("start",), resolve_entities=False, no_network=True
        ):
            qname = etree.QName(element)
            return qname.namespace, qname.localname
    except (etree.XMLSyntaxError, BadDocument):
        return None
    return None


def parse(content: bytes) -> etree._Element:
    """Parse a whole XML document.

    Raises:
        BadDocument: for a DTD, or a syntax error with its line.
    """
    refuse_doctype(content)
    try:
        return etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise BadDocument(f"malformed XML: {exc.msg}", location=f"line {exc.lineno}") from None


def iterparse(stream: IO[bytes], tag: str | tuple[str, ...]) -> Iterator[etree._Element]:
    """Stream the elements named ``tag`` (Clark notation ``{ns}name`` or a bare name).

    The caller must ``clear()`` each element it is done with to keep memory flat.

    Raises:
        BadDocument: for a DTD, or a syntax error with its line.
    """
    refuse_doctype(stream.peek(_PROLOG_LIMIT) if hasattr(stream, "peek") else b"")
    try:
        for _event, element in etree.iterparse(
            stream,
            events=("end",),
            tag=tag,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        ):
            yield element
    except etree.XMLSyntaxError as exc:
        raise BadDocument(f"malformed XML: {exc.msg}", location=f"line {exc.lineno}") from None


class _BytesReader:
    """A minimal file object over bytes, so iterparse can stop after the root opens."""

    def __init__(self, content: bytes) -> None:
        self._content = content
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        size = 8192 if size < 0 else min(size, 8192)
        chunk = self._content[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk
