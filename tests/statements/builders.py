"""Small statement files written for a test, in the formats' own layouts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

Entry = tuple[str, str, str]  # (YYMMDD, signed amount, bank reference)


def _swift(amount: Decimal) -> str:
    return f"{abs(amount):.2f}".replace(".", ",")


def mt940(
    entries: Sequence[Entry],
    *,
    account: str = "NL91ABNA0417164300",
    opening: str = "1000.00",
    currency: str = "EUR",
    reference: str = "STMT1",
    closing: str | None = None,
    remittance: str = "INVOICE F2024-0001",
) -> bytes:
    """An MT940 message in a SWIFT FIN envelope; the closing balance adds up unless given."""
    total = Decimal(opening) + sum((Decimal(a) for _d, a, _r in entries), Decimal(0))
    closing_amount = Decimal(closing) if closing is not None else total
    first = entries[0][0] if entries else "240101"
    last = entries[-1][0] if entries else "240101"
    lines = [
        "{1:F01ABNANL2AXXXX0000000000}{2:O940ABNANL2AXXXXN}{4:",
        f":20:{reference}",
        f":25:{account}",
        ":28C:1/1",
        f":60F:{'C' if Decimal(opening) >= 0 else 'D'}{first}{currency}{_swift(Decimal(opening))}",
    ]
    for day, amount, ref in entries:
        mark = "C" if Decimal(amount) > 0 else "D"
        lines.append(f":61:{day}{day[2:]}{mark}{_swift(Decimal(amount))}NTRFNONREF//{ref}")
        lines.append(f":86:/EREF/E2E-{ref}//CNTP/FR7630006000011234567890189/AGRIFRPP/"
                     f"ACME SARL///REMI/USTD//{remittance}/")
    lines.append(
        f":62F:{'C' if closing_amount >= 0 else 'D'}{last}{currency}{_swift(closing_amount)}"
    )
    lines.append("-}")
    return ("\r\n".join(lines) + "\r\n").encode()


def _cfonb_amount(amount: Decimal) -> str:
    digits = f"{abs(amount) * 100:014.0f}"
    table = "{ABCDEFGHI" if amount >= 0 else "}JKLMNOPQR"
    return digits[:-1] + table[int(digits[-1])]


def cfonb_record(code: str, amount: str, *, day: str = "150524", label: str = "",
                 entry: str = "0000001", qualifier: str = "", text: str = "") -> str:
    """One CFONB 120 record (01, 04, 05 or 07) of account 30003 00501 00012345678."""
    head = f"{code}30003    00501EUR2 00012345678"
    if code == "05":
        body = f"{head}  {day}     {qualifier:3}{text:70}  "
    elif code == "04":
        body = (f"{head}05{day}  {day}{label:31}  {entry:7}  "
                f"{_cfonb_amount(Decimal(amount))}{'':16}")
    else:
        body = f"{head}  {day}{'':50}{_cfonb_amount(Decimal(amount))}{'':16}"
    assert len(body) == 120, (code, len(body))
    return body


def camt053(
    entries: Sequence[str],
    *,
    version: str = "08",
    prefix: str = "c",
    opening: str = "1000.00",
    closing: str | None = None,
    currency: str = "EUR",
    closing_currency: str | None = None,
    account: str = "FR7630006000011234567890189",
) -> bytes:
    """A CAMT.053 with a namespace prefix; ``entries`` are ``Ntry`` bodies (unprefixed,
    the prefix is added) or amounts for a plain credit/debit entry."""
    total = Decimal(opening)
    bodies = []
    for index, entry in enumerate(entries, 1):
        if entry.startswith("<"):
            bodies.append(entry)
            continue
        amount = Decimal(entry)
        total += amount
        bodies.append(
            f"<Amt Ccy=\"{currency}\">{abs(amount)}</Amt>"
            f"<CdtDbtInd>{'CRDT' if amount > 0 else 'DBIT'}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
            f"<BookgDt><Dt>2024-05-15</Dt></BookgDt><ValDt><Dt>2024-05-15</Dt></ValDt>"
            f"<AcctSvcrRef>REF{index}</AcctSvcrRef>"
        )
    closing_value = closing if closing is not None else str(total)
    p = f"{prefix}:" if prefix else ""
    ntries = "".join(f"<Ntry>{body}</Ntry>" for body in bodies)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns{":" + prefix if prefix else ""}='
        f'"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">'
        f"<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-05-15T18:00:00</CreDtTm>"
        f"</GrpHdr><Stmt><Id>S1</Id><CreDtTm>2024-05-15T18:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{account}</IBAN></Id></Acct>"
        f"{_balance('OPBD', opening, currency)}"
        f"{_balance('CLBD', closing_value, closing_currency or currency)}"
        f"{ntries}</Stmt></BkToCstmrStmt></Document>"
    )
    if prefix:
        xml = _prefixed(xml, p)
    return xml.encode()


def _balance(code: str, amount: str, currency: str) -> str:
    value = Decimal(amount)
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f"<Amt Ccy=\"{currency}\">{abs(value)}</Amt>"
        f"<CdtDbtInd>{'CRDT' if value >= 0 else 'DBIT'}</CdtDbtInd>"
        f"<Dt><Dt>2024-05-15</Dt></Dt></Bal>"
    )


def _prefixed(xml: str, prefix: str) -> str:
    declaration, body = xml.split("\n", 1)
    tagged = re.sub(r"<(/?)([A-Za-z]\w*)(?=[\s>/])",
                    lambda m: f"<{m.group(1)}{prefix}{m.group(2)}", body)
    return f"{declaration}\n{tagged}"
