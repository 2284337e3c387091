"""The lines table of a paper order, found from the column header and word positions.

The header row is the line where most words are column names (Réf, Désignation, Qté,
PU, Montant...). Each column then owns a horizontal zone that reaches half-way to its
neighbours; every cell of a body line goes to the zone it overlaps most. A body line
without a quantity continues the description of the line above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import pairwise

from rapidfuzz import fuzz, process

from connectors.documents.units import rec20
from connectors.documents.values import Read, as_digits, parse_amount, read_of
from connectors.documents.words import TextLine, Word

COLUMN_NAMES: dict[str, tuple[tuple[str, ...], ...]] = {
    "line_number": (("no",), ("ligne",), ("line",), ("pos",), ("lig",)),
    "seller_item_code": (
        ("ref",), ("reference",), ("code",), ("code", "article"), ("ref", "fournisseur"),
        ("votre", "ref"), ("vos", "ref"), ("your", "ref"), ("supplier", "ref"), ("item",),
        ("item", "code"), ("item", "no"), ("part", "no"), ("part", "number"), ("sku",),
        ("product", "code"), ("ref", "article"), ("reference", "article"), ("code", "produit"),
    ),
    "buyer_item_code": (
        ("notre", "ref"), ("our", "ref"), ("ref", "client"), ("ref", "interne"),
        ("customer", "ref"), ("our", "code"),
    ),
    "gtin": (("ean",), ("gtin",), ("ean13",), ("code", "ean"), ("ean", "13"), ("ean-13",)),
    "description": (
        ("designation",), ("description",), ("libelle",), ("produit",), ("product",),
        ("article",), ("item", "description"),
    ),
    "quantity": (("qte",), ("quantite",), ("qty",), ("quantity",), ("qt",), ("quant",)),
    "unit": (("unite",), ("unit",), ("u",), ("uom",), ("um",), ("cond",)),
    "unit_price": (
        ("pu",), ("p.u",), ("pu", "ht"), ("p.u", "ht"), ("puht",), ("p.u.ht",), ("pu.ht",),
        ("prix",), ("prix", "unitaire"),
        ("prix", "unit"), ("prix", "unitaire", "ht"), ("prix", "unit", "ht"),
        ("unit", "price"), ("price",), ("tarif",), ("prix", "net"), ("net", "price"),
    ),
    "line_amount": (
        ("montant",), ("montant", "ht"), ("total",), ("total", "ht"), ("amount",),
        ("line", "total"), ("total", "line"), ("net", "amount"), ("montant", "net"),
    ),
}
_LONG_NAMES = {name[0]: kind for kind, names in COLUMN_NAMES.items() for name in names
               if len(name) == 1 and len(name[0]) >= 6}
_GLUED_UNIT = re.compile(r"^([0-9OoIlS][0-9OoIlS.,]*)([A-Za-z]{1,7}\.?)$")
INFERRED = 0.6
INFERRED_CHECK = "inferred from line amount / unit price"
NUMERIC = ("quantity", "unit_price", "line_amount", "line_number")
TEXTUAL = ("description", "seller_item_code", "buyer_item_code", "gtin", "unit")
_STOP_WORDS = {
    "total", "sous-total", "subtotal", "tva", "vat", "conditions", "signature", "observations",
    "remarques", "notes", "net", "montant", "payment", "paiement", "reglement", "merci",
    "cachet", "bon", "page",
}
_EXTRA_HEADER_TOKENS = {"ht", "ttc", "eur", "€", "(€)", "(eur)", "unit", "unitaire", "/", "-"}


@dataclass
class Column:
    """One column of the lines table: its kind and the header words that name it."""

    kind: str
    words: list[Word]
    left: float = float("-inf")
    right: float = float("inf")

    @property
    def x0(self) -> float:
        """Left of the header text."""
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        """Right of the header text."""
        return max(w.x1 for w in self.words)


@dataclass
class Row:
    """One order line as read: a Read per column kind."""

    cells: dict[str, Read] = field(default_factory=dict)
    lines: list[TextLine] = field(default_factory=list)


def match_columns(line: TextLine) -> list[Column]:
    """The column names on ``line``, longest name first, left to right."""
    indexed = [(i, t) for i, t in enumerate(line.tokens) if any(c.isalnum() for c in t)]
    tokens = [t for _, t in indexed]
    columns: list[Column] = []
    i = 0
    while i < len(tokens):
        kind, size = _longest_name(tokens, i)
        if kind:
            columns.append(Column(kind, [line.words[j] for j, _ in indexed[i : i + size]]))
            i += size
            continue
        word = line.words[indexed[i][0]]
        near = bool(columns) and word.x0 - columns[-1].x1 < 1.2 * max(word.height, 1.0)
        if columns and (tokens[i] in _EXTRA_HEADER_TOKENS or near):
            columns[-1].words.append(word)
        elif kind := _fuzzy_name(tokens[i]):
            columns.append(Column(kind, [word]))
        else:
            columns.append(Column("unknown", [word]))
        i += 1
    return columns


def _fuzzy_name(token: str) -> str | None:
    """A long column name misread by one or two letters (``Désignatlon``)."""
    if len(token) < 6:
        return None
    best = process.extractOne(token, list(_LONG_NAMES), scorer=fuzz.ratio, score_cutoff=80)
    return _LONG_NAMES[best[0]] if best else None


def _longest_name(tokens: list[str], start: int) -> tuple[str | None, int]:
    best: tuple[str | None, int] = (None, 0)
    for kind, names in COLUMN_NAMES.items():
        for name in names:
            if tuple(tokens[start : start + len(name)]) == name and len(name) > best[1]:
                best = (kind, len(name))
    return best


def find_header(lines: list[TextLine]) -> tuple[int, list[Column]] | None:
    """Index of the table's header line and its columns, or None when there is none."""
    for index, line in enumerate(lines):
        columns = match_columns(line)
        kinds = {c.kind for c in columns} - {"unknown"}
        known = sum(len(c.words) for c in columns if c.kind != "unknown")
        if "quantity" in kinds and len(kinds) >= 3 and known >= 0.6 * sum(
            len(c.words) for c in columns
        ):
            return index, _settle_columns(columns)
    return None


