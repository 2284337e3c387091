"""Small readers over a parsed trade XML document (UBL, CII): text, amounts, paths.

Paths name elements by the trade's usual prefixes (``cac:``, ``cbc:``, ``ram:``) whatever
prefixes the sender chose, so errors point at ``/Order/cac:OrderLine[2]/...``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree
from lxml.etree import _Element as Element

from connectors.edi.values import edi_decimal, edifact_date, iso_date
from hub.errors import BadDocument


def starts_like_xml(content: bytes) -> bool:
    """Whether bytes open like XML: a ``<`` after an optional BOM and white space.

    Wider than :func:`hub.safe_xml.looks_like_xml`, which turns down a leading comment;
    Order-X samples from the FNFE-MPE open with one.
    """
    return content[:512].lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"<")


class XmlReader:
    """Reads one document with a fixed prefix map.

    Args:
        namespaces: prefix -> namespace, used both to find elements and to write paths.
    """

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.ns = namespaces
        self._prefixes = {uri: prefix for prefix, uri in namespaces.items()}

    def find(self, element: Element | None, path: str) -> Element | None:
        """The first element at ``path`` under ``element``."""
        if element is None:
            return None
        return element.find(path, namespaces=self.ns)

    def findall(self, element: Element | None, path: str) -> list[Element]:
        """Every element at ``path`` under ``element``."""
        if element is None:
            return []
        return list(element.iterfind(path, namespaces=self.ns))

    def text(self, element: Element | None, path: str = ".") -> str | None:
        """The stripped text at ``path``, None when absent or empty."""
        found = self.find(element, path) if path != "." else element
        if found is None or found.text is None:
            return None
        return " ".join(found.text.split()) or None

    def where(self, element: Element) -> str:
        """An XPath-like location naming the element, e.g. ``/Order/cac:OrderLine[2]``."""
        steps: list[str] = []
        node: Element | None = element
        while node is not None:
            steps.append(self._step(node))
            node = node.getparent()
        return "/" + "/".join(reversed(steps))

    def _step(self, node: Element) -> str:
        qname = etree.QName(node)
        prefix = self._prefixes.get(qname.namespace or "")
        parent = node.getparent()
        name = f"{prefix}:{qname.localname}" if prefix and parent is not None else qname.localname
        if parent is None:
            return name
        same = [sibling for sibling in parent if sibling.tag == node.tag]
        return f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name

    def decimal(self, element: Element | None, path: str, what: str) -> Decimal | None:
        """The number at ``path``, None when absent.

        Raises:
            BadDocument: naming the element when the text is not a number.
        """
        found = self.find(element, path)
        if found is None or not (found.text or "").strip():
            return None
        return edi_decimal(found.text or "", location=self.where(found), what=what)

    def date(self, element: Element | None, path: str) -> date | None:
        """An ISO date (UBL) or a CII ``DateTimeString`` with its format, None when absent.

        Raises:
            BadDocument: naming the element for an invalid date.
        """
        found = self.find(element, path)
        if found is None or not (found.text or "").strip():
            return None
        text = (found.text or "").strip()
        fmt = found.get("format")
        if fmt:
            try:
                return edifact_date(text, fmt, location=self.where(found))
            except ValueError:
                raise BadDocument(
                    f"date format {fmt} is not supported", location=self.where(found)
                ) from None
        return iso_date(text[:10], location=self.where(found))
