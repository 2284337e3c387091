"""BAI2 (Cash Management Balance Reporting), the US banks' format, at detail level.

Records: ``01`` file header, ``02`` group (as-of date, default currency), ``03`` account
(currency and summary amounts by type code: ``010`` opening ledger, ``015`` closing
ledger), ``16`` transaction detail, ``88`` continuation of the record before it, ``49``
account trailer, ``98`` group trailer, ``99`` file trailer. A record ends with ``/``,
except that the free text of a ``16`` (and its ``88`` continuations) runs to the end of
the record; several records may share one physical line; some banks leave the ``/``
off trailers. Amounts carry no decimal point: the currency's minor unit places it.
Detail type codes 100-399 (and 900-959) are credits, 400-699 (and 960-999) debits.

An account is one :class:`Statement`; without ``010``/``015`` balances it is an
interim report (no balance check), as most intraday BAI2 files are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO

from hub.errors import BadDocument
from matching.statements.checks import minor_units
from matching.statements.common import clean, find_creditor_reference, yymmdd
from matching.statements.model import BankTransaction, Statement

_SPLIT = re.compile(r"(?<=/)\s+(?=(?:01|02|03|16|49|88|98|99),)")
_FUNDS_EXTRA = {"S": 3, "V": 2}
_CODE = re.compile(r"^\d{2}$")


@dataclass
class _Record:
    code: str
    text: str
    line: int
    more: list[str] = field(default_factory=list)


@dataclass
class _State:
    file_id: str = ""
    as_of: date | None = None
    group_currency: str | None = None
    account: _Record | None = None
    details: list[_Record] = field(default_factory=list)
    ended: bool = False


def read(stream: IO[bytes], fmt: str = "bai2") -> Iterator[BankTransaction | Statement]:
    """Stream a BAI2 file: each account's details, then the account as a statement.

    Raises:
        BadDocument: naming the line, for a missing file header, a record out of
            place, a malformed amount or date, or a file without its trailer ``99``.
    """
    state = _State()
    last = 0
    for index, record in enumerate(_records(stream)):
        last = record.line
        if index == 0 and record.code != "01":
            raise BadDocument(
                f"a BAI2 file starts with a file header record 01, not {record.code!r}",
                location=f"line {record.line}", code="BAD_RECORD",
            )
        yield from _record(state, record, fmt)
    if not state.ended:
        raise BadDocument(
            "file ends without its trailer record 99", location=f"line {last}",
            code="TRUNCATED",
        )


def _records(stream: IO[bytes]) -> Iterator[_Record]:
    """Logical records, with ``88`` continuations already joined to their record.

    A physical line that does not open with a record code (a bank that wrapped a long
    text, or wrote ``88:``) continues the record before it.
    """
    pending: _Record | None = None
    for number, raw in enumerate(stream, 1):
        line = _decode(raw).strip()
        for piece in _SPLIT.split(line) if line else []:
            code, comma, rest = piece.partition(",")
            if pending is not None and (code == "88" or not (comma and _CODE.match(code))):
                more = rest if code == "88" and comma else piece
                _continue(pending, more)
                continue
            if pending is not None:
                yield pending
            pending = _Record(code, rest, number)
    if pending is not None:
        yield pending


def _decode(raw: bytes) -> str:
    """A line's text: UTF-8 when it is valid UTF-8, else Latin-1.

    BAI2 is specified as ASCII, but banks and treasury systems write names with accents
    in either encoding; a UTF-8 line read as Latin-1 would turn "Hôtel" into "HÃ´tel"
    and no longer match the customer's name.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _continue(record: _Record, more: str) -> None:
    """A continuation adds fields to a summary record, or text to a detail."""
    if record.code == "16":
        record.more.append(more.strip().removesuffix("/"))
    else:
        record.text = f"{record.text.rstrip().removesuffix('/')},{more}"


def _fields(record: _Record) -> list[str]:
    return record.text.strip().removesuffix("/").split(",")


def _record(state: _State, record: _Record, fmt: str) -> Iterator[BankTransaction | Statement]:
    where = f"line {record.line}"
    fields = _fields(record)
    if record.code == "01":
        state.file_id = fields[4] if len(fields) > 4 else ""
    elif record.code == "02":
        state.as_of = yymmdd(fields[3], location=where) if len(fields) > 3 else None
        state.group_currency = (fields[5] if len(fields) > 5 else "").strip() or None
    elif record.code == "03":
        _expect(state.account is None, "account record 03 before the previous account's 49",
                where)
        state.account, state.details = record, []
    elif record.code == "16":
        _expect(state.account is not None, "detail record 16 outside an account", where)
        state.details.append(record)
    elif record.code == "49":
        _expect(state.account is not None, "account trailer 49 without an account", where)
        yield from _account(state, fmt)
    elif record.code == "99":
        state.ended = True
    elif record.code != "98":
        raise BadDocument(f"unknown record code {record.code!r}", location=where,
                          code="BAD_RECORD")


