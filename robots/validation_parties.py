"""Which customer sent the order, and which of its addresses it names.

Customer rules are tried in order of trust (GLN, VAT id, SIRET, EDI partner, portal or
API sender, e-mail domain, fuzzy name and postal code); the first that decides is
recorded. A rule that finds two customers never decides: it is ambiguity, not a match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain

from rapidfuzz import fuzz, process

from hub.model import Order, Party
from hub.queue import Finding
from robots import validation_text as text
from robots.validation_index import Address, MasterIndex
from robots.validation_settings import ValidateSettings


@dataclass(frozen=True)
class CustomerMatch:
    """The outcome of customer resolution.

    Attributes:
        customer_id: The customer, or ``None``.
        rule: The rule that decided (``gln``, ``vat_id``... ``fuzzy_name``).
        finding: Why no customer was decided, when none was.
    """

    customer_id: str | None
    rule: str | None = None
    finding: Finding | None = None


@dataclass
class _Ambiguity:
    candidates: set[str] = field(default_factory=set)
    rule: str | None = None


def _parties(order: Order) -> list[tuple[str, Party]]:
    named = (("buyer", order.buyer), ("bill_to", order.bill_to), ("ship_to", order.ship_to))
    return [(name, party) for name, party in named if party is not None]


def _by_identifier(order: Order, index: MasterIndex) -> Iterator[tuple[str, set[str]]]:
    parties = [party for _name, party in _parties(order)]
    for party in parties:
        if party.gln and party.gln in index.by_gln:
            yield "gln", index.by_gln[party.gln]
    for party in parties:
        if party.vat_id and (vat := text.code(party.vat_id)) in index.by_vat:
            yield "vat_id", index.by_vat[vat]
    for party in parties:
        if party.siret and (siret := text.code(party.siret)) in index.by_siret:
            yield "siret", index.by_siret[siret]


def _by_sender(order: Order, index: MasterIndex, settings: ValidateSettings
               ) -> Iterator[tuple[str, set[str]]]:
    sender = (order.source.sender or "").strip()
    if sender and sender in index.edi_partners:
        yield "edi_partner", {index.edi_partners[sender]}
    if order.source.channel in ("web", "api") and sender:
        mapped = settings.sender_customers.get(sender) or (
            sender if sender in index.customers else None)
        if mapped:
            yield "sender", {mapped}
    domains = [text.email_domain(sender)]
    if order.buyer.contact is not None:
        domains.append(text.email_domain(order.buyer.contact.email))
    for domain in domains:
        if domain and domain in index.by_domain:
            yield "email_domain", index.by_domain[domain]


def resolve_customer(order: Order, index: MasterIndex, settings: ValidateSettings) -> CustomerMatch:
    """Find the customer of an order (the customer id a person set is kept).

    Returns:
        The customer and the deciding rule, or a finding: ``UNKNOWN_CUSTOMER`` or
        ``AMBIGUOUS_CUSTOMER`` with the candidates suggested.
    """
    preset = order.buyer.customer_id
    if preset and preset in index.customers:
        return CustomerMatch(preset, "customer_id")
    ambiguity = _Ambiguity()
    # Lazily, in order of trust: most orders stop at their first identifier.
    for rule, candidates in chain(_by_identifier(order, index),
                                  _by_sender(order, index, settings)):
        known = {c for c in candidates if c in index.customers}
        if len(known) == 1:
            return CustomerMatch(next(iter(known)), rule)
        if len(known) > 1 and ambiguity.rule is None:
            ambiguity = _Ambiguity(known, rule)
    return _by_name(order, index, settings, ambiguity)


def _order_postal_codes(order: Order) -> set[str]:
    return {text.postal_code(p.address.postal_code) for _n, p in _parties(order)
            if p.address is not None and p.address.postal_code}


def _by_name(order: Order, index: MasterIndex, settings: ValidateSettings,
             ambiguity: _Ambiguity) -> CustomerMatch:
    name = text.company_name(order.buyer.name or (order.bill_to.name if order.bill_to else ""))
    # With and without the legal form: OCR garbles "SARL" as readily as the name itself.
    stated = order.buyer.name or (order.bill_to.name if order.bill_to else "")
    names, full_names, full = index.customer_names(), index.customer_full_names(), text.fold(stated)
    pool = set(ambiguity.candidates)
    for postal_code in _order_postal_codes(order):
        pool |= index.by_postal_code.get(postal_code, set())
    scored = sorted(((max(_similarity(name, names[c]), _similarity(full, full_names[c])), c)
                     for c in pool if name), reverse=True)
    floor = scored[0][0] - settings.fuzzy_name_margin if scored else 0
    close = [c for s, c in scored if s >= floor]
    if scored and scored[0][0] >= settings.fuzzy_name_threshold:
        if len(close) == 1:
            return CustomerMatch(close[0], "fuzzy_name")
        return CustomerMatch(None, finding=_ambiguous(order, index, close, "fuzzy_name"))
    if ambiguity.rule:
        return CustomerMatch(None, finding=_ambiguous(
            order, index, sorted(ambiguity.candidates), ambiguity.rule))
    return CustomerMatch(None, finding=_unknown(order, index, settings, name))


def _similarity(name: str, known: str) -> float:
    # Word order differs between documents; OCR merges or splits words: take the better.
    return max(fuzz.token_sort_ratio(name, known), fuzz.ratio(name, known))


def _ambiguous(order: Order, index: MasterIndex, candidates: list[str], rule: str) -> Finding:
    shown = ", ".join(f"{c} {index.customers[c].name}" for c in candidates[:5])
    return Finding(
        "AMBIGUOUS_CUSTOMER", f"several customers fit the buyer (by {rule}): {shown}",
        field="buyer", expected="exactly one customer", found=_describe(order.buyer),
        suggestion=f"choose one of: {shown}")


def _unknown(order: Order, index: MasterIndex, settings: ValidateSettings, name: str) -> Finding:
    suggestion = None
    if name and settings.suggestions:
        near = process.extract(name, index.similar_customers(name), scorer=fuzz.token_sort_ratio,
                               limit=settings.suggestions, score_cutoff=60)
        if near:
            suggestion = "nearest customers: " + "; ".join(
                f"{key} {index.customers[key].name}" for _v, _s, key in near)
    return Finding(
        "UNKNOWN_CUSTOMER", "no customer matches the buyer's identifiers, sender or name",
        field="buyer", expected="a known GLN, VAT id, SIRET, sender or customer name",
        found=_describe(order.buyer) or order.source.sender,
        suggestion=suggestion or "create the customer or set its customer id")


def _describe(party: Party) -> str:
    parts = [party.name, party.gln, party.vat_id, party.siret]
    if party.address is not None:
        parts += [party.address.street, party.address.postal_code, party.address.city]
    return ", ".join(p for p in parts if p)


# --- addresses ------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressMatch:
    """A resolved address id, or the finding that explains why there is none."""

    address_id: str | None
    finding: Finding | None = None


def resolve_address(
    party: Party | None, role: str, known: list[Address], settings: ValidateSettings,
    *, customer_gln: str | None = None,
) -> AddressMatch:
    """Resolve a ship-to or bill-to party among the customer's addresses of that kind.

    Args:
        party: The party as the order states it (``None`` when absent).
        role: ``ship_to`` or ``bill_to`` (the field named in findings).
        known: The customer's addresses of that kind.
        settings: Thresholds.
        customer_gln: The customer's own GLN (a bill-to naming the account itself).
    """
    if party is None or not _states_anything(party):
        if len(known) == 1:
            return AddressMatch(known[0].address_id)
        return AddressMatch(None, _missing(role, known))
    for rule in _ADDRESS_RULES:
        address_id = rule(party, known, settings)
        if address_id:
            return AddressMatch(address_id)
    if role == "bill_to" and party.gln and party.gln == customer_gln and len(known) == 1:
        return AddressMatch(known[0].address_id)
    return AddressMatch(None, _unknown_address(party, role, known, settings))


def _states_anything(party: Party) -> bool:
    address = party.address
    return bool(party.gln or party.buyer_assigned_id or party.name or (
        address is not None and (address.street or address.postal_code)))


def _by_gln(party: Party, known: list[Address], _s: ValidateSettings) -> str | None:
    hits = [a.address_id for a in known if party.gln and a.gln == party.gln]
    return hits[0] if len(hits) == 1 else None


def _by_id(party: Party, known: list[Address], _s: ValidateSettings) -> str | None:
    wanted = text.code(party.buyer_assigned_id)
    hits = [a.address_id for a in known if wanted and text.code(a.address_id) == wanted]
    return hits[0] if len(hits) == 1 else None


def _by_postal_address(party: Party, known: list[Address], s: ValidateSettings) -> str | None:
    if party.address is None or not party.address.postal_code:
        return None
    postal, street = text.postal_code(party.address.postal_code), text.street(party.address.street)
    same_code = [a for a in known if a.key[0] == postal]
    exact = [a for a in same_code if a.key[1] == street and street]
    if len(exact) == 1:
        return exact[0].address_id
    near = [a for a in same_code if street
            and fuzz.token_sort_ratio(street, a.key[1]) >= s.address_street_threshold]
    if len(near) == 1:
        return near[0].address_id
    if not street and len(same_code) == 1 and _same_name(party, same_code[0]):
        return same_code[0].address_id
    return None


def _same_name(party: Party, address: Address) -> bool:
    return bool(party.name) and text.company_name(party.name) == text.company_name(address.name)


_ADDRESS_RULES: tuple[Callable[[Party, list[Address], ValidateSettings], str | None], ...] = (
    _by_gln, _by_id, _by_postal_address)


def _missing(role: str, known: list[Address]) -> Finding:
    listed = "; ".join(a.label() for a in known[:5])
    found = f"{len(known)} known {role} addresses" if known else f"no {role} address on file"
    return Finding(
        "MISSING_FIELD", f"the order names no {role} and the customer has {found}",
        field=role, expected=f"one {role} address", found="none stated",
        suggestion=f"choose one of: {listed}" if known else f"add a {role} address")


def _unknown_address(party: Party, role: str, known: list[Address],
                     settings: ValidateSettings) -> Finding:
    stated = _describe(party)
    labels = {a.address_id: a.label() for a in known}
    near = process.extract(text.fold(stated), {k: text.fold(v) for k, v in labels.items()},
                           scorer=fuzz.token_set_ratio, limit=settings.suggestions or 1)
    suggestion = "nearest known: " + "; ".join(labels[k] for _v, _s, k in near) if near else (
        f"the customer has no {role} address on file")
    reason = "UNKNOWN_SHIP_TO" if role == "ship_to" else "INVALID_VALUE"
    return Finding(reason, f"the {role} is not one of the customer's addresses", field=role,
                   expected=f"a known {role} address", found=stated, suggestion=suggestion)
