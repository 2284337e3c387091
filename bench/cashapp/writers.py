"""Bank statement writers for the cash-application benchmark: CAMT.053, MT940, CFONB 120.

Each writer turns a :class:`~matching.statements.model.Statement` into the bytes a bank
would send, balances consistent, so that the benchmark runs through the real parsers.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal
from xml.sax.saxutils import escape

from matching.statements.model import BankTransaction, Statement

CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def _money(amount: Decimal) -> str:
    return f"{abs(amount):.2f}"


def camt053(statement: Statement) -> bytes:
    """A CAMT.053.001.02 document with one statement."""
    s = statement
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<Document xmlns="{CAMT_NS}"><BkToCstmrStmt>',
        f"<GrpHdr><MsgId>{s.statement_ref}</MsgId>"
        f"<CreDtTm>{s.statement_date}T18:00:00+01:00</CreDtTm></GrpHdr>",
        f"<Stmt><Id>{s.statement_ref}</Id><CreDtTm>{s.statement_date}T18:00:00+01:00</CreDtTm>",
        f"<Acct><Id><IBAN>{s.account}</IBAN></Id><Ccy>{s.currency}</Ccy></Acct>",
        _camt_balance("OPBD", s.opening_balance or Decimal(0), s),
        _camt_balance("CLBD", s.closing_balance or Decimal(0), s),
    ]
    parts.extend(_camt_entry(t) for t in s.transactions)
    parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "\n".join(parts).encode()


def _camt_balance(code: str, amount: Decimal, s: Statement) -> str:
    sign = "CRDT" if amount >= 0 else "DBIT"
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
            f'<Amt Ccy="{s.currency}">{_money(amount)}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
            f"<Dt><Dt>{s.statement_date}</Dt></Dt></Bal>")


def _camt_entry(t: BankTransaction) -> str:
    credit = t.amount > 0
    domain, family, sub = (t.bank_code or ("PMNT-RCDT-ESCT" if credit else "PMNT-ICDT-ESCT")
                           ).split("-")
    party = "Dbtr" if credit else "Cdtr"
    related = ""
    if t.payer_name or t.payer_iban:
        name = f"<{party}><Nm>{escape(t.payer_name or '')}</Nm></{party}>" if t.payer_name else ""
        account = (f"<{party}Acct><Id><IBAN>{t.payer_iban}</IBAN></Id></{party}Acct>"
                   if t.payer_iban else "")
        related = f"<RltdPties>{name}{account}</RltdPties>"
    remittance = ""
    if t.remittance or t.structured_reference:
        lines = "".join(f"<Ustrd>{escape(line)}</Ustrd>"
                        for line in (t.remittance or "").split("\n") if line)
        strd = ""
        if t.structured_reference:
            strd = ("<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr>"
                    f"</Tp><Ref>{t.structured_reference}</Ref></CdtrRefInf></Strd>")
        remittance = f"<RmtInf>{lines}{strd}</RmtInf>"
    returned = (f"<RtrInf><Rsn><Cd>{t.return_reason}</Cd></Rsn></RtrInf>"
                if t.return_reason else "")
    e2e = t.end_to_end_id or "NOTPROVIDED"
    return (
        f'<Ntry><Amt Ccy="{t.currency}">{_money(t.amount)}</Amt>'
        f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>{t.booking_date}</Dt></BookgDt>"
        f"<ValDt><Dt>{t.value_date or t.booking_date}</Dt></ValDt>"
        f"<AcctSvcrRef>{t.bank_reference}</AcctSvcrRef>"
        f"<BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd>"
        f"<SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"<NtryDtls><TxDtls><Refs><EndToEndId>{escape(e2e)}</EndToEndId></Refs>"
        f"{related}{remittance}{returned}</TxDtls></NtryDtls></Ntry>"
    )


# --- MT940 ---------------------------------------------------------------------------


def _mt_amount(amount: Decimal) -> str:
    return _money(amount).replace(".", ",")


def mt940(statement: Statement) -> bytes:
    """An MT940 message in a SWIFT FIN envelope, German ``:86:`` subfields."""
    s = statement
    opening, closing = s.opening_balance or Decimal(0), s.closing_balance or Decimal(0)
    day = s.statement_date.strftime("%y%m%d") if s.statement_date else "000101"
    lines = [
        "{1:F01BANKFRPPAXXX0000000000}{2:O9401200" + day + "BANKFRPPAXXX00000000000000000000"
        + day + "1200N}{4:",
        f":20:{s.statement_ref[:16]}",
        f":25:{s.account}",
        ":28C:1/1",
        f":60F:{'C' if opening >= 0 else 'D'}{day}{s.currency}{_mt_amount(opening)}",
    ]
    for t in s.transactions:
        lines.extend(_mt_entry(t))
    lines += [f":62F:{'C' if closing >= 0 else 'D'}{day}{s.currency}{_mt_amount(closing)}",
              "-}"]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1", "replace")


def _mt_entry(t: BankTransaction) -> list[str]:
    mark = "C" if t.amount > 0 else "D"
    booked = t.booking_date.strftime("%y%m%d")
    entry = (f":61:{booked}{booked[2:]}{mark}{_mt_amount(t.amount)}NTRF"
             f"{(t.end_to_end_id or 'NONREF')[:16]}//{t.bank_reference[:16]}")
    subfields = ["166" if t.amount > 0 else "177", "?00GUTSCHRIFT" if t.amount > 0
                 else "?00UEBERWEISUNG"]
    text = " ".join(x for x in (t.structured_reference, t.remittance) if x).replace("\n", "")
    text = _ascii(text)
    for k, chunk in enumerate(textwrap.wrap(text, 27, break_long_words=True,
                                            drop_whitespace=False)[:10]):
        subfields.append(f"?{20 + k}{chunk}")
    if t.payer_iban:
        subfields.append(f"?31{t.payer_iban}")
    if t.payer_name:
        name = _ascii(t.payer_name)
        subfields.append(f"?32{name[:27]}")
        if len(name) > 27:
            subfields.append(f"?33{name[27:54]}")
    field = "".join(subfields)
    wrapped = [field[i : i + 65] for i in range(0, len(field), 65)]
    return [entry, ":86:" + wrapped[0], *wrapped[1:]]


def _ascii(text: str) -> str:
    import unicodedata

    flat = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in flat if ord(ch) < 128 and ch not in "?{}:").strip()


# --- CFONB 120 -----------------------------------------------------------------------

_POSITIVE = "{ABCDEFGHI"
_NEGATIVE = "}JKLMNOPQR"


def _cfonb_amount(amount: Decimal) -> str:
    cents = f"{abs(amount) * 100:014.0f}"
    signs = _NEGATIVE if amount < 0 else _POSITIVE
    return cents[:-1] + signs[int(cents[-1])]


def cfonb120(statement: Statement, *, bank: str = "30004", branch: str = "00001",
             number: str = "00012345678") -> bytes:
    """A CFONB 120 run (01, 04 with 05 complements, 07), one record per line."""
    s = statement
    head = f"{bank}    {branch}{s.currency}2 {number}  "
    day = s.statement_date.strftime("%d%m%y") if s.statement_date else "010101"
    records = [_record("01" + head + day + " " * 50 + _cfonb_amount(s.opening_balance or
                                                                     Decimal(0)))]
    for k, t in enumerate(s.transactions, start=1):
        records.extend(_cfonb_entry(t, head, k))
    records.append(_record("07" + head + day + " " * 50 +
                           _cfonb_amount(s.closing_balance or Decimal(0))))
    return ("\r\n".join(records) + "\r\n").encode("latin-1", "replace")


def _record(text: str) -> str:
    return text[:120].ljust(120)


def _cfonb_entry(t: BankTransaction, head: str, k: int) -> list[str]:
    day = t.booking_date.strftime("%d%m%y")
    code = "05" if t.amount > 0 else "06"
    label = _ascii(t.payer_name or "VIREMENT").upper()[:31].ljust(31)
    entry = t.bank_reference[-7:].rjust(7, "0")
    records = [_record("04" + head[:30] + code + day + "  " + day + label + "  "
                       + entry + "  " + _cfonb_amount(t.amount) +
                       (t.end_to_end_id or "")[:16].ljust(16))]
    complements = []
    name_code, iban_code = ("NPY", "IPY") if t.amount > 0 else ("NBE", "IBE")
    if t.payer_name:
        complements.append((name_code, _ascii(t.payer_name)))
    if t.payer_iban:
        complements.append((iban_code, t.payer_iban))
    if t.structured_reference:
        complements.append(("RCN", t.structured_reference))
    text = (t.remittance or "").replace("\n", "")
    for chunk in textwrap.wrap(_ascii(text), 70, break_long_words=True)[:3]:
        complements.append(("LIB", chunk))
    for qualifier, info in complements:
        records.append(_record("05" + head[:30] + code + day + " " * 5 + qualifier
                               + info[:70].ljust(70)))
    return records
