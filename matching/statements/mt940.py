"""SWIFT MT940 (customer statement) and MT942 (interim report).

Why not the installed ``mt-940`` library (WoLpH, import name ``mt940``)? It parses
amounts as Decimal and knows many bank quirks, but it runs one regular expression over
the whole decoded file (the file must fit in memory twice), reports no line numbers,
accepts fields in any order and keeps the ``:86:`` text with its hard wraps. o2c needs
to stream statements of 100,000 entries with flat memory, to reject a field out of
order with its line, and to join remittance cut at 65 or 27 characters. So this is our
own reader, line by line; the library stays as the oracle our tests compare against.

Accepted around the messages: SWIFT FIN envelopes (``{1:...}{2:O940...}{4:`` ... ``-}``),
bank export headers before the first ``:20:`` (``:940:``, ``ABNANL2A``, ``0000 01...``),
``-`` between messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import IO, TypeAlias

from hub.errors import BadDocument
from matching.statements.checks import is_currency
from matching.statements.common import decimal_of, make_date, yymmdd
from matching.statements.model import BankTransaction, Statement
from matching.statements.mt940_details import Details, parse_details

_TAG = re.compile(r"^:(\d{2}[A-Z]?|[A-Z]{2}):")
_BLOCK = re.compile(r"\{[1-3]:(?:[^{}]|\{[^{}]*\})*\}")
_BALANCE = re.compile(r"^([CD])(\d{6})([A-Z]{3})?([\d,]{1,17})$")
_FLOOR = re.compile(r"^([A-Z]{3})([CD]?)([\d,]{1,17})$")
_LINE61 = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?\s*(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"[ \n]?(?P<amount>[\d,]{1,15})(?P<type>[A-Z][A-Z0-9 ]{3})?"
    r"(?P<custref>(?:(?!//)[^\n]){0,16})(?://(?P<bankref>[^\n]{0,23}))?"
    r"(?P<extra>[\s\S]*)$"
)
# A :61: statement line read: account, bank reference, booking date, amount, currency,
# value date, transaction type, customer reference, reversal, location, extra details.
_Line: TypeAlias = tuple[
    str, str, date, Decimal, str, date, "str | None", "str | None", bool, str, "str | None"]
_NO_DETAILS = Details()
# Fields that end the transaction before them and may themselves be malformed.
_ENDS_ENTRY = ("61", "62F", "62M")
_IBAN_CCY = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{8,30}?)([A-Z]{3})$")
# Field ranks: a field may not come after one of a higher rank within a message.
_RANK = {
    "20": 0, "21": 1, "25": 2, "28": 3, "28C": 3,
    "60F": 4, "60M": 4, "34F": 4, "13": 4, "13D": 4,
    "61": 5, "62F": 6, "62M": 6, "90D": 6, "90C": 6, "64": 7, "65": 8,
}


class _Field:
    """One ``:tag:`` field with its physical lines (the tag taken off the first)."""

    __slots__ = ("line", "lines", "tag")

    def __init__(self, tag: str, lines: list[str], line: int) -> None:
        self.tag, self.lines, self.line = tag, lines, line

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Message:
    """The statement being read and the transaction waiting for its ``:86:``."""

    line: int
    fmt: str
    reference: str = ""
    account: str = ""
    currency: str | None = None
    number: str | None = None
    opening: tuple[Decimal, date] | None = None
    closing: tuple[Decimal, date] | None = None
    rank: int = 0
    pending: _Line | None = None
    details: Details | None = None
    info: list[str] = field(default_factory=list)


def read(stream: IO[bytes], fmt: str = "mt940") -> Iterator[BankTransaction | Statement]:
    """Stream MT940/MT942 messages: each message's transactions, then its statement.

    Raises:
        BadDocument: with the line, for a field out of order, a malformed field or a
            file that ends inside a message.
    """
    reader = _Reader(fmt)
    for item in _fields(stream):
        if found := reader.field(item):
            yield from found
    yield from reader.close(reader.last_line)


def _decode(raw: bytes) -> str:
    # The library's order: UTF-8, else CP852 (which maps every byte).
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp852")


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            line = _decode(raw).rstrip("\r\n")
        if number == 1:
            line = line.lstrip("\ufeff")
        if line[:1] == "{":
            line = _BLOCK.sub("", line).removeprefix("{4:")
        yield number, line


def _ends_message(line: str, following: str | None, tag: str | None) -> bool:
    """A ``-`` line ends a message, unless a bank's hard wrap put it inside a field
    (then the next line is neither a field, a new envelope nor the end)."""
    stripped = line.strip()
    if stripped.startswith("-}"):
        return True
    if stripped != "-":
        return False
    if tag not in ("61", "86"):
        return True
    return following is None or not following.strip() or following.startswith((":", "{"))


def _fields(stream: IO[bytes]) -> Iterator[_Field | int]:
    """Fields with their physical lines; an int (the line number) marks a message end."""
    current: _Field | None = None
    lines = _lines(stream)
    ahead = next(lines, None)
    while ahead is not None:
        number, line = ahead
        ahead = next(lines, None)
        # Only a line whose first visible character is "-" can end a message, only
        # one starting with ":" can open a field: most lines are neither.
        if line.lstrip()[:1] == "-" and _ends_message(
            line, ahead[1] if ahead else None, current.tag if current else None
        ):
            if current:
                yield current
            current = None
            yield number
        elif line[:1] == ":" and (match := _TAG.match(line)):
            if current:
                yield current
            current = _Field(match.group(1), [line[match.end():]], number)
        elif current is not None:
            current.lines.append(line)
    if current:
        yield current


class _Reader:
    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.message: _Message | None = None
        self.last_line = 0

    def field(self, item: _Field | int) -> Iterable[BankTransaction | Statement]:
        """What a field completes: the transaction before it, or the whole message."""
        if isinstance(item, int):
            self.last_line = item
            return self.close(item)
        self.last_line = item.line
        if item.tag == "20":
            closed = self.close(item.line)
            self.message = _Message(line=item.line, fmt=self.fmt, reference=item.text.strip())
            return closed
        message = self.message
        if message is None:
            if item.tag in _RANK or item.tag == "86":
                raise BadDocument(
                    f"field :{item.tag}: before the :20: that opens a message",
                    location=f"line {item.line}", code="FIELD_OUT_OF_ORDER",
                )
            return ()
        self.check_order(message, item)
        if item.tag in _ENDS_ENTRY:
            return self.after(message, item)
        done = self.apply(message, item)
        return (done,) if done else ()

    def after(self, message: _Message, item: _Field) -> Iterator[BankTransaction]:
        """Hand over the transaction waiting for its end, then read the field that
        ended it: a problem in the field comes after any in that transaction."""
        done = self.flush(message)
        if done is not None:
            yield done
        if item.tag == "61":
            message.pending = self.line61(item, message)
        else:
            message.closing = self.balance(item, message)

    def check_order(self, message: _Message, item: _Field) -> None:
        rank = _RANK.get(item.tag)
        if item.tag == "86":
            return
        if rank is None:
            return  # fields of other banks' dialects are tolerated and ignored
        if rank < message.rank or (rank == message.rank and rank not in (4, 5, 6, 8)):
            raise BadDocument(
                f"field :{item.tag}: out of order (after a field that must follow it)",
                location=f"line {item.line}",
                code="FIELD_OUT_OF_ORDER",
            )
        if rank >= 4 and not message.account:
            raise BadDocument(
                f"field :{item.tag}: before the account field :25:",
                location=f"line {item.line}", code="FIELD_OUT_OF_ORDER",
            )
        message.rank = rank

    def apply(self, message: _Message, item: _Field) -> BankTransaction | None:
        """Take the field into the message; the transaction it completes, if any."""
        tag = item.tag
        done = None
        if tag == "86":
            if message.pending is not None and message.details is None:
                message.details = parse_details(item.lines)
            else:
                message.info.append(" ".join(item.lines))
        elif tag == "25":
            message.account = _account(item.text, message)
        elif tag in ("28", "28C"):
            message.number = item.text.replace("\n", "").strip()
        elif tag in ("60F", "60M"):
            message.opening = self.balance(item, message)
        elif tag == "34F":
            floor = _FLOOR.match(item.text.strip())
            if floor:
                message.currency = message.currency or floor.group(1)
        elif tag in ("90D", "90C", "64", "65"):
            done = self.flush(message)
        return done

    def balance(self, item: _Field, message: _Message) -> tuple[Decimal, date]:
        where = f"line {item.line}"
        match = _BALANCE.match(item.text.replace("\n", "").strip())
        if not match:
            raise BadDocument(
                f"malformed balance field :{item.tag}: {item.text.strip()!r}",
                location=where, code="BAD_AMOUNT",
            )
        mark, day, currency, amount = match.groups()
        currency = currency or message.currency or ""
        if message.currency and currency != message.currency:
            raise BadDocument(
                f"balance in {currency} on a statement in {message.currency}",
                location=where, code="MIXED_CURRENCY",
            )
        message.currency = currency
        value = decimal_of(amount, location=where)
        return (-value if mark == "D" else value), yymmdd(day, location=where)

    def line61(self, item: _Field, message: _Message) -> _Line:
        where = f"line {item.line}"
        match = _LINE61.match(item.text)
        if not match:
            raise BadDocument(
                f"malformed statement line :61: {item.lines[0]!r}", location=where,
                code="BAD_RECORD",
            )
        value, entry, mark, _funds, number, kind, custref, bankref, extra = match.groups()
        value_date = yymmdd(value, location=where)
        booking = _entry_date(value_date, entry, where) if entry else value_date
        amount = decimal_of(number, location=where)
        if mark in ("D", "RC"):
            amount = -amount
        custref = custref.strip() or None if custref else None
        return (
            message.account, (bankref or "").strip() or custref or "", booking, amount,
            message.currency or "", value_date, (kind or "").strip() or None, custref,
            mark[0] == "R", where,
            # Supplementary details (34x), or what a bank wrote past the 16x reference.
            " ".join(extra.split()) or None if extra else None,
        )

    def flush(self, message: _Message) -> BankTransaction | None:
        pending, found = message.pending, message.details or _NO_DETAILS
        message.pending = message.details = None
        if pending is None:
            return None
        (account, reference, booking, amount, currency, value_date, code, custref, reversal,
         where, extra) = pending
        texts = [extra, *found.texts] if extra else found.texts
        # An empty text in the details counts as none, as the statement line's own.
        return BankTransaction(
            account, reference, booking, amount, currency, value_date,
            found.bank_code or code, found.payer_name or None, found.payer_iban or None,
            found.payer_bic or None, found.end_to_end_id or None, found.remittance or None,
            found.structured_reference or None, found.return_reason or None, None,
            tuple(texts), custref, reversal, where,
        )

    def close(self, line: int) -> list[BankTransaction | Statement]:
        """The open message's last transaction and the message as a statement."""
        message, self.message = self.message, None
        if message is None:
            return []
        if not message.account:
            raise BadDocument(
                f"message {message.reference} has no account field :25:",
                location=f"line {message.line}", code="MISSING_FIELD",
            )
        last = self.flush(message)
        # A missing closing balance is left for the statement checks to report
        # (TRUNCATED), so that a lenient read still returns what the file holds.
        interim = self.fmt == "mt942" or (message.opening is None and message.closing is None)
        statement = Statement(
            account=message.account,
            statement_ref="/".join(x for x in (message.reference, message.number) if x),
            format=self.fmt,
            currency=message.currency,
            statement_date=message.closing[1] if message.closing else None,
            opening_balance=message.opening[0] if message.opening else None,
            closing_balance=message.closing[0] if message.closing else None,
            opening_date=message.opening[1] if message.opening else None,
            closing_date=message.closing[1] if message.closing else None,
            interim=interim,
            location=f"line {message.line}",
        )
        return [last, statement] if last else [statement]


