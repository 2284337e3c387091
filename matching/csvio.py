"""The contract's CSV files for cash application: read exactly, written exactly.

Readers collect one line per problem (file, row, reason) and keep the good rows, so that
one bad invoice does not stop a whole run. Amounts are exact decimals written with a
dot; nothing passes through a float.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TextIO

from hub.errors import BadDocument
from matching.book import Customer, OpenItem, PayerAlias, Proposal

CUSTOMERS = ("customer_id", "name", "vat_id", "siret", "gln", "ibans", "email_domains",
             "credit_limit", "currency", "payment_terms_days", "sales_rep")
OPEN_ITEMS = ("invoice_id", "customer_id", "issue_date", "due_date", "currency", "amount",
              "open_amount", "reference")
HISTORY = ("payer_name", "payer_iban", "customer_id")
MATCHES = ("transaction_id", "booking_date", "amount", "currency", "payer_name", "invoice_id",
           "applied_amount", "status", "confidence", "reason")


_ZERO = Decimal(0)


class RowError(ValueError):
    """A cell that does not fit its column."""


def _records(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """The rows of a contract CSV file, trimmed, their cells in the contract's order."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadDocument(f"cannot read: {exc}", source=str(path)) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    names = [n.strip() for n in next(reader, [])]
    missing = [c for c in header if c not in names]
    if missing:
        raise BadDocument(f"header lacks {', '.join(missing)}", location="row 1",
                          source=str(path))
    positions = [names.index(c) for c in header]
    last = max(positions)
    strip = str.strip
    in_order = positions == list(range(len(header)))
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if in_order and len(row) == len(header):
            yield number, list(map(strip, row))  # the contract's own layout: most files
            continue
        cells = row if len(row) > last else row + [""] * (last + 1 - len(row))
        yield number, [cells[k].strip() for k in positions]


