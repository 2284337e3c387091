"""Write the demo: master data and documents from every channel, dated around today.

    .venv/bin/python -m demo.generate var/demo

Folders written: ``masterdata/`` (the contract's CSV files), ``inbox/`` (order sheets,
the drop folder), ``edi/`` (EDIFACT and UBL from EDI partners), ``mail/`` (e-mails as
received), ``fax/`` (faxed orders), ``api/`` (orders a web shop posts) and
``statements/`` (bank statements in CAMT.053, MT940 and CFONB 120).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cashapp import writers
from demo import documents as doc
from demo import masterdata
from matching.statements.model import BankTransaction, Statement


def order_sheets(folder: Path, today: date) -> None:
    """Sheets in the drop folder: clean ones, one per validation problem, one unreadable."""
    day = today.strftime("%m%d")
    sheets = {
        "commande-martin.csv": doc.sheet_csv(f"BC-{day}-0318", "C001", today, [
            ("FAR-T65-25", "Farine T65 sac 25 kg", D(12), "pcs", D("18.90")),
            ("LEV-500", "Levure fraîche 500 g", D(40), "pcs", D("1.15"))]),
        "commande-martin-relance.csv": doc.sheet_csv(f"BC-{day}-0318", "C001", today, [
            ("FAR-T65-25", "Farine T65 sac 25 kg", D(12), "pcs", D("18.90")),
            ("LEV-500", "Levure fraîche 500 g", D(40), "pcs", D("1.15"))],
            note="Relance : merci de confirmer"),
        "commande-clinique.csv": doc.sheet_csv(f"CSR-{day}-77", "C005", today, [
            ("AB-1024", "Gants nitrile taille M", D(200), "pcs", D("4.90")),
            ("ZZ-9999", "Masques FFP2 boîte de 50", D(20), "pcs", D("12.00"))]),
        "commande-garage.csv": doc.sheet_csv(f"GD-{day}-12", "C002", today, [
            ("AB-1024", "Gants nitrile taille M", D(100), "pcs", D("3.00"))]),
        "commande-lemoine.csv": doc.sheet_csv(f"TL-{day}-3", "C010", today, [
            ("CF-2210", "Café grains 1 kg", D(20), "kg", D("14.50"))]),
        "commande-cafe-gare.csv": doc.sheet_csv(f"CG-{day}-8", "C011", today, [
            ("BV-5001", "Eau minérale 50 cl", D(10), "carton", D("5.40"))]),
        "commande-vieux-port.csv": doc.sheet_csv(f"VP-{day}-41", "C009", today, [
            ("BV-5010", "Jus d'orange 1 L", D(6), "carton", D("11.90"))],
            delivery=today - timedelta(days=3)),
        "commande-lefevre.csv": doc.sheet_csv(f"LF-{day}-2", "C012", today, [
            ("FAR-T65-25", "Farine T65 sac 25 kg", D(8), "pcs", D("18.90"))], name_only=True),
        "commande-usd.csv": doc.sheet_csv(f"CL-{day}-9", "C005", today, [
            ("AB-1031", "Gants vinyle taille L", D(50), "pcs", D("3.80"))], currency="USD"),
        "commande-vide.csv": "BON DE COMMANDE;;\nN° de commande;X-1;\n".encode("cp1252"),
    }
    sheets.update(_routine_sheets(today))
    sheets.update(_weekly_sheets(today))
    _write(folder, sheets)


def _routine_sheets(today: date) -> dict[str, bytes]:
    """The everyday orders of regular customers, at list prices: they pass untouched."""
    rng = random.Random(masterdata.SEED + 3)
    catalogue = masterdata.products()
    sheets = {}
    for number in range(14, 51):
        picked = rng.sample(catalogue[20:], rng.randrange(2, 6))
        lines = [(sku, text, D(rng.choice([2, 5, 10, 12, 20, 50])), "pcs", D(price))
                 for sku, _gtin, text, _unit, price, _lead in picked]
        sheets[f"commande-C{number:03d}.csv"] = doc.sheet_csv(
            f"CMD-{today:%m%d}-{number:03d}", f"C{number:03d}", today, lines)
    return sheets


def _weekly_sheets(today: date) -> dict[str, bytes]:
    """A customer's weekly orders of one product, then one with two zeros too many.

    The three earlier weeks give the customer a usual quantity; this week's order asks
    for a hundred times that, which validation holds as ``QUANTITY_ANOMALY``. The names
    sort in the order the sheets were sent, so the drop folder takes them in that order.
    """
    sku, _gtin, text, _unit, price, _lead = masterdata.products()[40]
    weeks = ((3, D(12)), (2, D(10)), (1, D(12)), (0, D(1200)))
    return {
        f"commande-C030-semaine-{4 - back}.csv": doc.sheet_csv(
            f"HEB-{today - timedelta(weeks=back):%m%d}-30", "C030",
            today - timedelta(weeks=back), [(sku, text, quantity, "pcs", D(price))],
            delivery=today + timedelta(days=10 - back))
        for back, quantity in weeks
    }


def edi(folder: Path, today: date) -> None:
    """EDI partners: an EANCOM interchange, a UBL order, and a broken interchange."""
    warehouse, store = masterdata.gln("3012345006" + "99"), masterdata.gln("301234500006")
    messages: list[dict[str, Any]] = [
        {"po": f"GS{today:%y%m%d}01", "ship_to": store,
         "lines": [("301234500013", 48, "5.40"), ("301234500014", 24, "11.90")]},
        {"po": f"GS{today:%y%m%d}02", "ship_to": warehouse,
         "lines": [("301234500005", 100, "4.75")]},
        {"po": f"GS{today:%y%m%d}03", "ship_to": masterdata.gln("301299999999"),
         "lines": [("301234500015", 500, "0.45")]},
        {"po": f"GS{today:%y%m%d}04", "ship_to": None,
         "lines": [("301234500016", 50, "2.35")]},
    ]
    _write(folder, {
        "grandsud-orders.edi": doc.edifact_orders(today, messages),
        "lille-order.xml": doc.ubl_order(f"LIL-{today:%Y%m%d}-5", today, [
            ("301234500005", "Papier A4 80 g ramette", 60, "4.75"),
            ("301234500016", "Classeur à levier", 40, "2.35")]),
        "grandsud-broken.edi": doc.edifact_orders(today, messages[:1], control="IC1002",
                                                  break_count=True),
    })


def mails(folder: Path, today: date) -> None:
    """Mailbox: a typed order, a PDF purchase order, a newsletter, an unknown sender."""
    delivery = today + timedelta(days=6)
    body = (f"Bonjour,\n\nMerci de nous livrer pour le {delivery:%d/%m} :\n"
            "10 cartons réf. HY-3309\n5 x EL-7710 à 6,90 € HT\n\n"
            f"Bon de commande n° PH-{today:%m%d}-02\n\nCordialement,\nMarie Lambert\n"
            "Pharmacie des Halles\n-- \nCe message est confidentiel.\n")
    _write(folder, {
        "commande-pharmacie.eml": doc.mail("Marie Lambert <marie@pharmacie-halles.fr>",
                                           "Commande", body, today),
        "commande-pdf-dupont.eml": doc.mail(
            "Achats Garage Dupont <achats@garage-dupont.fr>", "Bon de commande",
            "Bonjour,\nveuillez trouver ci-joint notre bon de commande.\nCordialement\n",
            today, attachment=("BC-dupont.pdf", "application/pdf", _pdf_order(today, 1))),
        "newsletter.eml": doc.mail("news@fournisseur-emballages.example",
                                   "Nos nouveautés de saison",
                                   "Découvrez nos nouveautés ! Se désabonner : lien.\n", today),
        "inconnu.eml": doc.mail("j.doe@nouveau-client.example", "Order",
                                "Hello,\nplease send 4 x OF-9041 at 2.35 EUR.\n"
                                f"PO {today:%m%d}-JD\nThanks, John\n", today),
    })


def _pdf_order(today: date, buyer: int) -> bytes:
    """A paper purchase order at list prices, printed by the buyer's purchasing system."""
    from tests.fax_ocr import corpus, render

    lines: list[dict[str, Any]] = []
    for code, body, text, unit, price, _lead in masterdata.NAMED_PRODUCTS[buyer : buyer + 4]:
        quantity = D(6 * (len(lines) + 1))
        lines.append({"code": code, "gtin": masterdata.gtin13(body), "description": text,
                      "unit": unit, "quantity": quantity, "price": D(price),
                      "amount": (quantity * D(price)).quantize(D("0.01"))})
    spec = corpus.OrderSpec("fr_classic", f"CMD-{today:%Y%m%d}-{buyer}", today,
                            today + timedelta(days=9), corpus.BUYERS[buyer], lines)
    return render.fr_classic(spec)


