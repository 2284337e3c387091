"""One CAMT ``Ntry`` into bank transactions (see :mod:`matching.statements.camt`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import TypeAlias

from lxml import etree

from hub.errors import BadDocument
from matching.statements.common import clean, decimal_of, find_creditor_reference, iso_date
from matching.statements.model import BankTransaction

Element: TypeAlias = etree._Element
_NOT_PROVIDED = {"NOTPROVIDED", "NOT PROVIDED", "NONREF"}


class Paths:
    """Namespace-aware lookups: paths are written bare (``Acct/Id/IBAN``) and turned
    into Clark notation once, because ``findtext`` on a prepared path runs in C."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self._paths: dict[str, str] = {}

    def p(self, path: str) -> str:
        """The Clark-notation form of a slash-separated path."""
        found = self._paths.get(path)
        if found is None:
            found = "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))
            self._paths[path] = found
        return found

    def text(self, element: Element, path: str) -> str | None:
        """The stripped text at ``path`` under ``element``, or None."""
        value = element.findtext(self.p(path))
        if value is None:
            return None
        return value.strip() or None

    def first(self, element: Element, *paths: str) -> str | None:
        """The text of the first of ``paths`` that is present."""
        for path in paths:
            value = self.text(element, path)
            if value:
                return value
        return None

    def amount(self, element: Element, path: str, location: str) -> tuple[Decimal, str] | None:
        """A signed amount and its currency, signed by the ``CdtDbtInd`` beside it
        (or, for a transaction detail without one, its entry's)."""
        node = element.find(self.p(path))
        if node is None or not (node.text or "").strip():
            return None
        where = f"{location}/{path}"
        value = decimal_of(node.text or "", location=where)
        indicator = self.text(element, "CdtDbtInd")
        if indicator is None and element.getparent() is not None:
            entry = _ancestor(element, f"{{{self.ns}}}Ntry")
            indicator = self.text(entry, "CdtDbtInd") if entry is not None else None
        if indicator not in ("CRDT", "DBIT"):
            raise BadDocument(
                f"credit/debit indicator {indicator!r}",
                location=f"{location}/CdtDbtInd",
                code="MISSING_FIELD",
            )
        return (-value if indicator == "DBIT" else value), (node.get("Ccy") or "").strip()


def _ancestor(element: Element, tag: str) -> Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


class Flat:
    """An element read in one pass: texts by path relative to it (``RmtInf/Ustrd``),
    currencies as ``path@Ccy``. One tree walk per entry costs far less than a
    ``findtext`` per field, which is what keeps CAMT parsing near the bare scan."""

    def __init__(self, texts: dict[str, list[str]]) -> None:
        self.texts = texts

    def text(self, path: str) -> str | None:
        found = self.texts.get(path)
        return found[0] if found else None

    def all(self, path: str) -> list[str]:
        return self.texts.get(path, [])

    def first(self, *paths: str) -> str | None:
        for path in paths:
            found = self.texts.get(path)
            if found:
                return found[0]
        return None

    def amount(
        self, path: str, location: str, indicator: str | None = None
    ) -> tuple[Decimal, str] | None:
        """A signed amount and its currency; the sign from the ``CdtDbtInd`` beside it,
        else ``indicator`` (a detail's entry)."""
        value = self.text(path)
        if value is None:
            return None
        mark = self.text("CdtDbtInd") or indicator
        if mark not in ("CRDT", "DBIT"):
            raise BadDocument(
                f"credit/debit indicator {mark!r}", location=f"{location}/CdtDbtInd",
                code="MISSING_FIELD",
            )
        number = decimal_of(value, location=f"{location}/{path}")
        return (-number if mark == "DBIT" else number), self.text(f"{path}@Ccy") or ""


# The only element names any field of the model is read from: every other subtree
# (postal addresses, party ids, related dates, purposes...) is skipped unread.
_READ = frozenset({
    "Amt", "CdtDbtInd", "RvslInd", "BookgDt", "ValDt", "Dt", "DtTm", "AcctSvcrRef",
    "NtryRef", "BkTxCd", "Domn", "Cd", "Fmly", "SubFmlyCd", "Prtry", "Chrgs",
    "TtlChrgsAndTaxAmt", "Rcrd", "NtryDtls", "TxDtls", "AddtlNtryInf", "Refs", "EndToEndId",
    "AmtDtls", "TxAmt", "RltdPties", "Dbtr", "Cdtr", "DbtrAcct", "CdtrAcct", "Pty", "Nm",
    "Id", "IBAN", "Othr", "RltdAgts", "DbtrAgt", "CdtrAgt", "FinInstnId", "BICFI", "BIC",
    "RmtInf", "Ustrd", "Strd", "CdtrRefInf", "Ref", "RfrdDocInf", "Nb", "AddtlRmtInf",
    "RtrInf", "Rsn", "AddtlTxInf", "Btch", "NbOfTxs",
})


