"""Where things are on an order sheet: the lines tables and the labelled header fields.

A lines table starts at a row whose cells are mostly known column labels, at least one of
them a line column (quantity, item code, description, price). Its lines follow until a
footer label (``Total HT``, ``Remarques``), the next table's header row, or the end.
Every other row is read as header fields: a label and its value in the next cells
(``N° de commande | PO-1``), in one cell (``Client : Dupont``), a row of labels over a
row of values, or an address continued on the rows below its label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from connectors.documents import sheet_vocab as vocab
from connectors.documents.sheet_read import Cell, Grid
from connectors.documents.sheet_values import text

_LINE_ROLES = frozenset({*vocab.ITEM_ROLES, vocab.QUANTITY, vocab.UNIT_PRICE, vocab.AMOUNT})
_CONTINUED = frozenset({*vocab.ADDRESS_FIELDS, vocab.NOTES})
_NUMBER = re.compile(r"^[-+]?[\d\s\u00a0\u202f.,]*\d$")  # a quantity row is no header row
_NUMERO_AT_END = re.compile(r"\s*(?:n[°º]|no\.?|nr\.?|#)$", re.IGNORECASE)
_ENDS_TABLE = frozenset({vocab.TOTAL, vocab.ORDER_NUMBER, vocab.NOTES})


@dataclass
class Field:
    """A header field as found: its value cells and where its label is.

    Attributes:
        cells: The value cells (several for an address written over cells or rows).
        row: Row index of the label.
        column: Column index of the first value.
        label: The label as written.
    """

    cells: list[Cell]
    row: int
    column: int
    label: str


@dataclass
class Table:
    """One lines table.

    Attributes:
        header: Row index of the column labels.
        roles: Column index to role (a line field or an order-level field).
        labels: Column index to the label as written.
        rows: Row indices of the lines.
        notes: Single free-text rows inside the table (section titles, remarks).
        end: Row index after the table's last row.
    """

    header: int
    roles: dict[int, str]
    labels: dict[int, str]
    rows: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    end: int = 0
    _columns: dict[str, int] | None = field(default=None, repr=False)

    def column(self, role: str) -> int | None:
        """The column index of a role, None when the table has no such column."""
        if self._columns is None:
            self._columns = {r: c for c, r in self.roles.items()}
        return self._columns.get(role)


def row_roles(row: list[Cell]) -> tuple[dict[int, str], dict[int, str]]:
    """Column roles and labels of a row read as a table header (first label of a role wins)."""
    roles: dict[int, str] = {}
    labels: dict[int, str] = {}
    for index, cell in enumerate(row):
        if not isinstance(cell, str):
            continue
        role = vocab.column_role(cell)
        if role and role not in roles.values():
            roles[index] = role
            labels[index] = " ".join(cell.split())
    return roles, labels


def is_table_header(row: list[Cell]) -> bool:
    """Whether a row holds the column labels of a lines table (with a quantity or a price).

    Most of its cells must be known labels, at least one of them a line column; or, for
    wide tables with columns of their own (colour, size), three line columns at least.
    """
    roles, _ = row_roles(row)
    line_roles = sum(1 for role in roles.values() if role in _LINE_ROLES)
    if len(roles) < 2 or not line_roles:
        return False
    if not {"quantity", "unit_price"} & set(roles.values()):
        return False  # codes and amounts without quantity or price: a ledger, not order lines
    filled = sum(1 for cell in row if text(cell) is not None)
    return len(roles) * 10 >= filled * 6 or line_roles >= 3


def table_score(rows: list[list[Cell]]) -> int:
    """How clearly rows show a lines table: known labels on the best header row."""
    return max((len(row_roles(row)[0]) for row in rows if is_table_header(row)), default=0)


def find_tables(grid: Grid) -> list[Table]:
    """Every lines table of a sheet, top to bottom."""
    tables: list[Table] = []
    index = 0
    while index < len(grid.rows):
        if is_table_header(grid.rows[index]):
            table = _read_table(grid, index)
            tables.append(table)
            index = table.end
        else:
            index += 1
    return tables


def _read_table(grid: Grid, header: int) -> Table:
    roles, labels = row_roles(grid.rows[header])
    table = Table(header, roles, labels)
    quantity = table.column(vocab.QUANTITY)
    index = header + 1
    for index in range(header + 1, len(grid.rows)):
        row = grid.rows[index]
        filled = [(c, v) for c, v in enumerate(row) if text(v) is not None]
        if not filled:
            continue
        has_quantity = _has_quantity(row, quantity)
        numeric = has_quantity and _NUMBER.match(str(row[quantity or 0]).strip()) is not None
        if (not numeric and is_table_header(row)) or _footer(filled, has_quantity):
            table.end = index
            return table
        if has_quantity or len(filled) > 1 or quantity is None:
            table.rows.append(index)
        else:
            table.notes.append(str(text(filled[0][1])))
    table.end = len(grid.rows)
    return table


def _has_quantity(row: list[Cell], quantity: int | None) -> bool:
    return quantity is not None and quantity < len(row) and text(row[quantity]) is not None


def _footer(filled: list[tuple[int, Cell]], quantity: bool) -> bool:
    """Whether a row after the lines starts the footer.

    It starts with a header label or a summary word (``Total TTC``, ``TVA 20 %``,
    ``Frais de port``) and has no quantity, unless its first word is one no order line
    starts with (a total, the next order number).
    """
    first = filled[0][1]
    if not isinstance(first, str):
        return False
    found = _label_of(first)
    if found is not None:
        return not quantity or found[0] in _ENDS_TABLE
    summary = vocab.summary_word(first)
    return summary is not None and (not quantity or summary == vocab.TOTAL)


def _label_of(cell: str, *, loose: bool = False) -> tuple[str, str | None] | None:
    """A header-field label in a cell: (field, inline value) or None.

    Args:
        cell: ``"Client"``, ``"Client : Dupont"``; with ``loose``, also an order number
            written after its label without a colon (``"Bon de commande n° 4500012"``).
    """
    found = vocab.header_field(cell)
    if found:
        return found, None
    head, colon, tail = cell.partition(":")
    if colon and (found := vocab.header_field(head)):
        return found, tail.strip() or None
    return _order_number_in_title(cell) if loose and not colon else None


def _order_number_in_title(cell: str) -> tuple[str, str | None] | None:
    words = cell.split()
    for cut in range(len(words) - 1, 0, -1):
        rest = words[cut:]
        if rest[1:2] in ([], ["du"], ["of"], ["dated"]) and any(c.isdigit() for c in rest[0]):
            label = _NUMERO_AT_END.sub("", " ".join(words[:cut]))
            if vocab.header_field(label) == vocab.ORDER_NUMBER:
                return vocab.ORDER_NUMBER, rest[0]
    return None


# --- header fields -----------------------------------------------------------------


@dataclass
class _Label:
    column: int
    field: str
    label: str
    inline: str | None


def _labels(row: list[Cell]) -> list[_Label]:
    found = []
    first = next((i for i, cell in enumerate(row) if text(cell) is not None), -1)
    for index, cell in enumerate(row):
        if isinstance(cell, str) and (match := _label_of(cell, loose=index == first)):
            found.append(_Label(index, match[0], cell.split(":")[0].strip(), match[1]))
    return found


def read_fields(grid: Grid, indices: range | list[int]) -> dict[str, Field]:
    """The labelled header fields in some rows of a sheet (the first of each field wins).

    Args:
        grid: The sheet.
        indices: The rows to read, in order.
    """
    fields: dict[str, Field] = {}
    above: dict[int, _Label] = {}
    continued: Field | None = None
    for index in indices:
        row = grid.rows[index]
        filled = [(c, v) for c, v in enumerate(row) if text(v) is not None]
        labels = _labels(row)
        if not filled:
            above, continued = {}, None
        elif above and not labels:
            _values_below(fields, above, filled, index)
            above = {}
        elif _label_row(labels, filled):
            above = {lb.column: lb for lb in labels}
        elif labels:
            continued = _pairs(fields, labels, filled, index)
        elif continued is not None and filled[0][0] >= continued.column:
            continued.cells.extend(v for _, v in filled)
    return fields


def _label_row(labels: list[_Label], filled: list[tuple[int, Cell]]) -> bool:
    """A row of labels only, whose values are on the row below."""
    return len(labels) >= 2 and len(labels) == len(filled) and not any(lb.inline for lb in labels)


def _values_below(
    fields: dict[str, Field], above: dict[int, _Label], filled: list[tuple[int, Cell]], row: int
) -> None:
    for column, value in filled:
        if column in above:
            label = above[column]
            fields.setdefault(label.field, Field([value], row, column, label.label))


def _pairs(
    fields: dict[str, Field], labels: list[_Label], filled: list[tuple[int, Cell]], row: int
) -> Field | None:
    continued = None
    bounds = [lb.column for lb in labels[1:]] + [10**6]
    for label, stop in zip(labels, bounds, strict=True):
        values: list[Cell] = [label.inline] if label.inline else []
        values += [v for c, v in filled if label.column < c < stop]
        if not values and label.field not in _CONTINUED:
            continue
        first = next((c for c, _ in filled if label.column < c < stop), label.column + 1)
        found = fields.setdefault(label.field, Field(values, row, first, label.label))
        if found.cells is values and label.field in _CONTINUED:
            found.column = label.column if not values else first
            continued = found
    return continued
