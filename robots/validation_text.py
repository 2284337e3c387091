"""Normal forms of names, identifiers and addresses, so that equal things compare equal."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")

#: Legal forms and filler words that say nothing about which company it is.
_LEGAL_FORMS = frozenset((
    "sa", "sas", "sasu", "sarl", "eurl", "sci", "snc", "scs", "sca", "gie", "ets",
    "etablissements", "societe", "ste", "gmbh", "ag", "kg", "ohg", "ug", "mbh", "ltd",
    "limited", "plc", "llc", "inc", "corp", "co", "company", "bv", "nv", "spa", "srl", "sl",
    "the", "et", "and", "la", "le", "les", "de", "des", "du",
))

_STREET_WORDS = {
    "avenue": "av", "ave": "av", "boulevard": "bd", "blvd": "bd", "street": "st",
    "strasse": "str", "straße": "str", "road": "rd", "place": "pl", "chemin": "ch",
    "route": "rte", "impasse": "imp", "allee": "all", "square": "sq", "saint": "st",
    "sainte": "ste", "faubourg": "fbg", "quai": "q", "zone": "z", "industrielle": "i",
    "zi": "z i", "za": "z a", "bis": "b",
}


# The same codes and names come back on every order: normal forms are memoised.
_MEMO = 1 << 16


@lru_cache(maxsize=_MEMO)
def fold(text: str | None) -> str:
    """Lower case without accents, punctuation as single spaces."""
    if not text:
        return ""
    plain = text.casefold()
    if not plain.isascii():
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def company_name(name: str | None) -> str:
    """A company name without legal form and filler words: ``Dupont SAS`` -> ``dupont``."""
    words = [w for w in fold(name).split() if w not in _LEGAL_FORMS]
    return " ".join(words) or fold(name)


def street(text: str | None) -> str:
    """A street line with the usual abbreviations: ``12, Avenue Foch`` -> ``12 av foch``."""
    return " ".join(_STREET_WORDS.get(w, w) for w in fold(text).split())


@lru_cache(maxsize=_MEMO)
def code(value: str | None) -> str:
    """An identifier as compared: upper case, letters and digits only (VAT ids, SKUs)."""
    if not value:
        return ""
    return _NOT_ALNUM.sub("", value.upper())


def postal_code(value: str | None) -> str:
    """A postal code as compared: ``75 008`` -> ``75008``."""
    return code(value)


def email_domain(sender: str | None) -> str:
    """The domain of an e-mail address, lower case (``""`` when it is not one)."""
    if not sender or "@" not in sender:
        return ""
    domain = sender.rsplit("@", 1)[1].strip().strip(">").lower()
    return domain.removeprefix("www.")
