"""One CAMT ``Ntry`` into bank transactions (see :mod:`matching.statements.camt`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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


# The paths any field of the model is read from, relative to the ``Ntry`` or to one of
# its ``TxDtls``; every other subtree (postal addresses, party ids, related dates,
# purposes...) is skipped unread.
_BOTH = (
    "Amt", "CdtDbtInd", "BkTxCd/Domn/Cd", "BkTxCd/Domn/Fmly/Cd", "BkTxCd/Domn/Fmly/SubFmlyCd",
    "BkTxCd/Prtry/Cd", "Chrgs/TtlChrgsAndTaxAmt", "Chrgs/Rcrd/Amt", "Chrgs/Amt",
)
_ENTRY_PATHS = (
    *_BOTH, "RvslInd", "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm", "AcctSvcrRef",
    "NtryRef", "AddtlNtryInf",
)
_DETAIL_PATHS = (
    *_BOTH, "AmtDtls/TxAmt/Amt", "Refs/AcctSvcrRef", "Refs/EndToEndId", "RmtInf/Ustrd",
    "RmtInf/Strd/CdtrRefInf/Ref", "RmtInf/Strd/RfrdDocInf/Nb", "RmtInf/Strd/AddtlRmtInf",
    "AddtlTxInf", "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry",
    *(f"RltdPties/{party}/{name}" for party in ("Dbtr", "Cdtr") for name in ("Nm", "Pty/Nm")),
    *(f"RltdPties/{party}Acct/Id/{name}" for party in ("Dbtr", "Cdtr")
      for name in ("IBAN", "Othr/Id")),
    *(f"RltdAgts/{party}Agt/FinInstnId/{name}" for party in ("Dbtr", "Cdtr")
      for name in ("BICFI", "BIC")),
)
_DETAIL = "NtryDtls/TxDtls"
# Subtrees read only for want of another field, which comes before them in the schema:
# the proprietary bank code when there is no ISO one, the amount as instructed when
# the detail has no amount of its own (versions .02 and .03).
_FALLBACKS = {"BkTxCd/Prtry": "BkTxCd/Domn/Cd", "AmtDtls": "Amt"}

# A node of the path tree: element tag -> (path, children or None for a text field, and
# for a text field whether it is an amount with a Ccy, for a subtree the field whose
# presence makes it unneeded, or ""). _DETAILS in place of children: a TxDtls.
Tree: TypeAlias = dict[str, tuple[str, "Tree | None", "bool | str"]]
_DETAILS: Tree = {}
_TREES: dict[str, tuple[Tree, Tree]] = {}


def _tree(paths: tuple[str, ...], ns: str) -> Tree:
    root: Tree = {}
    for path in paths:
        node, parts = root, path.split("/")
        for depth, part in enumerate(parts, 1):
            tag = f"{{{ns}}}{part}" if ns else part
            if depth == len(parts):
                node[tag] = (path, None, part.endswith("Amt"))
            else:
                prefix = "/".join(parts[:depth])
                below = node.setdefault(tag, (prefix, {}, _FALLBACKS.get(prefix, "")))[1]
                assert below is not None  # a path is never a prefix of another
                node = below
    return root


def trees(ns: str) -> tuple[Tree, Tree]:
    """The path trees of an entry and of a transaction detail in namespace ``ns``."""
    found = _TREES.get(ns)
    if found is None:
        entry, detail = _tree(_ENTRY_PATHS, ns), _tree(_DETAIL_PATHS, ns)
        outer, inner = (f"{{{ns}}}{n}" if ns else n for n in _DETAIL.split("/"))
        entry[outer] = ("NtryDtls", {inner: (_DETAIL, _DETAILS, "")}, "")
        found = _TREES[ns] = (entry, detail)
    return found


def flatten(element: Element, ns: str) -> tuple[Flat, list[Flat]]:
    """The element's texts by relative path, and each ``TxDtls`` subtree apart."""
    entry, detail = trees(ns)
    texts: dict[str, list[str]] = {}
    parts: list[Flat] = []
    _walk(element, entry, texts, parts, detail)
    return Flat(texts), parts


