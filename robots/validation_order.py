"""One order through every resolution and check: a pure function of the order,
the indexes, the settings and the date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hub.model import Order
from hub.queue import Finding
from robots.validation_credit import CREDIT_REASONS, check_credit
from robots.validation_index import Customer, History, MasterIndex
from robots.validation_parties import CustomerMatch, resolve_address, resolve_customer
from robots.validation_products import ResolvedLine, resolve_line
from robots.validation_rules import RULES, Context, fingerprint, order_value
from robots.validation_settings import ValidateSettings


@dataclass
class Outcome:
    """What validation decided for one order.

    Attributes:
        order_id: The order.
        customer_id: The resolved customer (``None`` when unknown or ambiguous).
        customer_rule: The rule that decided the customer.
        ship_to_address_id: The resolved ship-to address.
        bill_to_address_id: The resolved bill-to address.
        currency: The order's currency (stated, or the customer's).
        lines: The resolved lines.
        value: The order's value (for credit exposure).
        fingerprint: What it orders, for duplicate checks.
        findings: Every problem, in rule order; none means ``validated``.
    """

    order_id: str
    customer_id: str | None = None
    customer_rule: str | None = None
    ship_to_address_id: str | None = None
    bill_to_address_id: str | None = None
    currency: str | None = None
    lines: list[ResolvedLine] = field(default_factory=list)
    value: Decimal = Decimal(0)
    fingerprint: tuple[tuple[str, Decimal], ...] = ()
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``validated`` with no findings, else ``exception``."""
        return "exception" if self.findings else "validated"


def validate_order(
    order_id: str, order: Order, *, index: MasterIndex, history: History,
    settings: ValidateSettings, today: date,
    accepted: frozenset[tuple[str, str | None, str | None]] = frozenset(),
    match: CustomerMatch | None = None,
) -> Outcome:
    """Resolve and check one order.

    Args:
        order_id: Its id in the queue (duplicates are judged against earlier ids).
        order: The canonical order.
        index: Master data.
        history: Past orders of the queue.
        settings: The rules.
        today: The date of the check (company time zone).
        accepted: (reason, field, found) a person already accepted on this order; such
            findings are not raised again. Finance holds match on (reason, field).
        match: The order's customer when already resolved (it depends only on the
            order and master data).
    """
    outcome = Outcome(order_id)
    match = match or resolve_customer(order, index, settings)
    customer = index.customers.get(match.customer_id) if match.customer_id else None
    outcome.customer_id, outcome.customer_rule = match.customer_id, match.rule
    findings = [match.finding] if match.finding else []
    if customer is not None:
        findings += _addresses(order, customer, index, settings, outcome)
    outcome.currency = order.currency or (
        customer.currency if customer and settings.currency_from_customer else None)
    outcome.lines = [resolve_line(line, outcome.customer_id, index, settings)
                     for line in order.lines]
    for line in outcome.lines:
        findings += line.findings
    outcome.fingerprint = fingerprint(outcome.lines)
    outcome.value = order_value(outcome.lines)
    ctx = Context(order_id, order, customer, outcome.lines, outcome.currency, index, history,
                  settings, today, outcome.fingerprint, outcome.ship_to_address_id)
    for rule in RULES:
        findings += rule(ctx)
    if customer is not None:
        findings += check_credit(
            customer.customer_id, order_value=outcome.value,
            open_orders=history.exposure.get(customer.customer_id, Decimal(0)),
            index=index, settings=settings, today=today)
    outcome.findings = [f for f in findings if not _was_accepted(f, accepted)]
    return outcome


def _addresses(order: Order, customer: Customer, index: MasterIndex,
               settings: ValidateSettings, outcome: Outcome) -> list[Finding]:
    findings = []
    ship = resolve_address(order.ship_to, "ship_to", index.ship_tos(customer.customer_id),
                           settings)
    outcome.ship_to_address_id = ship.address_id
    if ship.finding:
        findings.append(ship.finding)
    bill_tos = index.bill_tos(customer.customer_id)
    # Without a bill-to address on file the account itself is invoiced.
    if bill_tos:
        bill = resolve_address(order.bill_to, "bill_to", bill_tos, settings,
                               customer_gln=customer.gln)
        outcome.bill_to_address_id = bill.address_id
        if bill.finding:
            findings.append(bill.finding)
    return findings


def _was_accepted(finding: Finding, accepted: frozenset[tuple[str, str | None, str | None]]
                  ) -> bool:
    if finding.reason in CREDIT_REASONS:
        return (finding.reason, finding.field, None) in accepted
    return (finding.reason, finding.field, finding.found) in accepted
