"""What cash application matches against: customers, their open items, past decisions.

These are plain records, independent of where they come from (the master-data CSV files
of ``o2c cash match`` or the database tables the ``match`` robot reads).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from matching.statements.model import BankTransaction


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer account as cash application sees it."""

    customer_id: str
    name: str
    ibans: tuple[str, ...] = ()
    currency: str | None = None
    sales_rep: str | None = None


@dataclass(slots=True)
class OpenItem:
    """An invoice; ``open_amount`` is what remains to be paid (0 once paid)."""

    invoice_id: str
    customer_id: str
    issue_date: date
    due_date: date
    currency: str
    amount: Decimal
    open_amount: Decimal
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class PayerAlias:
    """A payer name and/or IBAN finance once tied to a customer."""

    customer_id: str
    payer_name: str | None = None
    payer_iban: str | None = None


@dataclass(frozen=True, slots=True)
class Habit:
    """A way one customer writes invoice references, learned from finance decisions.

    ``kind`` is ``tail`` (the customer quotes only the last ``value`` digits of the
    invoice number) or ``token`` (the customer quotes its own token ``value`` for the
    invoice ``invoice_id``: a purchase-order number, for instance).
    """

    customer_id: str
    kind: str
    value: str
    invoice_id: str | None = None


@dataclass(frozen=True, slots=True)
class Application:
    """Cash applied (or proposed) from one transaction to one invoice."""

    invoice_id: str
    applied_amount: Decimal


@dataclass(slots=True)
class Proposal:
    """What cash application decided for one bank transaction.

    ``status`` is ``auto``, ``suggested`` or ``unmatched``; ``rule`` names the strategy
    that made the proposal and ``reason`` says why in words finance reads. The
    applications never add up to more than the transaction's amount, nor exceed an
    invoice's open amount. ``alternatives`` are the competing proposals, best first.
    """

    transaction: BankTransaction
    status: str
    rule: str
    reason: str
    confidence: float
    customer_id: str | None = None
    applications: list[Application] = field(default_factory=list)
    alternatives: list[Proposal] = field(default_factory=list)
    remainder: Decimal = Decimal(0)
    remainder_kind: str | None = None
    dispute: str | None = None

    @property
    def invoice_ids(self) -> tuple[str, ...]:
        """The invoices this proposal applies cash to, in application order."""
        return tuple(a.invoice_id for a in self.applications)

    @property
    def applied_total(self) -> Decimal:
        """The cash this proposal applies."""
        return sum((a.applied_amount for a in self.applications), Decimal(0))
