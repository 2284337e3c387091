"""Writes the XLSX order-sheet samples of this folder with openpyxl.

Run ``.venv/bin/python tests/samples/sheets/make_xlsx.py`` from the repository root. The
committed ``.xlsx`` files are the reference: zip members carry the time they were written,
so a regenerated file has another sha256 and its golden ``.json`` must be reviewed again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
FIXED = datetime(2025, 3, 14, 9, 0, 0)


def real_dates() -> Workbook:
    """A customer's order form: real date cells, numbers as numbers, GTINs as numbers,
    a hidden price list and a visible conditions sheet without a lines table."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Commande"
    rows = [
        ["BON DE COMMANDE"],
        [],
        ["Client", "Hôtel des Alpes SAS"],
        ["Code client", "C0023"],
        ["SIRET", 41234567800011],
        ["GLN client", 3012345000024],
        ["N° de commande", "HDA-2025-0412", None, "Date", datetime(2025, 3, 14)],
        ["Livraison souhaitée", datetime(2025, 3, 20)],
        ["Adresse de livraison", "Hôtel des Alpes - Cuisine"],
        [None, "15 avenue de la Gare"],
        [None, "74000 Annecy"],
        ["Incoterms", "DDP"],
        [],
        ["Code EAN", "Référence", "Désignation", "Qté", "Unité", "PU HT", "Montant HT",
         "Date de livraison"],
        [3760123450003, "FAR-T65-25", "Farine de blé T65 sac 25 kg", 10, "sac", 18.9, 189,
         datetime(2025, 3, 20)],
        [3760123450010, "LEV-500", "Levure fraîche 500 g", 24, "pce", 1.15, 27.6,
         datetime(2025, 3, 18)],
        [None, "BEU-AOP-10", "Beurre AOP 10 kg", 2.5, "kg", 9.8, 24.5, None],
        [],
        [None, None, None, None, None, "Total HT", 241.1],
    ]
    for row in rows:
        sheet.append(row)
    for cell in ("E7", "B8", "H15", "H16"):
        sheet[cell].number_format = "DD/MM/YYYY"
    conditions = book.create_sheet("Conditions")
    conditions.append(["Les prix s'entendent hors taxes, franco de port."])
    hidden = book.create_sheet("Tarif")
    hidden.append(["Référence", "Désignation", "Qté mini", "Prix"])
    hidden.append(["FAR-T65-25", "Farine", 1, 18.9])
    hidden.sheet_state = "hidden"
    return book


def text_dates() -> Workbook:
    """An export where every cell is text: dates, French numbers, a year-less date."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Order"
    rows = [
        ["Bon de commande", "BC 77-310"],
        ["Date de commande", "28 février 2025"],
        ["Date de livraison", "05/03"],
        ["Client", "Café du Port"],
        ["N° TVA", "FR 32 123 456 789"],
        ["Adresse de facturation", "Café du Port, 2 quai Perrache, 69002 Lyon"],
        ["Devise", "€"],
        ["Remarques", "Merci d'appeler avant livraison.", "Quai n°2."],
        [],
        ["N°", "Réf.", "Libellé", "Quantité", "Unité", "Prix unitaire", "Montant",
         "Date livraison"],
        ["1", "CAF-ARA-1", "Café arabica grains 1 kg", "12", "u", "24,50", "294,00",
         "05/03/2025"],
        ["2", "SUC-1", "Sucre semoule 1 kg", "1 200", "kg", "1,05", "1 260,00", "7 mars 2025"],
        ["3", "GOB-25", "Gobelets carton 25 cl", "4", "barquette", "12,00", "48,00", ""],
        [],
        ["Total HT", "", "", "", "", "", "1 602,00"],
    ]
    for row in rows:
        sheet.append(row)
    return book


def main() -> None:
    """Write both samples."""
    for name, book in (("xlsx_real_dates", real_dates()), ("xlsx_text_dates", text_dates())):
        book.properties.created = FIXED
        book.properties.modified = FIXED
        book.save(HERE / f"{name}.xlsx")


if __name__ == "__main__":
    main()