_NAMES: dict[str, dict[object, str]] = {}


def flatten(element: Element, ns: str) -> tuple[Flat, list[Flat]]:
    """The element's texts by relative path, and each ``TxDtls`` subtree apart."""
    names = _NAMES.get(ns)
    if names is None:
        names = _NAMES[ns] = {f"{{{ns}}}{n}" if ns else n: n for n in _READ}
    texts: dict[str, list[str]] = {}
    parts: list[Flat] = []
    _walk(element, "", texts, parts, names)
    return Flat(texts), parts


def _walk(
    node: Element, prefix: str, texts: dict[str, list[str]], parts: list[Flat],
    names: dict[object, str],
) -> None:
    for child in node:
        name = names.get(child.tag)
        if name is None:  # not read, or a comment
            continue
        if name == "TxDtls":
            detail: dict[str, list[str]] = {}
            _walk(child, "", detail, parts, names)
            parts.append(Flat(detail))
            continue
        path = prefix + name
        if len(child):
            _walk(child, path + "/", texts, parts, names)
            continue
        value = child.text
        if value is not None and (value := value.strip()):
            if path in texts:
                texts[path].append(value)
            else:
                texts[path] = [value]
        if name[-3:] == "Amt":
            ccy = child.get("Ccy")
            if ccy is not None:
                texts[path + "@Ccy"] = [ccy.strip()]


