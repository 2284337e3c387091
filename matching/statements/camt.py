"""ISO 20022 CAMT.053 (statements) and CAMT.054 (debit/credit notifications).

Versions .001.02 to .001.08 share the element names this reader uses; where they differ
(``TxDtls/Amt`` from .04 on, ``AmtDtls/TxAmt/Amt`` before; ``Dbtr/Pty/Nm`` in .08,
``Dbtr/Nm`` before; ``BICFI`` from .04, ``BIC`` before) both are read. The namespace is
taken from the root element, so any prefix works.

The file is streamed with :func:`hub.safe_xml.iterparse` (no DTD, no entity expansion):
each ``Ntry`` is read when it closes and then dropped, so memory stays flat on
statements of hundreds of megabytes. A batch entry whose ``TxDtls`` carry their own
amounts adding up to the entry's becomes one transaction per ``TxDtls``; otherwise the
entry is one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO

from lxml import etree

from hub import safe_xml
from hub.errors import BadDocument
from matching.statements.camt_entry import Element, Entry, Paths
from matching.statements.common import iso_date
from matching.statements.model import BankTransaction, Statement

_CONTAINERS = ("Stmt", "Ntfctn", "Rpt")
_CLOSED = re.compile(rb"</([\w.-]+:)?Document>\s*$")
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)


def read(stream: IO[bytes], fmt: str = "camt.053") -> Iterator[BankTransaction | Statement]:
    """Stream a CAMT document: each statement's transactions, then the statement.

    Yields:
        The :class:`BankTransaction` of each entry as it is read, then the
        :class:`Statement` (with an empty ``transactions`` list) when it closes.

    Raises:
        BadDocument: naming the XPath of the element at fault.
    """
    tags = tuple(f"{{*}}{name}" for name in ("Ntry", *_CONTAINERS))
    reader: _Reader | None = None
    tail = _Tail(stream)
    try:
        for element in safe_xml.iterparse(tail, tags):  # type: ignore[arg-type]
            if reader is None:
                reader = _Reader(etree.QName(element).namespace or "", fmt)
            yield from reader.element(element)
    except BadDocument as error:
        if "DOCTYPE" in error.reason:
            error.code = "HOSTILE_XML"
        elif tail.truncated():
            error.code = "TRUNCATED"
            error.reason = f"file ends before the document does ({error.reason})"
        raise
    if reader is None:
        raise BadDocument("no CAMT statement or notification found", code="TRUNCATED")


@dataclass
class _Container:
    """The statement being read: its header, taken when its first entry closes."""

    element: Element
    location: str
    account: str = ""
    currency: str | None = None
    statement_date: date | None = None
    entries: int = 0


class _Reader(Paths):
    def __init__(self, ns: str, fmt: str) -> None:
        super().__init__(ns)
        self.fmt = fmt
        self.ntry = f"{{{ns}}}Ntry" if ns else "Ntry"
        self.containers = 0
        self.current: _Container | None = None

    def element(self, element: Element) -> Iterable[BankTransaction | Statement]:
        """What a closed ``Ntry`` or statement gives; the element is dropped once read
        (its fields are copied out, so a batch's transactions can follow lazily)."""
        if element.tag != self.ntry:
            container = self._container(element)
            statement = self.statement(element, container)
            self.current = None
            element.clear()
            return (statement,)
        parent = element.getparent()
        current = self.current
        container = current if current is not None and current.element is parent else (
            self._container(parent))
        container.entries += 1
        found = self.entry(element, container, f"{container.location}/Ntry[{container.entries}]")
        element.clear()
        # Drop the entry read before this one so the tree never grows; the header
        # elements (Acct, Bal) before the first entry stay for the closing balance.
        previous = element.getprevious()
        if previous is not None and previous.tag == self.ntry and parent is not None:
            parent.remove(previous)
        return found

    def _container(self, element: Element | None) -> _Container:
        if element is None:  # pragma: no cover - an Ntry always has a parent
            raise BadDocument("entry outside a statement", code="UNREADABLE_DOCUMENT")
        if self.current is None or self.current.element is not element:
            self.containers += 1
            local = etree.QName(element).localname
            location = f"{_root_path(element)}/{local}[{self.containers}]"
            self.current = self.header(element, location)
        return self.current

    def header(self, element: Element, location: str) -> _Container:
        account = (
            self.text(element, "Acct/Id/IBAN") or self.text(element, "Acct/Id/Othr/Id") or ""
        )
        if not account:
            raise BadDocument(
                "statement has no account (Acct/Id)", location=location, code="MISSING_FIELD"
            )
        created = self.text(element, "CreDtTm")
        return _Container(
            element=element,
            location=location,
            account=account.replace(" ", ""),
            currency=self.text(element, "Acct/Ccy"),
            statement_date=iso_date(created, location=f"{location}/CreDtTm") if created else None,
        )

    def statement(self, element: Element, container: _Container) -> Statement:
        location = container.location
        opening = closing = None
        currency = container.currency
        seen: list[str] = []
        for index, bal in enumerate(element.iterfind(self.p("Bal")), 1):
            code = self.text(bal, "Tp/CdOrPrtry/Cd")
            where = f"{location}/Bal[{index}]"
            signed = self.amount(bal, "Amt", where)
            if signed is None:
                raise BadDocument("balance has no amount", location=where, code="MISSING_FIELD")
            amount, ccy = signed
            when = self.text(bal, "Dt/Dt") or self.text(bal, "Dt/DtTm")
            day = iso_date(when, location=f"{where}/Dt") if when else None
            if code in _OPENING and opening is None:
                opening = (amount, day)
            elif code in _CLOSING:
                closing = (amount, day)
            else:
                continue
            currency = currency or ccy
            seen.append(ccy)
        return Statement(
            account=container.account,
            statement_ref=self.text(element, "Id") or "",
            format=self.fmt,
            currency=currency,
            statement_date=container.statement_date or (closing[1] if closing else None),
            opening_balance=opening[0] if opening else None,
            closing_balance=closing[0] if closing else None,
            opening_date=opening[1] if opening else None,
            closing_date=closing[1] if closing else None,
            interim=self.fmt != "camt.053",
            balance_currencies=tuple(dict.fromkeys(seen)),
            location=location,
        )

    def entry(
        self, ntry: Element, container: _Container, location: str
    ) -> Iterable[BankTransaction]:
        return Entry(self, ntry, container.account, container.statement_date, location).read()


def _root_path(element: Element) -> str:
    names = []
    parent = element.getparent()
    while parent is not None:
        names.append(etree.QName(parent).localname)
        parent = parent.getparent()
    return "/" + "/".join(reversed(names))


class _Tail:
    """Passes reads through, keeping the last bytes: a document that does not end with
    its closing root tag was cut short (truncated), whatever libxml2 says about it.

    ``peek`` lets :func:`hub.safe_xml.iterparse` check the prolog for a DOCTYPE on any
    stream, including ``BytesIO`` which has no ``peek`` of its own.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.ahead = b""
        self.last = b""

    def peek(self, size: int) -> bytes:
        if len(self.ahead) < size:
            self.ahead += self.stream.read(size - len(self.ahead))
        return self.ahead

    def read(self, size: int = -1) -> bytes:
        if self.ahead:
            chunk, self.ahead = (self.ahead, b"") if size < 0 else (
                self.ahead[:size], self.ahead[size:])
        else:
            chunk = self.stream.read(size)
        if chunk:
            self.last = (self.last + chunk)[-256:]
        return chunk

    def truncated(self) -> bool:
        rest = self.ahead + self.stream.read()
        return not _CLOSED.search((self.last + rest)[-256:])
