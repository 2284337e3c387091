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
        self.x = paths
        self.ntry = ntry
        self.account = account
        self.statement_date = statement_date
        self.location = location

    def read(self) -> Iterator[BankTransaction]:
        """The entry's transactions: one per ``TxDtls`` for a batch whose details
        add up to the entry, otherwise one."""
        x, ntry = self.x, self.ntry
        signed = x.amount(ntry, "Amt", self.location)
        if signed is None:
            raise BadDocument(
                "entry has no amount", location=f"{self.location}/Amt", code="MISSING_FIELD"
            )
        amount, currency = signed
        details = list(ntry.iterfind(x.p("NtryDtls/TxDtls")))
        base = self.common(currency)
        items = self.split(details, amount, currency) if len(details) > 1 else None
        if items is None:
            yield self.transaction(base, amount, details)
            return
        for index, (detail, item_amount) in enumerate(items, 1):
            where = f"{self.location}/NtryDtls/TxDtls[{index}]"
            yield self.transaction({**base, "location": where}, item_amount, [detail])

    def split(
        self, details: list[Element], amount: Decimal, currency: str
    ) -> list[tuple[Element, Decimal]] | None:
        """Per-detail amounts when every detail has one and they add up, else None."""
        items = []
        for index, detail in enumerate(details, 1):
            where = f"{self.location}/NtryDtls/TxDtls[{index}]"
            signed = self.x.amount(detail, "Amt", where) or self.x.amount(
                detail, "AmtDtls/TxAmt/Amt", where
            )
            if signed is None or signed[1] != currency:
                return None
            items.append((detail, signed[0]))
        if sum(a for _d, a in items) != amount:
            return None
        return items

    def common(self, currency: str) -> dict[str, object]:
        """Fields the entry gives every transaction it holds."""
        x, ntry = self.x, self.ntry
        booking = self.date("BookgDt") or self.date("ValDt") or self.statement_date
        if booking is None:
            raise BadDocument(
                "entry has no booking date", location=f"{self.location}/BookgDt",
                code="MISSING_FIELD",
            )
        reference = x.first(ntry, "AcctSvcrRef", "NtryRef", "NtryDtls/TxDtls/Refs/AcctSvcrRef")
        return {
            "account": self.account,
            "bank_reference": reference or "",
            "booking_date": booking,
            "currency": currency,
            "value_date": self.date("ValDt"),
            "bank_code": self.bank_code(ntry),
            "customer_reference": x.text(ntry, "NtryRef"),
            "reversal": x.text(ntry, "RvslInd") == "true",
            "location": self.location,
        }

    def date(self, name: str) -> date | None:
        text = self.x.first(self.ntry, f"{name}/Dt", f"{name}/DtTm")
        return iso_date(text, location=f"{self.location}/{name}") if text else None

    def bank_code(self, element: Element) -> str | None:
        x = self.x
        domain = x.text(element, "BkTxCd/Domn/Cd")
        if domain:
            parts = [domain, x.text(element, "BkTxCd/Domn/Fmly/Cd"),
                     x.text(element, "BkTxCd/Domn/Fmly/SubFmlyCd")]
            return "-".join(p for p in parts if p)
        return x.text(element, "BkTxCd/Prtry/Cd")

    def transaction(
        self, base: dict[str, object], amount: Decimal, details: list[Element]
    ) -> BankTransaction:
        fields = dict(base)
        fields.update(self.detail_fields(details, credit=amount > 0))
        info = self.x.text(self.ntry, "AddtlNtryInf")
        texts = [t for t in (*fields.pop("texts", ()), info) if t]  # type: ignore[misc]
        remittance = fields.get("remittance") or (info if not details else None)
        fields["remittance"] = clean(remittance)  # type: ignore[arg-type]
        fields["structured_reference"] = fields.get("structured_reference") or (
            find_creditor_reference(fields["remittance"])  # type: ignore[arg-type]
        )
        fields["details"] = tuple(dict.fromkeys(texts))
        fields["charges"] = self.charges(details)
        return BankTransaction(amount=amount, **fields)  # type: ignore[arg-type]

    def detail_fields(self, details: list[Element], *, credit: bool) -> dict[str, object]:
        """Counterparty, references and remittance from the transaction details.

        The counterparty of a credit is the debtor (the payer), of a debit the creditor.
        """
        x = self.x
        if not details:
            return {}
        party, agent = ("Dbtr", "DbtrAgt") if credit else ("Cdtr", "CdtrAgt")
        ustrd = [t for d in details for t in self._all(d, "RmtInf/Ustrd")]
        strd = [t for d in details for t in self._all(d, "RmtInf/Strd/CdtrRefInf/Ref")]
        texts = [t for d in details for t in (
            *self._all(d, "RmtInf/Strd/RfrdDocInf/Nb"),
            *self._all(d, "RmtInf/Strd/AddtlRmtInf"),
            *self._all(d, "AddtlTxInf"),
        )]
        one = details[0] if len(details) == 1 else None
        fields: dict[str, object] = {
            "remittance": " ".join(ustrd) or None,
            "structured_reference": strd[0].replace(" ", "") if strd else None,
            "texts": texts,
        }
        if one is None:
            return fields
        end_to_end = x.text(one, "Refs/EndToEndId")
        fields.update(
            payer_name=clean(x.first(one, f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm")),
            payer_iban=x.first(one, f"RltdPties/{party}Acct/Id/IBAN",
                               f"RltdPties/{party}Acct/Id/Othr/Id"),
            payer_bic=x.first(one, f"RltdAgts/{agent}/FinInstnId/BICFI",
                              f"RltdAgts/{agent}/FinInstnId/BIC"),
            end_to_end_id=None if (end_to_end or "").upper() in _NOT_PROVIDED else end_to_end,
            return_reason=x.first(one, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry"),
        )
        if one.find(x.p("BkTxCd")) is not None and self.bank_code(one):
            fields["bank_code"] = self.bank_code(one)
        return fields

    def _all(self, element: Element, path: str) -> list[str]:
        nodes = element.iterfind(self.x.p(path))
        return [(node.text or "").strip() for node in nodes if (node.text or "").strip()]

    def charges(self, details: list[Element]) -> Decimal | None:
        """Bank charges on the entry or its single detail, as a positive amount."""
        x = self.x
        holders = [self.ntry, *(details if len(details) == 1 else [])]
        for holder in reversed(holders):
            total = x.text(holder, "Chrgs/TtlChrgsAndTaxAmt")
            if total:
                return abs(decimal_of(total, location=f"{self.location}/Chrgs"))
            records = [
                (node.text or "").strip()
                for path in ("Chrgs/Rcrd/Amt", "Chrgs/Amt")
                for node in holder.iterfind(x.p(path))
            ]
            if records:
                where = f"{self.location}/Chrgs"
                return sum((abs(decimal_of(r, location=where)) for r in records), Decimal(0))
        return None