def _walk(
    node: Element, tree: Tree, texts: dict[str, list[str]], parts: list[Flat], detail: Tree,
) -> None:
    # One pass over the children, descending only where the tree goes: the Python work
    # per element is what CAMT parsing costs beyond libxml2, so it is kept to a lookup.
    for child in node[:]:  # all children at once: cheaper than stepping an iterator
        spec = tree.get(child.tag)  # comments and PIs have no str tag: None
        if spec is None:
            continue
        path, below, extra = spec
        if below is None:
            value = child.text
            if value is not None and (value := value.strip()):
                found = texts.get(path)
                if found is None:
                    texts[path] = [value]
                else:
                    found.append(value)
            if extra and (ccy := child.get("Ccy")) is not None:
                texts[path + "@Ccy"] = [ccy.strip()]
        elif below is _DETAILS:
            own: dict[str, list[str]] = {}
            _walk(child, detail, own, parts, detail)
            parts.append(Flat(own))
        elif not extra or extra not in texts:
            _walk(child, below, texts, parts, detail)


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

    def read(self) -> Iterable[BankTransaction]:
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
        head = self.head()
        items = self.split(amount, currency) if len(details) > 1 else None
        if items is None:
            return [self.transaction(head, amount, currency, details, self.location)]
        return self.batch(head, amount, currency, items)

    def batch(
        self, head: _Head, amount: Decimal, currency: str, items: list[tuple[Flat, Decimal]]
    ) -> Iterator[BankTransaction]:
        """One transaction per detail, each handed over before the next is read, then
        the charges the bank deducted from the batch."""
        for index, (detail, item_amount) in enumerate(items, 1):
            where = f"{self.location}/NtryDtls/TxDtls[{index}]"
            yield self.transaction(head, item_amount, currency, [detail], where, item=True)
        deducted = sum((a for _d, a in items), Decimal(0)) - amount
        if deducted:
            booking, value_date, reference, _code, customer, reversal = head
            yield BankTransaction(
                account=self.account, bank_reference=reference, booking_date=booking,
                amount=-deducted, currency=currency, value_date=value_date, bank_code="CHRG",
                remittance="bank charges on the batch", charges=deducted,
                customer_reference=customer, reversal=reversal,
                location=f"{self.location}/Chrgs",
            )

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

    def head(self) -> _Head:
        """What the entry gives every transaction it holds: booking and value date,
        bank reference, bank transaction code, customer reference, reversal."""
        entry = self.entry.texts
        booked = self.date("BookgDt")
        value_date = self.date("ValDt")
        booking = booked or value_date or self.statement_date
        if booking is None:
            raise BadDocument(
                "entry has no booking date", location=f"{self.location}/BookgDt",
                code="MISSING_FIELD",
            )
        reference = entry.get("AcctSvcrRef") or entry.get("NtryRef") or (
            self.details[0].texts.get("Refs/AcctSvcrRef") if self.details else None
        )
        customer = entry.get("NtryRef")
        reversal = entry.get("RvslInd")
        return (booking, value_date, reference[0] if reference else "", _bank_code(entry),
                customer[0] if customer else None,
                reversal is not None and reversal[0] == "true")

    def date(self, name: str) -> date | None:
        day, moment = _DATES[name]
        texts = self.entry.texts
        text = texts.get(day) or texts.get(moment)
        return iso_date(text[0], location=f"{self.location}/{name}") if text else None

    def transaction(
        self, head: _Head, amount: Decimal, currency: str, details: list[Flat], location: str,
        *, item: bool = False,
    ) -> BankTransaction:
        """One transaction; ``item``: one detail of a split batch (its own charges only)."""
        booking, value_date, reference, bank_code, customer, reversal = head
        info = self.entry.texts.get("AddtlNtryInf")
        texts: list[str] = []
        party = _NOBODY
        if details:
            remittance, structured = _remittance(details, texts)
            if len(details) == 1:
                party = _party(details[0], credit=amount > 0)
                bank_code = _bank_code(details[0].texts) or bank_code
        else:
            remittance, structured = (info[0] if info else None), None
        if info:
            texts.append(info[0])
        remittance = clean(remittance)
        name, iban, bic, end_to_end, return_reason = party
        return BankTransaction(
            account=self.account, bank_reference=reference, booking_date=booking,
            amount=amount, currency=currency, value_date=value_date, bank_code=bank_code,
            payer_name=name, payer_iban=iban, payer_bic=bic, end_to_end_id=end_to_end,
            remittance=remittance,
            structured_reference=structured or find_creditor_reference(remittance),
            return_reason=return_reason, charges=self.charges(details, entry=not item),
            details=tuple(dict.fromkeys(texts)) if len(texts) > 1 else tuple(texts),
            customer_reference=customer, reversal=reversal, location=location,
        )

    def charges(self, details: list[Flat], *, entry: bool = True) -> Decimal | None:
        """Bank charges on the entry or its single detail, as a positive amount."""
        holders = [*([self.entry] if entry else []), *(details if len(details) == 1 else [])]
        for holder in reversed(holders):
            texts = holder.texts
            if "Chrgs/TtlChrgsAndTaxAmt" in texts:
                where = f"{self.location}/Chrgs"
                return abs(decimal_of(texts["Chrgs/TtlChrgsAndTaxAmt"][0], location=where))
            records = texts.get("Chrgs/Rcrd/Amt", []) + texts.get("Chrgs/Amt", [])
            if records:
                where = f"{self.location}/Chrgs"
                return sum((abs(decimal_of(r, location=where)) for r in records), Decimal(0))
        return None


