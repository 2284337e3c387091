"""Canonical orders from the tables and header fields of one sheet.

Several orders come out of one sheet in two layouts only, both explicit:

* a lines table with an order-number column (``N° de commande``, ``PO number``): rows
  are grouped by that number, in the order they first appear, and order-level columns
  (customer, dates, addresses) must agree on every row of one order;
* several lines tables one below the other, each under its own order number.

Header fields above the first table apply to every order of the sheet, except the order
number, the total and the notes. Nothing is guessed: a missing order number or quantity
is an error naming the cell, an unknown unit is kept out of the order with a
zero confidence so that validation sends it to a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from itertools import pairwise
from typing import TypeVar

from pydantic import ValidationError

from connectors.documents import sheet_values as values
from connectors.documents import sheet_vocab as vocab
from connectors.documents.sheet_layout import Field, Table, find_tables, read_fields
from connectors.documents.sheet_read import Cell, Grid
from connectors.documents.sheet_values import CellError, Conventions
from connectors.documents.units import rec20
from hub.documents import RawDocument
from hub.errors import BadDocument
from hub.model import Address, Contact, Line, Order, Party, PaymentTerms, Source

T = TypeVar("T")
_INHERITED_NOT = frozenset({vocab.ORDER_NUMBER, vocab.TOTAL, vocab.NOTES})
_STREET = re.compile(
    r"^\d|\b(rue|avenue|av|bd|boulevard|chemin|allee|place|route|impasse|quai|zone|za|zi|zac"
    r"|cours|parc|street|st|road|rd|lane|way|drive|bp|cs|lieu dit|unit|suite|building|batiment)\b",
    re.IGNORECASE,
)
_POSTAL_CITY = re.compile(r"^(?:(.*?)[,\s]+)?(?:[A-Z]{1,2}-)?(\d{4,5})\s+(\D.*)$")
_CITY_UK_POSTCODE = re.compile(r"^(\D+?)\s+([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})$")


@dataclass
class _Draft:
    """What is known of one order while its rows are read."""

    fields: dict[str, Field]
    rows: list[int] = field(default_factory=list)


def grid_orders(grid: Grid, raw: RawDocument) -> list[Order]:
    """Every order of one sheet.

    Raises:
        BadDocument: no lines table, a table without quantity or item column or without
            lines, or a cell that does not hold what its column says.
    """
    tables = find_tables(grid)
    if not tables:
        raise BadDocument(
            "no lines table: no row of column labels such as Référence, Désignation, "
            "Quantité (or Item code, Description, Quantity)",
            location=f"sheet {grid.sheet!r}" if grid.sheet else None,
        )
    regions = _regions(grid, tables)
    conventions = _conventions(grid, tables, regions)
    orders: list[Order] = []
    for table, region in zip(tables, regions, strict=True):
        _check_columns(grid, table)
        try:
            orders += _table_orders(grid, table, region, conventions, raw=raw)
        except ValidationError as exc:  # a value the readers let through; never a crash
            error = exc.errors()[0]
            field_path = ".".join(str(p) for p in error["loc"])
            raise BadDocument(
                f"{field_path}: {error['msg']}", location=grid.where(table.header)
            ) from None
    return orders


def _regions(grid: Grid, tables: list[Table]) -> list[dict[str, Field]]:
    """Header fields of each table: rows above it, and for the last one rows below."""
    starts = [0] + [t.end for t in tables[:-1]]
    regions = [read_fields(grid, range(s, t.header)) for s, t in zip(starts, tables, strict=True)]
    regions[-1] = {**read_fields(grid, range(tables[-1].end, len(grid.rows))), **regions[-1]}
    for earlier, later in pairwise(regions):
        if vocab.TOTAL in later and vocab.TOTAL not in earlier:  # a total closes the table above
            earlier[vocab.TOTAL] = later.pop(vocab.TOTAL)
    shared = {k: v for k, v in regions[0].items() if k not in _INHERITED_NOT}
    return [regions[0]] + [{**shared, **region} for region in regions[1:]]


def _conventions(grid: Grid, tables: list[Table], regions: list[dict[str, Field]]) -> Conventions:
    numbers: list[str] = []
    dates: list[str] = []
    for table in tables:
        for role, bucket in ((vocab.QUANTITY, numbers), (vocab.UNIT_PRICE, numbers),
                             (vocab.AMOUNT, numbers), (vocab.DELIVERY_DATE, dates),
                             (vocab.ORDER_DATE, dates), (vocab.HEADER_DELIVERY, dates)):
            column = table.column(role)
            if column is not None:
                bucket += [c for r in table.rows if isinstance(c := _cell(grid, r, column), str)]
    for region in regions:
        for name in (vocab.ORDER_DATE, vocab.HEADER_DELIVERY):
            if name in region:
                dates += [c for c in region[name].cells if isinstance(c, str)]
        if vocab.TOTAL in region:
            numbers += [c for c in region[vocab.TOTAL].cells if isinstance(c, str)]
    return Conventions(
        decimal_comma=values.decide_decimal_comma(numbers),
        month_first=values.month_first_evidence(dates),
    )


def _cell(grid: Grid, row: int, column: int | None) -> Cell:
    cells = grid.rows[row]
    return cells[column] if column is not None and column < len(cells) else None


def _check_columns(grid: Grid, table: Table) -> None:
    where = grid.where(table.header)
    if table.column(vocab.QUANTITY) is None:
        raise BadDocument(
            f"the lines table has no quantity column ({vocab.labels_of(vocab.QUANTITY)})",
            location=where,
        )
    if not any(table.column(role) is not None for role in vocab.ITEM_ROLES):
        raise BadDocument(
            f"the lines table has no item column ({vocab.labels_of(vocab.GTIN)})",
            location=where,
        )
    if not table.rows:
        raise BadDocument("the lines table has no lines", location=where)


def _table_orders(
    grid: Grid, table: Table, region: dict[str, Field], conventions: Conventions,
    *, raw: RawDocument,
) -> list[Order]:
    drafts = _drafts(grid, table, region)
    return [_order(grid, table, draft, conventions, raw) for draft in drafts]


def _drafts(grid: Grid, table: Table, region: dict[str, Field]) -> list[_Draft]:
    order_columns = {c: r for c, r in table.roles.items() if r not in values_roles()}
    number_column = table.column(vocab.ORDER_NUMBER)
    drafts: dict[str, _Draft] = {}
    for row in table.rows:
        key = values.code(_cell(grid, row, number_column)) if number_column is not None else ""
        if key is None:
            where = grid.where(row, number_column, table.labels.get(number_column or 0))
            raise BadDocument("no order number on this line", location=where)
        draft = drafts.setdefault(key, _Draft(dict(region)))
        draft.rows.append(row)
        for column, role in order_columns.items():
            _merge(grid, table, draft, row, column=column, role=role)
    return list(drafts.values())


def values_roles() -> frozenset[str]:
    """Roles of line columns (the others are order-level columns)."""
    return frozenset({
        vocab.LINE_NUMBER, *vocab.ITEM_ROLES, vocab.QUANTITY, vocab.UNIT,
        vocab.UNIT_PRICE, vocab.AMOUNT, vocab.DELIVERY_DATE,
    })


def _merge(grid: Grid, table: Table, draft: _Draft, row: int, *, column: int, role: str) -> None:
    cell = _cell(grid, row, column)
    if values.text(cell) is None:
        return
    known = draft.fields.get(role)
    if known is not None and known.row in draft.rows and known.row != row:
        if values.text(known.cells[0]) != values.text(cell):
            raise BadDocument(
                f"{values.text(cell)!r} differs from {values.text(known.cells[0])!r} on row "
                f"{known.row + 1} of the same order",
                location=grid.where(row, column, table.labels[column]),
            )
        return
    draft.fields[role] = Field([cell], row, column, table.labels[column])


# --- one order ---------------------------------------------------------------------


def _read(grid: Grid, found: Field | None, reader: Callable[[Cell], T]) -> T | None:
    if found is None or not found.cells:
        return None
    try:
        return reader(found.cells[0])
    except CellError as exc:
        where = grid.where(found.row, found.column, found.label)
        raise BadDocument(str(exc), location=where) from None


def _order(
    grid: Grid, table: Table, draft: _Draft, conventions: Conventions, raw: RawDocument
) -> Order:
    f = draft.fields.get
    number = _read(grid, f(vocab.ORDER_NUMBER), values.code)
    if not number:
        raise BadDocument(
            f"no order number ({vocab.labels_of(vocab.ORDER_NUMBER)})",
            location=grid.where(table.header), code="MISSING_FIELD",
        )
    order_date = _read(grid, f(vocab.ORDER_DATE), lambda c: values.day(c, conventions))
    notes = [n for n in (values.text(c) for c in _cells(f(vocab.NOTES))) if n] + table.notes
    lines = [
        _line(grid, table, row, seq, conventions, order_date=order_date)
        for seq, row in enumerate(draft.rows, start=1)
    ]
    incoterms = _incoterms(grid, f(vocab.INCOTERMS), notes)
    return Order(
        buyer_order_number=number,
        order_date=order_date,
        requested_delivery_date=_read(
            grid, f(vocab.HEADER_DELIVERY), lambda c: values.day(c, conventions, order_date)
        ),
        currency=_read(grid, f(vocab.CURRENCY), _currency) or _currency_hint(grid, table, draft),
        buyer=_buyer(grid, draft.fields),
        seller=_seller(grid, f(vocab.SELLER)),
        bill_to=_address_party(f(vocab.BILL_TO)),
        ship_to=_ship_to(grid, draft.fields),
        payment_terms=_payment_terms(f(vocab.PAYMENT_TERMS)),
        incoterms=incoterms,
        lines=[line for line, _ in lines],
        total_amount=_read(grid, f(vocab.TOTAL), lambda c: values.decimal(c, conventions)),
        notes=notes,
        source=_source(grid, raw),
        confidence={f"lines[{i}].unit": 0.0 for i, (_, unsure) in enumerate(lines) if unsure},
    )


def _seller(grid: Grid, found: Field | None) -> Party | None:
    name = _read(grid, found, values.text)
    return Party(name=name) if name else None


def _cells(found: Field | None) -> list[Cell]:
    return found.cells if found else []


def _source(grid: Grid, raw: RawDocument) -> Source:
    return Source(
        channel=raw.channel,
        format=grid.format,
        document_ref=raw.document_ref or raw.name,
        sender=raw.sender,
        received_at=raw.received_at,
        sha256=raw.sha256,
    )


def _buyer(grid: Grid, fields: dict[str, Field]) -> Party:
    contact = Contact(
        name=_read(grid, fields.get(vocab.CONTACT), values.text),
        email=_read(grid, fields.get(vocab.EMAIL), values.text),
        phone=_read(grid, fields.get(vocab.PHONE), values.text),
    )
    address = _address_party(fields.get(vocab.BUYER_ADDRESS))
    party = Party(
        name=_read(grid, fields.get(vocab.CUSTOMER_NAME), values.text),
        vat_id=_read(grid, fields.get(vocab.VAT_ID), _vat_id),
        siret=_read(grid, fields.get(vocab.SIRET),
                    lambda c: values.digits(c, lengths=(14,), what="SIRET")),
        gln=_read(grid, fields.get(vocab.BUYER_GLN),
                  lambda c: values.digits(c, lengths=(13,), what="GLN")),
        address=address.address if address else None,
        contact=contact if any(contact.model_dump().values()) else None,
    )
    # Our customer number as the customer writes it (EDIFACT NAD 3055=91, assigned by
    # the seller) is an extra field: validation may check it against the master data;
    # customer_id stays for validation to fill.
    number = _read(grid, fields.get(vocab.CUSTOMER_NUMBER), values.code)
    if number:
        party.seller_assigned_id = number  # type: ignore[attr-defined]
    return party


def _vat_id(cell: Cell) -> str | None:
    written = values.text(cell)
    return re.sub(r"[\s.\-]", "", written).upper() if written else None


def _ship_to(grid: Grid, fields: dict[str, Field]) -> Party | None:
    party = _address_party(fields.get(vocab.SHIP_TO))
    gln = _read(grid, fields.get(vocab.SHIP_TO_GLN),
                lambda c: values.digits(c, lengths=(13,), what="GLN"))
    if gln:
        party = party or Party()
        party.gln = gln
    return party


def _address_party(found: Field | None) -> Party | None:
    parts = [
        p.strip() for c in _cells(found) for p in re.split(r"[,\n]", values.text(c) or "")
        if p.strip()
    ]
    if not parts:
        return None
    country = vocab.COUNTRIES.get(re.sub(r"[^a-z]+", " ", _plain(parts[-1])).strip())
    if country is None and re.fullmatch(r"[A-Z]{2}", parts[-1]):
        country = parts[-1]
    if country:
        parts.pop()
    postal_code = city = None
    for index in range(len(parts) - 1, -1, -1):
        if match := _POSTAL_CITY.match(parts[index]):
            head = [match.group(1)] if match.group(1) else []
            postal_code, city = match.group(2), match.group(3).strip()
            parts = parts[:index] + head
            break
        if match := _CITY_UK_POSTCODE.match(parts[index]):
            city, postal_code = match.group(1), match.group(2)
            parts = parts[:index]
            break
    name, street = _name_and_street(parts)
    address = Address(street=street, city=city, postal_code=postal_code, country=country)
    return Party(name=name, address=address)


def _name_and_street(parts: list[str]) -> tuple[str | None, str | None]:
    first_street = next((i for i, p in enumerate(parts) if _STREET.search(_plain(p))), None)
    if first_street is None:
        first_street = 1 if len(parts) > 1 else len(parts)
    name = ", ".join(parts[:first_street]) or None
    street = ", ".join(parts[first_street:]) or None
    return name, street


def _plain(value: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _currency(cell: Cell) -> str | None:
    written = values.text(cell)
    if written is None:
        return None
    word = _plain(written).strip()
    named = {"euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD"}
    code = vocab.CURRENCY_SIGNS.get(written) or named.get(word) or written.upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise CellError(f"currency {written!r} is not an ISO 4217 code")
    return code


def _currency_hint(grid: Grid, table: Table, draft: _Draft) -> str | None:
    """The currency the money columns are written in (``Prix (€)``, ``12,50 €``), if one."""
    seen: set[str] = set()
    money = (vocab.UNIT_PRICE, vocab.AMOUNT)
    texts = [table.labels[c] for c, r in table.roles.items() if r in money]
    for role in money:
        column = table.column(role)
        texts += [str(c) for r in draft.rows if isinstance(c := _cell(grid, r, column), str)]
    for written in texts:
        seen.update(code for sign, code in vocab.CURRENCY_SIGNS.items() if sign in written)
        seen.update(re.findall(r"\b(EUR|USD|GBP|CHF)\b", written.upper()))
    return seen.pop() if len(seen) == 1 else None


def _incoterms(grid: Grid, found: Field | None, notes: list[str]) -> str | None:
    written = _read(grid, found, values.text)
    if not written:
        return None
    code = written.split()[0].upper().strip(".,")
    if code in vocab.INCOTERMS_2020:
        return code
    notes.append(f"{found.label if found else 'Incoterms'}: {written}")
    return None


def _payment_terms(found: Field | None) -> PaymentTerms | None:
    written = " ".join(t for t in (values.text(c) for c in _cells(found)) if t)
    if not written:
        return None
    match = re.search(r"(\d{1,3})\s*(?:jours?|j\b|days?|d\b)", written, re.IGNORECASE)
    match = match or re.search(r"\bnet\s*(\d{1,3})\b", written, re.IGNORECASE)
    return PaymentTerms(days=int(match.group(1)) if match else None, description=written)


# --- one line ----------------------------------------------------------------------


@dataclass
class _Row:
    """One row of a lines table, read cell by cell with errors naming the cell."""

    grid: Grid
    table: Table
    row: int

    def cell(self, role: str) -> Cell:
        return _cell(self.grid, self.row, self.table.column(role))

    def where(self, role: str | None = None) -> str:
        column = self.table.column(role) if role else None
        label = self.table.labels.get(column) if column is not None else None
        return self.grid.where(self.row, column, label)

    def read(self, role: str, reader: Callable[[Cell], T]) -> T | None:
        try:
            return reader(self.cell(role))
        except CellError as exc:
            raise BadDocument(str(exc), location=self.where(role)) from None


def _line(
    grid: Grid, table: Table, row: int, seq: int, conventions: Conventions,
    *, order_date: date | None,
) -> tuple[Line, bool]:
    """One order line, and whether its unit is unknown (kept as written, confidence 0)."""
    cells = _Row(grid, table, row)
    number, written_unit = values.split_quantity(cells.cell(vocab.QUANTITY))
    quantity = cells.read(vocab.QUANTITY, lambda _: values.decimal(number, conventions))
    if quantity is None:
        raise BadDocument("no quantity on this line", location=cells.where(vocab.QUANTITY))
    unit_text = cells.read(vocab.UNIT, values.text) or written_unit
    money = partial(values.decimal, conventions=conventions)
    line = Line(
        line_number=cells.read(vocab.LINE_NUMBER, lambda c: _line_number(c, seq)) or seq,
        gtin=cells.read(vocab.GTIN, values.gtin),
        seller_item_code=cells.read(vocab.SELLER_CODE, values.code),
        buyer_item_code=cells.read(vocab.BUYER_CODE, values.code),
        description=cells.read(vocab.DESCRIPTION, values.text),
        quantity=quantity,
        unit=rec20(unit_text),
        unit_price=cells.read(vocab.UNIT_PRICE, money),
        line_amount=cells.read(vocab.AMOUNT, money),
        requested_delivery_date=cells.read(
            vocab.DELIVERY_DATE, lambda c: values.day(c, conventions, order_date)
        ),
    )
    if not (line.gtin or line.seller_item_code or line.buyer_item_code or line.description):
        raise BadDocument("a quantity without an item (no code, no description)",
                          location=cells.where())
    if unit_text and line.unit is None:
        # Not a UN/ECE Rec 20 unit we know: the written text stays beside the line and
        # the zero confidence sends the order to a person instead of guessing a unit.
        line.unit_as_written = unit_text  # type: ignore[attr-defined]
        return line, True
    return line, False


def _line_number(cell: Cell, seq: int) -> int:
    number = values.decimal(cell, Conventions())
    if number is None:
        return seq
    if number != number.to_integral_value() or number < 1:
        raise CellError(f"line number {values.text(cell)!r} is not a whole number from 1")
    return int(number)
