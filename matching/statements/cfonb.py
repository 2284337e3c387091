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
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO

from hub.errors import BadDocument
from matching.statements.checks import is_currency, minor_units
from matching.statements.common import clean, ddmmyy, find_creditor_reference
from matching.statements.model import BankTransaction, Statement
from matching.statements.mt940_details import join_lines

RECORD = 120
COMPLEMENT = 70
_POSITIVE = {"{": 0, **{chr(ord("A") + i): i + 1 for i in range(9)}}
_NEGATIVE = {"}": 0, **{chr(ord("J") + i): i + 1 for i in range(9)}}
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}")
_REMITTANCE = ("LIB", "LCC", "LC2", "LCS", "LCZ", "MMO")


@dataclass
class _Movement:
    """A ``04`` record and the ``05`` complements that follow it."""

    fields: dict[str, object]
    complements: dict[str, list[str]] = field(default_factory=dict)


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
    for where, record in _records(stream):
        code = record[:2]
        if code == "01":
            if run is not None:
                raise BadDocument(
                    "new statement (01) before the previous one's closing record 07",
                    location=where, code="TRUNCATED",
                )
            run = _opening(record, where)
        elif run is None:
            raise BadDocument(
                f"record {code} outside a statement (no 01 before it)", location=where,
                code="BAD_RECORD",
            )
        elif code == "04":
            yield from _flush(run)
            run.movement = _Movement(_movement(record, run, where))
        elif code == "05":
            _complement(record, run, where)
        elif code == "07":
            yield from _flush(run)
            yield _closing(record, run, where, fmt)
            run = None
        else:
            raise BadDocument(f"unknown record code {code!r}", location=where, code="BAD_RECORD")
    if run is not None:
        raise BadDocument(
            f"file ends inside the statement of account {run.account} (no 07 record)",
            location=run.location, code="TRUNCATED",
        )


def _records(stream: IO[bytes]) -> Iterator[tuple[str, str]]:
    """Records with their line (or, without line breaks, record) number."""
    head = stream.read(RECORD + 2)
    if b"\n" not in head and b"\r" not in head and len(head) > RECORD:
        yield from _unbroken(head, stream)
        return
    lines = _glued_lines(head, stream)
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip(b"\r\n").decode("latin-1")
        if not line.strip():
            continue
        if len(line) != RECORD:
            raise BadDocument(
                f"record of {len(line)} characters, CFONB 120 records have {RECORD}",
                location=f"line {number}", code="BAD_RECORD_LENGTH",
            )
        yield f"line {number}", line


def _glued_lines(head: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    """The stream's lines, with the bytes already read for detection put back."""
    yield from (head + stream.readline()).splitlines(keepends=True)
    yield from stream


def _unbroken(head: bytes, stream: IO[bytes]) -> Iterator[tuple[str, str]]:
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
        yield f"record {number}", record.decode("latin-1")


def amount(field_text: str, decimals: str, where: str) -> Decimal:
    """A CFONB amount: 14 characters, the last carrying the sign and last digit."""
    digits, last = field_text[:-1].replace(" ", "0"), field_text[-1:]
    if last in _POSITIVE:
        sign, unit = 1, _POSITIVE[last]
    elif last in _NEGATIVE:
        sign, unit = -1, _NEGATIVE[last]
    else:
        raise BadDocument(
            f"amount {field_text!r} does not end with a sign character", location=where,
            code="BAD_AMOUNT",
        )
    if not digits.isdigit() or not decimals.isdigit():
        raise BadDocument(f"invalid amount {field_text!r}", location=where, code="BAD_AMOUNT")
    value = Decimal(int(digits) * 10 + unit).scaleb(-int(decimals))
    return value if sign > 0 else -value


def _amount_of(record: str, where: str) -> Decimal:
    """The record's amount, refusing a number of decimals its currency does not have."""
    currency, decimals = record[16:19].strip(), record[19]
    if is_currency(currency) and decimals.isdigit():
        units = minor_units(currency)
        if int(decimals) != units:
            raise BadDocument(
                f"amount written with {decimals} decimals, {currency} has {units}",
                location=where, code="BAD_DECIMALS",
            )
    return amount(record[90:104], decimals, where)


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


def _movement(record: str, run: _Run, where: str) -> dict[str, object]:
    if record[21:32] != run.number:
        raise BadDocument(
            f"movement of account {record[21:32]} in the statement of {run.number}",
            location=where, code="BAD_RECORD",
        )
    value = record[42:48].strip()
    reference = record[104:120].strip()
    return {
        "account": run.account,
        "bank_reference": record[81:88].strip(),  # the entry number (numéro d'écriture)
        "booking_date": ddmmyy(record[34:40], location=where),
        "value_date": ddmmyy(value, location=where) if value else None,
        "amount": _amount_of(record, where),
        "currency": record[16:19].strip(),
        "bank_code": record[32:34].strip() or None,
        "return_reason": record[40:42].strip() or None,
        "customer_reference": reference or None,
        "location": where,
        "label": record[48:79].strip(),
    }


def _complement(record: str, run: _Run, where: str) -> None:
    if run.movement is None:
        raise BadDocument(
            "complement record 05 without a movement 04 before it", location=where,
            code="BAD_RECORD",
        )
    qualifier = record[45:48].strip()
    run.movement.complements.setdefault(qualifier, []).append(record[48:118].rstrip())


def _flush(run: _Run) -> Iterator[BankTransaction]:
    movement, run.movement = run.movement, None
    if movement is None:
        return
    fields, extra = dict(movement.fields), movement.complements
    label = str(fields.pop("label"))
    # A complement is 70 characters: one filled to the end was cut mid-word.
    pieces = list(dict.fromkeys(v for q in _REMITTANCE for v in extra.get(q, [])))
    remittance = clean(join_lines(pieces, COMPLEMENT))
    payer = "NPY" if Decimal(str(fields["amount"])) > 0 else "NBE"
    texts = [label] if label else []
    texts += [f"{q} {clean(' '.join(v))}" for q, v in extra.items() if q not in _REMITTANCE]
    rcn = clean(" ".join(extra.get("RCN", [])))
    fields.update(
        payer_name=clean(" ".join(extra.get(payer, []))),
        payer_iban=clean(" ".join(extra.get("IPY" if payer == "NPY" else "IBE", []))),
        remittance=remittance or label or None,
        structured_reference=find_creditor_reference(" ".join(x for x in (rcn, remittance) if x)),
        details=tuple(texts),
    )
    if fields["payer_iban"] and not _IBAN.fullmatch(str(fields["payer_iban"]).replace(" ", "")):
        fields["payer_iban"] = None
    yield BankTransaction(**fields)  # type: ignore[arg-type]