def _rows(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a contract CSV file as dicts of the contract's columns (trimmed)."""
    for number, values in _records(path, header):
        yield number, dict(zip(header, values, strict=True))


def _decimal(value: str, column: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{column} {value!r} is not a decimal number") from None
    if not number.is_finite():
        raise RowError(f"{column} {value!r} is not a decimal number")
    return number


@functools.lru_cache(maxsize=4096)
def _date(value: str, column: str) -> date:
    # A ledger's dates repeat (a year has 365): read once, one object shared.
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{column} {value!r} is not a date (YYYY-MM-DD)") from None


def read_customers(path: Path, problems: list[str]) -> list[Customer]:
    """``customers.csv``; duplicate ids and rows without id or name are problems."""
    customers: dict[str, Customer] = {}
    for number, row in _rows(path, CUSTOMERS):
        customer_id, name = row["customer_id"], row["name"]
        if not customer_id or not name:
            problems.append(f"{path}: row {number}: customer_id and name are required")
        elif customer_id in customers:
            problems.append(f"{path}: row {number}: duplicate customer_id {customer_id}")
        else:
            ibans = tuple(i.strip() for i in row["ibans"].split("|") if i.strip())
            customers[customer_id] = Customer(customer_id, name, ibans, row["currency"] or None,
                                              row["sales_rep"] or None)
    return list(customers.values())


def read_open_items(path: Path, customer_ids: set[str], problems: list[str]) -> list[OpenItem]:
    """``open_items.csv``: one problem line per bad row; duplicated ids are all refused."""
    parsed: list[tuple[int, OpenItem]] = []
    rows_of: dict[str, int] = {}
    duplicated = False
    for number, values in _records(path, OPEN_ITEMS):
        try:
            item = _open_item(values, customer_ids)
        except RowError as exc:
            problems.append(f"{path}: row {number}: {exc}")
            continue
        parsed.append((number, item))
        if rows_of.setdefault(item.invoice_id, number) != number:
            duplicated = True
    if not duplicated:
        return [item for _, item in parsed]
    counts = Counter(item.invoice_id for _, item in parsed)
    items = []
    for number, item in parsed:
        if counts[item.invoice_id] > 1:
            problems.append(f"{path}: row {number}: duplicate invoice_id {item.invoice_id} "
                            f"({counts[item.invoice_id]} rows; none used)")
        else:
            items.append(item)
    return items


def _open_item(values: list[str], customer_ids: set[str]) -> OpenItem:
    invoice_id, customer_id, issued, due, currency, amount_text, open_text, reference = values
    if not invoice_id:
        raise RowError("invoice_id is empty")
    if customer_id not in customer_ids:
        raise RowError(f"unknown customer {customer_id!r} for {invoice_id}")
    currency = currency.upper()
    if len(currency) != 3 or not currency.isalpha():
        raise RowError(f"currency {currency!r} is not an ISO 4217 code")
    amount = _decimal(amount_text, "amount")
    # Most invoices are wholly open: one number read, one object shared.
    open_amount = amount if open_text == amount_text else _decimal(open_text, "open_amount")
    if amount < _ZERO or open_amount < _ZERO:
        raise RowError(f"negative amount for {invoice_id}")
    if open_amount > amount:
        raise RowError(f"open_amount {open_amount} exceeds amount {amount}")
    return OpenItem(invoice_id, customer_id, _date(issued, "issue_date"), _date(due, "due_date"),
                    currency, amount, open_amount, reference or None)


def read_history(path: Path, customer_ids: set[str], problems: list[str]) -> list[PayerAlias]:
    """``history.csv``: past payments finance applied by hand, as payer aliases."""
    aliases = []
    for number, row in _rows(path, HISTORY):
        if row["customer_id"] not in customer_ids:
            problems.append(f"{path}: row {number}: unknown customer {row['customer_id']!r}")
        elif not (row["payer_name"] or row["payer_iban"]):
            problems.append(f"{path}: row {number}: needs a payer_name or payer_iban")
        else:
            aliases.append(PayerAlias(row["customer_id"], row["payer_name"] or None,
                                      row["payer_iban"] or None))
    return aliases


def match_rows(proposal: Proposal) -> list[dict[str, str]]:
    """The ``matches.csv`` rows of one transaction (one per invoice, or one empty)."""
    tx = proposal.transaction
    base = {
        "transaction_id": tx.bank_reference,
        "booking_date": tx.booking_date.isoformat(),
        "amount": str(tx.amount),
        "currency": tx.currency,
        "payer_name": tx.payer_name or "",
        "status": proposal.status,
        "confidence": _confidence(proposal.confidence),
        "reason": _reason(proposal),
    }
    if not proposal.applications:
        return [{**base, "invoice_id": "", "applied_amount": "0"}]
    return [
        {**base, "invoice_id": a.invoice_id, "applied_amount": str(a.applied_amount)}
        for a in proposal.applications
    ]


def match_values(proposal: Proposal) -> list[tuple[str, ...]]:
    """:func:`match_rows` as values in the order of :data:`MATCHES`: what a CSV writer
    takes without the per-row field checks of a dictionary writer."""
    tx = proposal.transaction
    head = (tx.bank_reference, _iso_date(tx.booking_date), str(tx.amount), tx.currency,
            tx.payer_name or "")
    tail = (proposal.status, _confidence(proposal.confidence), _reason(proposal))
    applications = proposal.applications
    if len(applications) == 1:  # most transactions pay one invoice
        paid = applications[0]
        return [(*head, paid.invoice_id, str(paid.applied_amount), *tail)]
    if not applications:
        return [(*head, "", "0", *tail)]
    return [(*head, a.invoice_id, str(a.applied_amount), *tail) for a in applications]


@functools.lru_cache(maxsize=4096)
def _iso_date(day: date) -> str:
    # A statement's booking dates repeat: each written once.
    return day.isoformat()


def _reason(proposal: Proposal) -> str:
    """The rule, why, and for a suggestion the first alternatives."""
    reason = proposal.reason
    if proposal.alternatives and proposal.status == "suggested":
        alternatives = [", ".join(p.invoice_ids) for p in proposal.alternatives if p.invoice_ids]
        if alternatives:
            reason += "; alternatives: " + " | ".join(alternatives[:3])
    return f"[{proposal.rule}] {reason}"


@functools.lru_cache(maxsize=4096)
def _confidence(value: float) -> str:
    """``0.9773``, ``1.0``: four decimals at most, always a decimal point."""
    text = f"{value:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def write_matches(path: Path, proposals: Iterable[Proposal]) -> int:
    """Write ``matches.csv`` whole or not at all (a temporary file renamed into place).

    Returns:
        The number of rows written.
    """
    count = 0

    def fill(stream: TextIO) -> None:
        nonlocal count
        writer = csv.DictWriter(stream, fieldnames=MATCHES)
        writer.writeheader()
        for proposal in proposals:
            rows = match_rows(proposal)
            writer.writerows(rows)
            count += len(rows)

    _replace(path, fill)
    return count


def render_matches(proposals: Iterable[Proposal]) -> list[str]:
    """Each proposal's ``matches.csv`` rows as text, exactly as :func:`write_matches`
    writes them, so that rows rendered in different processes can be put in order."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)  # the dialect DictWriter writes with
    ends = []
    for proposal in proposals:
        writer.writerows(match_values(proposal))
        ends.append(buffer.tell())
    text = buffer.getvalue()
    return [text[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def write_rendered(path: Path, rendered: Iterable[str]) -> None:
    """Write ``matches.csv`` from the rows of :func:`render_matches`, whole or not at all."""

    def fill(stream: TextIO) -> None:
        csv.DictWriter(stream, fieldnames=MATCHES).writeheader()
        stream.writelines(rendered)

    _replace(path, fill)


def _replace(path: Path, fill: Callable[[TextIO], None]) -> None:
    """Fill a temporary file beside ``path``, then rename it into place."""
    folder = path.parent if str(path.parent) else Path()
    handle, temporary = tempfile.mkstemp(prefix=".matches-", suffix=".csv", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            fill(stream)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
