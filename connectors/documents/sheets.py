"""CSV and XLSX order sheets: a header block and a lines table, in French or English.

What a sheet may look like (the layout reader is :mod:`sheet_layout`, the conversion to
canonical orders :mod:`sheet_build`):

* a header block of labelled fields: customer name, customer number, VAT id, SIRET, GLN,
  order number, order and delivery dates, bill-to and ship-to addresses, currency,
  incoterms, payment terms, notes; labels in French or English (``N° de commande``,
  ``Bon de commande``, ``PO number``, ``Adresse de livraison``, ``Ship to``...);
* a lines table under a row of column labels (``Référence``, ``EAN``, ``Désignation``,
  ``Qté``, ``Unité``, ``PU HT``, ``Montant``, ``Date de livraison`` or their English
  names); an order-number column makes it a sheet of several orders;
* CSV separated by ``;``, ``,``, tabs or ``|``, in UTF-8 (with or without BOM), UTF-16
  with BOM, or Windows-1252; numbers written ``1 234,50`` or ``1,234.50``; dates
  ``12/03/2025``, ``2025-03-12``, ``12 mars 2025``;
* XLSX workbooks: every visible worksheet with a lines table, each read on its own
  (hidden sheets, often price lists behind a form, are not read); real date cells or
  dates written as text.

A sheet is recognised by its content: a CSV whose rows show a lines table, or any XLSX
workbook (no other extractor reads workbooks, so a workbook without a lines table is
refused here with the reason rather than left unrecognised).
"""

from __future__ import annotations

from typing import ClassVar

from connectors.base import Extractor
from connectors.documents.sheet_build import grid_orders
from connectors.documents.sheet_layout import table_score
from connectors.documents.sheet_read import (
    MAX_ROWS,
    decode_prefix,
    decode_text,
    is_foreign_text,
    is_xlsx,
    read_xlsx,
    split_csv,
)
from hub.documents import RawDocument
from hub.errors import BadDocument, NotAnOrder
from hub.model import Order


class SheetExtractor(Extractor):
    """Reads CSV and XLSX order sheets.

    Attributes:
        max_rows: Rows read per sheet; a bigger sheet is refused.
    """

    name: ClassVar[str] = "sheets"
    formats: ClassVar[tuple[str, ...]] = ("csv", "xlsx")
    max_rows: int = MAX_ROWS

    def identify(self, raw: RawDocument) -> bool:
        """A CSV whose rows show a lines table, or an XLSX workbook."""
        if is_xlsx(raw.content):
            return True
        if is_foreign_text(raw.content):
            return False
        text = decode_prefix(raw.content)
        if text is None:
            return False
        grid = split_csv(text, table_score, max_rows=self.max_rows)
        return table_score(grid.rows) > 0

    def extract(self, raw: RawDocument) -> list[Order]:
        """Every order of the sheet (of every visible worksheet of a workbook).

        Raises:
            NotAnOrder: a workbook with no lines table in any visible sheet.
            BadDocument: naming the file, the row and column, and the reason.
        """
        try:
            return self._extract(raw)
        except BadDocument as exc:
            raise exc.with_source(raw.name) from None

    def _extract(self, raw: RawDocument) -> list[Order]:
        if is_xlsx(raw.content):
            return self._workbook(raw)
        if not raw.content.strip():
            raise BadDocument("empty file")
        if is_foreign_text(raw.content):
            raise BadDocument("not a CSV order sheet (binary content or another format)")
        grid = split_csv(decode_text(raw.content), table_score, max_rows=self.max_rows)
        return grid_orders(grid, raw)

    def _workbook(self, raw: RawDocument) -> list[Order]:
        grids = read_xlsx(raw.content, max_rows=self.max_rows)
        with_tables = [g for g in grids if table_score(g.rows) > 0]
        if not with_tables:
            titles = ", ".join(repr(g.sheet) for g in grids) or "none"
            # A workbook without any lines table (a price list, a catalogue sent with an
            # order e-mail) is readable and simply holds no order.
            raise NotAnOrder(
                "no lines table in any visible sheet (a row of column labels such as "
                f"Référence, Désignation, Quantité); sheets: {titles}"
            )
        return [order for grid in with_tables for order in grid_orders(grid, raw)]
