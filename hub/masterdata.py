"""Master data from the contract's CSV files, checked row by row and upserted.

Each file is optional; a file that is present must have the contract's header. A bad
row is reported on one line (file, row, column, reason) and skipped; the good rows are
loaded. Amounts are read as exact decimals with a dot, as the contract writes them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hub import clock
from hub.tables import (
    Base,
    CustomerAddressRow,
    CustomerItemRow,
    CustomerRow,
    EdiPartnerRow,
    OpenItemRow,
    PayerAliasRow,
    ProductRow,
)

Parser = Callable[[str], Any]
BATCH = 1000


class RowError(ValueError):
    """A cell that does not fit its column."""


def text(value: str) -> str | None:
    """A trimmed string; empty means unknown."""
    return value.strip() or None


def required(value: str) -> str:
    """A trimmed string that must be present."""
    if not value.strip():
        raise RowError("is empty")
    return value.strip()


def amount(value: str) -> Decimal | None:
    """An exact decimal written with a dot (``1234.50``); empty means unknown."""
    if not value.strip():
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        raise RowError(f"{value!r} is not a decimal number") from None


def required_amount(value: str) -> Decimal:
    """An exact decimal that must be present."""
    parsed = amount(value)
    if parsed is None:
        raise RowError("is empty")
    return parsed


def iso_date(value: str) -> date:
    """A date written ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise RowError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def integer(value: str) -> int | None:
    """A whole number; empty means unknown."""
    if not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise RowError(f"{value!r} is not a whole number") from None


def flag(value: str) -> bool:
    """``1``/``true``/``yes``/``oui`` is true; empty or ``0`` is false."""
    return value.strip().lower() in {"1", "true", "yes", "y", "oui"}


def values(value: str) -> list[str]:
    """Several values separated by ``|``."""
    return [v.strip() for v in value.split("|") if v.strip()]


@dataclass(frozen=True)
class FileSpec:
    """One master-data file: its table, key, columns and optional trailing columns."""

    file: str
    table: type[Base]
    key: tuple[str, ...]
    columns: dict[str, Parser]
    optional: dict[str, tuple[Parser, Any]] = field(default_factory=dict)
    extra: dict[str, Callable[[], Any]] = field(default_factory=dict)


SPECS: tuple[FileSpec, ...] = (
    FileSpec("customers.csv", CustomerRow, ("customer_id",), {
        "customer_id": required, "name": required, "vat_id": text, "siret": text, "gln": text,
        "ibans": values, "email_domains": values, "credit_limit": amount, "currency": text,
        "payment_terms_days": integer, "sales_rep": text,
    }, {"blocked": (flag, False)}),
    FileSpec("customer_addresses.csv", CustomerAddressRow, ("customer_id", "address_id"), {
        "customer_id": required, "address_id": required, "kind": required, "name": text,
        "street": text, "postal_code": text, "city": text, "country": text, "gln": text,
    }),
    FileSpec("products.csv", ProductRow, ("sku",), {
        "sku": required, "gtin": text, "description": text, "unit": text,
        "unit_price": amount, "currency": text, "active": flag,
    }, {"lead_time_days": (integer, 0), "pack_unit": (text, None), "pack_size": (amount, None),
        "weight_kg": (amount, None), "volume_m3": (amount, None)}),
    FileSpec("customer_items.csv", CustomerItemRow, ("customer_id", "customer_item_code"), {
        "customer_id": required, "customer_item_code": required, "sku": required,
    }),
    FileSpec("open_items.csv", OpenItemRow, ("invoice_id",), {
        "invoice_id": required, "customer_id": required, "issue_date": iso_date,
        "due_date": iso_date, "currency": required, "amount": required_amount,
        "open_amount": required_amount, "reference": text,
    }),
    FileSpec("edi_partners.csv", EdiPartnerRow, ("partner_id",), {
        "partner_id": required, "customer_id": text,
    }, {"syntax": (text, "edifact"), "version": (text, None), "acknowledgement": (flag, False),
        "order_response": (flag, False), "outbox": (text, None)}),
)


