"""Orders typed in the body of a mail, in French or English.

The reader finds the order number (``N° de commande``, ``Bon de commande n°``, ``PO``),
the dates (``pour le 12/12``, ``livraison souhaitée le jeudi 12 décembre``), the order
lines (:mod:`connectors.email.lines`) and the total. Each value carries a confidence;
every line it does not understand goes to the notes. Mail that holds no order is
classified (:func:`not_an_order_reason`) so that the reason is shown, never guessed away.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from connectors.base import ReferenceData
from connectors.email.dates import DATE_PATTERN, WrittenDate, plain, read_date
from connectors.email.lines import CURRENCY, CURRENCY_CODES, PRICE_NUM, ReadLine, read_line
from hub.numbers import parse_decimal

PO_RE = re.compile(
    r"(?:\bn[°o]\.?\s*(?:de\s+)?commande|\bbon\s+de\s+commande(?:\s*n[°o]\.?)?"
    r"|\bcommande\s*(?:n[°o]\.?|num(?:ero)?\.?|#|ref(?:erence)?\.?)|\border\s*(?:no\.?|number|num|#|n[°o])"
    r"|\bpurchase\s+order(?:\s*(?:no\.?|number|#|n[°o]))?|\bP\.?O\.?(?:\s*(?:no\.?|number|#|n[°o]))?"
    r"|\b(?:notre\s+)?reference\s+(?:de\s+)?commande)"
    r"\s*[:#.]?\s*(?P<po>[A-Z0-9][A-Z0-9\-/_.]*[A-Z0-9]|[0-9])",
    re.IGNORECASE,
)
# "Commande 4711" names an order only when nothing follows the number ("commande 10
# cartons" is a quantity).
BARE_PO_RE = re.compile(
    r"\b(?:commande|order)\s+(?P<po>[A-Z0-9][A-Z0-9\-/_.]{2,}[A-Z0-9])\s*(?:$|[,;:)!]|\.\s|\.$)",
    re.IGNORECASE,
)
_DELIVERY_LEAD = (
    r"(?:\bpour\s+le|\blivraison\s+(?:souhaitee|demandee|prevue|imperative|voulue|attendue)?\s*"
    r"(?:le|pour\s+le|au|:)?|\ba\s+livrer\s+(?:le|pour\s+le)?|\blivrer\s+(?:le|pour\s+le)"
    r"|\bdate\s+de\s+livraison(?:\s+souhaitee)?\s*:?|\bavant\s+le|\bau\s+plus\s+tard\s+le"
    r"|\bd'ici\s+(?:le)?|\bdelivery\s*(?:date)?\s*(?:on|by|:)?|\bdeliver(?:ed)?\s+(?:on|by|before)"
    r"|\b(?:needed|required|wanted)\s+(?:by|on|before)|\bship\s+(?:on|by))"
)
DELIVERY_RE = re.compile(rf"{_DELIVERY_LEAD}\s*(?:(?:le|the|on)\s+)?{DATE_PATTERN}", re.IGNORECASE)
ORDER_DATE_RE = re.compile(
    rf"(?:\bdate\s+(?:de\s+(?:la\s+)?)?commande\s*:?|\bcommande\s+du|\border\s+date\s*:?)\s*{DATE_PATTERN}",
    re.IGNORECASE,
)
TOTAL_RE = re.compile(
    r"\btotal(?:\s+(?:ht|h\.t\.|hors\s+taxes|net|commande|general|de\s+la\s+commande))*\s*[:=]?\s*"
    rf"(?P<c0>[€$£])?\s*(?P<t>{PRICE_NUM})\s*(?P<c>{CURRENCY})?",
    re.IGNORECASE,
)
CURRENCY_WORD = re.compile(r"\b(?:devise|currency)\s*:?\s*(?P<cur>[A-Z]{3})\b", re.IGNORECASE)
_COURTESY = re.compile(
    r"^\W*((bonjour|bonsoir|hello|hi|dear|cher|ch[eè]re|madame|monsieur|mesdames|messieurs"
    r"|good morning)\b[\w\s.,'-]{0,30}[,!.:]*"
    r"|(merci|thanks|thank you)( beaucoup| d'avance| par avance| in advance| a lot)?[,!.]*"
    r"|(please find|veuillez trouver|ci-joint|ci-dessous|voici)\b[^\n]{0,60})\s*$",
    re.IGNORECASE,
)


def is_courtesy(line: str) -> bool:
    """Whether a line is only a greeting or thanks."""
    return bool(_COURTESY.match(line))


#: Confidence of an order number written in the body (the subject gives less).
PO_IN_BODY = 0.95


@dataclass
class BodyReading:
    """What the reader understood in a mail body."""

    lines: list[ReadLine] = field(default_factory=list)
    buyer_order_number: str | None = None
    order_date: date | None = None
    requested_delivery_date: date | None = None
    currency: str | None = None
    total_amount: Decimal | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_body(lines: list[str], *, subject: str, sent: date | None) -> BodyReading:
    """Read an order from the author's lines of a mail.

    Args:
        lines: The lines the author wrote (:func:`connectors.email.text.author_lines`).
        subject: The Subject header, a second place for the order number.
        sent: The date of the Date header, the reference for dates without a year.
    """
    reading = BodyReading()
    _read_order_date(reading, lines, sent)
    reference = reading.order_date or sent
    for line in lines:
        if line.strip():
            _read_one(reading, line, reference)
    if reading.buyer_order_number is None:
        _po_from_subject(reading, subject)
    _settle_currency(reading)
    return reading


def _read_order_date(reading: BodyReading, lines: list[str], sent: date | None) -> None:
    for line in lines:
        match = ORDER_DATE_RE.search(plain(line))
        if match and (written := read_date(match, sent)):
            reading.order_date = written.value
            reading.confidence["order_date"] = written.confidence
            return


def _read_one(reading: BodyReading, line: str, reference: date | None) -> None:
    text = plain(line)
    rest = line
    understood = False
    for match in ORDER_DATE_RE.finditer(text):
        rest, understood = _cut(rest, match), True
    delivery = _delivery(text, reference)
    if delivery:
        rest, understood = _cut(rest, delivery[1]), True
    po = _po(plain(rest)) if reading.buyer_order_number is None else None
    if po:
        reading.buyer_order_number = po[0]
        reading.confidence["buyer_order_number"] = PO_IN_BODY
        rest, understood = _cut(rest, po[1]), True
    item = read_line(rest) if rest.strip() else None
    if item is not None:
        _add_line(reading, item, delivery[0] if delivery else None)
        return
    if delivery:
        _set_header_delivery(reading, delivery[0])
        if sum(c.isalpha() for c in rest) >= 4:  # "..., quai B": keep what else it says
            reading.notes.append(" ".join(line.split()))
    if _read_total(reading, plain(rest)):
        return
    if not understood and not _COURTESY.match(line) and (currency := CURRENCY_WORD.search(text)):
        reading.currency = currency.group("cur").upper()
        reading.confidence["currency"] = 0.95
        return
    if not understood and not _COURTESY.match(line):
        reading.notes.append(" ".join(line.split()))


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _delivery(text: str, reference: date | None) -> tuple[WrittenDate, re.Match[str]] | None:
    for match in DELIVERY_RE.finditer(text):
        written = read_date(match, reference)
        if written:
            return written, match
    return None


def _po(text: str) -> tuple[str, re.Match[str]] | None:
    for pattern in (PO_RE, BARE_PO_RE):
        for match in pattern.finditer(text):
            value = match.group("po").rstrip(".")
            if any(c.isdigit() for c in value) and not DATE_PATTERN_RE.fullmatch(value):
                return value, match
    return None


DATE_PATTERN_RE = re.compile(r"\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?")


def _po_from_subject(reading: BodyReading, subject: str) -> None:
    found = _po(plain(subject))
    if found:
        reading.buyer_order_number = found[0]
        reading.confidence["buyer_order_number"] = 0.9


def _add_line(reading: BodyReading, item: ReadLine, delivery: WrittenDate | None) -> None:
    index = len(reading.lines)
    reading.lines.append(item)
    for name, value in item.confidence.items():
        reading.confidence[f"lines[{index}].{name}"] = value
    reading.notes.extend(item.notes)
    if delivery is not None:
        item.requested_delivery_date = delivery.value
        reading.confidence[f"lines[{index}].requested_delivery_date"] = delivery.confidence
        if delivery.note:
            reading.notes.append(delivery.note)


def _set_header_delivery(reading: BodyReading, written: WrittenDate) -> None:
    if reading.requested_delivery_date is None:
        reading.requested_delivery_date = written.value
        reading.confidence["requested_delivery_date"] = written.confidence
        if written.note:
            reading.notes.append(written.note)


def _read_total(reading: BodyReading, text: str) -> bool:
    match = TOTAL_RE.search(text)
    if not match:
        return False
    try:
        reading.total_amount = parse_decimal(match.group("t"))
    except ValueError:
        return False
    reading.confidence["total_amount"] = 0.9
    currency = match.group("c0") or match.group("c")
    if currency and reading.currency is None:
        reading.currency = CURRENCY_CODES.get(currency.lower())
    return True


def _settle_currency(reading: BodyReading) -> None:
    found = {line.currency for line in reading.lines if line.currency}
    if reading.currency is None and len(found) == 1:
        reading.currency = found.pop()
        reading.confidence["currency"] = 0.9
    elif len(found) > 1:
        reading.notes.append(f"prices in several currencies: {', '.join(sorted(found))}")
        reading.confidence["currency"] = 0.3


# --- repairs from master data ----------------------------------------------------------


def _squeeze(code: str) -> str:
    return re.sub(r"[\s\-_./]", "", code).upper()


def snap_codes(reading: BodyReading, reference: ReferenceData) -> None:
    """Write item codes as the catalogue does ("ab 123" -> "AB-123"), never guessing.

    Only a code that is unknown as typed and equal to exactly one known code once case
    and separators are ignored is rewritten; the field keeps a lower confidence and a
    note says what was changed. Deciding the product stays the validation robot's job.
    """
    if not reference.item_codes:
        return
    known: dict[str, list[str]] = {}
    for code in reference.item_codes:
        known.setdefault(_squeeze(code), []).append(code)
    for index, line in enumerate(reading.lines):
        for kind in ("seller_item_code", "buyer_item_code"):
            typed = getattr(line, kind)
            if not typed or typed in reference.item_codes:
                continue
            matches = known.get(_squeeze(typed), [])
            if len(matches) == 1:
                setattr(line, kind, matches[0])
                reading.confidence[f"lines[{index}].{kind}"] = 0.85
                reading.notes.append(
                    f"line {index + 1}: item code {typed!r} read as {matches[0]!r}")


# --- mail that holds no order ----------------------------------------------------------

NO_LINES = "no order lines found in the message"

_AUTO_SUBJECT = re.compile(
    r"^\s*(absence|out of (the )?office|automatic reply|r[ée]ponse automatique"
    r"|auto(matic)?[- ]?reply|auto:|abwesend|i am out|je suis absent|absent du bureau)",
    re.IGNORECASE,
)
_NEWSLETTER = re.compile(
    r"(unsubscribe|se d[ée]sinscrire|d[ée]sabonner|d[ée]sinscription|newsletter"
    r"|view (this|it) in your browser"
    r"|voir la version en ligne)",
    re.IGNORECASE,
)
_COMPLAINT = re.compile(
    r"(r[ée]clamation|litige|ab[iî]m[ée]|endommag[ée]|cass[ée]s?\b|manquant|d[ée]fectueu"
    r"|non conforme|erreur de livraison|damaged|broken|missing items?|defective|complaint"
    r"|wrong (item|product)s?)",
    re.IGNORECASE,
)
_PRICE_REQUEST = re.compile(
    r"(devis|cotation|quotation|\bquote\b|\btarifs?\b|price list|liste de prix|how much|combien"
    r"|pricing|offre de prix|vos prix|your prices|meilleur prix|best price)",
    re.IGNORECASE,
)
_FIRM_ORDER = re.compile(
    r"(merci de (nous )?(livrer|exp[ée]dier|envoyer)|veuillez (nous )?(livrer|exp[ée]dier|envoyer)"
    r"|please (ship|deliver|send)|nous (vous )?commandons|je (vous )?commande|passer commande"
    r"|we (would like to )?order|bon de commande|purchase order|commande ferme"
    r"|please find our order"
    r"|notre commande|our order|commande\s*n[°o]|order\s*(no|number|#))",
    re.IGNORECASE,
)


def not_an_order_reason(
    headers: Mapping[str, str], subject: str, text: str, *, has_lines: bool
) -> str | None:
    """Why a mail holds no order, or None when it may hold one.

    Args:
        headers: The message headers (lower-case names).
        subject: The Subject header.
        text: The author's text.
        has_lines: Whether the reader found order lines.
    """
    if _is_automatic_reply(headers, subject):
        return "automatic reply (out of office), no order"
    firm = bool(_FIRM_ORDER.search(text) or _FIRM_ORDER.search(subject))
    if ("list-unsubscribe" in headers or "list-id" in headers
            or headers.get("precedence", "").lower() in ("bulk", "list")
            or _NEWSLETTER.search(text)) and not firm:
        return "newsletter or mailing, no order"
    if _COMPLAINT.search(text) or _COMPLAINT.search(subject):
        return "complaint about a delivery, no new order"
    if (_PRICE_REQUEST.search(text) or _PRICE_REQUEST.search(subject)) and not firm:
        return "price or quotation request, no order"
    if not has_lines:
        return NO_LINES
    return None


def asks_for_goods(subject: str, text: str) -> bool:
    """Whether a mail's wording places an order (whatever its lines look like)."""
    return bool(_FIRM_ORDER.search(text) or _FIRM_ORDER.search(subject))


def _is_automatic_reply(headers: Mapping[str, str], subject: str) -> bool:
    return (
        headers.get("auto-submitted", "no").lower() != "no"
        or "x-autoreply" in headers
        or "x-autorespond" in headers
        or headers.get("precedence", "").lower() == "auto_reply"
        or bool(_AUTO_SUBJECT.match(subject))
    )