def _settle_columns(columns: list[Column]) -> list[Column]:
    kinds = [c.kind for c in columns]
    for column in columns:
        # "Article" names the code when a description column exists, else the description.
        if column.kind == "description" and column.words[0].token in ("article",):
            others = kinds.count("description") > 1
            column.kind = "seller_item_code" if others else "description"
    columns.sort(key=lambda c: c.x0)
    _name_unknown_price(columns)
    for left, right in pairwise(columns):
        boundary = (left.x1 + right.x0) / 2
        left.right = right.left = boundary
    return columns


def _name_unknown_price(columns: list[Column]) -> None:
    """An unreadable header between the quantity and the amount is the unit price
    (``P.U.`` read as ``"PUL``) when no other column is."""
    kinds = [c.kind for c in columns]
    if "unit_price" in kinds or "quantity" not in kinds or "line_amount" not in kinds:
        return
    middle = columns[kinds.index("quantity") + 1 : kinds.index("line_amount")]
    unknown = [c for c in middle if c.kind == "unknown"]
    if len(unknown) == 1:
        unknown[0].kind = "unit_price"


def read_rows(
    lines: list[TextLine], columns: list[Column], *, header_bottom: float, ocr: bool
) -> list[Row]:
    """The order lines below a header, until the totals or the end of the table."""
    rows: list[Row] = []
    last_bottom = header_bottom
    height = max(columns[0].words[0].height, 1.0)
    for line in lines:
        if line.top - last_bottom > 4 * height:
            break
        cells = _cells(line, columns)
        if _is_stop(line, cells):
            break
        row = _row(cells, ocr=ocr)
        if row is not None:
            row.lines.append(line)
            rows.append(row)
            last_bottom = line.bottom
        elif rows and _continues(cells):
            _extend_description(rows[-1], cells)
            last_bottom = line.bottom
    return rows


def _cells(line: TextLine, columns: list[Column]) -> dict[str, list[Word]]:
    cells: dict[str, list[Word]] = {}
    for whole in line.phrases(gap_ratio=0.9):
        phrase = whole
        head = _code_head(whole, columns)
        if head is not None:
            cells.setdefault(head.kind, []).append(whole[0])
            phrase = whole[1:]
        column = _best_column(phrase, columns)
        cells.setdefault(column.kind, []).extend(phrase)
    return cells


def _code_head(phrase: list[Word], columns: list[Column]) -> Column | None:
    """The code column, when a phrase runs from it into the next column: an item code
    printed (or read) too close to its description."""
    if len(phrase) < 2:
        return None
    first = phrase[0]
    middle = (first.x0 + first.x1) / 2
    for column in columns:
        if column.kind in ("seller_item_code", "buyer_item_code", "gtin") and (
            column.left <= middle < column.right < phrase[-1].x1
        ):
            return column
    return None


def _best_column(phrase: list[Word], columns: list[Column]) -> Column:
    x0, x1 = phrase[0].x0, phrase[-1].x1

    def overlap(column: Column) -> float:
        return min(x1, column.right) - max(x0, column.left)

    best = max(columns, key=overlap)
    if best.kind in NUMERIC and not _numeric(phrase):
        textual = [c for c in columns if c.kind in TEXTUAL and c.x0 <= x0]
        if textual:
            return max(textual, key=lambda c: c.x0)
    return best


def _numeric(phrase: list[Word]) -> bool:
    """A number, a unit, or a number followed by its unit."""
    if len(phrase) == 1 and rec20(phrase[0].text):
        return True
    return _quantity(phrase, ocr=True) is not None


