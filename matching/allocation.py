"""Spreading a payment over the invoices it pays, and naming what does not add up.

Cash goes to the invoices in due-date order, never more than an invoice's open amount
and never more than the payment. A shortfall is explained when it can be (early-payment
discount, bank charges, a deduction the customer announces, a partial payment); an
excess is an overpayment left on the customer's account.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from matching.book import Application, OpenItem
from matching.candidates import Ledger
from matching.settings import MatchSettings
from matching.statements.model import BankTransaction

CENT = Decimal("0.01")
_DUE = operator.attrgetter("due_date", "invoice_id")
_DEDUCTION = re.compile(
    r"DEDUCT|RETENUE|LITIGE|DISPUTE|DAMAGE|ENDOMMAG|MANQUANT|MISSING|SHORTAGE|AVOIR|"
    r"CREDIT NOTE|ABZUG|KUERZUNG|KURZUNG|REKLAMATION|PENALIT|PENALTY|CLAIM|RETOUR"
)

#: How much an unexplained amount leaves in doubt (1.0: no help from the amount).
EXACT, EXPLAINED, PARTIAL, UNEXPLAINED = 0.3, 0.6, 0.85, 1.0


@dataclass
class Allocation:
    """Cash spread over invoices, with the remainder named."""

    applications: list[Application]
    remainder: Decimal
    remainder_kind: str | None
    note: str
    doubt: float
    dispute: str | None = None


def spread(items: list[OpenItem], amount: Decimal, ledger: Ledger) -> list[Application]:
    """Apply ``amount`` to ``items`` in due-date order, within each open amount."""
    left = amount
    applications = []
    ordered = items if len(items) < 2 else sorted(items, key=_DUE)
    for item in ordered:
        if left <= 0:
            break
        applied = min(ledger.open[item.invoice_id], left)
        if applied > 0:
            applications.append(Application(item.invoice_id, applied))
            left -= applied
    return applications


def allocate(
    items: list[OpenItem],
    tx: BankTransaction,
    ledger: Ledger,
    settings: MatchSettings,
) -> Allocation:
    """Spread the transaction over ``items`` and explain the difference."""
    amount = tx.amount
    due = sum((ledger.open[i.invoice_id] for i in items), Decimal(0))
    applications = spread(items, amount, ledger)
    if amount == due:
        return Allocation(applications, Decimal(0), None, "exact amount", EXACT)
    if amount > due:
        excess = amount - due
        note = f"overpayment {excess} left on account"
        return Allocation(applications, excess, "overpayment", note, EXPLAINED)
    return _short(items, tx, due - amount, applications, ledger=ledger, settings=settings)


def _short(
    items: list[OpenItem],
    tx: BankTransaction,
    short: Decimal,
    applications: list[Application],
    *,
    ledger: Ledger,
    settings: MatchSettings,
) -> Allocation:
    rate = discount_rate(items, short, ledger, settings)
    late = any((tx.booking_date - i.issue_date).days > settings.discount_days for i in items)
    if rate is not None and not late:
        note = f"short {short}: early-payment discount {rate * 100:g} %"
        return Allocation(applications, short, "discount", note, EXPLAINED)
    if tx.charges is not None and tx.charges == short:
        return Allocation(applications, short, "bank_charges", f"short {short}: bank charges",
                          EXPLAINED)
    text = (tx.remittance or "").upper()
    if _DEDUCTION.search(text):
        customer = ledger.customers.get(items[0].customer_id)
        rep = customer.sales_rep if customer and customer.sales_rep else "unassigned"
        names = ", ".join(i.invoice_id for i in items)
        dispute = f"deduction of {short} on {names}: dispute for ADV and sales rep {rep}"
        note = f"short {short}: disputed deduction, {dispute}"
        return Allocation(applications, short, "deduction", note, EXPLAINED, dispute)
    if short <= settings.bank_charges_limit and short * 50 <= tx.amount:
        return Allocation(applications, short, "bank_charges",
                          f"short {short}: bank charges", EXPLAINED)
    if len(items) == 1:
        note = f"partial payment, {short} remains open"
        return Allocation(applications, short, "partial", note, PARTIAL)
    return Allocation(applications, short, "short", f"short payment, {short} remains open",
                      UNEXPLAINED)


def discount_rate(
    items: list[OpenItem], short: Decimal, ledger: Ledger, settings: MatchSettings
) -> Decimal | None:
    """The discount rate that explains ``short`` on these invoices, if one does."""
    rates = settings.discount_rates
    if not rates:
        return None
    # Rounding moves each invoice's discount by half a cent at most: a shortfall far
    # outside every rate needs no exact sums (binary floats, so a wider margin).
    due, slack = float(sum(ledger.open[i.invoice_id] for i in items)), 0.02 * len(items)
    if not due * float(min(rates)) - slack <= float(short) <= due * float(max(rates)) + slack:
        return None
    for rate in rates:
        expected = sum(
            ((ledger.open[i.invoice_id] * rate).quantize(CENT, ROUND_HALF_UP) for i in items),
            Decimal(0),
        )
        if abs(expected - short) <= CENT * len(items):
            return rate
    return None