def _account(text: str, message: _Message) -> str:
    """The account of ``:25:``; a currency some banks write after the IBAN
    (``NL77INGB0574908765EUR``) is taken off, unless the whole is itself a valid IBAN
    (Maltese IBANs end in letters)."""
    account = text.replace("\n", "").strip()
    compact = account.replace(" ", "")
    match = _IBAN_CCY.match(compact)
    if match and is_currency(match.group(2)) and not _valid_iban(compact):
        message.currency = message.currency or match.group(2)
        return match.group(1)
    return account


def _valid_iban(candidate: str) -> bool:
    moved = candidate[4:] + candidate[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _entry_date(value_date: date, mmdd: str, where: str) -> date:
    """The booking date (``MMDD``) near the value date, across a year end if need be."""
    found = _near(value_date, mmdd)
    if found is None:
        return make_date(value_date.year, int(mmdd[:2]), int(mmdd[2:]), text=mmdd,
                         location=where)
    return found


@lru_cache(maxsize=4096)
def _near(value_date: date, mmdd: str) -> date | None:
    # A statement's entries share a few dates: each pair is worked out once.
    month, day = int(mmdd[:2]), int(mmdd[2:])
    candidates = []
    for year in (value_date.year - 1, value_date.year, value_date.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs((d - value_date).days)) if candidates else None