@dataclass
class LoadReport:
    """What loading one folder did."""

    loaded: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def load_folder(session: Session, folder: Path) -> LoadReport:
    """Load every contract file present in ``folder`` (customers first), upserting rows."""
    report = LoadReport()
    for spec in SPECS:
        path = folder / spec.file
        if path.is_file():
            customers = set(session.scalars(select(CustomerRow.customer_id)))
            rows = list(_checked_rows(customers, spec, path, report))
            _upsert(session, spec, rows)
            report.loaded[spec.file] = len(rows)
    history = folder / "history.csv"
    if history.is_file():
        report.loaded["history.csv"] = load_history(session, history, report)
    return report


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 (BOM allowed) comma CSV with its header, numbered as in a sheet.

    Raises:
        RowError: for a file that is not UTF-8.
    """
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RowError(f"{path.name}: not UTF-8 (byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(content, newline=""))
    for number, row in enumerate(reader, start=2):
        yield number, {k.strip(): (v or "") for k, v in row.items() if k is not None}


def _checked_rows(
    customers: set[str], spec: FileSpec, path: Path, report: LoadReport
) -> Iterator[dict[str, Any]]:
    seen: set[tuple[Any, ...]] = set()
    try:
        header_checked = False
        for number, row in read_csv(path):
            if not header_checked:
                _check_header(spec, row, path)
                header_checked = True
            parsed = _parse_row(spec, row, f"{path.name}: row {number}", report)
            if parsed is None:
                continue
            key = tuple(parsed[k] for k in spec.key)
            if key in seen:
                shown = "/".join(map(str, key))
                report.problems.append(f"{path.name}: row {number}: duplicate {shown}")
                continue
            seen.add(key)
            if _acceptable(customers, spec, parsed, f"{path.name}: row {number}", report):
                yield parsed
    except RowError as exc:
        report.problems.append(str(exc))


def _check_header(spec: FileSpec, row: dict[str, str], path: Path) -> None:
    missing = [c for c in spec.columns if c not in row]
    if missing:
        raise RowError(f"{path.name}: missing column(s) {', '.join(missing)}")


def _parse_row(
    spec: FileSpec, row: dict[str, str], where: str, report: LoadReport
) -> dict[str, Any] | None:
    parsed: dict[str, Any] = {}
    columns = {**spec.columns, **{k: p for k, (p, _d) in spec.optional.items()}}
    for name, parser in columns.items():
        if name not in row:
            parsed[name] = spec.optional[name][1]
            continue
        try:
            parsed[name] = parser(row[name])
        except RowError as exc:
            report.problems.append(f"{where}: column {name}: {exc}")
            return None
        if parsed[name] is None and name in spec.optional:
            parsed[name] = spec.optional[name][1]
    return parsed


def _acceptable(
    customers: set[str], spec: FileSpec, row: dict[str, Any], where: str, report: LoadReport
) -> bool:
    if spec.table is OpenItemRow:
        if row["amount"] < 0 or row["open_amount"] < 0:
            report.problems.append(f"{where}: negative amount on invoice {row['invoice_id']}")
            return False
        if row["open_amount"] > row["amount"]:
            invoice = row["invoice_id"]
            report.problems.append(f"{where}: open amount above invoice amount ({invoice})")
            return False
    owner = row.get("customer_id") if spec.table is not CustomerRow else None
    if owner and owner not in customers:
        report.problems.append(f"{where}: unknown customer {owner}")
        return False
    return True


def _upsert(session: Session, spec: FileSpec, rows: list[dict[str, Any]]) -> None:
    table = cast(Table, spec.table.__table__)
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        statement = module.insert(table)
        updates = {c: statement.excluded[c] for c in chunk[0] if c not in spec.key}
        statement = statement.on_conflict_do_update(index_elements=list(spec.key), set_=updates)
        session.execute(statement, chunk)
        session.flush()


def load_history(session: Session, path: Path, report: LoadReport) -> int:
    """``history.csv`` (payer_name, payer_iban, customer_id) into the learned payer aliases."""
    count = 0
    known = {
        (a.customer_id, a.payer_name, a.payer_iban)
        for a in session.scalars(select(PayerAliasRow).where(PayerAliasRow.source == "history"))
    }
    for number, row in read_csv(path):
        customer = (row.get("customer_id") or "").strip()
        name, iban = text(row.get("payer_name", "")), text(row.get("payer_iban", ""))
        if not customer or not (name or iban):
            report.problems.append(f"{path.name}: row {number}: needs customer_id and a payer")
            continue
        if (customer, name, iban) not in known:
            session.add(PayerAliasRow(customer_id=customer, payer_name=name, payer_iban=iban,
                                      source="history", created_at=clock.now()))
            known.add((customer, name, iban))
            count += 1
    return count