_DATES = {name: (f"{name}/Dt", f"{name}/DtTm") for name in ("BookgDt", "ValDt")}
# booking date, value date, bank reference, bank code, customer reference, reversal
_Head: TypeAlias = tuple[date, "date | None", str, "str | None", "str | None", bool]
# payer name, IBAN, BIC, end-to-end id; return reason last
_Party: TypeAlias = tuple["str | None", "str | None", "str | None", "str | None", "str | None"]
_NOBODY: _Party = (None, None, None, None, None)


def _remittance(details: list[Flat], texts: list[str]) -> tuple[str | None, str | None]:
    """The unstructured remittance of the details joined, and the first structured
    (creditor) reference; their other texts (document numbers, additional
    information) go to ``texts``."""
    ustrd: list[str] = []
    strd: list[str] = []
    for detail in details:
        own = detail.texts
        ustrd += own.get("RmtInf/Ustrd", ())
        strd += own.get("RmtInf/Strd/CdtrRefInf/Ref", ())
        texts += own.get("RmtInf/Strd/RfrdDocInf/Nb", ())
        texts += own.get("RmtInf/Strd/AddtlRmtInf", ())
        texts += own.get("AddtlTxInf", ())
    return " ".join(ustrd) or None, strd[0].replace(" ", "") if strd else None


def _party(one: Flat, *, credit: bool) -> _Party:
    """The counterparty of a single detail (of a credit the debtor, the payer; of a
    debit the creditor), its end-to-end id and return reason."""
    side = _DEBTOR if credit else _CREDITOR
    texts = one.texts  # every list in it holds at least one text
    name = texts.get(side.name) or texts.get(side.pty_name)
    iban = texts.get(side.iban) or texts.get(side.other_id)
    bic = texts.get(side.bicfi) or texts.get(side.bic)
    end_to_end = texts.get("Refs/EndToEndId")
    reason = texts.get("RtrInf/Rsn/Cd") or texts.get("RtrInf/Rsn/Prtry")
    return (
        clean(name[0]) if name else None,
        iban[0] if iban else None,
        bic[0] if bic else None,
        end_to_end[0] if end_to_end and end_to_end[0].upper() not in _NOT_PROVIDED else None,
        reason[0] if reason else None,
    )


class _Side:
    """The paths of one side's name, account and agent (written out once, not per entry)."""

    def __init__(self, side: str) -> None:
        self.name, self.pty_name = f"RltdPties/{side}/Nm", f"RltdPties/{side}/Pty/Nm"
        self.iban = f"RltdPties/{side}Acct/Id/IBAN"
        self.other_id = f"RltdPties/{side}Acct/Id/Othr/Id"
        self.bicfi = f"RltdAgts/{side}Agt/FinInstnId/BICFI"
        self.bic = f"RltdAgts/{side}Agt/FinInstnId/BIC"


_DEBTOR, _CREDITOR = _Side("Dbtr"), _Side("Cdtr")


def _bank_code(texts: dict[str, list[str]]) -> str | None:
    domain = texts.get("BkTxCd/Domn/Cd")
    if domain:
        parts = [domain[0]]
        for path in ("BkTxCd/Domn/Fmly/Cd", "BkTxCd/Domn/Fmly/SubFmlyCd"):
            if found := texts.get(path):
                parts.append(found[0])
        return "-".join(parts)
    code = texts.get("BkTxCd/Prtry/Cd")
    return code[0] if code else None