class Entry:
    """Reads one ``Ntry`` element into one or more :class:`BankTransaction`."""

    def __init__(
        self,
        paths: Paths,
        ntry: Element,
        account: str,
        statement_date: date | None,
        location: str,
    ) -> None:
        self.entry, self.details = flatten(ntry, paths.ns)
        self.account = account
        self.statement_date = statement_date
        self.location = location

    def read(self) -> Iterator[BankTransaction]:
        """The entry's transactions: one per ``TxDtls`` for a batch whose details
        add up to the entry (less the entry's charges, then booked as one more
        transaction so the statement still balances), otherwise one."""
        signed = self.entry.amount("Amt", self.location)
        if signed is None:
            raise BadDocument(
                "entry has no amount", location=f"{self.location}/Amt", code="MISSING_FIELD"
            )
        amount, currency = signed
        details = self.details
        base = self.common(currency)
        items = self.split(amount, currency) if len(details) > 1 else None
        if items is None:
            yield self.transaction(base, amount, details)
            return
        for index, (detail, item_amount) in enumerate(items, 1):
            where = f"{self.location}/NtryDtls/TxDtls[{index}]"
            yield self.transaction({**base, "location": where}, item_amount, [detail],
                                   item=True)
        deducted = sum((a for _d, a in items), Decimal(0)) - amount
        if deducted:
            yield BankTransaction(**{  # type: ignore[arg-type]
                **base, "amount": -deducted, "bank_code": "CHRG", "charges": deducted,
                "remittance": "bank charges on the batch", "location": f"{self.location}/Chrgs",
            })

    def split(self, amount: Decimal, currency: str) -> list[tuple[Flat, Decimal]] | None:
        """Per-detail amounts when every detail has one and they add up, else None."""
        items = []
        mark = self.entry.text("CdtDbtInd")
        for index, detail in enumerate(self.details, 1):
            where = f"{self.location}/NtryDtls/TxDtls[{index}]"
            signed = detail.amount("Amt", where, mark) or detail.amount(
                "AmtDtls/TxAmt/Amt", where, mark
            )
            if signed is None or signed[1] != currency:
                return None
            items.append((detail, signed[0]))
        total = sum((a for _d, a in items), Decimal(0))
        charges = self.charges([])
        if total == amount or (charges and total - charges == amount):
            return items
        return None

    def common(self, currency: str) -> dict[str, object]:
        """Fields the entry gives every transaction it holds."""
        entry = self.entry
        booking = self.date("BookgDt") or self.date("ValDt") or self.statement_date
        if booking is None:
            raise BadDocument(
                "entry has no booking date", location=f"{self.location}/BookgDt",
                code="MISSING_FIELD",
            )
        reference = entry.first("AcctSvcrRef", "NtryRef") or (
            self.details[0].text("Refs/AcctSvcrRef") if self.details else None
        )
        return {
            "account": self.account,
            "bank_reference": reference or "",
            "booking_date": booking,
            "currency": currency,
            "value_date": self.date("ValDt"),
            "bank_code": _bank_code(entry),
            "customer_reference": entry.text("NtryRef"),
            "reversal": entry.text("RvslInd") == "true",
            "location": self.location,
        }

    def date(self, name: str) -> date | None:
        text = self.entry.first(f"{name}/Dt", f"{name}/DtTm")
        return iso_date(text, location=f"{self.location}/{name}") if text else None

    def transaction(
        self, base: dict[str, object], amount: Decimal, details: list[Flat], *,
        item: bool = False,
    ) -> BankTransaction:
        """One transaction; ``item``: one detail of a split batch (its own charges only)."""
        fields = dict(base)
        fields.update(self.detail_fields(details, credit=amount > 0))
        info = self.entry.text("AddtlNtryInf")
        texts = [t for t in (*fields.pop("texts", ()), info) if t]  # type: ignore[misc]
        remittance = fields.get("remittance") or (info if not details else None)
        fields["remittance"] = clean(remittance)  # type: ignore[arg-type]
        fields["structured_reference"] = fields.get("structured_reference") or (
            find_creditor_reference(fields["remittance"])  # type: ignore[arg-type]
        )
        fields["details"] = tuple(dict.fromkeys(texts))
        fields["charges"] = self.charges(details, entry=not item)
        return BankTransaction(amount=amount, **fields)  # type: ignore[arg-type]

    def detail_fields(self, details: list[Flat], *, credit: bool) -> dict[str, object]:
        """Counterparty, references and remittance from the transaction details.

        The counterparty of a credit is the debtor (the payer), of a debit the creditor.
        """
        if not details:
            return {}
        party, agent = ("Dbtr", "DbtrAgt") if credit else ("Cdtr", "CdtrAgt")
        ustrd = [t for d in details for t in d.all("RmtInf/Ustrd")]
        strd = [t for d in details for t in d.all("RmtInf/Strd/CdtrRefInf/Ref")]
        texts = [t for d in details for t in (
            *d.all("RmtInf/Strd/RfrdDocInf/Nb"),
            *d.all("RmtInf/Strd/AddtlRmtInf"),
            *d.all("AddtlTxInf"),
        )]
        fields: dict[str, object] = {
            "remittance": " ".join(ustrd) or None,
            "structured_reference": strd[0].replace(" ", "") if strd else None,
            "texts": texts,
        }
        if len(details) != 1:
            return fields
        one = details[0]
        end_to_end = one.text("Refs/EndToEndId")
        fields.update(
            payer_name=clean(one.first(f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm")),
            payer_iban=one.first(f"RltdPties/{party}Acct/Id/IBAN",
                                 f"RltdPties/{party}Acct/Id/Othr/Id"),
            payer_bic=one.first(f"RltdAgts/{agent}/FinInstnId/BICFI",
                                f"RltdAgts/{agent}/FinInstnId/BIC"),
            end_to_end_id=None if (end_to_end or "").upper() in _NOT_PROVIDED else end_to_end,
            return_reason=one.first("RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry"),
        )
        if code := _bank_code(one):
            fields["bank_code"] = code
        return fields

    def charges(self, details: list[Flat], *, entry: bool = True) -> Decimal | None:
        """Bank charges on the entry or its single detail, as a positive amount."""
        holders = [*([self.entry] if entry else []), *(details if len(details) == 1 else [])]
        where = f"{self.location}/Chrgs"
        for holder in reversed(holders):
            total = holder.text("Chrgs/TtlChrgsAndTaxAmt")
            if total:
                return abs(decimal_of(total, location=where))
            records = holder.all("Chrgs/Rcrd/Amt") + holder.all("Chrgs/Amt")
            if records:
                return sum((abs(decimal_of(r, location=where)) for r in records), Decimal(0))
        return None


def _bank_code(flat: Flat) -> str | None:
    domain = flat.text("BkTxCd/Domn/Cd")
    if domain:
        parts = [domain, flat.text("BkTxCd/Domn/Fmly/Cd"), flat.text("BkTxCd/Domn/Fmly/SubFmlyCd")]
        return "-".join(p for p in parts if p)
    return flat.text("BkTxCd/Prtry/Cd")