def _expect(condition: bool, reason: str, where: str) -> None:
    if not condition:
        raise BadDocument(reason, location=where, code="BAD_RECORD")


def _account(state: _State, fmt: str) -> Iterator[BankTransaction | Statement]:
    record, state.account = state.account, None
    assert record is not None
    where = f"line {record.line}"
    fields = _fields(record)
    account = fields[0].strip()
    if not account:
        raise BadDocument("account record 03 without an account number", location=where,
                          code="MISSING_FIELD")
    currency = (fields[1] if len(fields) > 1 else "").strip() or state.group_currency or "USD"
    units = minor_units(currency, location=where)
    if state.as_of is None:
        raise BadDocument("group header 02 without an as-of date", location=where,
                          code="MISSING_FIELD")
    summary = _summary(fields[2:], units, where)
    for detail in state.details:
        yield _detail(detail, account, currency, units, state.as_of)
    opening, closing = summary.get("010"), summary.get("015")
    yield Statement(
        account=account,
        statement_ref=f"{state.file_id}/{state.as_of.isoformat()}",
        format=fmt,
        currency=currency,
        statement_date=state.as_of,
        opening_balance=opening,
        closing_balance=closing,
        interim=opening is None or closing is None,
        location=where,
    )


def _amount(text: str, units: int, where: str) -> Decimal:
    cleaned = text.strip()
    if not re.fullmatch(r"[+-]?\d+", cleaned):
        raise BadDocument(f"invalid amount {text!r}", location=where, code="BAD_AMOUNT")
    return Decimal(int(cleaned)).scaleb(-units)


def _summary(fields: list[str], units: int, where: str) -> dict[str, Decimal]:
    """Type code → amount from an ``03`` record's repeating groups (type, amount, item
    count, funds type and its extras); empty groups and stray empty fields are skipped."""
    found: dict[str, Decimal] = {}
    i = 0
    while i + 1 < len(fields):
        code, amount = fields[i].strip(), fields[i + 1].strip()
        if not (code.isdigit() and amount):
            i += 1
            continue
        found.setdefault(code, _amount(amount, units, where))
        funds = fields[i + 3].strip() if i + 3 < len(fields) else ""
        i += 4 + _extra(funds, fields, i + 4)
    return found


def _extra(funds: str, fields: list[str], at: int) -> int:
    """How many fields the funds type adds after itself."""
    if funds == "D" and at < len(fields) and fields[at].strip().isdigit():
        return 1 + 2 * int(fields[at])
    return _FUNDS_EXTRA.get(funds, 0)


def _detail(
    record: _Record, account: str, currency: str, units: int, as_of: date
) -> BankTransaction:
    where = f"line {record.line}"
    fields = record.text.strip().removesuffix("/").split(",")
    if len(fields) < 3:
        raise BadDocument("detail record 16 with too few fields", location=where,
                          code="BAD_RECORD")
    code, funds = fields[0].strip(), fields[2].strip()
    amount = _amount(fields[1], units, where)
    extra = _extra(funds, fields, 3)
    value_date = None
    if funds == "V" and len(fields) > 3 and fields[3].strip():
        value_date = yymmdd(fields[3].strip(), location=where)
    rest = fields[3 + extra:]
    bank_ref = rest[0].strip() if rest else ""
    customer_ref = rest[1].strip() if len(rest) > 1 else ""
    text = clean(" ".join([",".join(rest[2:]), *record.more]))
    if not code.isdigit():
        raise BadDocument(f"invalid type code {code!r}", location=where, code="BAD_RECORD")
    number = int(code)
    debit = 400 <= number < 700 or number >= 960
    return BankTransaction(
        account=account,
        bank_reference=bank_ref or customer_ref,
        booking_date=as_of,
        amount=-amount if debit else amount,
        currency=currency,
        value_date=value_date,
        bank_code=code,
        remittance=text,
        structured_reference=find_creditor_reference(text),
        customer_reference=customer_ref or None,
        location=where,
    )
