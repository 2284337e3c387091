"""The ``:86:`` information field of MT940/MT942, in its three common shapes.

* German (DFÜ-Abkommen): a three-digit business code, then ``?NN`` subfields:
  ``?00`` posting text, ``?20``–``?29`` and ``?60``–``?63`` remittance cut at 27
  characters, ``?30`` BIC, ``?31`` IBAN, ``?32``–``?33`` payer name, ``?34`` return
  reason; SEPA keys (``EREF+``, ``SVWZ+``...) inside the remittance.
* Slash-coded (SWIFT, Dutch and French banks): ``/EREF/.../CNTP/iban/bic/name//REMI/...``
  or ``/LIB/.../NPY/payer/RCN/reference``.
* Free text.

A remittance cut at a fixed width (27 characters in subfields, 65 per line) is joined
back without a space when the piece is exactly the width: an invoice number split in
two is one number again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matching.statements.common import clean, find_creditor_reference

LINE_WIDTH = 65
SUBFIELD_WIDTH = 27
_GERMAN = re.compile(r"^(\d{3})([?>])(?=\d\d)")
_SEPA_KEYS = ("EREF", "KREF", "MREF", "CRED", "DEBT", "SVWZ", "ABWA", "ABWE", "IBAN", "BIC",
              "COAM", "OAMT", "PURP", "RTRN")
_SEPA = re.compile(r"\b(" + "|".join(_SEPA_KEYS) + r")\+")
_SLASH_CODES = (
    "EREF", "PREF", "MARF", "CSID", "CNTP", "REMI", "RTRN", "PURP", "ULTC", "ULTD", "ULTB",
    "BENM", "ORDP", "ADDR", "IBAN", "BIC", "NAME", "TRCD", "TRTP", "ISDT", "SVCL", "CREF",
    "LIB", "NPY", "IPY", "NBE", "IBE", "RCN", "RUM", "LCC", "LC2", "REF", "MMO", "CBE",
    "BDB", "CDTRREF", "CDTRREFTP", "OCMT", "CHGS", "EXCH", "CODE", "ID",
)
_SLASH = re.compile(r"/(" + "|".join(_SLASH_CODES) + r")/")
# Business codes of the German scheme that mark a returned payment.
_RETURN_CODES = {"108", "109", "159", "160", "161", "167", "170", "184", "185", "186"}


@dataclass
class Details:
    """What an ``:86:`` field says about one transaction."""

    payer_name: str | None = None
    payer_iban: str | None = None
    payer_bic: str | None = None
    end_to_end_id: str | None = None
    remittance: str | None = None
    structured_reference: str | None = None
    return_reason: str | None = None
    bank_code: str | None = None
    texts: list[str] = field(default_factory=list)


def join_lines(lines: list[str], width: int = LINE_WIDTH, first_width: int | None = None) -> str:
    """Join physical lines: directly after a full-width line (a hard wrap), else with
    a space. ``first_width``: the room left on the first line after the field tag."""
    out = ""
    for index, line in enumerate(lines):
        if index:
            full = first_width if index == 1 and first_width is not None else width
            if len(lines[index - 1]) < full:
                out += " "
        out += line
    return out


def parse_details(lines: list[str]) -> Details:
    """Read an ``:86:`` field given as its physical lines (tag already removed)."""
    german = _GERMAN.match(lines[0]) if lines else None
    if german:
        # Subfield markers may straddle a line break: lines join with nothing between.
        return _german("".join(lines), german.group(1), german.group(2))
    text = join_lines(lines, LINE_WIDTH, LINE_WIDTH - len(":86:"))
    if _SLASH.match(text.lstrip()):
        return _slashed(text.strip())
    details = Details(remittance=clean(text))
    details.structured_reference = find_creditor_reference(details.remittance)
    return details


def _subfields(text: str, marker: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for piece in text.split(marker)[1:]:
        if len(piece) >= 2 and piece[:2].isdigit():
            found.setdefault(piece[:2], []).append(piece[2:])
    return found


def _join_cut(pieces: list[str], width: int = SUBFIELD_WIDTH) -> str:
    return join_lines(pieces, width)


def _german(text: str, code: str, marker: str) -> Details:
    fields = _subfields(text, marker)
    keys = [f"{n:02d}" for n in (*range(20, 30), *range(60, 64))]
    pieces = [p for k in keys for p in fields.get(k, [])]
    purpose = _join_cut(pieces)
    sepa, free = _sepa_keys(pieces)
    name = _join_cut(fields.get("32", []) + fields.get("33", []))
    details = Details(
        payer_name=clean(name),
        payer_bic=clean(" ".join(fields.get("30", []))),
        payer_iban=clean(" ".join(fields.get("31", []) or fields.get("38", []))),
        end_to_end_id=_provided(sepa.get("EREF")),
        remittance=clean(sepa.get("SVWZ") or free or purpose),
        return_reason=clean(" ".join(fields.get("34", []))) if code in _RETURN_CODES else None,
        bank_code=code,
        texts=[t for t in (clean(" ".join(fields.get("00", []))),) if t],
    )
    details.texts += [f"{key}+{value}" for key, value in sepa.items() if key not in ("SVWZ",)]
    if details.payer_iban and not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", details.payer_iban):
        details.texts.append(f"account {details.payer_iban}")
        details.payer_iban = None
    details.structured_reference = find_creditor_reference(details.remittance) or (
        find_creditor_reference(purpose)
    )
    return details


def _segments(pieces: list[str]) -> list[str]:
    """Subfields joined into items: a piece cut at full width continues in the next one,
    a shorter piece ends its item."""
    segments: list[str] = []
    joined = True
    for piece in pieces:
        if joined and segments:
            segments[-1] += piece
        else:
            segments.append(piece)
        joined = len(piece) >= SUBFIELD_WIDTH
    return segments


def _sepa_keys(pieces: list[str]) -> tuple[dict[str, str], str | None]:
    """SEPA keys (``EREF+``, ``SVWZ+``...) and their values; text under no key apart.

    A key's value runs over following items until the next key, except that an item
    after a short one, not opening with a key, is free text (``MTLG:...``) unless the
    key is ``SVWZ`` (the remittance itself, which banks spread over several items)."""
    found: dict[str, str] = {}
    free: list[str] = []
    current: str | None = None
    for segment in _segments(pieces):
        parts = _SEPA.split(segment)
        head = parts[0].strip()
        if head:
            if current == "SVWZ":
                found["SVWZ"] = f"{found['SVWZ']} {head}"
            else:
                free.append(head)
                current = None
        for key, value in zip(parts[1::2], parts[2::2], strict=False):
            current = key
            found.setdefault(key, value.strip())
    return found, " ".join(free) or None


def _provided(value: str | None) -> str | None:
    value = clean(value)
    if not value or value.upper() in ("NOTPROVIDED", "NOT PROVIDED", "NONREF"):
        return None
    return value


def _slashed(text: str) -> Details:
    parts = _SLASH.split(text)
    first: dict[str, str] = {}  # a code given twice: its first value counts
    for index in range(1, len(parts) - 1, 2):
        if parts[index] not in first:
            first[parts[index]] = parts[index + 1].strip().strip("/").strip()
    details = Details(end_to_end_id=_provided(first.get("EREF")))
    _counterparty(details, first)
    pieces = [_remittance(first.get("REMI"), details)]
    pieces += [first.get(k) for k in ("LIB", "LCC", "LC2", "MMO")]
    remittance = " ".join([x for x in pieces if x])
    details.remittance = clean(remittance) if remittance else None
    details.return_reason = clean(first.get("RTRN"))
    rcn = first.get("RCN") or first.get("CREF")
    if rcn:
        details.texts.append(f"reference {clean(rcn)}")
    if not details.structured_reference:
        details.structured_reference = find_creditor_reference(
            " ".join([x for x in (details.remittance, rcn) if x]))
    return details


def _counterparty(details: Details, first: dict[str, str]) -> None:
    """CNTP (``iban/bic/name/city``), BENM/ORDP (``/NAME/..``), IBAN/BIC/NAME, NPY."""
    iban = bic = name = None
    cntp = first.get("CNTP")
    if cntp:
        pieces = [*cntp.split("/", 3), "", "", ""]
        iban, bic, name = clean(pieces[0]), clean(pieces[1]), clean(pieces[2])
    details.payer_iban = iban or clean(first.get("IBAN"))
    details.payer_bic = bic or clean(first.get("BIC"))
    details.payer_name = name or clean(first.get("NAME") or first.get("NPY"))


def _remittance(remi: str | None, details: Details) -> str | None:
    """``USTD//free text`` or ``STRD/CUR/RF18...`` (ISO 11649 or a bank's own scheme)."""
    if not remi:
        return None
    if remi.startswith("USTD"):
        return remi[4:].lstrip("/")
    if remi.startswith("STRD"):
        pieces = [p for p in remi.split("/") if p]
        reference = pieces[-1] if len(pieces) > 1 else None
        details.structured_reference = clean(reference)
        return reference
    return remi