def faxes(folder: Path, today: date) -> None:
    """Fax inbox: a faxed purchase order from the Hôtel du Parc, and a blank page."""
    from PIL import Image

    from tests.fax_ocr import degrade

    blank = Image.new("1", (1728, 1100), 1)
    _write(folder, {
        "fax-hotel-du-parc.tif": degrade.fax_order(_pdf_order(today, 2), "+33 4 93 00 00 00",
                                                   seed=7),
        "fax-vierge.tif": degrade.fax_tiff([blank]),
    })


def api_orders(folder: Path, today: date) -> None:
    """Orders a web shop posts to the order API, one of them invalid."""
    folder.mkdir(parents=True, exist_ok=True)
    doc.write_json(folder / "shop-order-1.json", doc.api_order(
        f"WEB-{today:%m%d}-1001", "C008", today,
        [("AB-1031", "Gants vinyle taille L", D(30), "pcs", D("3.80"))]))
    doc.write_json(folder / "shop-order-invalid.json",
                   {"buyer_order_number": "", "lines": [{"quantity": "beaucoup"}]})


def statements(folder: Path, today: date, items: list[list[object]]) -> None:
    """Yesterday's statements: payments of demo invoices, fees, an unknown payer."""
    by_id = {str(row[0]): row for row in items}
    names = {c.customer_id: c for c in masterdata.customers()}

    def paying(invoice: str, *, text: str | None = None, rf: bool = False,
               short: D = D(0), ref: str) -> BankTransaction:
        row = by_id[invoice]
        customer = names[str(row[1])]
        return BankTransaction(
            account=doc.OWN_IBAN, bank_reference=ref, booking_date=today, value_date=today,
            amount=D(str(row[5])) - short, currency="EUR", payer_name=customer.name.upper(),
            payer_iban=customer.iban, remittance=None if rf else (text or f"Facture {invoice}"),
            structured_reference=masterdata.rf_reference(invoice) if rf else None)

    camt = [paying("FA-2026-00003", rf=True, ref="DEMO-C1"),
            paying("FA-2026-00001", ref="DEMO-C2"),
            paying("FA-2026-00002", text="Fact FA2026-2 moins escompte", short=D("12.40"),
                   ref="DEMO-C3"),
            BankTransaction(doc.OWN_IBAN, "DEMO-C4", today, D("-18.50"), "EUR",
                            bank_code="PMNT-CCRD-CHRG", remittance="FRAIS TENUE DE COMPTE"),
            # A payer finance once tied to its customer by hand (history.csv): learnt.
            BankTransaction(doc.OWN_IBAN, "DEMO-C5", today, D(str(by_id["FA-2026-00010"][5])),
                            "EUR", payer_name="SCI LES TILLEULS", remittance="VIREMENT"),
            # A known payer, an invoice's exact amount, no reference.
            BankTransaction(doc.OWN_IBAN, "DEMO-C6", today, D(str(by_id["FA-2026-00011"][5])),
                            "EUR", payer_name=names[str(by_id["FA-2026-00011"][1])].name.upper(),
                            remittance="REGLEMENT FACTURES"),
            # A known payer paying less than an invoice, with no reference: finance decides.
            replace(paying("FA-2026-00012", text="PAIEMENT", ref="DEMO-C8"),
                    amount=D(str(by_id["FA-2026-00012"][5])) - D("37.00")),
            # An invoice number with a typing error, from an account we do not know.
            replace(paying("FA-2026-00013", text="FACT FA-2026-00031", ref="DEMO-C9"),
                    payer_iban=None, payer_name="TRESORERIE GROUPE"),
            BankTransaction(doc.OWN_IBAN, "DEMO-C7", today, D("1250.00"), "EUR",
                            payer_name="M. DURAND JEAN", remittance="ACOMPTE")]
    mt940 = [paying("FA-2026-00006", rf=True, ref="DEMO-M1"),
             paying("FA-2026-00004", text="REGLEMENT FA-2026-00004", ref="DEMO-M2")]
    cfonb = [paying("FA-2026-00005", text="FA 2026 00005", ref="0000001"),
             paying("FA-2026-00007", text="FACT FA-2026-00007", ref="0000002")]
    folder.mkdir(parents=True, exist_ok=True)
    for name, writer, entries in (("releve.camt053.xml", writers.camt053, camt),
                                  ("releve.mt940", writers.mt940, mt940),
                                  ("releve.cfonb", writers.cfonb120, cfonb)):
        statement = Statement(doc.OWN_IBAN, f"DEMO-{today:%Y%m%d}-{name.split('.')[1]}",
                              name.split(".")[1], "EUR", today, D("25000.00"),
                              D("25000.00") + sum((t.amount for t in entries), D(0)), entries)
        (folder / name).write_bytes(writer(statement))
    _every_format(folder, today, items)


