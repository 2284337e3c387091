"""CFONB 120, the French banks' statement format ("relevé de compte 120 caractères").

Records of exactly 120 characters: ``01`` old balance, ``04`` movement, ``05``
complement of the ``04`` before it, ``07`` new balance. Amounts are 14 characters whose
last one carries both the sign and the last digit (``{`` ``A``..``I`` for +0..+9, ``}``
``J``..``R`` for -0..-9), with the number of decimals in column 20. Files come with line
breaks (CRLF or LF, sometimes blank lines) or as one long run of records; both are read
as a stream, record by record.

Complements (``05``) carry a three-letter qualifier: ``LIB``/``LCC``/``LC2``...
remittance, ``NPY`` payer name, ``IPY`` payer identifier, ``NBE``/``IBE`` beneficiary,
``RCN`` the payer's reference, ``REF`` the bank's, ``RUM`` a mandate; several of one
qualifier are joined in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import chain
from typing import IO

from hub.errors import BadDocument
from matching.statements.checks import is_currency, minor_units
from matching.statements.common import clean, ddmmyy, find_creditor_reference
from matching.statements.model import BankTransaction, Statement
from matching.statements.mt940_details import join_lines

RECORD = 120
COMPLEMENT = 70
# The last character of an amount: (negative, last digit).
_LAST = {
    **{char: (False, str(digit)) for digit, char in enumerate("{ABCDEFGHI")},
    **{char: (True, str(digit)) for digit, char in enumerate("}JKLMNOPQR")},
}
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}")
_REMITTANCE = ("LIB", "LCC", "LC2", "LCS", "LCZ", "MMO")  # in the order they are joined


class _Movement:
    """A ``04`` record read, and the ``05`` complements that follow it."""

    __slots__ = ("complements", "fields", "label")

    def __init__(self, fields: list[object], label: str) -> None:
        self.fields = fields
        self.label = label
        self.complements: dict[str, list[str]] = {}


@dataclass
class _Run:
    """One statement: an ``01`` record up to its ``07``."""

    account: str
    number: str
    currency: str
    opening: Decimal
    opening_date: date
    location: str
    movement: _Movement | None = None


def read(stream: IO[bytes], fmt: str = "cfonb120") -> Iterator[BankTransaction | Statement]:
    """Stream CFONB 120 records: each statement's movements, then the statement.

    Raises:
        BadDocument: naming the record (line) for a wrong length, an unknown record
            code, a complement or movement outside a statement, or a missing ``07``.
    """
    run: _Run | None = None
    place, records = _records(stream)
    for number, record in records:
        code = record[:2]
        if code == "05" and run is not None and run.movement is not None:
            # The most frequent record, read inline: a qualifier and 70 characters.
            found = run.movement.complements.get(qualifier := record[45:48].strip())
            if found is None:
                run.movement.complements[qualifier] = [record[48:118].rstrip()]
            else:
                found.append(record[48:118].rstrip())
            continue
        where = f"{place} {number}"
        if code == "04" and run is not None:
            if run.movement is not None:
                yield _transaction(run.movement)
            run.movement = _movement(record, run, where)
        elif code == "07" and run is not None:
            if run.movement is not None:
                yield _transaction(run.movement)
                run.movement = None
            yield _closing(record, run, where, fmt)
            run = None
        else:
            run = _open(code, record, run, where)
    if run is not None:
        raise BadDocument(
            f"file ends inside the statement of account {run.account} (no 07 record)",
            location=run.location, code="TRUNCATED",
        )


def _open(code: str, record: str, run: _Run | None, where: str) -> _Run:
    """A statement's opening record 01; any other record here is out of place."""
    if code == "01" and run is None:
        return _opening(record, where)
    if code == "01":
        raise BadDocument(
            "new statement (01) before the previous one's closing record 07",
            location=where, code="TRUNCATED",
        )
    if run is None:
        raise BadDocument(
            f"record {code} outside a statement (no 01 before it)", location=where,
            code="BAD_RECORD",
        )
    if code != "05":
        raise BadDocument(f"unknown record code {code!r}", location=where, code="BAD_RECORD")
    raise BadDocument(
        "complement record 05 without a movement 04 before it", location=where,
        code="BAD_RECORD",
    )


