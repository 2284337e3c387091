"""Who paid: the payer's IBAN and name turned into candidate customers.

An IBAN tied to one customer (master data or a learned alias) is strong evidence. A name
is weaker: banks upper-case it, strip accents, abbreviate or drop the legal form and cut
it at 35 characters, and customers have look-alike names. Names therefore only propose
candidates, found through a token index (never by comparing every pair); amounts and
references confirm them. Payers that pay for several customers (factors, parent
companies, payment providers) are recognised and identify no single customer.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from matching.book import Customer, PayerAlias

#: Legal forms written out or abbreviated; dropped before names are compared.
LEGAL_FORMS = frozenset({
    "SA", "SAS", "SASU", "SARL", "EURL", "SNC", "SCI", "SCA", "SCOP", "SE", "GMBH", "AG", "KG",
    "OHG", "UG", "EV", "KGAA", "MBH", "CO", "COMPANY", "LTD", "LIMITED", "PLC", "LLC", "LLP",
    "INC", "INCORPORATED", "CORP", "CORPORATION", "BV", "NV", "BVBA", "SPRL", "SRL", "SPA",
    "SL", "SLU", "OY", "AB", "AS", "APS", "SOCIETE", "ANONYME", "RESPONSABILITE", "LIMITEE",
    "ET", "CIE", "STE",
})
#: Words banks and customers abbreviate; both sides are compared abbreviated.
ABBREVIATIONS = {
    "ETABLISSEMENTS": "ETS", "ETABLISSEMENT": "ETS", "INTERNATIONAL": "INTL",
    "INTERNATIONALE": "INTL", "COMPAGNIE": "CIE", "FRERES": "FRS", "ASSOCIES": "ASS",
    "DEPARTEMENT": "DEPT", "MANUFACTURE": "MFG", "MANUFACTURING": "MFG", "SAINT": "ST",
    "SAINTE": "STE",
}
#: Payment service providers and factors that pay on behalf of many customers.
KNOWN_INTERMEDIARIES = (
    "PAYPAL",
    "STRIPE",
    "ADYEN",
    "GOCARDLESS",
    "MOLLIE",
    "WORLDLINE",
    "SUMUP",
    "KLARNA",
    "FACTOR",
    "AFFACTURAGE",
    "FACTORING",
)
_INTERMEDIARY = re.compile("|".join(KNOWN_INTERMEDIARIES))
_NOT_WORD = re.compile(r"[^A-Z0-9]+")
BANK_NAME_LENGTH = 35


@functools.lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """A payer or customer name as compared: upper case, no accents, no legal form."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    words = [ABBREVIATIONS.get(w, w) for w in _NOT_WORD.split(text) if w and w not in LEGAL_FORMS]
    return " ".join(words)


@functools.lru_cache(maxsize=65536)
def normalise_iban(raw: str | None) -> str | None:
    """A valid IBAN in compact form, or ``None`` for anything schwifty rejects."""
    if not raw:
        return None
    try:
        return str(IBAN(raw).compact)
    except (SchwiftyException, ValueError):
        return None


def _compact(iban: str | None) -> str:
    """A payer IBAN as looked up: the index holds only IBANs schwifty validated, so an
    IBAN that is not found needs no validation of its own (it identifies no one)."""
    if not iban:
        return ""
    if iban.isalnum() and iban.isupper():
        return iban  # already compact: most statements print IBANs so
    return "".join(iban.split()).upper()


@dataclass(frozen=True)
class PayerMatch:
    """A customer the payer may be, with how sure and why."""

    customer_id: str
    score: float
    how: str