def _every_format(folder: Path, today: date, items: list[list[object]]) -> None:
    """The same five payments in every bank format o2c reads: each is imported once."""
    from matching.statements import demo as statement_demo

    selection = folder / ".open_items_paid_in_every_format.csv"
    with selection.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["invoice_id", "customer_id", "issue_date", "due_date", "currency",
                         "amount", "open_amount", "reference"])
        writer.writerows(items[20:25])
    customers = folder.parent / "masterdata" / "customers.csv"
    payments = statement_demo.payments_for(selection, customers)
    selection.unlink()
    # One payment per format, each a different invoice: every parser shows its own line.
    for payment, (name, _content) in zip(payments, statement_demo.statements(payments, today)
                                         .items(), strict=True):
        (folder / name).write_bytes(statement_demo.statements([payment], today)[name])


def _write(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)


def generate(out: Path, today: date) -> None:
    """Write the whole demo under ``out``."""
    masterdata.write(out / "masterdata", today)
    order_sheets(out / "inbox", today)
    edi(out / "edi", today)
    mails(out / "mail", today)
    faxes(out / "fax", today)
    api_orders(out / "api", today)
    statements(out / "statements", today, masterdata.open_items(today))


def main() -> None:
    """Command line: the output folder, and optionally the date to build around."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--today", type=date.fromisoformat,
                        default=datetime.now(ZoneInfo("Europe/Paris")).date())
    args = parser.parse_args()
    generate(args.out, args.today)
    print(f"demo written to {args.out}")


if __name__ == "__main__":
    main()