def _records(stream: IO[bytes]) -> tuple[str, Iterator[tuple[int, str]]]:
    """What a place in the file is called (``line`` or, without line breaks,
    ``record``), and the records with their number."""
    head = stream.read(RECORD + 2)
    if b"\n" not in head and b"\r" not in head and len(head) > RECORD:
        return "record", _unbroken(head, stream)
    return "line", _lines(head, stream)


def _lines(head: bytes, stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    # The bytes already read for detection are put back before the rest of the lines.
    glued = chain((head + stream.readline()).splitlines(keepends=True), stream)
    for number, raw in enumerate(glued, 1):
        line = raw.rstrip(b"\r\n").decode("latin-1")
        if len(line) == RECORD:
            if not line.isspace():
                yield number, line
        elif line and not line.isspace():
            raise BadDocument(
                f"record of {len(line)} characters, CFONB 120 records have {RECORD}",
                location=f"line {number}", code="BAD_RECORD_LENGTH",
            )


def _unbroken(head: bytes, stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    buffer = head
    number = 0
    while True:
        while len(buffer) < RECORD:
            more = stream.read(64 * RECORD)
            if not more:
                break
            buffer += more.replace(b"\r", b"").replace(b"\n", b"")
        if not buffer.strip():
            return
        number += 1
        if len(buffer) < RECORD:
            raise BadDocument(
                f"last record has {len(buffer)} characters, CFONB 120 records have {RECORD}",
                location=f"record {number}", code="BAD_RECORD_LENGTH",
            )
        record, buffer = buffer[:RECORD], buffer[RECORD:]
        yield number, record.decode("latin-1")


def amount(field_text: str, decimals: str, where: str) -> Decimal:
    """A CFONB amount: 14 characters, the last carrying the sign and last digit."""
    last = _LAST.get(field_text[-1:])
    if last is None:
        raise BadDocument(
            f"amount {field_text!r} does not end with a sign character", location=where,
            code="BAD_AMOUNT",
        )
    digits = field_text[:-1].replace(" ", "0")
    if not digits.isdecimal() or not decimals.isdecimal():
        raise BadDocument(f"invalid amount {field_text!r}", location=where, code="BAD_AMOUNT")
    # Read from text, as Decimal(int).scaleb() gives the same digits and exponent slower.
    value = Decimal(f"{digits}{last[1]}E-{decimals}")
    return -value if last[0] else value


def _amount_of(record: str, where: str) -> Decimal:
    """The record's amount, refusing a number of decimals its currency does not have."""
    decimals = record[19]
    if (both := record[16:20]) not in _AGREED:
        code = record[16:19].strip()
        if is_currency(code) and decimals.isdigit():
            units = minor_units(code)
            if int(decimals) != units:
                raise BadDocument(
                    f"amount written with {decimals} decimals, {code} has {units}",
                    location=where, code="BAD_DECIMALS",
                )
            _AGREED.add(both)
    return amount(record[90:104], decimals, where)


# Currency and decimals fields (columns 17-20) already found to agree: one per currency.
_AGREED: set[str] = set()


def _account(record: str) -> str:
    """The account as an IBAN, rebuilt from the bank code, desk code and account number
    (the RIB key is computed); the three codes joined when they are not a French RIB."""
    bank, desk, number = record[2:7], record[11:16], record[21:32]
    if not (bank.isdigit() and desk.isdigit() and number.isalnum()):
        return f"{bank}{desk}{number}".replace(" ", "")
    digits = "".join(_RIB_LETTERS.get(ch, ch) for ch in number.upper())
    key = 97 - (89 * int(bank) + 15 * int(desk) + 3 * int(digits)) % 97
    bban = f"{bank}{desk}{number.upper()}{key:02d}"
    numeric = "".join(str(int(ch, 36)) for ch in f"{bban}FR00")
    return f"FR{98 - int(numeric) % 97:02d}{bban}"


_RIB_LETTERS = {
    ch: str(value) for value, group in enumerate(
        ("AJ", "BKS", "CLT", "DMU", "ENV", "FOW", "GPX", "HQY", "IRZ"), 1
    ) for ch in group
}


def _opening(record: str, where: str) -> _Run:
    return _Run(
        account=_account(record),
        number=record[21:32],
        currency=record[16:19].strip(),
        opening=_amount_of(record, where),
        opening_date=ddmmyy(record[34:40], location=where),
        location=where,
    )


def _closing(record: str, run: _Run, where: str, fmt: str) -> Statement:
    if record[21:32] != run.number:
        raise BadDocument(
            f"closing record 07 of account {record[21:32]} in the statement of {run.number}",
            location=where, code="BAD_RECORD",
        )
    closing_date = ddmmyy(record[34:40], location=where)
    return Statement(
        account=run.account,
        statement_ref=f"{run.account}-{closing_date.isoformat()}",
        format=fmt,
        currency=run.currency,
        statement_date=closing_date,
        opening_balance=run.opening,
        closing_balance=_amount_of(record, where),
        opening_date=run.opening_date,
        closing_date=closing_date,
        balance_currencies=tuple(dict.fromkeys((run.currency, record[16:19].strip()))),
        location=run.location,
    )


def _movement(record: str, run: _Run, where: str) -> _Movement:
    if record[21:32] != run.number:
        raise BadDocument(
            f"movement of account {record[21:32]} in the statement of {run.number}",
            location=where, code="BAD_RECORD",
        )
    value = record[42:48].strip()
    booking = ddmmyy(record[34:40], location=where)
    value_date = ddmmyy(value, location=where) if value else None
    # In the order of BankTransaction's fields, from account to return_reason.
    fields: list[object] = [
        run.account,
        record[81:88].strip(),  # the entry number (numéro d'écriture)
        booking,
        _amount_of(record, where),
        record[16:19].strip(),
        value_date,
        record[32:34].strip() or None,
        record[40:42].strip() or None,
        record[104:120].strip() or None,
        where,
    ]
    return _Movement(fields, record[48:79].strip())


def _transaction(movement: _Movement) -> BankTransaction:
    (account, reference, booking, value, currency, value_date, bank_code, return_reason,
     customer_reference, where) = movement.fields
    label, extra = movement.label, movement.complements
    remittance = rcn = payer_name = payer_iban = None
    texts = [label] if label else []
    if extra:
        payer, payer_account = ("NPY", "IPY") if value > 0 else ("NBE", "IBE")  # type: ignore[operator]
        for qualifier, values in extra.items():
            if qualifier in _REMITTANCE:
                continue
            text = clean(" ".join(values))
            texts.append(f"{qualifier} {text}")
            if qualifier == "RCN":
                rcn = text
            elif qualifier == payer:
                payer_name = text
            elif qualifier == payer_account:
                payer_iban = text
        remittance = _remittance(extra)
        if payer_iban and not _IBAN.fullmatch(payer_iban.replace(" ", "")):
            payer_iban = None
    structured = find_creditor_reference(f"{rcn} {remittance}" if rcn and remittance else (
        rcn or remittance))
    return BankTransaction(
        account, reference, booking, value, currency, value_date, bank_code,  # type: ignore[arg-type]
        payer_name, payer_iban, None, None, remittance or label or None, structured,
        return_reason, None, tuple(texts), customer_reference, False, where,  # type: ignore[arg-type]
    )


def _remittance(extra: dict[str, list[str]]) -> str | None:
    """The remittance complements in qualifier order, each text once; a complement
    filled to its 70 characters was cut mid-word and joins the next without a space."""
    pieces = [v for q in _REMITTANCE if q in extra for v in extra[q]]
    if len(pieces) < 2:  # one piece or none: nothing to join
        return clean(pieces[0]) if pieces else None
    return clean(join_lines(list(dict.fromkeys(pieces)), COMPLEMENT))