def _is_stop(line: TextLine, cells: dict[str, list[Word]]) -> bool:
    worded = [t for t in line.tokens if any(c.isalpha() for c in t)]
    return bool(worded) and worded[0] in _STOP_WORDS and "quantity" not in cells


def _continues(cells: dict[str, list[Word]]) -> bool:
    return set(cells) <= {"description", "seller_item_code", "buyer_item_code"} and (
        "description" in cells
    )


def _extend_description(row: Row, cells: dict[str, list[Word]]) -> None:
    words = [w for kind in ("seller_item_code", "description") for w in cells.get(kind, [])]
    if "description" in row.cells:
        previous = row.cells["description"]
        merged = read_of(f"{previous.value} {' '.join(w.text for w in words)}",
                         previous.words + tuple(words))
        row.cells["description"] = merged
    else:
        row.cells["description"] = read_of(" ".join(w.text for w in words), words)


def _row(cells: dict[str, list[Word]], *, ocr: bool) -> Row | None:
    if "quantity" not in cells and rec20(" ".join(w.text for w in cells.get("unit", []))) is None:
        # "1u." printed (or read) as one word straddling the quantity and unit columns
        cells["quantity"] = cells.pop("unit", [])
    quantity = _quantity(cells.get("quantity", []), ocr=ocr)
    if quantity is None and ocr:
        quantity = _inferred_quantity(cells)
    identified = any(k in cells for k in ("seller_item_code", "buyer_item_code", "gtin"))
    if quantity is None or not (identified or "description" in cells):
        return None
    row = Row()
    row.cells["quantity"] = quantity[0]
    if quantity[1] is not None:
        row.cells["unit"] = quantity[1]
    for kind, words in cells.items():
        if kind == "quantity":
            continue
        if (read := _cell(kind, words, ocr=ocr)) is not None:
            row.cells[kind] = read
    return row


def _inferred_quantity(cells: dict[str, list[Word]]) -> tuple[Read, Read | None] | None:
    """A quantity OCR lost or garbled, from line amount / unit price when that division
    gives a whole (or half) number; kept under any confirming confidence."""
    price, amount = (_amount(cells.get(k, []), ocr=True) for k in ("unit_price", "line_amount"))
    if price is None or amount is None or not price.value:
        return None
    quantity = (amount.value / price.value).quantize(Decimal("0.5")).normalize()
    if quantity <= 0 or abs(quantity * price.value - amount.value) > Decimal("0.01"):
        return None
    words = cells.get("quantity") or list(price.words)
    read = read_of(quantity, words)
    read.confidence = INFERRED
    read.checks.append(INFERRED_CHECK)
    return read, None


def _quantity(words: list[Word], *, ocr: bool) -> tuple[Read, Read | None] | None:
    words = [w for w in words if any(c.isalnum() for c in w.text)]
    glued = _GLUED_UNIT.match(words[0].text) if len(words) == 1 else None
    if glued:
        # "50ctn": number and unit printed (or read) without a space
        number = as_digits(glued[1]) if ocr else glued[1]
        words = [replace(words[0], text=number), replace(words[0], text=glued[2])]
    for size in range(len(words), 0, -1):
        number_words, unit_words = words[:size], words[size:]
        parsed = parse_amount(" ".join(w.text for w in number_words), repair=ocr)
        if parsed is not None:
            break
    else:
        return None
    quantity = read_of(parsed[0], number_words)
    if parsed[1] or (glued and glued[1] != number_words[0].text):
        quantity.repaired_from = quantity.text
        quantity.lower(0.6, "letters read as digits")
    code = rec20(unit_words[0].text) if unit_words else None
    return quantity, (read_of(code, unit_words[:1]) if code else None)


def _amount(words: list[Word], *, ocr: bool) -> Read | None:
    if not words:
        return None
    text = " ".join(w.text for w in words)
    parsed = parse_amount(text, repair=ocr)
    if parsed is None:
        return None
    read = read_of(parsed[0], words)
    if parsed[1]:
        read.repaired_from = text
        read.lower(0.6, "letters read as digits")
    return read


def _cell(kind: str, words: list[Word], *, ocr: bool) -> Read | None:
    text = " ".join(w.text for w in words)
    if kind in ("unit_price", "line_amount"):
        return _amount(words, ocr=ocr)
    if kind == "line_number":
        return read_of(int(text), words) if text.isdigit() else None
    if kind == "unit":
        code = rec20(text)
        return read_of(code, words) if code else None
    if kind == "gtin":
        return read_of("".join(text.split()), words)
    if kind in ("seller_item_code", "buyer_item_code"):
        coded = [w for w in words if sum(c.isalnum() for c in w.text) >= 2] or words
        return read_of(coded[0].text, coded[:1])
    return read_of(text, words)
