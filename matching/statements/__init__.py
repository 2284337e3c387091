"""Bank statement parsers, one per format, all producing :mod:`matching.statements.model`.

The entry points:

* :func:`detect` names the format of some bytes from their content;
* :func:`parse` reads a whole file into checked :class:`Statement` objects;
* :func:`stream` reads entry by entry, checking as it goes, for files too large to hold.

Formats: ``camt.053``, ``camt.054`` (ISO 20022, versions .001.02 to .001.08), ``mt940``,
``mt942`` (SWIFT), ``cfonb120`` (French banks), ``bai2`` (US banks).

A file that cannot be accepted raises :class:`hub.errors.BadDocument` naming the file,
the line (or record, or XPath) and the reason, with one of these codes: ``TRUNCATED``,
``BAD_BALANCE``, ``MIXED_CURRENCY``, ``UNKNOWN_CURRENCY``, ``BAD_DECIMALS``, ``BAD_DATE``,
``BAD_AMOUNT``, ``BAD_RECORD``, ``BAD_RECORD_LENGTH``, ``FIELD_OUT_OF_ORDER``,
``MISSING_FIELD``, ``HOSTILE_XML``, ``UNKNOWN_FORMAT`` (and, on import,
``UNKNOWN_ACCOUNT`` from :mod:`matching.importer`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import IO

from hub import safe_xml
from hub.errors import BadDocument
from matching.statements import bai2, camt, cfonb, mt940
from matching.statements.checks import StatementCheck
from matching.statements.model import BankTransaction, Statement

__all__ = ["FORMATS", "BankTransaction", "Statement", "detect", "parse", "stream"]

Reader = Callable[[IO[bytes], str], Iterator[BankTransaction | Statement]]
FORMATS: dict[str, Reader] = {
    "camt.053": camt.read,
    "camt.054": camt.read,
    "mt940": mt940.read,
    "mt942": mt940.read,
    "cfonb120": cfonb.read,
    "bai2": bai2.read,
}
_HEAD = 8192
_MT_TAG = re.compile(rb"^:20:", re.MULTILINE)
_MT_ACCOUNT = re.compile(rb"^:25:", re.MULTILINE)
_MT942 = re.compile(rb"\{2:[IO]942|^:34F:", re.MULTILINE)
_CFONB = re.compile(rb"^01\d{5}[ 0-9A-Z]{4}\d{5}[A-Z]{3}\d")
# A BAI2 file header: 01,sender,receiver,date,time (a damaged header "00," still says
# BAI2, so that its reader can name what is wrong); loose enough for "14:59:35" times,
# tight enough that a CSV order sheet never looks like one.
_BAI2 = re.compile(rb"^0[01],[^,\r\n]*,[^,\r\n]*,[0-9/]{6,8},[0-9:]{4,8},")


def detect(raw: bytes) -> str | None:
    """The statement format of ``raw`` from its content, or None.

    Reads only the first few kilobytes; never raises.
    """
    head = raw[:_HEAD].lstrip(b"\xef\xbb\xbf").lstrip(b"\r\n\t ")
    root = safe_xml.root_name(head) if safe_xml.looks_like_xml(head) else None
    if root is not None:
        namespace = root[0] or ""
        for name in ("camt.053", "camt.054"):
            if f":{name}." in namespace or namespace.endswith(name):
                return name
        return None
    if _CFONB.match(head):
        return "cfonb120"
    if _MT_TAG.search(head) and _MT_ACCOUNT.search(head):
        return "mt942" if _MT942.search(head) else "mt940"
    if _BAI2.match(head):
        return "bai2"
    return None


def stream(
    source: IO[bytes], fmt: str, name: str, *, check: bool = True
) -> Iterator[BankTransaction | Statement]:
    """Read a statement file entry by entry, in constant memory.

    Yields each :class:`BankTransaction` as it is read, then its :class:`Statement`
    (whose ``transactions`` list stays empty) once the statement's end is read and,
    with ``check``, its currency and balances verified.

    Args:
        source: A binary file object, read once from where it stands.
        fmt: One of :data:`FORMATS` (see :func:`detect`).
        name: The file name, for error messages.
        check: Verify currencies, decimals and balances (see
            :mod:`matching.statements.checks`). Off only to inspect a faulty file.

    Raises:
        BadDocument: naming ``name``, the line or XPath, and the reason.
    """
    reader = FORMATS.get(fmt)
    if reader is None:
        raise BadDocument(f"unknown statement format {fmt!r}", source=name,
                          code="UNKNOWN_FORMAT")
    checker = StatementCheck()
    try:
        for item in reader(source, fmt):
            if not check:
                pass
            elif isinstance(item, BankTransaction):
                checker.add(item)
            else:
                checker.close(item)
                checker = StatementCheck()
            yield item
    except BadDocument as error:
        raise error.with_source(name) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise BadDocument(f"unreadable {fmt} file: {error}", source=name) from None


def parse(raw: bytes, name: str, *, check: bool = True, fmt: str | None = None) -> list[Statement]:
    """Parse a whole statement file into checked statements with their transactions.

    Args:
        raw: The file's bytes.
        name: The file name, for error messages.
        check: Verify currencies, decimals and balances.
        fmt: The format, when known; detected from the content otherwise.

    Raises:
        BadDocument: ``UNKNOWN_FORMAT`` when the content is no statement format o2c
            reads, else the first problem found, with its line or XPath.
    """
    fmt = fmt or detect(raw)
    if fmt is None and safe_xml.looks_like_xml(raw[:512]):
        try:
            safe_xml.refuse_doctype(raw)
        except BadDocument as error:
            error.code = "HOSTILE_XML"
            raise error.with_source(name) from None
    if fmt is None:
        raise BadDocument(
            "not a bank statement o2c reads (CAMT.053/054, MT940/942, CFONB 120, BAI2)",
            source=name, code="UNKNOWN_FORMAT",
        )
    statements: list[Statement] = []
    pending: list[BankTransaction] = []
    for item in stream(io.BytesIO(raw), fmt, name, check=check):
        if isinstance(item, BankTransaction):
            pending.append(item)
        else:
            item.transactions = pending
            statements.append(item)
            pending = []
    return statements