class PayerIndex:
    """Customers by IBAN, by normalised name, by name token, plus learned aliases.

    Args:
        customers: The customer accounts.
        aliases: Payer names and IBANs finance tied to customers (history, decisions).
        own_ibans: Our own bank accounts, so transfers between them are recognised.
    """

    def __init__(
        self,
        customers: Iterable[Customer],
        aliases: Iterable[PayerAlias] = (),
        own_ibans: Iterable[str] = (),
    ) -> None:
        self.names: dict[str, str] = {}
        self.by_iban: dict[str, set[str]] = {}
        self.by_name: dict[str, set[str]] = {}
        self.alias_names: dict[str, set[str]] = {}
        self.tokens: dict[str, set[str]] = {}
        self.own_ibans = {_compact(x) for x in own_ibans}
        self._answers: dict[tuple[str | None, str | None], tuple[bool, list[PayerMatch]]] = {}
        for customer in customers:
            self._add_customer(customer)
        for alias in aliases:
            self.add_alias(alias)

    def _add_customer(self, customer: Customer) -> None:
        name = normalise_name(customer.name)
        self.names[customer.customer_id] = name
        self.by_name.setdefault(name, set()).add(customer.customer_id)
        for token in set(name.split()):
            self.tokens.setdefault(token, set()).add(customer.customer_id)
        for raw in customer.ibans:
            # Validated when a payment first names it (see _customers_of_iban): a
            # ledger of 20,000 customers need not check IBANs nobody pays from.
            self.by_iban.setdefault(_compact(raw), set()).add(customer.customer_id)

    def add_alias(self, alias: PayerAlias) -> None:
        """Learn that this payer name and/or IBAN paid for ``alias.customer_id``."""
        self._answers.clear()
        if alias.payer_iban:
            self.by_iban.setdefault(_compact(alias.payer_iban), set()).add(alias.customer_id)
        if alias.payer_name:
            name = normalise_name(alias.payer_name)
            if name:
                self.alias_names.setdefault(name, set()).add(alias.customer_id)

    def _customers_of_iban(self, iban: str) -> set[str]:
        """The customers of an IBAN, once schwifty has found it valid (cached)."""
        ids = self.by_iban.get(iban) if iban else None
        if not ids or normalise_iban(iban) != iban:
            return set()
        return ids

    def add_own_accounts(self, accounts: Iterable[str]) -> None:
        """Our own accounts, as the statements name them."""
        self.own_ibans.update(_compact(a) for a in accounts)

    def is_own_account(self, iban: str | None) -> bool:
        """Whether the counterparty account is one of ours."""
        return bool(iban) and _compact(iban) in self.own_ibans

    def is_intermediary(self, name: str | None, iban: str | None) -> bool:
        """Whether the payer pays for several customers (factor, provider, group)."""
        normal = _compact(iban)
        if len(self._customers_of_iban(normal)) > 1:
            return True
        if name:
            text = normalise_name(name)
            if len(self.alias_names.get(text, ())) > 1:
                return True
            return bool(_INTERMEDIARY.search(text))
        return False

    def who_paid(self, name: str | None, iban: str | None) -> tuple[bool, list[PayerMatch]]:
        """:meth:`is_intermediary` and, when not, :meth:`identify`, in one look-up.

        A payer pays many times in a run: the answer is kept until an alias is learned.

        Returns:
            Whether the payer pays for several customers, and the candidate customers
            (none for an intermediary).
        """
        answer = self._answers.get((name, iban))
        if answer is None:
            answer = self._answers[(name, iban)] = self._who_paid(name, iban)
        return answer[0], list(answer[1])

    def _who_paid(self, name: str | None, iban: str | None) -> tuple[bool, list[PayerMatch]]:
        ids = self._customers_of_iban(_compact(iban))
        if len(ids) > 1:
            return True, []
        text = normalise_name(name) if name else ""
        if text and (len(self.alias_names.get(text, ())) > 1 or _INTERMEDIARY.search(text)):
            return True, []
        if ids:
            return False, [PayerMatch(c, 0.99, "IBAN") for c in ids]
        return False, self._by_name(name, text) if name else []

    def identify(self, name: str | None, iban: str | None) -> list[PayerMatch]:
        """Candidate customers for a payer, best first."""
        normal = _compact(iban)
        ids = self._customers_of_iban(normal)
        if ids:
            score = 0.99 if len(ids) == 1 else 0.6
            return [PayerMatch(c, score, "IBAN") for c in sorted(ids)]
        if not name:
            return []
        return self._by_name(name, normalise_name(name))

    def _by_name(self, name: str, text: str) -> list[PayerMatch]:
        """Candidates from the payer name (``text``: normalised), best first."""
        if not text:
            return []
        if text in self.alias_names:
            ids = self.alias_names[text]
            score = 0.95 if len(ids) == 1 else 0.6
            return [PayerMatch(c, score, "learned alias") for c in sorted(ids)]
        exact = self.by_name.get(text)
        if exact:
            score = 0.9 if len(exact) == 1 else 0.6
            return [PayerMatch(c, score, "name") for c in sorted(exact)]
        return self._fuzzy(text, truncated=len(name.strip()) >= BANK_NAME_LENGTH - 2)

    def _fuzzy(self, text: str, *, truncated: bool) -> list[PayerMatch]:
        pool: dict[str, int] = {}
        for token in text.split():
            ids = self.tokens.get(token)
            if ids and len(ids) <= 200:
                for customer_id in ids:
                    pool[customer_id] = pool.get(customer_id, 0) + 1
        # Equal counts are ordered by customer id: the sets above iterate in an order
        # that changes with the interpreter's hash seed, and so would the 50 kept.
        best = sorted(pool, key=lambda c: (-pool[c], c))[:50]
        matches = []
        for customer_id in best:
            name = self.names[customer_id]
            score = fuzz.token_sort_ratio(text, name)
            if truncated and len(name) > len(text):
                score = max(score, fuzz.ratio(text, name[: len(text)]))
            if score >= 80:
                matches.append(PayerMatch(customer_id, round(score / 100 * 0.85, 3), "fuzzy name"))
        return sorted(matches, key=lambda m: (-m.score, m.customer_id))[:5]
