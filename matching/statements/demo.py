"""Demo statements: one balanced file per format paying some open items.

``make run`` shows cash application from the first minute: it writes these files next to
the demo master data and ingests them. Each file pays the same invoices, so whichever
format a newcomer opens, the matches are the same.

Run: ``python -m matching.statements.demo OPEN_ITEMS_CSV OUT_DIR [CUSTOMERS_CSV]``.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ACCOUNT = "FR7630006000011234567890189"
OPENING = Decimal("25000.00")


@dataclass(frozen=True)
class Payment:
    """One customer payment to put on the demo statements."""

    reference: str
    payer_name: str
    payer_iban: str
    amount: Decimal
    remittance: str


def payments_for(open_items: Path, customers: Path | None = None, limit: int = 5) -> list[Payment]:
    """The first ``limit`` EUR open items of ``open_items.csv``, paid in full."""
    names: dict[str, tuple[str, str]] = {}
    if customers and customers.exists():
        with customers.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                iban = (row.get("ibans") or "").split("|")[0]
                names[row["customer_id"]] = (row.get("name") or row["customer_id"], iban)
    found = []
    with open_items.open(encoding="utf-8", newline="") as handle:
        for index, row in enumerate(r for r in csv.DictReader(handle) if r["currency"] == "EUR"):
            if index >= limit:
                break
            name, iban = names.get(row["customer_id"], (row["customer_id"], ""))
            text = row.get("reference") or f"FACTURE {row['invoice_id']}"
            found.append(Payment(f"DEMO{index + 1:04d}", name, iban,
                                 Decimal(row["open_amount"]), text))
    return found


def statements(payments: Sequence[Payment], day: date) -> dict[str, bytes]:
    """File name → content, one statement per format."""
    return {
        "demo-camt053.xml": _camt(payments, day, "053"),
        "demo-camt054.xml": _camt(payments, day, "054"),
        "demo-mt940.sta": _mt940(payments, day),
        "demo-cfonb120.cfo": _cfonb(payments, day),
        "demo-bai2.txt": _bai2(payments, day),
    }


def _closing(payments: Sequence[Payment]) -> Decimal:
    return OPENING + sum((p.amount for p in payments), Decimal(0))


def _camt(payments: Sequence[Payment], day: date, kind: str) -> bytes:
    iso = day.isoformat()
    entries = "".join(
        f"<Ntry><Amt Ccy=\"EUR\">{p.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd>"
        f"</Sts><BookgDt><Dt>{iso}</Dt></BookgDt><ValDt><Dt>{iso}</Dt></ValDt><AcctSvcrRef>"
        f"{p.reference}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>E2E-{p.reference}"
        f"</EndToEndId></Refs><RltdPties><Dbtr><Nm>{_xml(p.payer_name)}</Nm></Dbtr>"
        f"<DbtrAcct><Id><IBAN>{p.payer_iban}</IBAN></Id></DbtrAcct></RltdPties><RmtInf>"
        f"<Ustrd>{_xml(p.remittance)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for p in payments
    )
    balances = "" if kind == "054" else _bal("OPBD", OPENING, iso) + _bal(
        "CLBD", _closing(payments), iso)
    root, block = ("BkToCstmrStmt", "Stmt") if kind == "053" else ("BkToCstmrDbtCdtNtfctn",
                                                                     "Ntfctn")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:'
        f'tech:xsd:camt.{kind}.001.08"><{root}><GrpHdr><MsgId>DEMO-{kind}</MsgId><CreDtTm>'
        f"{iso}T18:00:00</CreDtTm></GrpHdr><{block}><Id>DEMO-{kind}-{iso}</Id><CreDtTm>{iso}"
        f"T18:00:00</CreDtTm><Acct><Id><IBAN>{ACCOUNT}</IBAN></Id></Acct>{balances}{entries}"
        f"</{block}></{root}></Document>\n"
    ).encode()


def _bal(code: str, amount: Decimal, iso: str) -> str:
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{amount}"
            f"</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{iso}</Dt></Dt></Bal>")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _swift(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _mt940(payments: Sequence[Payment], day: date) -> bytes:
    yymmdd = day.strftime("%y%m%d")
    lines = ["{1:F01BNPAFRPPXXXX0000000000}{2:O940BNPAFRPPXXXXN}{4:", ":20:DEMO-MT940",
             f":25:{ACCOUNT}", ":28C:1/1", f":60F:C{yymmdd}EUR{_swift(OPENING)}"]
    for p in payments:
        lines.append(f":61:{yymmdd}{yymmdd[2:]}C{_swift(p.amount)}NTRFNONREF//{p.reference}")
        text = (f"/EREF/E2E-{p.reference}//CNTP/{p.payer_iban}//{p.payer_name}///REMI/USTD//"
                f"{p.remittance}/")
        lines.append(":86:" + "\n".join(text[i:i + 65] for i in range(0, len(text), 65)))
    lines += [f":62F:C{yymmdd}EUR{_swift(_closing(payments))}", "-}"]
    return ("\r\n".join(lines) + "\r\n").encode()


def _cfonb_amount(amount: Decimal) -> str:
    digits = f"{int(abs(amount) * 100):014d}"
    return digits[:-1] + ("{ABCDEFGHI" if amount >= 0 else "}JKLMNOPQR")[int(digits[-1])]


def _cfonb(payments: Sequence[Payment], day: date) -> bytes:
    head, when = "30006    00001EUR2 12345678901", day.strftime("%d%m%y")
    records = [f"01{head}  {when}{'':50}{_cfonb_amount(OPENING)}{'':16}"]
    for number, p in enumerate(payments, 1):
        records.append(f"04{head[:7]}0005{head[11:]}05{when}  {when}{'VIR ' + p.payer_name:31.31}"
                       f"  {number:07d}  {_cfonb_amount(p.amount)}{p.reference:16}")
        for qualifier, text in (("NPY", p.payer_name), ("LIB", p.remittance)):
            records.append(f"05{head[:7]}0005{head[11:]}05{when}     {qualifier}{text:70.70}  ")
    records.append(f"07{head}  {when}{'':50}{_cfonb_amount(_closing(payments))}{'':16}")
    return ("\r\n".join(records) + "\r\n").encode("latin-1")


def _bai2(payments: Sequence[Payment], day: date) -> bytes:
    when = day.strftime("%y%m%d")
    cents = [int(p.amount * 100) for p in payments]
    opening, closing = int(OPENING * 100), int(_closing(payments) * 100)
    lines = [f"01,O2CDEMO,BNPAFRPP,{when},1800,1,,,2/", f"02,O2CDEMO,BNPAFRPP,1,{when},,EUR,2/",
             f"03,{ACCOUNT},EUR,010,{opening},,,015,{closing},,/"]
    lines += [f"16,195,{c},,{p.reference},,{p.payer_name} {p.remittance}"
              for c, p in zip(cents, payments, strict=True)]
    total = opening + closing + sum(cents)
    lines += [f"49,{total},{len(payments) + 2}/", f"98,{total},1,{len(payments) + 4}/",
              f"99,{total},1,{len(payments) + 6}/"]
    return ("\n".join(lines) + "\n").encode()


def main(argv: Sequence[str]) -> int:
    """Write the demo statements for an ``open_items.csv`` into a folder."""
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    customers = Path(argv[2]) if len(argv) == 3 else None
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).date()
    for name, content in statements(payments_for(Path(argv[0]), customers), today).items():
        (out / name).write_bytes(content)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
