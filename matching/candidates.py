"""The indexes candidates come from: never all pairs of payments and invoices.

:class:`Ledger` holds the open items with their running open amounts (what this run has
already applied is taken off), and looks invoices up by id, by customer in due-date
order, and by open amount. Reference and payer indexes sit beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from matching.book import Customer, Habit, OpenItem, PayerAlias
from matching.payers import PayerIndex
from matching.references import ReferenceIndex


class Ledger:
    """Open items, customers and the indexes over them, for one matching run.

    Args:
        customers: The customer accounts.
        items: Every invoice known, paid ones (``open_amount`` 0) included so that a
            payment of an already paid invoice is recognised.
        aliases: Learned payer aliases.
        habits: Learned reference habits.
        own_ibans: Our own accounts.
    """

    def __init__(
        self,
        customers: Iterable[Customer],
        items: Iterable[OpenItem],
        aliases: Iterable[PayerAlias] = (),
        habits: Iterable[Habit] = (),
        own_ibans: Iterable[str] = (),
    ) -> None:
        self.customers = {c.customer_id: c for c in customers}
        self.items: dict[str, OpenItem] = {}
        self.open: dict[str, Decimal] = {}
        self.by_customer: dict[str, list[OpenItem]] = {}
        self.by_amount: dict[tuple[str, Decimal], list[str]] = {}
        self.by_customer_amount: dict[tuple[str, str, Decimal], list[str]] = {}
        self._open_lists: dict[tuple[str, str], list[OpenItem]] = {}
        self.paid_by: dict[str, list[str]] = {}
        for item in items:
            self.items[item.invoice_id] = item
            self.open[item.invoice_id] = item.open_amount
            self.by_customer.setdefault(item.customer_id, []).append(item)
            if item.open_amount > 0:
                key = (item.currency, item.open_amount)
                self.by_amount.setdefault(key, []).append(item.invoice_id)
                owned = (item.customer_id, item.currency, item.open_amount)
                self.by_customer_amount.setdefault(owned, []).append(item.invoice_id)
        for listed in self.by_customer.values():
            listed.sort(key=lambda i: (i.due_date, i.invoice_id))
        self.references = ReferenceIndex((i.invoice_id, i.reference) for i in self.items.values())
        self.payers = PayerIndex(self.customers.values(), aliases, own_ibans)
        self.currencies = {i.currency for i in self.items.values() if i.open_amount > 0}
        self.tail_habits: dict[str, set[int]] = {}
        self.token_habits: dict[tuple[str, str], str] = {}
        for habit in habits:
            self.learn_habit(habit)

    def learn_habit(self, habit: Habit) -> None:
        """Remember how one customer writes references."""
        if habit.kind == "tail" and habit.value.isdigit():
            self.tail_habits.setdefault(habit.customer_id, set()).add(int(habit.value))
        elif habit.kind == "token" and habit.invoice_id:
            self.token_habits[(habit.customer_id, habit.value.upper())] = habit.invoice_id

    def open_items_of(self, customer_id: str, currency: str) -> list[OpenItem]:
        """The customer's invoices still open in ``currency``, oldest due first.

        Kept until cash is applied to one of them: a large account is asked often.
        """
        key = (customer_id, currency)
        found = self._open_lists.get(key)
        if found is None:
            found = [
                i
                for i in self.by_customer.get(customer_id, ())
                if i.currency == currency and self.open[i.invoice_id] > 0
            ]
            self._open_lists[key] = found
        return found

    def customer_items_of_amount(
        self, customer_id: str, currency: str, amount: Decimal
    ) -> list[OpenItem]:
        """The customer's invoices whose open amount is exactly ``amount``."""
        ids = self.by_customer_amount.get((customer_id, currency, amount), ())
        return [self.items[i] for i in ids if self.open[i] == amount]

    def with_amount(self, currency: str, amount: Decimal) -> list[str]:
        """Invoices whose open amount is exactly ``amount`` (and still open)."""
        ids = self.by_amount.get((currency, amount), ())
        return [i for i in ids if self.open[i] == amount]

    def apply(self, invoice_id: str, amount: Decimal, transaction_ref: str) -> None:
        """Take an automatic application off the invoice's running open amount."""
        self.open[invoice_id] -= amount
        self.paid_by.setdefault(invoice_id, []).append(transaction_ref)
        if self.open[invoice_id] <= 0:
            item = self.items[invoice_id]
            self._open_lists.pop((item.customer_id, item.currency), None)
